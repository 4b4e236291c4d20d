"""Shared fixtures. The suite tests the INSTALLED wheel: run it with the venv's python
from a directory where bindings-python/python is not importable (`make test-python`)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import pki  # noqa: E402  (the helper beside this file)

REPO = Path(__file__).resolve().parents[2]
CASES = Path(os.environ.get("CERTGATE_VECTORS", REPO / "tests" / "vectors" / "cases.json"))


def case_item(value: object) -> object:
    """A chain item or ``cert`` of a case: a string is text, a list of numbers bytes."""
    return bytes(value) if isinstance(value, list) else value


def case_verifier(case: dict, policy: object = None) -> object:
    """The case's verifier: from ``policy`` (default: the case's), or from the file
    ``policy_file`` names, relative to cases.json."""
    import certgate

    if "policy_file" in case:
        return certgate.Verifier.from_file(CASES.parent / case["policy_file"])
    return certgate.Verifier(case["policy"] if policy is None else policy)


def load_cases() -> list:
    with open(CASES, encoding="utf-8") as handle:
        document = json.load(handle)
    assert document["version"] == 1
    return document["cases"]


@pytest.fixture(scope="session")
def cases() -> list:
    return load_cases()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> pki.DemoPki:
    """A PKI valid now, also written to files (for the TLS end-to-end tests)."""
    made = pki.demo_pki()
    made.write(tmp_path_factory.mktemp("pki"))
    return made


@pytest.fixture(scope="session")
def vector_case(cases: list):
    """Looks a vector case up by name."""
    by_name = {case["name"]: case for case in cases}
    return by_name.__getitem__
