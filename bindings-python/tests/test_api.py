"""The Python API: Verifier, verify / check / update_crls, inspect, Identity, Outcome,
input forms and verification times."""

from __future__ import annotations

import collections.abc
import datetime as dt
import importlib.metadata
import json
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import certgate
import pki

UTC = dt.timezone.utc

IDENTITY_KEYS = {
    "subject",
    "subject_fields",
    "issuer",
    "serial",
    "fingerprint_sha256",
    "spki_sha256",
    "not_before",
    "not_after",
    "san",
    "spiffe_id",
    "public_key",
    "key_usage",
    "extended_key_usage",
    "is_ca",
}
VERIFY_KEYS = {"chain_fingerprints", "matched_rule"}


def chain_policy(demo: pki.DemoPki) -> dict:
    """The demo policy without revocation (so any verification time works)."""
    policy = demo.policy()
    del policy["revocation"]
    return policy


def test_the_installed_wheel_is_under_test() -> None:
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert Path(certgate.__file__).resolve().parent == site / "certgate"
    assert Path(certgate._native.__file__).name.endswith(".abi3.so")
    for name in ("py.typed", "_native.pyi"):
        assert (site / "certgate" / name).is_file()
    assert importlib.metadata.version("certgate") == certgate.__version__


def test_public_names() -> None:
    for name in certgate.__all__:
        assert hasattr(certgate, name), name
    assert certgate.MAX_CHAIN_CERTIFICATES == 16
    assert certgate.MAX_CERTIFICATE_BYTES == 64 * 1024
    assert certgate.MAX_INPUT_BYTES > certgate.MAX_CERTIFICATE_BYTES
    assert certgate.Verifier.__module__ == "certgate"
    assert certgate.RevokedError.__module__ == "certgate"


def test_verified_identity_attributes(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy())
    identity = verifier.verify(demo.allowed.der)
    as_dict = identity.to_dict()
    assert set(as_dict) == IDENTITY_KEYS | VERIFY_KEYS
    assert json.loads(identity.to_json()) == as_dict
    for key, value in as_dict.items():
        attribute = getattr(identity, key)
        if key in ("san", "public_key"):
            attribute = attribute.to_dict()
        assert attribute == value, key

    cert = demo.allowed.cert
    assert identity.subject == "CN=web,O=Certgate Python Test"
    assert identity.subject_fields == {"CN": ["web"], "O": ["Certgate Python Test"]}
    assert identity.issuer == "CN=Certgate Python Test Issuing CA,O=Certgate Python Test"
    assert identity.serial == "20"
    assert identity.spiffe_id == pki.SPIFFE_ALLOWED
    assert identity.san.uri == [pki.SPIFFE_ALLOWED]
    assert (identity.san.dns, identity.san.email, identity.san.ip) == ([], [], [])
    assert identity.public_key.algorithm == "EC"
    assert identity.public_key.curve == "P-256"
    assert identity.public_key.bits is None
    assert identity.public_key.to_dict() == {"algorithm": "EC", "curve": "P-256"}
    assert identity.key_usage == ["digitalSignature"]
    assert identity.extended_key_usage == ["clientAuth"]
    assert identity.is_ca is False
    assert identity.matched_rule == 0
    assert identity.fingerprint_sha256 == cert.fingerprint(
        __import__("cryptography.hazmat.primitives.hashes", fromlist=["SHA256"]).SHA256()
    ).hex()
    assert identity.chain_fingerprints[0] == identity.fingerprint_sha256
    assert len(identity.chain_fingerprints) == 3
    assert identity.not_before == int(cert.not_valid_before_utc.timestamp())
    assert identity.not_after == int(cert.not_valid_after_utc.timestamp())


def test_datetimes_are_aware_utc(demo: pki.DemoPki) -> None:
    identity = certgate.inspect(demo.allowed.der)
    for attribute, expected in (
        (identity.not_before_datetime, demo.allowed.cert.not_valid_before_utc),
        (identity.not_after_datetime, demo.allowed.cert.not_valid_after_utc),
    ):
        assert isinstance(attribute, dt.datetime)
        assert attribute.utcoffset() == dt.timedelta(0)
        assert attribute == expected
    assert identity.not_before_datetime.timestamp() == identity.not_before


