"""Python's own TLS server admitting clients by policy without a proxy:
certgate.server_context (OpenSSL requires a client certificate under the policy's
anchors) and verifier.verify_ssl on each connection (usage, allow rules, revocation),
reached by real clients, curl and openssl s_client; and the asyncio example.
"""

from __future__ import annotations

import json
import queue
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator, List, Optional, Union

import pytest

import certgate
import pki
from tlsserver import TIMEOUT, TlsServer, http_answer, read_head

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "asyncio_server.py"

Decision = Union[certgate.Identity, certgate.CertgateError]


def policy_server(
    demo: pki.DemoPki, policy: Optional[dict] = None, *, optional: bool = False
) -> TlsServer:
    """server.pem behind server_context and verify_ssl: 200 "hello <SPIFFE ID>" or
    403 "<code>". ``optional``: the handshake lets a client without certificate in."""
    verifier = certgate.Verifier(policy or demo.policy())
    context = certgate.server_context(verifier, demo.files["server.pem"], demo.files["server.key"])
    if optional:
        context.verify_mode = ssl.CERT_OPTIONAL

    def handle(tls: ssl.SSLSocket) -> Decision:
        try:
            decision: Decision = verifier.verify_ssl(tls)  # before reading the request
            answer = http_answer("200 OK", f"hello {decision.spiffe_id}")
        except certgate.CertgateError as refusal:
            decision, answer = refusal, http_answer("403 Forbidden", refusal.code)
        read_head(tls)
        tls.sendall(answer)
        return decision

    return TlsServer(context, handle)


@pytest.fixture
def server(demo: pki.DemoPki) -> Iterator[TlsServer]:
    with policy_server(demo) as running:
        yield running


def credentials(demo: pki.DemoPki, client: Optional[str], cert: str, key: str) -> List[str]:
    """The client's certificate and key options (none for ``client`` None)."""
    if client is None:
        return []
    return [cert, str(demo.files[f"{client}.pem"]), key, str(demo.files[f"{client}.key"])]


def curl(demo: pki.DemoPki, port: int, client: Optional[str]) -> tuple:
    """(exit code, HTTP status, body); ``client`` None: no client certificate."""
    files = demo.files
    identity = credentials(demo, client, "--cert", "--key")
    done = subprocess.run(
        [
            "curl", "--silent", "--show-error", "--max-time", str(TIMEOUT),
            "--cacert", str(files["ca.pem"]), *identity,
            "--write-out", "\n%{http_code}",
            f"https://localhost:{port}/",
        ],
        capture_output=True, text=True, timeout=TIMEOUT + 10,
    )
    body, _, status = done.stdout.rpartition("\n")
    return done.returncode, int(status or 0), body.strip()


def openssl(demo: pki.DemoPki, port: int, client: Optional[str]) -> subprocess.CompletedProcess:
    """openssl s_client sending one request; ``client`` None: no client certificate."""
    files = demo.files
    identity = credentials(demo, client, "-cert", "-key")
    return subprocess.run(
        [
            "openssl", "s_client", "-ign_eof",  # read until the server closes
            "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
            "-verify_return_error", "-CAfile", str(files["ca.pem"]), *identity,
        ],
        input="GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        capture_output=True, text=True, timeout=TIMEOUT + 10,
    )


def openssl_answer(done: subprocess.CompletedProcess) -> tuple:
    """(HTTP status, body) from s_client's output (0, "" when there is no answer)."""
    _, found, answer = done.stdout.partition("HTTP/1.1 ")
    if not found:
        return 0, ""
    head, _, body = answer.partition("\n\n")  # text mode turned CRLF into LF
    return int(head.split()[0]), body.split("\n")[0]


# client -> (HTTP status, body, the class verify_ssl raised or None)
ADMITTED_OR_REFUSED = {
    "allowed": (200, f"hello {pki.SPIFFE_ALLOWED}", None),
    "revoked": (403, "REVOKED", certgate.RevokedError),
    "wrong_spiffe": (403, "NOT_AUTHORIZED", certgate.NotAuthorizedError),
}


