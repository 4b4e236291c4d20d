# bindings-python: the `certgate` wheel (pyo3 + maturin). Included by the root Makefile.
#   make python-wheel   build the release abi3 wheel into target/python/dist and install
#                       it into the venv target/python/venv
#   make test-python    pytest against that installed wheel (run outside the source tree)
#   make bench-python   ops/s against pyca/cryptography, 1 and 2 threads, as ratios
# The venv (maturin, pytest, cryptography, mypy; pinned in requirements-dev.txt) is
# created once and refreshed when the pins change.

PY_DIR := $(ROOT)/bindings-python
PY_OUT := $(ROOT)/target/python
PY_VENV := $(PY_OUT)/venv
PY := $(PY_VENV)/bin/python
PYTHON3 ?= python3
PIP_QUIET := --quiet --disable-pip-version-check

BINDING_TESTS += test-python
BINDING_BENCHES += bench-python

.PHONY: python-setup python-wheel test-python bench-python dist-python

$(PY_VENV)/.installed: $(PY_DIR)/requirements-dev.txt
	$(PYTHON3) -m venv $(PY_VENV)
	$(PY) -m pip install $(PIP_QUIET) -r $<
	touch $@

python-setup: $(PY_VENV)/.installed
	$(ROOT)/scripts/ensure-apt curl openssl

# --force-reinstall: the wheel's version does not change between builds.
python-wheel: python-setup
	rm -rf $(PY_OUT)/dist
	$(PY_VENV)/bin/maturin build --release --manifest-path $(PY_DIR)/Cargo.toml \
	  --interpreter $(PY) --out $(PY_OUT)/dist
	$(PY) -m pip install $(PIP_QUIET) --force-reinstall --no-deps $(PY_OUT)/dist/certgate-*.whl

# From target/python, where the source package (bindings-python/python) is not importable.
test-python: python-wheel
	cd $(PY_OUT) && PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -p no:cacheprovider -q $(PY_DIR)/tests

bench-python: python-wheel
	cd $(ROOT) && $(CARGO) build -q --release -p certgate-vectors
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(ROOT)/target/release/certgate-vectors bench $$tmp >/dev/null && \
	  cd $(PY_OUT) && $(PY) $(PY_DIR)/bench/bench.py $$tmp

# The abi3 wheel (as built for the tests) and the sdist.
BINDING_DISTS += dist-python
dist-python: python-wheel
	mkdir -p $(DIST) && cp $(PY_OUT)/dist/certgate-*.whl $(DIST)/
	$(PY_VENV)/bin/maturin sdist --manifest-path $(PY_DIR)/Cargo.toml --out $(DIST)