def test_inspect_has_no_verification_fields(demo: pki.DemoPki) -> None:
    identity = certgate.inspect(demo.server.pem)
    assert set(identity.to_dict()) == IDENTITY_KEYS
    assert identity.chain_fingerprints is None
    assert identity.matched_rule is None
    assert identity.san.dns == ["localhost"]
    assert identity.san.ip == ["127.0.0.1"]
    assert identity.extended_key_usage == ["serverAuth"]
    assert certgate.inspect(demo.root.pem).is_ca is True


def test_rsa_public_key(vector_case) -> None:
    identity = certgate.inspect(vector_case("inspect_rsa")["cert"])
    assert identity.public_key.algorithm == "RSA"
    assert identity.public_key.curve is None
    assert identity.public_key.bits == identity.to_dict()["public_key"]["bits"]


def test_matched_rule_none_without_allow(demo: pki.DemoPki) -> None:
    policy = chain_policy(demo)
    del policy["allow"]
    identity = certgate.Verifier(policy).verify(demo.wrong_spiffe.der)
    assert identity.matched_rule is None
    assert identity.to_dict()["matched_rule"] is None


def test_identity_equality_and_repr(demo: pki.DemoPki) -> None:
    first = certgate.inspect(demo.allowed.der)
    assert first == certgate.inspect(demo.allowed.pem)
    assert first != certgate.inspect(demo.revoked.der)
    assert first != certgate.Verifier(demo.policy()).verify(demo.allowed.der)
    assert repr(first).startswith("Identity(subject='CN=web,O=Certgate Python Test'")
    assert "spiffe_id='spiffe://" in repr(first)
    assert repr(first.san).startswith("SubjectAltNames(dns=[], uri=['spiffe://")
    assert repr(first.public_key) == "PublicKey(algorithm='EC', curve='P-256', bits=None)"
    assert first.san == certgate.inspect(demo.allowed.der).san


def test_check_outcomes(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy())
    allowed = verifier.check(demo.allowed.der)
    assert allowed.ok and bool(allowed)
    assert (allowed.code, allowed.message, allowed.cert_index) == (None, None, None)
    assert allowed.identity == verifier.verify(demo.allowed.der)
    assert allowed.to_dict() == {
        "ok": True,
        "code": None,
        "message": None,
        "cert_index": None,
        "generation": 0,
        "identity": allowed.identity.to_dict(),
    }
    assert repr(allowed).startswith("Outcome(ok=True, generation=0, identity=Identity(")

    revoked = verifier.check(demo.revoked.der)
    assert not revoked.ok and not bool(revoked)
    assert revoked.code == "REVOKED"
    assert revoked.cert_index == 0
    assert "web-revoked" in revoked.message
    assert revoked.identity is None
    assert revoked.to_dict() == {
        "ok": False,
        "code": "REVOKED",
        "message": revoked.message,
        "cert_index": 0,
        "generation": 0,
        "identity": None,
    }
    assert repr(revoked).startswith("Outcome(ok=False, code='REVOKED', message='")

    refused = verifier.check(demo.wrong_spiffe.der)
    assert (refused.ok, refused.code, refused.cert_index) == (False, "NOT_AUTHORIZED", 0)


def test_verifier_repr(demo: pki.DemoPki) -> None:
    text = repr(certgate.Verifier(demo.policy()))
    assert text.startswith("<certgate.Verifier {") and "anchors: 1" in text


def test_policy_as_dict_or_json_text(demo: pki.DemoPki) -> None:
    from_dict = certgate.Verifier(demo.policy()).verify(demo.allowed.der)
    from_text = certgate.Verifier(json.dumps(demo.policy())).verify(demo.allowed.der)
    assert from_dict == from_text


