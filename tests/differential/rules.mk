# tests/differential: certgate against OpenSSL's `openssl verify` on random small PKIs
# (tests/differential/README.md).
#   make differential       DIFF_CASES cases (default 10,000) and the table of agreements and
#                           disagreements by rule
#   make test-differential  500 cases; part of `make test` (CHECK_TESTS)
# Both fail on an unexplained disagreement or a finding (a certgate bug). Also:
# DIFF_SEED (default the fixed seed), DIFF_START (first case number), DIFF_JOBS (default:
# the CPUs), DIFF_FLAGS (e.g. --no-x509-strict, --require-docs, --allow-findings). A case
# is replayed with `cargo run -p certgate-differential -- --case N`; the cases that fail a
# run are saved, with a repro.sh, under target/differential/found.

CHECK_TESTS += test-differential

.PHONY: differential test-differential differential-apt

DIFF_CASES ?= 10000
DIFF_FLAGS ?=
DIFF_ARGS = $(if $(DIFF_SEED),--seed $(DIFF_SEED)) $(if $(DIFF_START),--start $(DIFF_START)) \
	$(if $(DIFF_JOBS),--jobs $(DIFF_JOBS)) $(DIFF_FLAGS)

differential-apt:
	$(ROOT)/scripts/ensure-apt openssl

# Release for the long run (5 ms a case against 6.6 in a debug build); the debug build
# for `make test`, which has built the workspace that way already (no LTO link to wait for).
differential: differential-apt
	$(CARGO) run -q --release -p certgate-differential -- --cases $(DIFF_CASES) $(DIFF_ARGS)

test-differential: differential-apt
	$(CARGO) run -q -p certgate-differential -- --cases 500 $(DIFF_ARGS)
