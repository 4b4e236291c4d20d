"""A ``grpcio`` server interceptor that decides on the client of every call (mTLS).

The client certificate comes from the call's auth context: the leaf
``x509_pem_cert``, then the certificates the client sent above it
(``x509_pem_cert_chain``, where grpcio provides it; else pool the intermediates in the
policy's ``trust.intermediates``). The server's credentials must request client
certificates (``grpc.ssl_server_credentials(..., require_client_auth=True)``). A refused
call is aborted before the handler runs: ``PERMISSION_DENIED`` when the client is known
but the policy does not let it in (``NOT_AUTHORIZED``), ``UNAUTHENTICATED`` otherwise;
the details start with the certgate code and the ``certgate-code`` trailer carries it.
The handler reads the identity with :func:`current_peer`::

    server = grpc.server(executor, interceptors=[CertgateInterceptor(verifier)])

Under a policy in ``"mode": "audit"`` every call whose certificate decodes reaches the
handler; for one the policy would refuse, ``identity.audit`` says why and
``on_audit(audit, identity, handler_call_details)`` is called first (``.method`` names the call;
default: a warning on the ``certgate`` logger with the code, the subject and the method).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Callable, Iterator, Optional

import grpc

from ._hooks import call_hook
from ._native import Audit, Identity, Outcome, Verifier
from ._request import audit_hook, expect_verifier, log_audit

__all__ = ["CertgateInterceptor", "current_peer"]

_PEER: ContextVar[Optional[Identity]] = ContextVar("certgate_peer", default=None)

#: Called for each audit-mode admission the policy would refuse: the refusal not
#: enforced, the identity, and what was decided on.
AuditHook = Callable[[Audit, Identity, grpc.HandlerCallDetails], object]


def _log_audit(audit: Audit, identity: Identity, details: grpc.HandlerCallDetails) -> None:
    log_audit(audit, identity, details.method)


def current_peer() -> Optional[Identity]:
    """The identity of the client of the call being handled (``None`` outside one)."""
    return _PEER.get()


def _outcome(verifier: Verifier, context: grpc.ServicerContext) -> Outcome:
    auth = context.auth_context()
    # The leaf, then the certificates the client sent above it (grpcio lists those
    # apart, without the leaf).
    leaf = list(auth.get("x509_pem_cert") or [])
    above = [item for item in auth.get("x509_pem_cert_chain") or [] if item not in leaf]
    return verifier.check([bytes(item) for item in leaf + above])


class CertgateInterceptor(grpc.ServerInterceptor):
    """Decides on every call; the handler runs only for an admitted client."""

    def __init__(self, verifier: Verifier, *, on_audit: Optional[AuditHook] = None) -> None:
        self.verifier = expect_verifier(verifier)
        self.on_audit = audit_hook(on_audit, _log_audit)

    def _admit(self, context: grpc.ServicerContext, details: grpc.HandlerCallDetails) -> Identity:
        outcome = _outcome(self.verifier, context)
        if outcome.ok and outcome.identity is not None:
            audit = outcome.identity.audit
            if audit is not None:
                call_hook(self.on_audit, audit, outcome.identity, details)
            return outcome.identity
        status = (
            grpc.StatusCode.PERMISSION_DENIED
            if outcome.code == "NOT_AUTHORIZED"
            else grpc.StatusCode.UNAUTHENTICATED
        )
        context.set_trailing_metadata((("certgate-code", str(outcome.code)),))
        context.abort(status, f"{outcome.code}: {outcome.message}")
        raise AssertionError("context.abort raises")  # pragma: no cover

    def _guard(
        self, behavior: Callable[..., Any], streaming: bool, details: grpc.HandlerCallDetails
    ) -> Callable[..., Any]:
        if streaming:

            def guarded_stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
                token = _PEER.set(self._admit(context, details))
                try:
                    yield from behavior(request, context)
                finally:
                    _PEER.reset(token)

            return guarded_stream

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            token = _PEER.set(self._admit(context, details))
            try:
                return behavior(request, context)
            finally:
                _PEER.reset(token)

        return guarded

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Optional[grpc.RpcMethodHandler[Any, Any]]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Optional[grpc.RpcMethodHandler[Any, Any]]:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        kinds = (
            ("unary_unary", grpc.unary_unary_rpc_method_handler),
            ("unary_stream", grpc.unary_stream_rpc_method_handler),
            ("stream_unary", grpc.stream_unary_rpc_method_handler),
            ("stream_stream", grpc.stream_stream_rpc_method_handler),
        )
        for kind, make in kinds:
            behavior = getattr(handler, kind)
            if behavior is not None:
                return make(
                    self._guard(behavior, handler.response_streaming, handler_call_details),
                    request_deserializer=handler.request_deserializer,
                    response_serializer=handler.response_serializer,
                )
        return handler
