"""End to end: a real TLS server built with Python's ssl module (CERT_REQUIRED against
the same CA), which then asks certgate for policy and revocation on the certificate
from getpeercert(binary_form=True), reached by real clients: curl, openssl s_client and
http.client, each with a client certificate that is allowed, revoked or unauthorized.

getpeercert() gives the leaf only, so the policy's pool holds the intermediate.
"""

from __future__ import annotations

import http.client
import shutil
import ssl
import subprocess
from typing import Iterator, List, Optional

import pytest

import certgate
import pki
from tlsserver import TIMEOUT, TlsServer, http_answer, read_head


class Server(TlsServer):
    """An HTTPS server (CERT_REQUIRED against the demo CA) that asks certgate about the
    leaf ``getpeercert(binary_form=True)`` gives; each connection's result is the
    decision's code (None when allowed)."""

    def __init__(self, demo: pki.DemoPki, verifier: certgate.Verifier) -> None:
        files = demo.files
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(files["server.pem"], files["server.key"])
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=str(files["ca.pem"]))
        super().__init__(context, self.answer)
        self.demo = demo
        self.verifier = verifier
        self.peer_certificates: List[bytes] = []

    def answer(self, tls: ssl.SSLSocket) -> Optional[str]:
        read_head(tls)
        der = tls.getpeercert(binary_form=True)  # bytes: what certgate takes as is
        assert der is not None
        self.peer_certificates.append(der)
        outcome = self.verifier.check(der)
        if outcome.ok:
            tls.sendall(http_answer("200 OK", f"hello {outcome.identity.spiffe_id}\n"))
        else:
            tls.sendall(http_answer("403 Forbidden", f"{outcome.code}\n"))
        return outcome.code


@pytest.fixture
def server(demo: pki.DemoPki) -> Iterator[Server]:
    with Server(demo, certgate.Verifier(demo.policy())) as running:
        yield running


# client name -> (HTTP status, body)
EXPECTED = {
    "allowed": (200, f"hello {pki.SPIFFE_ALLOWED}"),
    "revoked": (403, "REVOKED"),
    "wrong_spiffe": (403, "NOT_AUTHORIZED"),
}


def curl(server: Server, client: str) -> tuple:
    files = server.demo.files
    done = subprocess.run(
        [
            "curl", "--silent", "--show-error", "--max-time", str(TIMEOUT),
            "--cacert", str(files["ca.pem"]),
            "--cert", str(files[f"{client}.pem"]), "--key", str(files[f"{client}.key"]),
            "--write-out", "\n%{http_code}",
            f"https://127.0.0.1:{server.port}/",
        ],
        capture_output=True, text=True, timeout=TIMEOUT + 10,
    )
    body, _, status = done.stdout.rpartition("\n")
    return done.returncode, int(status or 0), body.strip(), done.stderr


def openssl(server: Server, client: str) -> tuple:
    files = server.demo.files
    done = subprocess.run(
        [
            "openssl", "s_client", "-quiet",  # -quiet implies -ign_eof: read until the server closes
            "-connect", f"127.0.0.1:{server.port}",
            "-servername", "localhost", "-verify_return_error",
            "-CAfile", str(files["ca.pem"]),
            "-cert", str(files[f"{client}.leaf.pem"]), "-key", str(files[f"{client}.key"]),
            "-cert_chain", str(files["intermediate.pem"]),
        ],
        input="GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        capture_output=True, text=True, timeout=TIMEOUT + 10,
    )
    # text mode turns the response's CRLFs into newlines
    head, _, body = done.stdout.partition("\n\n")
    status = int(head.split()[1]) if head.startswith("HTTP/1.1 ") else 0
    return done.returncode, status, body.strip(), done.stderr


def python_client(server: Server, client: str) -> tuple:
    files = server.demo.files
    context = ssl.create_default_context(cafile=str(files["ca.pem"]))
    context.load_cert_chain(files[f"{client}.pem"], files[f"{client}.key"])
    connection = http.client.HTTPSConnection(
        "127.0.0.1", server.port, context=context, timeout=TIMEOUT
    )
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        return 0, response.status, response.read().decode().strip(), ""
    finally:
        connection.close()


CLIENTS = {"curl": curl, "openssl": openssl, "http.client": python_client}


@pytest.mark.parametrize("client", sorted(EXPECTED))
@pytest.mark.parametrize("tool", sorted(CLIENTS))
def test_real_clients(server: Server, tool: str, client: str) -> None:
    if tool != "http.client":
        assert shutil.which(tool), f"{tool} is not installed (make test-python installs it)"
    returncode, status, body, stderr = CLIENTS[tool](server, client)
    assert (status, body) == EXPECTED[client], (returncode, stderr)
    assert server.next().result == (None if client == "allowed" else body)


@pytest.mark.parametrize("client", ["untrusted", "expired"])
def test_untrusted_and_expired_clients_fail_the_handshake(server: Server, client: str) -> None:
    """A certificate ssl refuses never reaches certgate."""
    returncode, status, _, _ = curl(server, client)
    assert returncode != 0 and status == 0
    assert server.next().handshake_error
    with pytest.raises((ssl.SSLError, ConnectionError)):
        python_client(server, client)
    assert server.next().handshake_error


def test_revocation_hot_update_between_connections(demo: pki.DemoPki) -> None:
    """update_crls on the serving verifier: the next connection sees the new CRLs."""
    verifier = certgate.Verifier(demo.policy())
    with Server(demo, verifier) as running:
        assert python_client(running, "allowed")[1:3] == EXPECTED["allowed"]
        running.next()
        verifier.update_crls(
            [
                pki.crl_pem(pki.crl(demo.intermediate, [demo.allowed.cert.serial_number], 5)),
                pki.crl_pem(demo.root_crl),
            ]
        )
        assert python_client(running, "allowed")[1:3] == (403, "REVOKED")
        assert running.next().result == "REVOKED"
        assert curl(running, "revoked")[1:3] == (200, f"hello {pki.SPIFFE_ALLOWED}")
        assert running.next().result is None


def test_server_sees_only_the_leaf(server: Server) -> None:
    """getpeercert(binary_form=True) returns the leaf's DER only, although the client
    sent its intermediate: without the pool, certgate could not build the path."""
    python_client(server, "allowed")
    server.next()
    der = server.peer_certificates[-1]
    assert der == server.demo.allowed.der
    policy = server.demo.policy()
    del policy["trust"]["intermediates"]
    assert certgate.Verifier(policy).check(der).code == "UNKNOWN_ISSUER"
