# certgate: the only commands a newcomer needs.
#   make demo   build the CLI and show it admitting and refusing clients
#   make test   format check, clippy, and every test of every language
#   make bench  benchmarks with ratios against the libraries users would otherwise pick
# Each binding adds its own targets in bindings-*/rules.mk (included below).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
ROOT := $(CURDIR)
export CARGO_TERM_COLOR ?= never

BINDING_TESTS :=
BINDING_BENCHES :=
DEMO :=

.PHONY: all test demo bench lint test-rust vectors demo-cli bench-core

all: test

include $(sort $(wildcard bindings-*/rules.mk))

test: lint test-rust $(BINDING_TESTS)

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
