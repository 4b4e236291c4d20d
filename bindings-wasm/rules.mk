# certgate-wasm: the WebAssembly build (wasm-bindgen), its tests in Node and in a
# real browser, and its benchmark. Included by the root Makefile.
#   make wasm         build bindings-wasm/pkg/{nodejs,web} (the certgate-wasm package)
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

BINDING_TESTS += test-wasm
BINDING_BENCHES += bench-wasm

.PHONY: wasm wasm-setup test-wasm test-wasm-shared test-wasm-own bench-wasm dist-wasm

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
	node $(WASM_DIR)/scripts/package.js
	@wasm_file=$(WASM_DIR)/pkg/web/certgate_wasm_bg.wasm; \
	  echo "certgate_wasm_bg.wasm: $$(stat -c %s $$wasm_file) bytes raw, $$(gzip -9c $$wasm_file | wc -c) bytes gzip -9"

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
