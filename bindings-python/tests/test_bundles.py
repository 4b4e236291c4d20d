"""SPIFFE bundle endpoints: BundleRefresher against a real HTTPS server on 127.0.0.1
that serves, in turn, a bundle, a rotated bundle, garbage, an error status and an older
bundle. Decisions follow the bundle in force; a failure keeps it."""

from __future__ import annotations

import base64
import http.server
import json
import ssl
import threading
from typing import Iterator, List, Tuple

import pytest

import certgate
import pki
from conftest import CASES, case_item

PKI_DIR = CASES.parent / "pki"


def root_der(name: str) -> bytes:
    pem = (PKI_DIR / f"{name}.pem").read_text()
    return base64.b64decode("".join(pem.split("-----")[2].split()))


def bundle(root: str, sequence: int, refresh_hint: int = 300) -> bytes:
    key = {"use": "x509-svid", "kty": "EC", "x5c": [base64.b64encode(root_der(root)).decode()]}
    return json.dumps(
        {"keys": [key], "spiffe_sequence": sequence, "spiffe_refresh_hint": refresh_hint}
    ).encode()


class Endpoint:
    """An HTTPS server in a thread, answering each GET with the next queued answer."""

    def __init__(self, demo: pki.DemoPki) -> None:
        self.answers: List[Tuple[int, bytes]] = []
        answers = self.answers

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                status, body = answers.pop(0) if answers else (503, b"no answer queued")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(demo.files["server.pem"], demo.files["server.key"])
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/bundle"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture()
def endpoint(demo: pki.DemoPki) -> Iterator[Endpoint]:
    served = Endpoint(demo)
    yield served
    served.close()


def policy(endpoint: Endpoint, demo: pki.DemoPki, **extra: object) -> dict:
    spec = {"endpoint": endpoint.url, "endpoint_ca": demo.root.pem, **extra}
    return {
        "trust": {
            "spiffe_bundles": {
                "a.test": spec,
                "b.test": (PKI_DIR / "spiffe-b-root.pem").read_text(),
            }
        },
        "allow": [{"spiffe_trust_domain": "a.test"}],
    }


def decide(verifier: certgate.Verifier, leaf: str, at: int) -> certgate.Outcome:
    return verifier.check(case_item((PKI_DIR / f"{leaf}.pem").read_text()), at=at)


AT = 1_780_272_000


def test_each_answer_is_applied_or_refused(endpoint: Endpoint, demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(policy(endpoint, demo))
    assert "has not been fetched yet" in decide(verifier, "leaf-a-payments", AT).message
    updates: List[certgate.BundleRefresh] = []
    errors: List[Tuple[Exception, str]] = []
    with certgate.BundleRefresher(
        verifier,
        start=False,
        on_update=updates.append,
        on_error=lambda error, domain: errors.append((error, domain)),
    ) as refresher:
        assert refresher.trust_domains == ["a.test"]
        endpoint.answers.append((200, bundle("spiffe-a-root", 1)))
        [first] = refresher.refresh()
        assert first == certgate.BundleRefresh(
            "a.test", ok=True, authorities=1, refresh_hint=300, sequence=1
        )
        assert decide(verifier, "leaf-a-payments", AT).ok
        assert decide(verifier, "leaf-unbound-impersonator", AT).code == "UNKNOWN_ISSUER"

        endpoint.answers.append((200, bundle("spiffe-unbound-root", 2)))
        assert refresher.refresh("a.test")[0].ok
        assert decide(verifier, "leaf-a-payments", AT).code == "UNKNOWN_ISSUER"
        assert decide(verifier, "leaf-unbound-impersonator", AT).ok

        endpoint.answers.extend(
            [(200, b"this is not a bundle"), (500, b"{}"), (200, bundle("spiffe-a-root", 1))]
        )
        refused = [refresher.refresh()[0] for _ in range(3)]
        assert [result.ok for result in refused] == [False, False, False]
        assert isinstance(refused[0].error, certgate.PolicyError)
        assert str(refused[0].error).startswith("INVALID_POLICY: trust.spiffe_bundles.a.test: ")
        assert "500" in str(refused[1].error)
        assert "spiffe_sequence 1 is older than the bundle in force (2)" in str(refused[2].error)
        assert decide(verifier, "leaf-unbound-impersonator", AT).ok
        assert decide(verifier, "leaf-b-api", AT).code == "NOT_AUTHORIZED"
    assert len(updates) == 2
    assert [domain for _, domain in errors] == ["a.test"] * 3


def test_the_thread_polls_by_itself(endpoint: Endpoint, demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(policy(endpoint, demo, refresh_seconds=1))
    endpoint.answers.extend([(200, bundle("spiffe-a-root", 7)), (200, bundle("spiffe-a-root", 8))])
    seen: List[int] = []
    done = threading.Event()

    def on_update(refresh: certgate.BundleRefresh) -> None:
        seen.append(refresh.sequence or 0)
        if len(seen) == 2:
            done.set()

    with certgate.BundleRefresher(verifier, on_update=on_update, on_error=lambda e, d: done.set()):
        assert done.wait(15), "no two polls within 15 s"
    assert seen == [7, 8]
    assert decide(verifier, "leaf-a-payments", AT).ok


def test_misuse_is_refused(endpoint: Endpoint, demo: pki.DemoPki) -> None:
    plain = certgate.Verifier({"trust": {"anchors": demo.root.pem}})
    with pytest.raises(ValueError, match="names no SPIFFE bundle endpoint"):
        certgate.BundleRefresher(plain)
    verifier = certgate.Verifier(policy(endpoint, demo))
    with pytest.raises(ValueError):
        certgate.BundleRefresher(verifier, timeout=0)
    with pytest.raises(certgate.PolicyError, match="names no such trust domain"):
        verifier.update_spiffe_bundle("c.test", bundle("spiffe-a-root", 1))
    [spec] = verifier.spiffe_bundle_endpoints()
    assert (spec.trust_domain, spec.url, spec.refresh_seconds) == ("a.test", endpoint.url, None)
    assert spec.server_ca_certificates == [demo.root.der]


def test_next_refresh_interval() -> None:
    from certgate._refresh import next_refresh_seconds

    assert next_refresh_seconds(60, None) == 60
    assert next_refresh_seconds(60, 30) == 30
    assert next_refresh_seconds(None, None) == 300
    assert next_refresh_seconds(0, None) == 300
    assert next_refresh_seconds(None, 900) == 300