def test_policy_with_der_bytes(demo: pki.DemoPki) -> None:
    """DER inside a dict policy (bytes, bytearray, memoryview) is accepted."""
    policy = {
        "trust": {
            "anchors": [demo.root.der],
            "intermediates": [bytearray(demo.intermediate.der)],
        },
        "revocation": {
            "crls": [
                memoryview(demo.intermediate_crl.public_bytes(serialization.Encoding.DER)),
                demo.root_crl.public_bytes(serialization.Encoding.DER),
            ]
        },
        "allow": (  # a tuple is a JSON array too
            {"spiffe_id": pki.ALLOW_PATTERN},
        ),
    }
    verifier = certgate.Verifier(policy)
    assert verifier.verify(demo.allowed.der).spiffe_id == pki.SPIFFE_ALLOWED
    assert verifier.check(demo.revoked.der).code == "REVOKED"


class ChainSequence(collections.abc.Sequence):
    """A Sequence that is neither a list nor a tuple."""

    def __init__(self, *items: object) -> None:
        self.items = items

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)


# Input forms. The leaf's intermediate is in the policy's pool, so a leaf alone verifies;
# the forms with the intermediate prove that the chain items are all read.
def input_forms(demo: pki.DemoPki) -> dict:
    leaf, inter = demo.allowed, demo.intermediate
    return {
        "der bytes": leaf.der,
        "pem str": leaf.pem,
        "pem bytes": leaf.pem.encode(),
        "pem bundle str": leaf.pem + inter.pem,
        "list of pem": [leaf.pem, inter.pem],
        "list of der": [leaf.der, inter.der],
        "tuple mixed": (leaf.der, inter.pem),
        "bytearray": bytearray(leaf.der),
        "memoryview": memoryview(leaf.der),
        "cryptography certificate": leaf.cert,
        "list of cryptography certificates": [leaf.cert, inter.cert],
        "loaded from der": x509.load_der_x509_certificate(leaf.der),
        "other sequence": ChainSequence(leaf.der, inter.pem),
    }


@pytest.mark.parametrize(
    "form",
    [
        "der bytes",
        "pem str",
        "pem bytes",
        "pem bundle str",
        "list of pem",
        "list of der",
        "tuple mixed",
        "bytearray",
        "memoryview",
        "cryptography certificate",
        "list of cryptography certificates",
        "loaded from der",
        "other sequence",
    ],
)
def test_input_forms(demo: pki.DemoPki, form: str) -> None:
    chain = input_forms(demo)[form]
    verifier = certgate.Verifier(demo.policy())
    identity = verifier.verify(chain)
    assert identity.fingerprint_sha256 == certgate.inspect(demo.allowed.der).fingerprint_sha256
    if form in ("list of pem", "list of der", "tuple mixed", "pem bundle str",
                "list of cryptography certificates", "other sequence"):
        # The peer sent the intermediate: the path uses it (same certificate as the pool's).
        assert len(identity.chain_fingerprints) == 3
    if not isinstance(chain, (list, tuple, ChainSequence)):
        assert certgate.inspect(chain) == certgate.inspect(demo.allowed.der)


def test_chain_items_are_all_read(demo: pki.DemoPki) -> None:
    """Without the pool, only a chain carrying the intermediate verifies."""
    policy = chain_policy(demo)
    del policy["trust"]["intermediates"]
    verifier = certgate.Verifier(policy)
    assert verifier.check(demo.allowed.der).code == "UNKNOWN_ISSUER"
    assert verifier.check([demo.allowed.der, demo.intermediate.der]).ok
    assert verifier.check(demo.allowed.pem + demo.intermediate.pem).ok
    assert verifier.check((demo.allowed.cert, demo.intermediate.cert)).ok


class FakeCertificate:
    """Shaped like a cryptography certificate: public_bytes(Encoding.DER) -> bytes."""

    def __init__(self, der: bytes) -> None:
        self.der = der
        self.encodings: list = []

    def public_bytes(self, encoding: object) -> bytes:
        self.encodings.append(encoding)
        # What both cryptography's member and certgate's stand-in print as.
        if str(encoding) != "Encoding.DER":
            raise ValueError(f"unsupported encoding {encoding!r}")
        return self.der


