# bindings-node: the `certgate` npm package (napi-rs addon). Included by the root Makefile.
#   make node-build   npm install (once per lockfile change) + npm run build: the shared JS of
#                     bindings-js copied into lib/, napi build --platform --release into lib/
#   make test-node    the node:test suite (vectors, API, bad input, async, servers, clients,
#                     e2e, certgate probe, package)
#   make demo-node    a `certgate pki` PKI, an https server enforcing its policy, curl with
#                     four clients, then a revocation applied without a restart
#   make bench-node   ops/s against pkijs, @peculiar/x509 and node:crypto, as ratios

NODE_DIR := $(ROOT)/bindings-node

DEMO := demo-node
BINDING_TESTS += test-node
BINDING_BENCHES += bench-node

.PHONY: node-setup node-build test-node demo-node bench-node dist-node

# Installs the locked devDependencies, only when package(-lock).json changed since the last
# install. `npm install`, not `npm ci`: the registry reachable here lacks some other-platform
# optional packages of @napi-rs/cli's dependencies (e.g. @napi-rs/tar-android-arm-eabi), so
# the lockfile cannot list them and `npm ci` refuses it as out of sync.
$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package-lock.json $(NODE_DIR)/package.json
	cd $(NODE_DIR) && npm install --no-audit --no-fund --loglevel=error
	touch $@

node-setup: $(NODE_DIR)/node_modules/.package-lock.json
	$(ROOT)/scripts/ensure-apt curl openssl

node-build: node-setup
	cd $(NODE_DIR) && CARGO="$(CARGO)" npm run --silent build

# The demo PKI (valid now) is generated once for the suite; the e2e tests use it.
# test/probe.test.js runs the CLI's `certgate probe` against Node servers.
test-node: node-build
	cd $(ROOT) && $(CARGO) build -q --release -p certgate-cli
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd $(ROOT) && $(CARGO) run -q --release -p certgate-vectors -- demo $$tmp) && \
	  cd $(NODE_DIR) && CERTGATE_DEMO_DIR=$$tmp CERTGATE_CLI=$(ROOT)/target/release/certgate \
	    node --test test/*.test.js

demo-node: node-build
	cd $(ROOT) && $(CARGO) build -q --release -p certgate-cli
	CERTGATE_CLI=$(ROOT)/target/release/certgate $(NODE_DIR)/scripts/demo.sh

bench-node: node-build
	CARGO="$(CARGO)" $(NODE_DIR)/scripts/bench.sh

# The main package and the linux-x64-gnu platform package (napi-rs layout), packed.
BINDING_DISTS += dist-node
dist-node: node-build
	node $(NODE_DIR)/scripts/dist.js $(DIST)
