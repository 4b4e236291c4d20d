"""The other direction of mutual TLS: Python clients calling a server whose certificate
the policy (usage "server", only the payments SPIFFE ID) decides on, with
certgate.client_context, through http.client, urllib, httpx (sync and async), requests
and asyncio.

Each server runs on 127.0.0.1 with certgate.server_context, so it asks the client for a
certificate (allowed.pem) and checks it by its own policy, and it records every
application byte it receives: a server the client refuses must have received none.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional, Tuple

import httpx
import pytest
import requests

import certgate
import certgate.httpx
import certgate.requests
import pki
from tlsserver import TIMEOUT, TlsServer, http_answer, read_head

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "client.py"


@dataclass
class Served:
    """What a server saw on one connection: its decision on the client, and the bytes."""

    client: Optional[str]
    received: bytes


@dataclass
class Answer:
    status: int
    body: str
    #: The server's SPIFFE ID from the connection's certgate_identity, where the
    #: client library lets one reach the connection (not urllib nor requests).
    server: Optional[str]


def payments_server(demo: pki.DemoPki, name: str) -> TlsServer:
    """A server presenting NAME.pem, which admits clients by the client policy and
    answers "hello <client SPIFFE ID>"."""
    verifier = certgate.Verifier(demo.policy())
    files = demo.files

    def handle(tls: ssl.SSLSocket) -> Served:
        outcome = verifier.check_ssl(tls)
        client = outcome.identity.spiffe_id if outcome.identity else outcome.code
        received = read_head(tls)
        if received:
            tls.sendall(http_answer("200 OK", f"hello {client}"))
        return Served(client, received)

    context = certgate.server_context(verifier, files[f"{name}.pem"], files[f"{name}.key"])
    return TlsServer(context, handle)


@pytest.fixture(scope="module")
def context(demo: pki.DemoPki) -> ssl.SSLContext:
    """The client's context: the server policy, allowed.pem as client certificate."""
    files = demo.files
    return certgate.client_context(
        certgate.Verifier(demo.server_policy()),
        files["allowed.pem"],
        files["allowed.key"],
        identity="policy",
    )


def via_http_client(context: ssl.SSLContext, host: str, port: int) -> Answer:
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=TIMEOUT)
    try:
        connection.connect()
        server = connection.sock.certgate_identity.spiffe_id
        connection.request("GET", "/")
        response = connection.getresponse()
        return Answer(response.status, response.read().decode(), server)
    finally:
        connection.close()


def via_urllib(context: ssl.SSLContext, host: str, port: int) -> Answer:
    try:
        url = f"https://{host}:{port}/"
        with urllib.request.urlopen(url, context=context, timeout=TIMEOUT) as response:
            return Answer(response.status, response.read().decode(), None)
    except urllib.error.URLError as error:
        raise error.reason if isinstance(error.reason, BaseException) else error


def via_httpx(context: ssl.SSLContext, host: str, port: int) -> Answer:
    with httpx.Client(transport=certgate.httpx.Transport(context), timeout=TIMEOUT) as client:
        response = client.get(f"https://{host}:{port}/")
    server = response.extensions["network_stream"].get_extra_info("socket").certgate_identity
    return Answer(response.status_code, response.text, server.spiffe_id)


def via_httpx_async(context: ssl.SSLContext, host: str, port: int) -> Answer:
    async def call() -> Answer:
        transport = certgate.httpx.AsyncTransport(context)
        async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
            response = await client.get(f"https://{host}:{port}/")
        stream = response.extensions["network_stream"]
        server = stream.get_extra_info("ssl_object").certgate_identity
        return Answer(response.status_code, response.text, server.spiffe_id)

    return asyncio.run(call())


def via_requests(context: ssl.SSLContext, host: str, port: int) -> Answer:
    with requests.Session() as session:
        session.mount("https://", certgate.requests.Adapter(context))
        response = session.get(f"https://{host}:{port}/", timeout=TIMEOUT)
    return Answer(response.status_code, response.text, None)


def via_asyncio(context: ssl.SSLContext, host: str, port: int) -> Answer:
    async def call() -> Answer:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context), TIMEOUT
        )
        try:
            server = writer.get_extra_info("ssl_object").certgate_identity
            writer.write(b"GET / HTTP/1.1\r\nHost: payments\r\n\r\n")
            answer = await asyncio.wait_for(reader.read(), TIMEOUT)
        finally:
            writer.close()
        head, _, body = answer.decode().partition("\r\n\r\n")
        return Answer(int(head.split()[1]), body, server.spiffe_id)

    return asyncio.run(call())


