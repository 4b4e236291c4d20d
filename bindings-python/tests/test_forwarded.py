"""The middlewares behind a TLS-terminating proxy, over real loopback servers: the
ASGI middleware in a FastAPI app served by uvicorn, the WSGI middleware in a Flask app
served by wsgiref, each with the certificate header a proxy would set — and the same
header sent by a client that is not a trusted proxy, refused as UNTRUSTED_FORWARDER.
Then the grpcio interceptor on a real gRPC server with mTLS clients. The real proxies
are exercised by tests/proxies."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Iterator, Optional, Tuple

import grpc
import pytest
from fastapi import FastAPI, Request

import certgate
import certgate.asgi
import certgate.grpc
import certgate.wsgi
import pki
from http_servers import serve_asgi, serve_wsgi


def nginx_header(issued: pki.Issued) -> str:
    """The leaf as nginx's ``$ssl_client_escaped_cert`` forwards it."""
    return urllib.parse.quote(issued.pem, safe="")


def forwarded_policy(demo: pki.DemoPki, proxies: list) -> dict:
    return demo.policy(forwarded={"format": "nginx", "trusted_proxies": proxies})


def get(port: int, headers: Dict[str, str]) -> Tuple[int, Any]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@contextlib.contextmanager
def uvicorn_app(verifier: certgate.Verifier) -> Iterator[int]:
    app = FastAPI()
    app.add_middleware(certgate.asgi.CertgateMiddleware, verifier=verifier)

    @app.get("/")
    def whoami(request: Request) -> dict:
        peer = request.state.peer
        return {"spiffe": peer.spiffe_id, "forwarded": peer.forwarded}

    with serve_asgi(app) as port:
        yield port


@contextlib.contextmanager
def wsgi_app(verifier: certgate.Verifier) -> Iterator[int]:
    from flask import Flask, jsonify, request

    app = Flask("certgate-test")

    @app.get("/")
    def whoami() -> Any:
        peer = request.environ["certgate.peer"]
        return jsonify({"spiffe": peer.spiffe_id, "forwarded": peer.forwarded})

    app.wsgi_app = certgate.wsgi.CertgateMiddleware(app.wsgi_app, verifier)  # type: ignore[method-assign]
    with serve_wsgi(app) as port:
        yield port


SERVERS = {"asgi (FastAPI on uvicorn)": uvicorn_app, "wsgi (Flask on wsgiref)": wsgi_app}


@pytest.mark.parametrize("serve", SERVERS.values(), ids=SERVERS.keys())
def test_a_trusted_proxys_header_gives_the_identity(demo: pki.DemoPki, serve: Any) -> None:
    with serve(certgate.Verifier(forwarded_policy(demo, ["127.0.0.1", "::1"]))) as port:
        status, body = get(port, {"X-Client-Cert": nginx_header(demo.allowed)})
        assert status == 200, body
        assert body == {
            "spiffe": pki.SPIFFE_ALLOWED,
            "forwarded": {"format": "nginx", "header": "x-client-cert", "proxy": "127.0.0.1"},
        }
        for issued, code in [(demo.revoked, "REVOKED"), (demo.wrong_spiffe, "NOT_AUTHORIZED"), (None, "EMPTY_CHAIN")]:
            headers = {"X-Client-Cert": nginx_header(issued)} if issued else {}
            status, body = get(port, headers)
            assert (status, body["code"]) == (403, code), body


@pytest.mark.parametrize("serve", SERVERS.values(), ids=SERVERS.keys())
def test_spoofing_from_a_client_that_is_no_proxy_is_refused(demo: pki.DemoPki, serve: Any) -> None:
    with serve(certgate.Verifier(forwarded_policy(demo, ["10.9.9.9"]))) as port:
        status, body = get(port, {"X-Client-Cert": nginx_header(demo.allowed)})
        assert (status, body["code"]) == (403, "UNTRUSTED_FORWARDER")
        assert "127.0.0.1, which is not a trusted proxy" in body["message"]


def test_the_asgi_middleware_without_a_forwarded_section_reads_the_tls_extension(demo: pki.DemoPki) -> None:
    import asyncio

    seen: Dict[str, Any] = {}

    async def app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
        seen["peer"] = scope["state"]["peer"]

    sent: list = []

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    middleware = certgate.asgi.CertgateMiddleware(app, certgate.Verifier(demo.policy()))
    chain = [demo.allowed.pem, demo.intermediate.pem]
    scope = {"type": "http", "headers": [], "extensions": {"tls": {"client_cert_chain": chain}}}
    asyncio.run(middleware(scope, None, send))
    assert seen["peer"].spiffe_id == pki.SPIFFE_ALLOWED and sent == []
    asyncio.run(middleware({"type": "http", "headers": []}, None, send))
    assert sent[0]["status"] == 403 and json.loads(sent[1]["body"])["code"] == "EMPTY_CHAIN"


# ---- gRPC ----

WHO_AM_I = "/certgate.test.Echo/WhoAmI"


def _who_am_i(request: bytes, context: grpc.ServicerContext) -> bytes:
    peer = certgate.grpc.current_peer()
    assert peer is not None
    return (peer.spiffe_id or "").encode()


@pytest.fixture(scope="module")
def grpc_server(demo: pki.DemoPki) -> Iterator[int]:
    from concurrent.futures import ThreadPoolExecutor

    verifier = certgate.Verifier(demo.policy())
    server = grpc.server(ThreadPoolExecutor(max_workers=2), interceptors=[certgate.grpc.CertgateInterceptor(verifier)])
    handler = grpc.method_handlers_generic_handler(
        "certgate.test.Echo", {"WhoAmI": grpc.unary_unary_rpc_method_handler(_who_am_i)}
    )
    server.add_generic_rpc_handlers((handler,))
    credentials = grpc.ssl_server_credentials(
        [(demo.server.key_pem, (demo.server.pem + demo.intermediate.pem).encode())],
        root_certificates=demo.root.pem.encode(),
        require_client_auth=True,
    )
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield port
    finally:
        server.stop(grace=None)


def call_as(demo: pki.DemoPki, port: int, issued: pki.Issued) -> Tuple[Optional[bytes], Optional[grpc.RpcError]]:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=demo.root.pem.encode(),
        private_key=issued.key_pem,
        certificate_chain=(issued.pem + demo.intermediate.pem).encode(),
    )
    with grpc.secure_channel(f"localhost:{port}", credentials) as channel:
        try:
            return channel.unary_unary(WHO_AM_I)(b"", timeout=10), None
        except grpc.RpcError as error:
            return None, error


def test_grpc_allowed_client(demo: pki.DemoPki, grpc_server: int) -> None:
    assert call_as(demo, grpc_server, demo.allowed) == (pki.SPIFFE_ALLOWED.encode(), None)


def test_grpc_revoked_and_wrong_spiffe_clients(demo: pki.DemoPki, grpc_server: int) -> None:
    _, revoked = call_as(demo, grpc_server, demo.revoked)
    assert revoked is not None and revoked.code() == grpc.StatusCode.UNAUTHENTICATED
    assert revoked.details().startswith("REVOKED: ")
    assert ("certgate-code", "REVOKED") in revoked.trailing_metadata()
    _, wrong = call_as(demo, grpc_server, demo.wrong_spiffe)
    assert wrong is not None and wrong.code() == grpc.StatusCode.PERMISSION_DENIED
    assert wrong.details().startswith("NOT_AUTHORIZED: ")
