"""Exceptions: the hierarchy, the code → class mapping, and what real refusals raise."""

from __future__ import annotations

import pickle

import pytest

import certgate
import pki
from certgate._errors import CLASS_FOR_CODE, error_for

FAMILIES = {
    certgate.PolicyError: {"INVALID_POLICY"},
    certgate.MalformedInputError: {"MALFORMED_CERTIFICATE", "EMPTY_CHAIN", "INPUT_TOO_LARGE"},
    certgate.UntrustedError: {
        "UNKNOWN_ISSUER",
        "BAD_SIGNATURE",
        "UNSUPPORTED_ALGORITHM",
        "CA_CONSTRAINT_VIOLATION",
        "NAME_CONSTRAINT_VIOLATION",
        "UNSUPPORTED_EXTENSION",
        "UNTRUSTED_FORWARDER",
    },
    certgate.ExpiredError: {"EXPIRED", "NOT_YET_VALID"},
    certgate.UsageError: {"INVALID_USAGE"},
    certgate.RevokedError: {"REVOKED"},
    certgate.RevocationUnknownError: {"REVOCATION_UNKNOWN", "CRL_EXPIRED"},
    certgate.NotAuthorizedError: {"NOT_AUTHORIZED"},
    certgate.InternalError: {"INTERNAL"},
}


def test_every_code_has_exactly_one_class() -> None:
    assert set(CLASS_FOR_CODE) == set(certgate.CODES)
    for cls, codes in FAMILIES.items():
        assert cls.codes == codes
        for code in codes:
            assert CLASS_FOR_CODE[code] is cls
    assert set().union(*FAMILIES.values()) == set(certgate.CODES)


def test_hierarchy() -> None:
    assert issubclass(certgate.CertgateError, Exception)
    assert issubclass(certgate.PolicyError, certgate.CertgateError)
    assert issubclass(certgate.PolicyError, ValueError)
    assert not issubclass(certgate.PolicyError, certgate.VerificationError)
    assert issubclass(certgate.VerificationError, certgate.CertgateError)
    for cls in FAMILIES:
        if cls is not certgate.PolicyError:
            assert issubclass(cls, certgate.VerificationError)
            assert not issubclass(cls, ValueError)


def test_mapping_is_documented() -> None:
    """The module's table and CertgateError's docstring name every class and code."""
    for doc in (certgate._errors.__doc__, certgate.CertgateError.__doc__):
        for cls, codes in FAMILIES.items():
            assert f"``{cls.__name__}``" in doc
            for code in codes:
                assert f"``{code}``" in doc


def test_exception_fields_str_repr_pickle() -> None:
    error = error_for("REVOKED", "certificate #0 (CN=x) is revoked", 0)
    assert type(error) is certgate.RevokedError
    assert (error.code, error.message, error.cert_index) == (
        "REVOKED",
        "certificate #0 (CN=x) is revoked",
        0,
    )
    assert str(error) == "REVOKED: certificate #0 (CN=x) is revoked"
    assert repr(error) == (
        "RevokedError(code='REVOKED', message='certificate #0 (CN=x) is revoked', cert_index=0, "
        "generation=None)"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is certgate.RevokedError
    assert (copy.code, copy.message, copy.cert_index) == (error.code, error.message, 0)
    decided = pickle.loads(pickle.dumps(error_for("REVOKED", "revoked", 0, 7)))
    assert (decided.cert_index, decided.generation) == (0, 7)
    assert error_for("EMPTY_CHAIN", "no certificate given").cert_index is None


def test_unknown_code_is_still_an_error() -> None:
    error = error_for("SOMETHING_NEW", "from a newer core")  # type: ignore[arg-type]
    assert type(error) is certgate.VerificationError
    assert error.code == "SOMETHING_NEW"


def test_real_refusals(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy())
    cases = [
        (demo.revoked.der, certgate.RevokedError, "REVOKED", 0),
        (demo.wrong_spiffe.der, certgate.NotAuthorizedError, "NOT_AUTHORIZED", 0),
        (demo.expired.der, certgate.ExpiredError, "EXPIRED", 0),
        ([demo.untrusted.der, demo.untrusted_intermediate.der], certgate.UntrustedError,
         "UNKNOWN_ISSUER", None),
        ([], certgate.MalformedInputError, "EMPTY_CHAIN", None),
        (b"\x30\x03\x02\x01\x01", certgate.MalformedInputError, "MALFORMED_CERTIFICATE", 0),
        (demo.server.der, certgate.UsageError, "INVALID_USAGE", 0),
    ]
    for chain, cls, code, index in cases:
        with pytest.raises(cls) as raised:
            verifier.verify(chain)
        assert raised.value.code == code
        if index is not None:
            assert raised.value.cert_index == index
        assert raised.value.message
        outcome = verifier.check(chain)
        assert (outcome.ok, outcome.code) == (False, code)
        assert (outcome.message, outcome.cert_index) == (
            raised.value.message,
            raised.value.cert_index,
        )


def test_revocation_unknown_and_crl_expired(demo: pki.DemoPki) -> None:
    policy = demo.policy()
    policy["revocation"]["crls"] = [pki.crl_pem(demo.intermediate_crl)]  # no root CRL
    with pytest.raises(certgate.RevocationUnknownError) as raised:
        certgate.Verifier(policy).verify(demo.allowed.der)
    assert raised.value.code == "REVOCATION_UNKNOWN"
    # At a time past the CRLs' nextUpdate (the leaf is still valid then).
    policy = demo.policy()
    late = demo.intermediate_crl.next_update_utc.timestamp() + 60
    with pytest.raises(certgate.RevocationUnknownError) as raised:
        certgate.Verifier(policy).verify(demo.allowed.der, at=late)
    assert raised.value.code == "CRL_EXPIRED"


def test_policy_errors_name_the_path(demo: pki.DemoPki) -> None:
    policy = demo.policy()
    policy["allow"] = [{"dns": "a.example"}, {"ip": ["10.0.0.0/33"]}]
    with pytest.raises(certgate.PolicyError) as raised:
        certgate.Verifier(policy)
    assert raised.value.code == "INVALID_POLICY"
    assert raised.value.message.startswith("allow[1].ip[0]")
    assert raised.value.cert_index is None
    with pytest.raises(ValueError):  # PolicyError is a ValueError too
        certgate.Verifier('{"trust": {}}')