CLIENTS: Dict[str, Callable[[ssl.SSLContext, str, int], Answer]] = {
    "http.client": via_http_client,
    "urllib": via_urllib,
    "httpx": via_httpx,
    "httpx-async": via_httpx_async,
    "requests": via_requests,
    "asyncio": via_asyncio,
}

# server -> the certgate error it is refused with, and its code
REFUSED_BY_POLICY = {
    "payments_wrong_spiffe": (certgate.NotAuthorizedError, "NOT_AUTHORIZED"),
    "payments_revoked": (certgate.RevokedError, "REVOKED"),
}
# server -> OpenSSL's reason
REFUSED_BY_OPENSSL = {
    "payments_untrusted": "unable to get local issuer certificate",
    "payments_expired": "certificate has expired",
}


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what it wraps: ``__cause__`` / ``__context__``, and the exception
    urllib3 and requests keep in ``reason`` / ``args[0]``."""
    seen = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        inner += list(current.args[:1])
        pending += [item for item in inner if isinstance(item, BaseException)]


def openssl_refusal(error: BaseException) -> ssl.SSLCertVerificationError:
    found = [item for item in causes(error) if isinstance(item, ssl.SSLCertVerificationError)]
    assert found, f"not an OpenSSL verification failure: {error!r}"
    return found[0]


@pytest.mark.parametrize("tool", sorted(CLIENTS))
def test_allowed_server(demo: pki.DemoPki, context: ssl.SSLContext, tool: str) -> None:
    with payments_server(demo, "payments") as server:
        answer = CLIENTS[tool](context, "127.0.0.1", server.port)
        seen = server.next().result
    assert answer.status == 200
    assert answer.body == f"hello {pki.SPIFFE_ALLOWED}"  # the server admitted our client
    if tool not in ("urllib", "requests"):
        assert answer.server == pki.SPIFFE_PAYMENTS
    assert isinstance(seen, Served) and seen.received.startswith(b"GET / HTTP/1.1\r\n")


@pytest.mark.parametrize("name", sorted(REFUSED_BY_POLICY))
@pytest.mark.parametrize("tool", sorted(CLIENTS))
def test_server_refused_by_policy(
    demo: pki.DemoPki, context: ssl.SSLContext, tool: str, name: str
) -> None:
    """Refused right after the client's handshake, before the request: not one byte of
    it reaches the server. Every library lets certgate's exception through as is. A
    socket client has sent its last handshake flight by then, so the server completes
    its handshake (and admits the client) and then reads the end of the stream; over
    asyncio's and anyio's memory BIOs that flight is not flushed before the check
    refuses, so the server sees its handshake cut short."""
    error_class, code = REFUSED_BY_POLICY[name]
    with payments_server(demo, name) as server:
        with pytest.raises(certgate.CertgateError) as refusal:
            CLIENTS[tool](context, "127.0.0.1", server.port)
        seen = server.next()
    assert type(refusal.value) is error_class and refusal.value.code == code
    if tool in ("asyncio", "httpx-async"):
        assert seen.handshake_error is not None and seen.result is None
    else:
        assert seen.result == Served(pki.SPIFFE_ALLOWED, b"")


@pytest.mark.parametrize("name", sorted(REFUSED_BY_OPENSSL))
@pytest.mark.parametrize("tool", sorted(CLIENTS))
def test_server_refused_by_openssl(
    demo: pki.DemoPki, context: ssl.SSLContext, tool: str, name: str
) -> None:
    """Untrusted and expired servers fail OpenSSL's own check in the handshake, against
    the policy's anchors: the server sees the handshake fail."""
    with payments_server(demo, name) as server:
        with pytest.raises(Exception) as refusal:
            CLIENTS[tool](context, "127.0.0.1", server.port)
        seen = server.next()
    assert REFUSED_BY_OPENSSL[name] in openssl_refusal(refusal.value).verify_message
    assert seen.handshake_error is not None and seen.result is None


@pytest.mark.parametrize("tool", sorted(CLIENTS))
def test_spiffe_only_server_by_policy(
    demo: pki.DemoPki, context: ssl.SSLContext, tool: str
) -> None:
    """identity="policy": a mesh server's certificate names no host, only its SPIFFE ID,
    and the policy's allow rule is its identity. urllib3 (requests) would match the
    host name itself when the context does not; the adapter stops it."""
    with payments_server(demo, "payments_mesh") as server:
        answer = CLIENTS[tool](context, "127.0.0.1", server.port)
        server.next()
    assert (answer.status, answer.body) == (200, f"hello {pki.SPIFFE_ALLOWED}")


