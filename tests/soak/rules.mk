# Soak tests, not part of `make test` (minutes of CPU; the figures go in the notes):
#   make soak   1,000,000 verifications each from Rust (8 threads), Node (4 worker
#               threads x 16 checkAsync in flight) and Python (8 threads): good,
#               revoked, expired, untrusted, garbage and oversized chains while the CRL
#               set is swapped every 10 ms and the policy reloaded every 100 ms; zero
#               wrong decisions and RSS growth after warm-up under 5%, or it fails.
#               SOAK_VERIFICATIONS sets the count. Then an https server made with
#               serverOptions() and enforce() takes 1,000 curl handshakes, 200 at a
#               time (allowed, revoked, wrong SPIFFE ID, untrusted, no certificate):
#               every answer and every server decision right, no unhandled error, RSS
#               flat.

SOAK_VERIFICATIONS ?= 1000000

.PHONY: soak

soak: node-build python-wheel
	cd $(ROOT) && $(CARGO) run -q --release -p certgate --example soak -- $(SOAK_VERIFICATIONS)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd $(ROOT) && $(CARGO) run -q --release -p certgate-vectors -- demo $$tmp >/dev/null) && \
	  node $(ROOT)/tests/soak/soak.mjs $$tmp $(SOAK_VERIFICATIONS) && \
	  $(PY) $(ROOT)/tests/soak/soak.py $$tmp $(SOAK_VERIFICATIONS) && \
	  node --expose-gc $(ROOT)/tests/soak/server-soak.mjs $$tmp 1000 200
