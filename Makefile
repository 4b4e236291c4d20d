# certgate: the only commands a newcomer needs.
#   make demo   build the CLI and show it admitting and refusing clients
#   make test   format check, clippy, and every test of every language
#   make bench  benchmarks with ratios against the libraries users would otherwise pick
#   make demo-proxy  nginx terminating mTLS in front of the Node app (forwarded headers)
#   make dist   every publishable artifact into target/dist (npm, wheel + sdist, C tarball,
#               WASM npm package, the certgate crate); `make test` installs each of them
#               into a fresh project (test-dist)
# Each binding adds its own targets in bindings-*/rules.mk (included below); the
# hardening suites (fuzz/, tests/*/) theirs in their own rules.mk, and the part of them
# that `make test` runs to CHECK_TESTS.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
ROOT := $(CURDIR)
export CARGO_TERM_COLOR ?= never

BINDING_TESTS :=
CHECK_TESTS :=
BINDING_BENCHES :=
BINDING_DISTS :=
DEMO :=
DIST := $(ROOT)/target/dist

.PHONY: all test demo bench lint test-rust vectors demo-cli bench-core dist dist-clean dist-crate test-dist \
	proxies-setup test-proxies demo-proxy

all: test

include $(sort $(wildcard bindings-*/rules.mk fuzz/rules.mk tests/*/rules.mk))

test: lint test-rust $(BINDING_TESTS) $(CHECK_TESTS) test-proxies test-dist

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

test-rust:
	$(CARGO) test --workspace --all-features

# Regenerates the cross-language PKI and cases (then review and commit the diff).
vectors:
	$(CARGO) run -q -p certgate-vectors -- vectors tests/vectors

demo: $(if $(DEMO),$(DEMO),demo-cli)

demo-cli:
	$(CARGO) build -q --release -p certgate-cli -p certgate-vectors
	scripts/demo-cli.sh $(ROOT)/target/release

bench: bench-core $(BINDING_BENCHES)

bench-core:
	$(CARGO) bench -p certgate --bench verify

# Each binding's rules.mk adds its dist-* target; all write into $(DIST), emptied first.
dist: dist-clean
	$(MAKE) --no-print-directory $(BINDING_DISTS) dist-crate
	@echo "target/dist:" && ls -l $(DIST)

dist-clean:
	rm -rf $(DIST) && mkdir -p $(DIST)

# The core crate as crates.io would get it; `cargo package` builds the packed copy to
# verify it. --allow-dirty: npm may rewrite a lockfile during the same `make test`.
dist-crate:
	$(CARGO) package -p certgate --allow-dirty
	cp $(ROOT)/target/package/certgate-$$($(CARGO) pkgid -p certgate | sed 's/.*[@#]//').crate $(DIST)/

# Installs every artifact of `make dist` into a fresh project and uses it there (the C
# check compiles the vector replay, which needs libcjson: c-apt).
test-dist: dist c-apt
	tests/dist/run.sh $(DIST)

# Real proxies (Debian's nginx, HAProxy, Caddy, Apache) in front of the Node and Python
# apps: tests/proxies/run.py. The apps need the addon and the wheel in the dev venv.
proxies-setup: node-build python-wheel
	$(ROOT)/scripts/ensure-apt nginx-light haproxy caddy apache2 curl

test-proxies: proxies-setup
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(CARGO) run -q --release -p certgate-vectors -- demo $$tmp >/dev/null && \
	  $(PY) tests/proxies/run.py $$tmp

demo-proxy: proxies-setup
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(CARGO) run -q --release -p certgate-vectors -- demo $$tmp >/dev/null && \
	  $(PY) tests/proxies/run.py --demo $$tmp
