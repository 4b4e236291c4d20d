"""WSGI middleware (Flask, Django, any WSGI app) that decides on every request.

The client certificate comes from the headers a trusted proxy set, when the policy has
a ``forwarded`` section (docs/forwarded.md), with ``REMOTE_ADDR`` as the proxy's address
— never a header; or else from ``SSL_CLIENT_CERT`` and ``SSL_CLIENT_CERT_CHAIN_n`` of
servers that export them (Apache mod_wsgi with ``SSLOptions +ExportCertData``).

On success the identity is in ``environ["certgate.peer"]`` (Flask:
``request.environ["certgate.peer"]``); a refused request is answered ``403`` with
``{"code": ..., "message": ...}`` JSON and never reaches the app::

    app.wsgi_app = CertgateMiddleware(app.wsgi_app, certgate.Verifier.from_file("policy.json"))

Under a policy in ``"mode": "audit"`` every request whose certificate decodes reaches the
app; for one the policy would refuse, ``identity.audit`` says why and
``on_audit(audit, identity, environ)`` is called first (default: a warning on the ``certgate``
logger with the code, the subject and the request).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, List, MutableMapping, Optional, Tuple

from ._hooks import call_hook
from ._native import Audit, Identity, Verifier
from ._request import audit_hook, decide, expect_verifier, log_audit, refusal_body

__all__ = ["CertgateMiddleware"]

Environ = MutableMapping[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]
#: Called for each audit-mode admission the policy would refuse: the refusal not
#: enforced, the identity, and what was decided on.
AuditHook = Callable[[Audit, Identity, Environ], object]


def _log_audit(audit: Audit, identity: Identity, environ: Environ) -> None:
    log_audit(audit, identity, f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}")


def _headers(environ: Environ) -> List[Tuple[str, str]]:
    """The request headers WSGI keeps as ``HTTP_*`` keys, back as ``(name, value)``."""
    return [
        (key[5:].replace("_", "-").lower(), value)
        for key, value in environ.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    ]


def _exported_chain(environ: Environ) -> List[str]:
    """``SSL_CLIENT_CERT`` then ``SSL_CLIENT_CERT_CHAIN_0``, ``_1``, … (mod_ssl's names)."""
    chain = []
    leaf = environ.get("SSL_CLIENT_CERT")
    if leaf:
        chain.append(leaf)
        n = 0
        while environ.get(f"SSL_CLIENT_CERT_CHAIN_{n}"):
            chain.append(environ[f"SSL_CLIENT_CERT_CHAIN_{n}"])
            n += 1
    return chain


class CertgateMiddleware:
    """Decides on every request before ``app`` sees it."""

    def __init__(self, app: WsgiApp, verifier: Verifier, *, on_audit: Optional[AuditHook] = None) -> None:
        self.app = app
        self.verifier = expect_verifier(verifier)
        self.on_audit = audit_hook(on_audit, _log_audit)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        outcome = decide(
            self.verifier, _headers(environ), environ.get("REMOTE_ADDR"), _exported_chain(environ)
        )
        if outcome.ok and outcome.identity is not None:
            audit = outcome.identity.audit
            if audit is not None:
                call_hook(self.on_audit, audit, outcome.identity, environ)
            environ["certgate.peer"] = outcome.identity
            return self.app(environ, start_response)
        body = refusal_body(outcome)
        start_response(
            "403 Forbidden",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]
