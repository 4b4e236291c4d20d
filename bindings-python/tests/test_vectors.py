"""Replays every case of tests/vectors/cases.json: same code, same identity JSON as core."""

from __future__ import annotations

import json
from typing import Callable

import pytest

import certgate
from certgate._errors import CLASS_FOR_CODE
from conftest import case_item, case_verifier, load_cases

CASES = load_cases()


def expect_refusal(error: certgate.CertgateError, expect: dict) -> None:
    assert error.code == expect["code"], error.message
    assert type(error) is CLASS_FOR_CODE[expect["code"]]
    if "cert_index" in expect:
        assert error.cert_index == expect["cert_index"]


def replay_verify(case: dict, policy: object, chain: object) -> None:
    replay(
        case,
        policy,
        lambda verifier: verifier.check(chain, at=case["at"]),
        lambda verifier: verifier.verify(chain, at=case["at"]),
    )


def replay(
    case: dict,
    policy: object,
    check: Callable[[certgate.Verifier], certgate.Outcome],
    verify: Callable[[certgate.Verifier], certgate.Identity],
) -> None:
    """A decision case: `check` and `verify` run the case's input through a verifier."""
    expect = case["expect"]
    if expect.get("code") == "INVALID_POLICY":
        # Refused when the policy compiles, or (forwarded without its section) when used.
        with pytest.raises(certgate.PolicyError) as raised:
            verify(case_verifier(case, policy))
        expect_refusal(raised.value, expect)
        return
    verifier = case_verifier(case, policy)
    assert [warning.source for warning in verifier.warnings] == expect.get("warnings", [])
    assert all(warning.message.startswith("left out: ") for warning in verifier.warnings)
    outcome = check(verifier)
    if "identity" in expect:
        assert outcome.ok, (outcome.code, outcome.message)
        assert (outcome.code, outcome.message, outcome.cert_index) == (None, None, None)
        assert outcome.identity.to_dict() == expect["identity"]
        assert json.loads(outcome.identity.to_json()) == expect["identity"]
        assert outcome.identity.forwarded == expect["identity"].get("forwarded")
        assert verify(verifier) == outcome.identity
    else:
        assert not outcome.ok
        assert outcome.identity is None
        assert outcome.code == expect["code"], outcome.message
        if "cert_index" in expect:
            assert outcome.cert_index == expect["cert_index"]
        with pytest.raises(certgate.VerificationError) as raised:
            verify(verifier)
        expect_refusal(raised.value, expect)
        assert (raised.value.message, raised.value.cert_index) == (
            outcome.message,
            outcome.cert_index,
        )


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: dict) -> None:
    """The case as written: policy dict, chain as a list of PEM strings."""
    if case["op"] == "inspect":
        expect = case["expect"]
        cert = case_item(case["cert"])
        if "identity" in expect:
            assert certgate.inspect(cert).to_dict() == expect["identity"]
        else:
            with pytest.raises(certgate.CertgateError) as raised:
                certgate.inspect(cert)
            expect_refusal(raised.value, expect)
        return
    if case["op"] == "verify_forwarded":
        # As ASGI hands them over: (bytes, bytes) pairs.
        headers = [(name.encode(), value.encode()) for name, value in case["headers"]]
        replay(
            case,
            case.get("policy"),
            lambda verifier: verifier.check_forwarded(headers, case["peer"], at=case["at"]),
            lambda verifier: verifier.verify_forwarded(headers, case["peer"], at=case["at"]),
        )
        return
    assert case["op"] == "verify"
    replay_verify(case, case.get("policy"), [case_item(item) for item in case["chain"]])


VERIFY_CASES = [case for case in CASES if case["op"] == "verify"]


@pytest.mark.parametrize("case", VERIFY_CASES, ids=[case["name"] for case in VERIFY_CASES])
def test_case_json_policy_bytes_chain(case: dict) -> None:
    """The same case with the policy as JSON text (or its file) and each chain item as
    bytes in a tuple."""
    chain = tuple(
        item.encode() if isinstance(item, str) else bytes(item) for item in case["chain"]
    )
    policy = json.dumps(case["policy"]) if "policy" in case else None
    replay_verify(case, policy, chain)


def test_every_case_was_collected() -> None:
    assert len(CASES) > 100
    assert {case["op"] for case in CASES} == {"verify", "inspect", "verify_forwarded"}
    codes = {case["expect"].get("code") for case in CASES} - {None}
    assert codes <= set(certgate.CODES)
