"""OCSP fetched from a real responder: tests/ocsp/responder.py answers on 127.0.0.1 with
``openssl ocsp -index`` (OpenSSL's responder, as a delegated responder, as the CA itself,
or as a certificate not meant for it), for the PKI of tests/ocsp/make-pki.sh whose
leaves name it in their authorityInfoAccess. ``certgate.verify_async`` fetches;
``verify`` uses what was fetched."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

import certgate
from conftest import REPO


class Responder(NamedTuple):
    dir: Path
    url: str

    def file(self, name: str) -> str:
        return (self.dir / name).read_text()

    def sign_as(self, signer: str) -> None:
        (self.dir / "signer").write_text(signer)

    def served(self) -> int:
        with urllib.request.urlopen(f"{self.url}/requests", timeout=5) as answer:
            return int(answer.read())

    def verifier(self, *, fetch: bool = True, unknown: str = "deny") -> certgate.Verifier:
        return certgate.Verifier(
            {
                "trust": {"anchors": self.file("root.pem"), "intermediates": self.file("intermediate.pem")},
                "revocation": {"depth": "leaf", "unknown_status": unknown, "ocsp": {"fetch": fetch}},
            }
        )


@pytest.fixture(scope="module")
def responder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Responder]:
    folder = tmp_path_factory.mktemp("ocsp")
    process = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "ocsp" / "responder.py"), str(folder)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        found = re.search(r"listening (http://127\.0\.0\.1:\d+)", process.stdout.readline())
        assert found, "the responder did not start"
        url = found.group(1)
        subprocess.run(
            ["bash", str(REPO / "tests" / "ocsp" / "make-pki.sh"), str(folder), url],
            check=True,
            capture_output=True,
        )
        yield Responder(folder, url)
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_delegated_responder_says_good_revoked_and_unknown(responder: Responder) -> None:
    responder.sign_as("responder")
    verifier = responder.verifier()
    identity = asyncio.run(certgate.verify_async(verifier, responder.file("good.pem")))
    assert identity.subject == "CN=good,O=Certgate OCSP Test"
    with pytest.raises(certgate.RevokedError, match=r"delegated responder CN=responder,.* \(keyCompromise\)"):
        asyncio.run(certgate.verify_async(verifier, responder.file("revoked.pem")))
    with pytest.raises(certgate.RevocationUnknownError, match="says unknown"):
        asyncio.run(certgate.verify_async(verifier, responder.file("unknown.pem")))


def test_verify_uses_what_was_fetched_and_a_miss_is_unknown(responder: Responder) -> None:
    responder.sign_as("responder")
    verifier = responder.verifier()
    assert verifier.ocsp_fetch
    miss = verifier.check(responder.file("good.pem"))
    assert miss.code == "REVOCATION_UNKNOWN"
    assert "no OCSP response for serial 2000" in miss.message
    before = responder.served()
    assert certgate.fetch_ocsp(verifier, responder.file("good.pem")) == 1
    assert verifier.check(responder.file("good.pem")).ok
    # Current until its nextUpdate (a day): nothing left to fetch.
    assert certgate.fetch_ocsp(verifier, responder.file("good.pem")) == 0
    assert responder.served() - before == 1


def test_concurrent_fetches_of_one_certificate_share_one_request(responder: Responder) -> None:
    responder.sign_as("responder")
    verifier = responder.verifier()
    before = responder.served()
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(
            pool.map(
                lambda _: certgate.fetch_ocsp(verifier, responder.file("good.pem")) >= 0
                and verifier.check(responder.file("good.pem")).ok,
                range(20),
            )
        )
    assert outcomes == [True] * 20
    assert responder.served() - before == 1


def test_the_ca_itself_as_the_responder(responder: Responder) -> None:
    responder.sign_as("intermediate")
    identity = asyncio.run(certgate.verify_async(responder.verifier(), responder.file("good.pem")))
    assert identity.subject == "CN=good,O=Certgate OCSP Test"


def test_a_signer_without_ocsp_signing_is_refused(responder: Responder) -> None:
    responder.sign_as("not-responder")
    verifier = responder.verifier(unknown="allow")
    with pytest.raises(certgate.RevocationUnknownError, match="lacks the OCSP-signing extended key usage"):
        asyncio.run(certgate.verify_async(verifier, responder.file("good.pem")))


def test_a_responder_that_does_not_answer_in_time_leaves_the_status_unknown(responder: Responder) -> None:
    responder.sign_as("hang")
    verifier = responder.verifier()
    assert certgate.fetch_ocsp(verifier, responder.file("good.pem"), timeout=1.0) == 0
    with pytest.raises(certgate.RevocationUnknownError, match="no OCSP response for serial 2000"):
        verifier.verify(responder.file("good.pem"))


def test_without_fetch_verify_async_fetches_nothing(responder: Responder) -> None:
    responder.sign_as("responder")
    before = responder.served()
    with pytest.raises(certgate.RevocationUnknownError):
        asyncio.run(certgate.verify_async(responder.verifier(fetch=False), responder.file("good.pem")))
    assert responder.served() == before


def test_verify_async_raises_what_verify_raises(responder: Responder) -> None:
    responder.sign_as("responder")
    verifier = responder.verifier()
    # A refusal with nothing to fetch comes straight from the first decision.
    with pytest.raises(certgate.VerificationError) as raised:
        verifier.verify(responder.file("intermediate.pem"))
    with pytest.raises(type(raised.value)) as again:
        asyncio.run(certgate.verify_async(verifier, responder.file("intermediate.pem")))
    assert (again.value.code, again.value.message) == (raised.value.code, raised.value.message)