def test_duck_typed_public_bytes(demo: pki.DemoPki) -> None:
    fake = FakeCertificate(demo.allowed.der)
    verifier = certgate.Verifier(demo.policy())
    assert verifier.verify(fake).spiffe_id == pki.SPIFFE_ALLOWED
    assert verifier.verify([fake, FakeCertificate(demo.intermediate.der)]).matched_rule == 0
    assert certgate.inspect(fake).serial == "20"
    # cryptography is loaded in this process, so its own Encoding.DER member was passed.
    assert fake.encodings[0] is serialization.Encoding.DER


def test_duck_typing_does_not_import_cryptography(demo: pki.DemoPki, tmp_path: Path) -> None:
    """In a process without cryptography, a public_bytes() object gets certgate's
    stand-in encoding, and certgate never imports cryptography."""
    (tmp_path / "leaf.der").write_bytes(demo.allowed.der)
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        import certgate

        class Fake:
            def public_bytes(self, encoding):
                assert str(encoding) == "Encoding.DER", encoding
                assert (encoding.name, encoding.value) == ("DER", "DER"), encoding
                return Path(sys.argv[1]).read_bytes()

        identity = certgate.inspect(Fake())
        assert identity.serial == "20", identity
        assert not any(name.startswith("cryptography") for name in sys.modules)
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "leaf.der")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_public_bytes_must_return_bytes() -> None:
    class Wrong:
        def public_bytes(self, encoding: object) -> str:
            return "not bytes"

    with pytest.raises(TypeError, match=r"cert: public_bytes\(\) of a Wrong did not return bytes"):
        certgate.inspect(Wrong())

    class Failing:
        def public_bytes(self, encoding: object) -> bytes:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        certgate.inspect(Failing())


