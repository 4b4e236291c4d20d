"""Files as the ``openssl`` CLI writes them (tests/openssl/make-pki.sh: ``openssl ca``
text dumps, PKCS#7 and PKCS#12 bundles, BOM and CRLF files, scoped / delta / unusual
CRLs), read by certgate as a user would hand them over. Valid now: verified with the
clock."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import certgate
from conftest import REPO


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("openssl") / "pki"
    subprocess.run(
        ["bash", str(REPO / "tests" / "openssl" / "make-pki.sh"), str(folder)],
        check=True,
        capture_output=True,
    )
    return folder


def with_crls(pki: Path, *crls: str) -> certgate.Verifier:
    return certgate.Verifier(
        {
            "trust": {"anchors": (pki / "root.pem").read_bytes()},
            "revocation": {"crls": [(pki / crl).read_bytes() for crl in crls]},
        }
    )


def test_a_policy_file_names_text_dumps(pki: Path) -> None:
    verifier = certgate.Verifier.from_file(pki / "policy.json")
    identity = verifier.verify((pki / "client.chain.pem").read_bytes())
    assert identity.spiffe_id == "spiffe://openssl.test/ns/prod/sa/client"
    assert verifier.check((pki / "revoked.chain.pem").read_text()).code == "REVOKED"
    assert verifier.warnings == []
    assert certgate.Verifier.from_file(str(pki / "policy.json")).warnings == []


def test_every_shape_of_the_chain_and_the_anchor(pki: Path) -> None:
    policy = {"trust": {"anchors": (pki / "root-text.pem").read_text()}}
    verifier = certgate.Verifier(policy)
    for chain in [
        (pki / "client.chain.pem").read_text(),
        [(pki / "client.pem").read_bytes(), (pki / "intermediate.pem").read_text()],
        (pki / "client.chain.p7b").read_bytes(),
        (pki / "client.chain.p7b.der").read_bytes(),
        (pki / "client-with-key.pem").read_bytes(),
    ]:
        assert verifier.verify(chain).subject == "CN=client,O=Certgate OpenSSL Test"
    for anchor in ["root.der", "root-bom.pem", "root-crlf.pem", "anchors.p7b", "anchors.p7b.der"]:
        verifier = certgate.Verifier({"trust": {"anchors": (pki / anchor).read_bytes()}})
        assert verifier.check((pki / "client.chain.pem").read_bytes()).ok, anchor


def test_inspect_and_pkcs12(pki: Path) -> None:
    assert certgate.inspect((pki / "root-text.pem").read_text()).subject == (
        "CN=OpenSSL Test Root,O=Certgate OpenSSL Test"
    )
    with pytest.raises(certgate.MalformedInputError, match="openssl pkcs12 -in FILE -nokeys"):
        certgate.inspect((pki / "client.p12").read_bytes())


@pytest.mark.parametrize("profile", ["strict", "webpki"])
def test_a_ca_with_an_rsa_1024_key_is_named(pki: Path, profile: str) -> None:
    # ring refuses the key, which webpki calls a bad signature; certgate names the key.
    verifier = certgate.Verifier({"trust": {"anchors": (pki / "root.pem").read_text()}, "profile": profile})
    outcome = verifier.check((pki / "weak-leaf.chain.pem").read_text())
    assert (outcome.code, outcome.cert_index) == ("UNSUPPORTED_ALGORITHM", 1)
    assert "OpenSSL Weak RSA-1024 CA" in outcome.message and "1024 bits" in outcome.message


@pytest.mark.parametrize(
    "root_crl, intermediate_crl",
    [
        ("root.crl.pem", "intermediate.crl.pem"),
        ("root-text.crl.pem", "intermediate-text.crl.pem"),
        ("root.crl.der", "intermediate.crl.der"),
        ("root.crl.pem", "intermediate-no-number.crl.pem"),
    ],
)
def test_crls_as_openssl_publishes_them(pki: Path, root_crl: str, intermediate_crl: str) -> None:
    verifier = with_crls(pki, root_crl, intermediate_crl)
    assert verifier.check((pki / "client.chain.pem").read_bytes()).ok
    assert verifier.check((pki / "revoked.chain.pem").read_bytes()).code == "REVOKED"


def test_a_delta_crl_applies_on_top_of_its_base(pki: Path) -> None:
    later = (pki / "revoked-later.chain.pem").read_bytes()
    assert with_crls(pki, "root.crl.pem", "intermediate.crl.pem").check(later).ok
    with_delta = with_crls(pki, "root.crl.pem", "intermediate.crl.pem", "intermediate-delta.crl.pem")
    assert with_delta.check(later).code == "REVOKED"


def test_an_unusable_crl_is_left_out_with_a_warning(pki: Path) -> None:
    verifier = with_crls(pki, "root.crl.pem", "intermediate-unknown-critical.crl.pem")
    assert verifier.check((pki / "client.chain.pem").read_bytes()).code == "REVOCATION_UNKNOWN"
    [warning] = verifier.warnings
    assert isinstance(warning, certgate.LoadWarning)
    assert warning.source == "revocation.crls[1]"
    assert "unsupported critical extension 1.3.6.1.4.1.55555.9" in warning.message
    assert str(warning) == f"{warning.source}: {warning.message}"
    verifier.update_crls([(pki / "root.crl.pem").read_bytes(), (pki / "intermediate.crl.pem").read_bytes()])
    assert verifier.warnings == []
    assert verifier.check((pki / "client.chain.pem").read_bytes()).ok


def test_unreadable_policy_files_are_policy_errors(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text('{"trust": {"anchors": {"file": "absent.pem"}}}')
    with pytest.raises(certgate.PolicyError, match=r"trust\.anchors\[0\]: cannot read the file"):
        certgate.Verifier.from_file(tmp_path / "policy.json")
    with pytest.raises(certgate.PolicyError, match="cannot read the policy file"):
        certgate.Verifier.from_file(tmp_path / "absent.json")
    with pytest.raises(TypeError):
        certgate.Verifier.from_file(42)  # type: ignore[arg-type]