@pytest.mark.parametrize("client", sorted(ADMITTED_OR_REFUSED))
@pytest.mark.parametrize("tool", ["curl", "openssl"])
def test_verify_ssl_decides(demo: pki.DemoPki, server: TlsServer, tool: str, client: str) -> None:
    assert shutil.which(tool), f"{tool} is not installed (make test-python installs it)"
    status, body, refusal = ADMITTED_OR_REFUSED[client]
    if tool == "curl":
        assert curl(demo, server.port, client)[1:] == (status, body)
    else:
        assert openssl_answer(openssl(demo, server.port, client)) == (status, body)
    decision = server.next().result
    if refusal is None:
        assert isinstance(decision, certgate.Identity) and decision.spiffe_id == pki.SPIFFE_ALLOWED
    else:
        assert type(decision) is refusal and decision.code == body


# client (None: no certificate) -> why the server's OpenSSL ended the handshake
REFUSED_IN_THE_HANDSHAKE = {
    "untrusted": "unable to get local issuer certificate",
    "expired": "certificate has expired",
    None: "PEER_DID_NOT_RETURN_A_CERTIFICATE",
}


@pytest.mark.parametrize("client", list(REFUSED_IN_THE_HANDSHAKE))
@pytest.mark.parametrize("tool", ["curl", "openssl"])
def test_refused_in_the_handshake(
    demo: pki.DemoPki, server: TlsServer, tool: str, client: Optional[str]
) -> None:
    """Another CA's client, an expired one and one without a certificate never reach
    verify_ssl: OpenSSL ends the handshake (with TLS 1.3 the client has finished its
    own by then, so it sees the alert on its first read)."""
    if tool == "curl":
        returncode, status, _ = curl(demo, server.port, client)
        assert returncode != 0 and status == 0
    else:
        assert openssl_answer(openssl(demo, server.port, client)) == (0, "")
    connection = server.next()
    assert connection.result is None
    assert REFUSED_IN_THE_HANDSHAKE[client] in str(connection.handshake_error)


def test_no_certificate_is_empty_chain(demo: pki.DemoPki) -> None:
    """With a handshake that lets a client without certificate in (CERT_OPTIONAL),
    verify_ssl refuses it: EMPTY_CHAIN."""
    with policy_server(demo, optional=True) as server:
        assert curl(demo, server.port, None)[1:] == (403, "EMPTY_CHAIN")
        decision = server.next().result
    assert isinstance(decision, certgate.MalformedInputError)


def test_verify_ssl_reads_the_whole_chain(demo: pki.DemoPki) -> None:
    """The chain is what the client sent (leaf and intermediate), not getpeercert()'s
    leaf alone: a policy that pools no intermediates still builds the path (Python
    3.10+; 3.9's ssl gives the leaf only)."""
    policy = demo.policy()
    del policy["trust"]["intermediates"]
    with policy_server(demo, policy) as server:
        answer = curl(demo, server.port, "allowed")[1:]
        server.next()
    if sys.version_info >= (3, 10):
        assert answer == (200, f"hello {pki.SPIFFE_ALLOWED}")
    else:
        assert answer == (403, "UNKNOWN_ISSUER")


def test_anchor_that_is_not_a_root(demo: pki.DemoPki) -> None:
    policy = demo.policy()
    policy["trust"] = {"anchors": demo.intermediate.pem}
    policy["revocation"]["crls"] = [pki.crl_pem(demo.intermediate_crl)]
    with policy_server(demo, policy) as server:
        assert curl(demo, server.port, "allowed")[1:] == (200, f"hello {pki.SPIFFE_ALLOWED}")
        assert curl(demo, server.port, "revoked")[1:] == (403, "REVOKED")
        assert curl(demo, server.port, "untrusted")[1] == 0
        decisions = [type(server.next().result) for _ in range(2)]
        assert decisions == [certgate.Identity, certgate.RevokedError]
        assert server.next().handshake_error is not None


