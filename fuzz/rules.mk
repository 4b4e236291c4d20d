# fuzz: cargo-fuzz targets for every parser certgate runs on untrusted bytes (fuzz/README.md).
#   make fuzz         runs each target for FUZZ_SECONDS (default 300) on nightly, one after
#                     another (FUZZ_TARGETS to choose), installing nightly and cargo-fuzz
#                     first if missing; new inputs go to target/fuzz/corpus/<target>
#                     (not committed), crashes to fuzz/artifacts/<target>; a summary of
#                     executions per target ends the run, logs in target/fuzz/logs
#   make fuzz-smoke   stable: replays every committed corpus file and the reproducers of
#                     fixed findings (fuzz/regressions) through the same target bodies
#                     (fuzz/tests/replay.rs), and checks formatting; part of `make test`
#   make fuzz-lint    stable: clippy -D warnings and rustfmt on the fuzz crate
#   make fuzz-cmin    merges target/fuzz/corpus into the committed corpora, minimised
#   make fuzz-seed    rewrites the seed inputs from tests/vectors into the corpora (then
#                     run fuzz-cmin)
#   make fuzz-found   replays fuzz/artifacts-found (reproducers of open findings; fails
#                     while one still fails)

CHECK_TESTS += fuzz-smoke

.PHONY: fuzz fuzz-tools fuzz-smoke fuzz-lint fuzz-cmin fuzz-seed fuzz-found

FUZZ_DIR := $(ROOT)/fuzz
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= policy certificates inspect verify crl forwarded ocsp
# ASan adds little to Rust code and halves the execution rate; `make fuzz
# FUZZ_SANITIZER=address` turns it on. Debug assertions (overflow checks) stay on.
FUZZ_SANITIZER ?= none
# Extra libFuzzer options, e.g. FUZZ_ARGS=-max_len=65536.
FUZZ_ARGS ?=
FUZZ_WORK := $(ROOT)/target/fuzz
FUZZ_NIGHTLY := cargo +nightly
# Inputs up to 16 KiB: a chain of a few PEM certificates, a policy with its anchors, a
# few CRLs (libFuzzer's default is the largest seed, 1.8 KiB for the CRLs).
FUZZ_MAX_LEN ?= 16384
# Fork mode with crashes ignored: a target keeps fuzzing for its whole time after a
# finding, and every crashing input is kept in fuzz/artifacts/<target>/ (the run fails
# at the end if any is new; libFuzzer itself then exits 77, which is not the verdict).
# -timeout: an input that takes 10 s is a finding too.
FUZZ_RUN_ARGS := -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=10 \
	-max_len=$(FUZZ_MAX_LEN)

fuzz-tools:
	rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	$(FUZZ_NIGHTLY) fuzz --version >/dev/null 2>&1 || \
	  cargo install cargo-fuzz --locked || cargo install cargo-fuzz

fuzz: fuzz-tools
	cd $(FUZZ_DIR) && $(FUZZ_NIGHTLY) fuzz build -s $(FUZZ_SANITIZER)
	mkdir -p $(FUZZ_WORK)/logs
	summary=; found=; \
	for target in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_WORK)/corpus/$$target $(FUZZ_DIR)/artifacts/$$target; \
	  before=$$(ls $(FUZZ_DIR)/artifacts/$$target | wc -l); \
	  dict=$(FUZZ_DIR)/der.dict; \
	  case $$target in policy) dict=$(FUZZ_DIR)/policy.dict;; forwarded) dict=$(FUZZ_DIR)/forwarded.dict;; esac; \
	  echo "== fuzz $$target for $(FUZZ_SECONDS) s (log: $(FUZZ_WORK)/logs/$$target.log)"; \
	  (cd $(FUZZ_DIR) && $(FUZZ_NIGHTLY) fuzz run -s $(FUZZ_SANITIZER) $$target \
	    $(FUZZ_WORK)/corpus/$$target corpus/$$target -- \
	    -max_total_time=$(FUZZ_SECONDS) -dict=$$dict $(FUZZ_RUN_ARGS) $(FUZZ_ARGS)) \
	    > $(FUZZ_WORK)/logs/$$target.log 2>&1 || true; \
	  execs=$$(grep -o '^#[0-9]*' $(FUZZ_WORK)/logs/$$target.log | tail -n1 | tr -d '#' || true); \
	  [ -n "$$execs" ] || { tail -n 30 $(FUZZ_WORK)/logs/$$target.log; exit 1; }; \
	  new=$$(( $$(ls $(FUZZ_DIR)/artifacts/$$target | wc -l) - before )); \
	  [ "$$new" -eq 0 ] || found="$$found $$target"; \
	  summary="$$summary$$(printf '%-14s %12s execs  %s new crashing inputs' $$target "$$execs" "$$new")\n"; \
	done; \
	echo "== $(FUZZ_SECONDS) s per target"; printf "$$summary"; \
	if [ -n "$$found" ]; then \
	  echo "crashing inputs from:$$found, in fuzz/artifacts/<target>/; see why with"; \
	  echo "  cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>  (in fuzz/)"; exit 1; \
	fi

fuzz-smoke:
	cd $(FUZZ_DIR) && $(CARGO) fmt -- --check
	cd $(FUZZ_DIR) && $(CARGO) test -q --no-default-features --lib --test replay

fuzz-lint:
	cd $(FUZZ_DIR) && $(CARGO) fmt -- --check
	cd $(FUZZ_DIR) && $(CARGO) clippy --all-targets -- -D warnings

# Each corpus merged with what `make fuzz` found, minimised (libFuzzer -merge=1, which is
# what `cargo fuzz cmin` does, over both folders). -use_counters=0: the inputs that cover
# every edge, not every hit-count bucket, which keeps the committed corpora ~4x smaller;
# `make fuzz` finds the rest again in seconds.
fuzz-cmin: fuzz-tools
	for target in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ_WORK)/cmin/$$target && mkdir -p $(FUZZ_WORK)/cmin/$$target $(FUZZ_WORK)/corpus/$$target; \
	  (cd $(FUZZ_DIR) && $(FUZZ_NIGHTLY) fuzz run -s $(FUZZ_SANITIZER) $$target \
	    $(FUZZ_WORK)/cmin/$$target corpus/$$target $(FUZZ_WORK)/corpus/$$target -- -merge=1 -use_counters=0 -timeout=10) \
	    > $(FUZZ_WORK)/cmin-$$target.log 2>&1 || { tail -n 20 $(FUZZ_WORK)/cmin-$$target.log; exit 1; }; \
	  rm -rf $(FUZZ_DIR)/corpus/$$target && mv $(FUZZ_WORK)/cmin/$$target $(FUZZ_DIR)/corpus/$$target; \
	  echo "$$target: $$(ls $(FUZZ_DIR)/corpus/$$target | wc -l) files, $$(cat $(FUZZ_DIR)/corpus/$$target/* | wc -c) bytes"; \
	done

fuzz-seed:
	cd $(FUZZ_DIR) && $(CARGO) run -q --no-default-features --example seed

fuzz-found:
	cd $(FUZZ_DIR) && $(CARGO) test -q --no-default-features --test replay -- --found