def handshake(
    context: ssl.SSLContext,
    port: int,
    server_hostname: str,
    session: Optional[ssl.SSLSession] = None,
) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    return context.wrap_socket(raw, server_hostname=server_hostname, session=session)


def test_hostname_identity(demo: pki.DemoPki) -> None:
    """identity="hostname" (the default): OpenSSL checks the name connected to, and the
    policy decides as well."""
    files = demo.files
    by_name = certgate.Verifier(demo.policy(usage="server", allow=[{"dns": "localhost"}]))
    context = certgate.client_context(by_name, files["allowed.pem"], files["allowed.key"])
    assert context.check_hostname
    with payments_server(demo, "server") as server:  # localhost / 127.0.0.1, no SPIFFE ID
        with handshake(context, server.port, "localhost") as tls:
            assert tls.certgate_identity.san.dns == ["localhost"]
        assert server.next().result == Served(pki.SPIFFE_ALLOWED, b"")
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            handshake(context, server.port, "payments.mesh.example")
        assert server.next().handshake_error is not None

    only_payments = certgate.client_context(
        certgate.Verifier(demo.server_policy()), files["allowed.pem"], files["allowed.key"]
    )
    with payments_server(demo, "server") as server:
        with pytest.raises(certgate.NotAuthorizedError):  # the right host, not the right server
            handshake(only_payments, server.port, "localhost")
        assert server.next().result == Served(pki.SPIFFE_ALLOWED, b"")
    with payments_server(demo, "payments_mesh") as server:
        with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
            handshake(only_payments, server.port, "payments.mesh.example")
        assert server.next().handshake_error is not None


def test_arguments() -> None:
    verifier = certgate.Verifier({"trust": {"anchors": pki.demo_pki().root.pem}})
    with pytest.raises(ValueError, match='identity: expected "hostname" or "policy"'):
        certgate.client_context(verifier, identity="spiffe")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="verifier: expected a certgate.Verifier"):
        certgate.client_context("policy.json")  # type: ignore[arg-type]
    plain = ssl.create_default_context()
    adapters = (certgate.httpx.Transport, certgate.httpx.AsyncTransport, certgate.requests.Adapter)
    for adapter in adapters:
        with pytest.raises(TypeError, match="expected a certgate.client_context"):
            adapter(plain)
    context = certgate.client_context(verifier)
    for option in ({"verify": False}, {"cert": ("client.pem", "client.key")}):
        with pytest.raises(TypeError, match="the certgate context decides"):
            certgate.httpx.Transport(context, **option)


def test_trust_store_is_the_policys(demo: pki.DemoPki, context: ssl.SSLContext) -> None:
    verifier = certgate.Verifier(demo.server_policy())
    assert verifier.anchors() == [demo.root.der]
    assert verifier.intermediates() == [demo.intermediate.der]
    assert sorted(context.get_ca_certs(binary_form=True)) == sorted(
        [demo.root.der, demo.intermediate.der]
    )
    assert context.verify_mode == ssl.CERT_REQUIRED and not context.check_hostname
    assert context.options & ssl.OP_NO_RENEGOTIATION