def test_no_acceptable_ca_names(demo: pki.DemoPki, server: TlsServer) -> None:
    """Python's ssl cannot set the CertificateRequest's list of acceptable CAs
    (SSL_CTX_set_client_CA_list), so none is sent; the README says so. This fails when
    that changes."""
    done = openssl(demo, server.port, "allowed")
    server.next()
    assert "No client certificate CA names sent" in done.stdout


def test_every_connection_is_a_full_handshake(demo: pki.DemoPki, server: TlsServer) -> None:
    """No session tickets: a resumed session would keep only the client's leaf."""
    files = demo.files
    client = ssl.create_default_context(cafile=str(files["ca.pem"]))
    client.load_cert_chain(files["allowed.pem"], files["allowed.key"])
    session = None
    for _ in range(2):
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        with client.wrap_socket(raw, server_hostname="localhost", session=session) as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert tls.recv(4096).startswith(b"HTTP/1.1 200 OK")
            assert not tls.session_reused
            session = tls.session
        assert isinstance(server.next().result, certgate.Identity)


def test_server_context(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy())
    context = certgate.server_context(verifier, demo.files["server.pem"], demo.files["server.key"])
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert sorted(context.get_ca_certs(binary_form=True)) == sorted(
        [demo.root.der, demo.intermediate.der]
    )
    assert context.options & ssl.OP_NO_TICKET and context.num_tickets == 0
    with pytest.raises(TypeError, match="verifier: expected a certgate.Verifier"):
        certgate.server_context(demo.policy(), "server.pem")  # type: ignore[arg-type]


def test_verify_ssl_takes_tls_connections_only(demo: pki.DemoPki) -> None:
    verifier = certgate.Verifier(demo.policy())
    with socket.socket() as plain:
        with pytest.raises(TypeError, match=r"tls: expected an ssl.SSLSocket or ssl.SSLObject"):
            verifier.verify_ssl(plain)
    unconnected = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).wrap_bio(
        ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="localhost"
    )
    with pytest.raises(ValueError, match="handshake not done yet"):  # a programming error
        verifier.check_ssl(unconnected)


@pytest.fixture
def example(demo: pki.DemoPki, tmp_path: Path) -> Iterator[int]:
    """examples/asyncio_server.py in its own process; yields its port."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(demo.policy()), encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable, str(EXAMPLE), "--policy", str(policy),
            "--cert", str(demo.files["server.pem"]), "--key", str(demo.files["server.key"]),
            "--port", "0",
        ],
        stdout=subprocess.PIPE, text=True,
    )
    lines: "queue.Queue[str]" = queue.Queue()
    assert process.stdout is not None
    output = process.stdout
    threading.Thread(target=lambda: lines.put(output.readline()), daemon=True).start()
    try:
        first = lines.get(timeout=TIMEOUT)
        assert first.startswith("listening on https://127.0.0.1:"), first
        yield int(first.rstrip("/\n").rsplit(":", 1)[1])
    finally:
        process.terminate()
        process.wait(timeout=TIMEOUT)
        output.close()


def test_asyncio_example(demo: pki.DemoPki, example: int) -> None:
    returncode, status, body = curl(demo, example, "allowed")
    assert (status, json.loads(body)) == (
        200,
        {"spiffe_id": pki.SPIFFE_ALLOWED, "subject": demo.allowed.cert.subject.rfc4514_string()},
    ), returncode
    for client, code in (("revoked", "REVOKED"), ("wrong_spiffe", "NOT_AUTHORIZED")):
        status, body = curl(demo, example, client)[1:]
        assert status == 403 and json.loads(body)["code"] == code
    assert openssl_answer(openssl(demo, example, "revoked"))[0] == 403
    for client in ("untrusted", None):
        returncode, status, _ = curl(demo, example, client)
        assert returncode != 0 and status == 0
