"""ASGI middleware (Starlette, FastAPI, any ASGI app) that decides on every request.

The client certificate comes from the headers a trusted proxy set, when the policy has
a ``forwarded`` section (docs/forwarded.md) — uvicorn and most ASGI servers do not hand
the app the TLS peer certificate — or else from the ASGI TLS extension
(``scope["extensions"]["tls"]["client_cert_chain"]``) of servers that provide it. The
proxy's address is the connection's own (``scope["client"]``), never a header.

On success the identity is in ``scope["state"]["peer"]`` (Starlette / FastAPI:
``request.state.peer``). A refused HTTP request is answered ``403`` with
``{"code": ..., "message": ...}`` JSON and never reaches the app; a refused WebSocket is
closed with code 1008 (policy violation)::

    app = FastAPI()
    app.add_middleware(CertgateMiddleware, verifier=certgate.Verifier.from_file("policy.json"))

Under a policy in ``"mode": "audit"`` every request whose certificate decodes reaches the
app; for one the policy would refuse, ``identity.audit`` says why and
``on_audit(audit, identity, scope)`` is called first (on the event loop: keep it quick; default:
a warning on the ``certgate`` logger with the code, the subject and the request).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, MutableMapping, Optional

from ._hooks import call_hook
from ._native import Audit, Identity, Verifier
from ._request import audit_hook, decide, expect_verifier, log_audit, refusal_body

__all__ = ["CertgateMiddleware"]

Scope = MutableMapping[str, Any]
Message = Dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
#: Called for each audit-mode admission the policy would refuse: the refusal not
#: enforced, the identity, and what was decided on.
AuditHook = Callable[[Audit, Identity, Scope], object]


def _log_audit(audit: Audit, identity: Identity, scope: Scope) -> None:
    log_audit(audit, identity, f"{scope.get('method', 'WEBSOCKET')} {scope.get('path', '')}")


class CertgateMiddleware:
    """Decides on every HTTP and WebSocket request before ``app`` sees it."""

    def __init__(self, app: App, verifier: Verifier, *, on_audit: Optional[AuditHook] = None) -> None:
        self.app = app
        self.verifier = expect_verifier(verifier)
        self.on_audit = audit_hook(on_audit, _log_audit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        tls = (scope.get("extensions") or {}).get("tls") or {}
        outcome = decide(
            self.verifier,
            scope.get("headers") or [],
            client[0] if client else None,
            tls.get("client_cert_chain"),
        )
        if outcome.ok and outcome.identity is not None:
            audit = outcome.identity.audit
            if audit is not None:
                call_hook(self.on_audit, audit, outcome.identity, scope)
            scope.setdefault("state", {})["peer"] = outcome.identity
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": str(outcome.code)})
            return
        body = refusal_body(outcome)
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
