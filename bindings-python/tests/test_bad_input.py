"""Bad input: garbage, wrong types, bad or unknown policy keys, huge inputs. Garbage
data is a refusal (a code); a wrong Python type is a TypeError; nothing crashes."""

from __future__ import annotations

import json
import os

import pytest

import certgate
import pki


@pytest.fixture(scope="module")
def verifier(demo: pki.DemoPki) -> certgate.Verifier:
    return certgate.Verifier(demo.policy())


GARBAGE = {
    "empty bytes": (b"", "MALFORMED_CERTIFICATE"),
    "empty str": ("", "MALFORMED_CERTIFICATE"),
    "whitespace": ("  \n\t ", "MALFORMED_CERTIFICATE"),
    "random bytes": (os.urandom(512), "MALFORMED_CERTIFICATE"),
    "text": ("hello, world", "MALFORMED_CERTIFICATE"),
    "truncated der": (None, "MALFORMED_CERTIFICATE"),
    "pem header only": ("-----BEGIN CERTIFICATE-----\n", "MALFORMED_CERTIFICATE"),
    "bad base64": (
        "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        "MALFORMED_CERTIFICATE",
    ),
    "empty list": ([], "EMPTY_CHAIN"),
    "empty tuple": ((), "EMPTY_CHAIN"),
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_is_a_refusal(demo: pki.DemoPki, verifier: certgate.Verifier, name: str) -> None:
    chain, code = GARBAGE[name]
    if name == "truncated der":
        chain = demo.allowed.der[:-10]
    outcome = verifier.check(chain)
    assert (outcome.ok, outcome.code, outcome.identity) == (False, code, None)
    with pytest.raises(certgate.MalformedInputError) as raised:
        verifier.verify(chain)
    assert raised.value.code == code
    if not isinstance(chain, (list, tuple)):
        with pytest.raises(certgate.MalformedInputError):
            certgate.inspect(chain)


def test_garbage_after_a_good_leaf(demo: pki.DemoPki, verifier: certgate.Verifier) -> None:
    outcome = verifier.check([demo.allowed.der, b"junk"])
    assert (outcome.code, outcome.cert_index) == ("MALFORMED_CERTIFICATE", 1)


def test_private_key_pem_is_not_a_certificate(demo: pki.DemoPki) -> None:
    with pytest.raises(certgate.MalformedInputError):
        certgate.inspect(demo.allowed.key_pem)


@pytest.mark.parametrize(
    "chain",
    [None, 42, 1.5, {"cert": "x"}, {b"x"}, object(), iter([b"x"]), range(2), [42], [None],
     [[b"x"]], (b"x", 3)],
    ids=["None", "int", "float", "dict", "set", "object", "iterator", "range", "list-int",
         "list-None", "nested-list", "tuple-int"],
)
def test_wrong_chain_types(verifier: certgate.Verifier, chain: object) -> None:
    with pytest.raises(TypeError, match=r"^chain(\[\d\])?: expected bytes"):
        verifier.verify(chain)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^chain(\[\d\])?: expected bytes"):
        verifier.check(chain)  # type: ignore[arg-type]


def test_wrong_types_elsewhere(verifier: certgate.Verifier) -> None:
    with pytest.raises(TypeError, match="^cert: expected bytes"):
        certgate.inspect([b"x"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^crls: expected bytes"):
        verifier.update_crls(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^crls\[1\]: expected bytes"):
        verifier.update_crls(["x", None])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        verifier.verify()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        verifier.verify(b"x", None, None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        verifier.verify(b"x", when=0)  # type: ignore[call-arg]
    for cls in (certgate.Identity, certgate.Outcome, certgate.SubjectAltNames,
                certgate.PublicKey):
        with pytest.raises(TypeError):
            cls()


@pytest.mark.parametrize(
    "policy", [None, 42, [], b'{"trust": {}}', ("trust",)],
    ids=["None", "int", "list", "bytes", "tuple"],
)
def test_wrong_policy_types(policy: object) -> None:
    with pytest.raises(TypeError, match="^policy: expected a dict or a JSON str"):
        certgate.Verifier(policy)  # type: ignore[arg-type]


def test_unknown_policy_keys(demo: pki.DemoPki) -> None:
    for mutate, path in (
        (lambda p: p.update(alow=[]), "alow"),
        (lambda p: p["trust"].update(anchor=p["trust"]["anchors"]), "trust.anchor"),
        (lambda p: p["revocation"].update(crl=[]), "revocation.crl"),
        (lambda p: p["allow"][0].update(spiffe="x"), "allow[0].spiffe"),
    ):
        policy = demo.policy()
        mutate(policy)
        with pytest.raises(certgate.PolicyError) as raised:
            certgate.Verifier(policy)
        assert raised.value.code == "INVALID_POLICY"
        assert raised.value.message.startswith(path), raised.value.message
        assert "unknown field `" + path.rpartition(".")[2] in raised.value.message
        with pytest.raises(certgate.PolicyError):
            certgate.Verifier(json.dumps(policy))


@pytest.mark.parametrize(
    "text",
    ["", "{", "null", "[]", '"policy"', "{}", '{"trust": {"anchors": "x"}}'],
)
def test_bad_json_policies(text: str) -> None:
    with pytest.raises(certgate.PolicyError) as raised:
        certgate.Verifier(text)
    assert raised.value.code == "INVALID_POLICY"


def test_policy_values_without_a_json_form(demo: pki.DemoPki) -> None:
    def refused(policy: dict, path: str, why: str) -> None:
        with pytest.raises(certgate.PolicyError) as raised:
            certgate.Verifier(policy)
        assert raised.value.code == "INVALID_POLICY"
        assert raised.value.message.startswith(f"{path}: ")
        assert why in raised.value.message

    policy = demo.policy()
    policy["allow"] = [{"dns": {"a.example"}}]
    refused(policy, "allow[0].dns", "a set is not a JSON value")
    policy = demo.policy()
    policy["allow"] = [{1: "x"}]
    refused(policy, "allow[0]", "is not a string")
    policy = demo.policy()
    policy["clock_skew_seconds"] = float("nan")
    refused(policy, "clock_skew_seconds", "not a JSON number")
    policy = demo.policy()
    policy["max_chain_length"] = 2**70
    refused(policy, "max_chain_length", "out of range")
    policy = demo.policy()
    policy["trust"]["anchors"] = object()
    refused(policy, "trust.anchors", "is not a JSON value")


def test_deeply_nested_policy_is_refused_not_a_crash(demo: pki.DemoPki) -> None:
    nested: object = "x"
    for _ in range(100_000):
        nested = [nested]
    policy = demo.policy()
    policy["allow"] = nested
    with pytest.raises(certgate.PolicyError, match="nested deeper than 128 levels"):
        certgate.Verifier(policy)
    nested_dict: object = {}
    for _ in range(100_000):
        nested_dict = {"a": nested_dict}
    with pytest.raises(certgate.PolicyError, match="nested deeper than 128 levels"):
        certgate.Verifier({"trust": nested_dict})
    with pytest.raises(certgate.PolicyError):
        certgate.Verifier("[" * 100_000 + "]" * 100_000)


def test_huge_inputs(demo: pki.DemoPki, verifier: certgate.Verifier) -> None:
    huge = b"\x30" * (certgate.MAX_INPUT_BYTES + 1)
    for chain in (huge, [huge], bytearray(huge), huge.decode("latin-1")):
        outcome = verifier.check(chain)
        assert (outcome.ok, outcome.code) == (False, "INPUT_TOO_LARGE")
    with pytest.raises(certgate.MalformedInputError) as raised:
        certgate.inspect(b"x" * (100 * 1024 * 1024))
    assert raised.value.code == "INPUT_TOO_LARGE"

    too_many = [demo.allowed.der] * (certgate.MAX_CHAIN_CERTIFICATES + 1)
    assert verifier.check(too_many).code == "INPUT_TOO_LARGE"
    assert verifier.check([demo.allowed.der] * 100_000).code == "INPUT_TOO_LARGE"
    bundle = demo.allowed.pem * (certgate.MAX_CHAIN_CERTIFICATES + 1)
    assert verifier.check(bundle).code == "INPUT_TOO_LARGE"
    # At the limit it is the path, not the size, that decides.
    at_limit = [demo.allowed.der] + [demo.intermediate.der] * (certgate.MAX_CHAIN_CERTIFICATES - 1)
    assert verifier.check(at_limit).code != "INPUT_TOO_LARGE"


def test_huge_policy_text_is_refused() -> None:
    with pytest.raises(certgate.PolicyError):
        certgate.Verifier('{"trust": {"anchors": "' + "A" * (20 * 1024 * 1024) + '"}}')
