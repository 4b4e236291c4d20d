# certgate-wasm: the WebAssembly build (wasm-bindgen), its tests in Node and in a
# real browser, and its benchmark. Included by the root Makefile.
#   make wasm         build bindings-wasm/pkg/{nodejs,web} (the certgate-wasm package)
#   make wasm-size    what the shipped module is made of, by crate (scripts/size-by-crate.js)
#   make test-wasm    the Node addon's JS suite against the wasm build (CERTGATE_IMPL=wasm),
#                     the wasm/native parity test, the API tests and the headless-chromium test
#   make bench-wasm   verify ops/s: wasm in Node vs the native addon vs pkijs

WASM_DIR := $(ROOT)/bindings-wasm
WASM_TARGET := wasm32-unknown-unknown
WASM_BUILT := $(ROOT)/target/$(WASM_TARGET)/wasm-release/certgate_wasm.wasm
# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' $(ROOT)/Cargo.lock)
WASM_BINDGEN_FLAGS := --no-typescript --remove-name-section --remove-producers-section
WASM_NODE_MODULES := $(WASM_DIR)/node_modules/.package-lock.json
WASM_BG := certgate_wasm_bg.wasm
# wasm-opt from the `binaryen` npm package (a locked devDependency: binaryen compiled to
# WebAssembly and run by node; Debian's binaryen 108 cannot read what wasm-bindgen
# writes). It runs after wasm-bindgen, on the module it wrote, with the features that
# module's target_features section declares (then stripped: nothing reads it).
# -Oz, except that a function with one caller is inlined only when it is tiny: inlining
# the big ones too saves 27 KB more raw but adds 52 KB gzipped (README, Size). Never
# -tnh / -iit: a trap is how a panic fails closed (README, Traps), so traps must stay
# where rustc put them.
WASM_OPT := $(WASM_DIR)/node_modules/.bin/wasm-opt
WASM_OPT_FLAGS := -Oz --one-caller-inline-max-function-size=20 --strip-target-features
wasm_size = $$(stat -c %s $(1)) bytes raw, $$(gzip -9c $(1) | wc -c) bytes gzip -9

BINDING_TESTS += test-wasm
BINDING_BENCHES += bench-wasm

.PHONY: wasm wasm-setup wasm-size test-wasm test-wasm-shared test-wasm-own bench-wasm dist-wasm

# Idempotent: each step is skipped when already satisfied.
wasm-setup:
	@rustup target list --installed | grep -qx '$(WASM_TARGET)' || rustup target add $(WASM_TARGET)
	@$(ROOT)/scripts/ensure-apt clang
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 3 minutes, once)"; \
	  $(CARGO) install wasm-bindgen-cli --version '$(WASM_BINDGEN_VERSION)'; \
	fi

# scripts/package.js bundles the JS with esbuild, a devDependency.
wasm: wasm-setup $(WASM_NODE_MODULES)
	$(CARGO) build -p certgate-wasm --target $(WASM_TARGET) --profile wasm-release
	rm -rf $(WASM_DIR)/pkg
	wasm-bindgen --target nodejs --out-dir $(WASM_DIR)/pkg/nodejs $(WASM_BINDGEN_FLAGS) $(WASM_BUILT)
	wasm-bindgen --target web --out-dir $(WASM_DIR)/pkg/web $(WASM_BINDGEN_FLAGS) $(WASM_BUILT)
	@echo "$(WASM_BG) from wasm-bindgen: $(call wasm_size,$(WASM_DIR)/pkg/web/$(WASM_BG))"
	@# Both targets get the same module from wasm-bindgen: optimize it once, or each if not.
	cd $(WASM_DIR)/pkg && if cmp -s nodejs/$(WASM_BG) web/$(WASM_BG); then \
	  $(WASM_OPT) $(WASM_OPT_FLAGS) web/$(WASM_BG) -o web/$(WASM_BG) && cp web/$(WASM_BG) nodejs/$(WASM_BG); \
	else \
	  for target in nodejs web; do $(WASM_OPT) $(WASM_OPT_FLAGS) $$target/$(WASM_BG) -o $$target/$(WASM_BG) || exit 1; done; \
	fi
	node $(WASM_DIR)/scripts/package.js
	@echo "$(WASM_BG): $(call wasm_size,$(WASM_DIR)/pkg/web/$(WASM_BG))"

# The same module as `make wasm` ships (same cargo build, same wasm-opt), but keeping the
# name section, and a table of its code by crate (the README's size analysis).
wasm-size: wasm
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  wasm-bindgen --target web --out-dir $$tmp --no-typescript $(WASM_BUILT) && \
	  $(WASM_OPT) $(WASM_OPT_FLAGS) -g $$tmp/$(WASM_BG) -o $$tmp/$(WASM_BG) && \
	  node $(WASM_DIR)/scripts/size-by-crate.js $$tmp/$(WASM_BG) --top 40 --functions 25

$(WASM_NODE_MODULES): $(WASM_DIR)/package.json $(WASM_DIR)/package-lock.json
	cd $(WASM_DIR) && npm ci --no-audit --no-fund
	touch $@

# Tests that need the native addon and the shared suite use the Node package's
# install and build targets (bindings-node/rules.mk).
test-wasm: test-wasm-own test-wasm-shared

test-wasm-own: wasm node-build
	@$(ROOT)/scripts/ensure-apt chromium
	cd $(WASM_DIR) && node --test test/*.test.js

test-wasm-shared: wasm node-build
	cd $(ROOT)/bindings-node && CERTGATE_IMPL=wasm node --test test/*.test.js

bench-wasm: wasm node-build
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd $(ROOT) && $(CARGO) run -q --release -p certgate-vectors -- bench $$tmp) && \
	  node $(WASM_DIR)/bench/verify.mjs $$tmp

# The certgate-wasm npm package, packed.
BINDING_DISTS += dist-wasm
dist-wasm: wasm
	mkdir -p $(DIST) && cd $(DIST) && npm pack --silent $(WASM_DIR)/pkg