def test_requests_keeps_the_context_as_made(
    demo: pki.DemoPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests would have urllib3 load certifi (or REQUESTS_CA_BUNDLE, or a verify=
    path) into the context, or set it to CERT_NONE; the adapter lets neither happen,
    and urllib3 counts the connections verified (no InsecureRequestWarning)."""
    files = demo.files
    context = certgate.client_context(
        certgate.Verifier(demo.server_policy()), files["allowed.pem"], files["allowed.key"]
    )
    store = context.get_ca_certs(binary_form=True)
    bundle = str(files["untrusted.intermediate.pem"])  # a CA that must not get in
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    with payments_server(demo, "payments") as server, requests.Session() as session:
        session.mount("https://", certgate.requests.Adapter(context))
        url = f"https://localhost:{server.port}/"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert session.get(url, timeout=TIMEOUT).status_code == 200
            assert session.get(url, verify=bundle, timeout=TIMEOUT).status_code == 200
        server.next()
        server.next()
        with pytest.raises(ValueError, match="verify=False"):
            session.get(url, verify=False)
        with pytest.raises(ValueError, match="cert: pass the client certificate"):
            session.get(url, cert=(str(files["allowed.pem"]), str(files["allowed.key"])))
    assert context.get_ca_certs(binary_form=True) == store
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_resumed_session_is_checked_again(demo: pki.DemoPki) -> None:
    """A resumed TLS session skips OpenSSL's certificate check, never certgate's: the
    handshake runs, and so does the check (here after the server was revoked)."""
    files = demo.files
    verifier = certgate.Verifier(demo.server_policy())
    context = certgate.client_context(verifier, identity="policy")
    tickets = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # issues session tickets (the default)
    tickets.load_cert_chain(files["payments.pem"], files["payments.key"])

    def answer(tls: ssl.SSLSocket) -> Tuple[bool, bytes]:
        received = read_head(tls)
        if received:
            tls.sendall(http_answer("200 OK", "hello"))
        return tls.session_reused, received

    request = b"GET / HTTP/1.1\r\nHost: payments\r\n\r\n"
    with TlsServer(tickets, answer) as server:
        with handshake(context, server.port, "payments") as first:
            first.sendall(request)
            first.recv(4096)  # also reads the ticket
            session = first.session
        with handshake(context, server.port, "payments", session) as second:
            second.sendall(request)
            second.recv(4096)
            assert second.session_reused
            assert second.certgate_identity.spiffe_id == pki.SPIFFE_PAYMENTS
        verifier.update_crls(
            [
                pki.crl_pem(pki.crl(demo.intermediate, [demo.payments.cert.serial_number], 9)),
                pki.crl_pem(demo.root_crl),
            ]
        )
        with pytest.raises(certgate.RevokedError):
            handshake(context, server.port, "payments", session)
        resumed = [(False, request), (True, request), (True, b"")]
        assert [server.next().result for _ in range(3)] == resumed


def test_no_byte_before_the_check(demo: pki.DemoPki, context: ssl.SSLContext) -> None:
    """With do_handshake_on_connect=False, OpenSSL would run the handshake inside the
    first write; the socket runs it, and the check, first."""
    with payments_server(demo, "payments_wrong_spiffe") as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        tls = context.wrap_socket(raw, server_hostname="payments", do_handshake_on_connect=False)
        with pytest.raises(certgate.NotAuthorizedError):
            tls.sendall(b"GET /secret HTTP/1.1\r\n\r\n")
        assert tls.fileno() == -1  # closed
        assert server.next().result == Served(pki.SPIFFE_ALLOWED, b"")


def test_example_client(demo: pki.DemoPki, tmp_path: Path) -> None:
    policy = tmp_path / "server-policy.json"
    policy.write_text(json.dumps(demo.server_policy()), encoding="utf-8")
    files = demo.files

    def run(port: int) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable, str(EXAMPLE), "--policy", str(policy),
                "--cert", str(files["allowed.pem"]), "--key", str(files["allowed.key"]),
                f"https://127.0.0.1:{port}/",
            ],
            capture_output=True, text=True, timeout=TIMEOUT + 10,
        )

    with payments_server(demo, "payments") as server:
        done = run(server.port)
        server.next()
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"server: {pki.SPIFFE_PAYMENTS}\n200 hello {pki.SPIFFE_ALLOWED}\n"
    with payments_server(demo, "payments_revoked") as server:
        done = run(server.port)
        assert server.next().result == Served(pki.SPIFFE_ALLOWED, b"")
    assert done.returncode == 1
    assert done.stderr.startswith("refused: REVOKED: ")


def test_anchor_that_is_not_a_root(demo: pki.DemoPki) -> None:
    """A policy that trusts the issuing CA alone: OpenSSL, which stops only at a root by
    default, is told to accept the anchor as certgate does."""
    policy = demo.server_policy()
    policy["trust"] = {"anchors": demo.intermediate.pem}
    policy["revocation"]["crls"] = [pki.crl_pem(demo.intermediate_crl)]
    context = certgate.client_context(certgate.Verifier(policy), identity="policy")
    assert context.verify_flags & ssl.VERIFY_X509_PARTIAL_CHAIN
    with payments_server(demo, "payments") as server:
        with handshake(context, server.port, "payments") as tls:
            assert tls.certgate_identity.spiffe_id == pki.SPIFFE_PAYMENTS
        server.next()
    with payments_server(demo, "payments_untrusted") as server:
        with pytest.raises(ssl.SSLCertVerificationError):
            handshake(context, server.port, "payments")
        server.next()
    rooted = certgate.client_context(certgate.Verifier(demo.server_policy()))
    assert not rooted.verify_flags & ssl.VERIFY_X509_PARTIAL_CHAIN