# Verification time.
def test_at_forms(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(chain_policy(demo))
    leaf = demo.allowed.cert
    start = leaf.not_valid_before_utc
    end = leaf.not_valid_after_utc
    inside = start + (end - start) / 2
    plus_five = dt.timezone(dt.timedelta(hours=5))
    for at in (
        None,
        inside,
        inside.astimezone(plus_five),
        int(inside.timestamp()),
        inside.timestamp() + 0.75,
    ):
        assert verifier.check(demo.allowed.der, at=at).ok, at
    for at, code in (
        (end + dt.timedelta(seconds=1), "EXPIRED"),
        ((end + dt.timedelta(hours=1)).astimezone(plus_five), "EXPIRED"),
        (int(end.timestamp()) + 1, "EXPIRED"),
        (float(end.timestamp() + 1), "EXPIRED"),
        (start - dt.timedelta(seconds=1), "NOT_YET_VALID"),
        (int(start.timestamp()) - 1, "NOT_YET_VALID"),
        (0, "NOT_YET_VALID"),
    ):
        assert verifier.check(demo.allowed.der, at=at).code == code, at
    # Keyword or positional, the same for verify / check.
    assert verifier.verify(demo.allowed.der, inside) == verifier.verify(demo.allowed.der, at=inside)
    with pytest.raises(certgate.ExpiredError):
        verifier.verify(demo.allowed.der, at=end + dt.timedelta(days=1))


def test_at_fractional_seconds_are_dropped(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(chain_policy(demo))
    end = int(demo.allowed.cert.not_valid_after_utc.timestamp())
    assert verifier.check(demo.allowed.der, at=end + 0.999).ok
    assert verifier.check(demo.allowed.der, at=dt.datetime.fromtimestamp(end + 0.5, UTC)).ok
    assert verifier.check(demo.allowed.der, at=end + 1).code == "EXPIRED"
    # The last instant of the range every binding shares (docs/decision.md).
    assert verifier.check(demo.allowed.der, at=2**53 - 1).code == "EXPIRED"


@pytest.mark.parametrize(
    "at, error, message",
    [
        (dt.datetime(2030, 1, 1), TypeError, "naive datetime"),
        (dt.datetime.now(), TypeError, "naive datetime"),
        (dt.date(2030, 1, 1), TypeError, "got date"),
        ("2030-01-01T00:00:00Z", TypeError, "got str"),
        (True, TypeError, "got bool"),
        ([1], TypeError, "got list"),
        (-1, ValueError, "out of range"),
        (-0.5, ValueError, "out of range"),
        (2**64, ValueError, "out of range"),
        (2**53, ValueError, r"from 0 to 9007199254740991"),
        (float(2**53), ValueError, r"from 0 to 9007199254740991"),
        (float("nan"), ValueError, "out of range"),
        (float("inf"), ValueError, "out of range"),
        (dt.datetime(1969, 12, 31, tzinfo=UTC), ValueError, "out of range"),
    ],
)
def test_bad_at(demo: pki.DemoPki, at: object, error: type, message: str) -> None:
    verifier = certgate.Verifier(chain_policy(demo))
    with pytest.raises(error, match=message):
        verifier.verify(demo.allowed.der, at=at)
    with pytest.raises(error, match=message):
        verifier.check(demo.allowed.der, at=at)


def test_update_ocsp(vector_case) -> None:  # type: ignore[no-untyped-def]
    good, expired = vector_case("ocsp_good"), vector_case("ocsp_expired")
    verifier = certgate.Verifier(good["policy"])
    assert verifier.check(good["chain"], at=good["at"]).ok
    verifier.update_ocsp(expired["policy"]["revocation"]["ocsp"]["responses"])
    assert verifier.check(good["chain"], at=good["at"]).code == "REVOCATION_UNKNOWN"
    verifier.update_ocsp(good["policy"]["revocation"]["ocsp"]["responses"][0])
    assert verifier.check(good["chain"], at=good["at"]).ok
    # A bad update raises and leaves the responses in force.
    with pytest.raises(certgate.PolicyError, match=r"^INVALID_POLICY: responses\[0\]: not an OCSP response"):
        verifier.update_ocsp([b"\x30\x00"])
    assert verifier.check(good["chain"], at=good["at"]).ok


# Hot CRL updates.
def test_update_crls(demo: pki.DemoPki) -> None:
    policy = demo.policy()
    policy["revocation"] = {"crls": []}
    verifier = certgate.Verifier(policy)
    # No CRL for the issuers yet: status unknown, denied by default.
    assert verifier.check(demo.revoked.der).code == "REVOCATION_UNKNOWN"
    with pytest.raises(certgate.RevocationUnknownError):
        verifier.verify(demo.allowed.der)

    verifier.update_crls([pki.crl_pem(demo.intermediate_crl), pki.crl_pem(demo.root_crl)])
    assert verifier.check(demo.revoked.der).code == "REVOKED"
    assert verifier.check(demo.allowed.der).ok

    # cryptography CRL objects, a PEM bundle, DER: all accepted.
    clean = pki.crl(demo.intermediate, [], number=2)
    verifier.update_crls((clean, demo.root_crl))
    assert verifier.check(demo.revoked.der).ok
    verifier.update_crls(pki.crl_pem(demo.intermediate_crl) + pki.crl_pem(demo.root_crl))
    assert verifier.check(demo.revoked.der).code == "REVOKED"
    verifier.update_crls(
        [
            clean.public_bytes(serialization.Encoding.DER),
            demo.root_crl.public_bytes(serialization.Encoding.DER),
        ]
    )
    assert verifier.check(demo.revoked.der).ok

    # A bad update raises and leaves the previous set in place.
    with pytest.raises(certgate.PolicyError) as raised:
        verifier.update_crls([pki.crl_pem(demo.intermediate_crl), b"not a crl"])
    assert raised.value.code == "INVALID_POLICY"
    assert "crls[1]" in raised.value.message
    assert verifier.check(demo.revoked.der).ok


def test_update_crls_needs_a_revocation_section(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(chain_policy(demo))
    with pytest.raises(certgate.PolicyError, match="revocation"):
        verifier.update_crls([pki.crl_pem(demo.intermediate_crl)])
