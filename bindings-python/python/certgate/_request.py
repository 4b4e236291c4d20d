"""What the ASGI and WSGI middlewares and the gRPC interceptor share: deciding on a
request (the certificate of the TLS connection, or the headers a trusted proxy set when
the policy has a ``forwarded`` section), the JSON body of a refusal, and the default
report of an audit-mode admission."""

from __future__ import annotations

import json
from typing import Callable, Iterable, Optional, Sequence, Tuple, TypeVar, Union

from ._hooks import LOGGER
from ._native import Audit, Identity, Outcome, Verifier

HeaderPairs = Iterable[Tuple[Union[str, bytes], Union[str, bytes]]]


def expect_verifier(verifier: object) -> Verifier:
    """``verifier`` itself, or a ``TypeError`` when it is not a ``certgate.Verifier``."""
    if not isinstance(verifier, Verifier):
        raise TypeError(f"verifier: expected a certgate.Verifier, got {type(verifier).__name__}")
    return verifier


def decide(
    verifier: Verifier,
    headers: HeaderPairs,
    peer: Optional[str],
    chain: Optional[Sequence[Union[str, bytes]]],
) -> Outcome:
    """The outcome for a request: from ``headers`` and ``peer`` (the connection's own
    address) when the policy has a ``forwarded`` section, else from the TLS ``chain``
    the server handed over (``None``: no client certificate)."""
    if verifier.forwarded_format is not None:
        return verifier.check_forwarded(headers, peer or "")
    return verifier.check(list(chain or []))


def refusal_body(outcome: Outcome) -> bytes:
    """The 403 body: ``{"code": ..., "message": ...}``."""
    return json.dumps({"code": outcome.code, "message": outcome.message}).encode()


AuditHookT = TypeVar("AuditHookT", bound=Callable[..., object])


def audit_hook(on_audit: Optional[AuditHookT], default: AuditHookT) -> AuditHookT:
    """The middleware's audit hook: ``on_audit``, checked to be callable, or ``default``."""
    if on_audit is None:
        return default
    if not callable(on_audit):
        raise TypeError(f"on_audit must be callable, not {type(on_audit).__name__}")
    return on_audit


def log_audit(audit: Audit, identity: Identity, request: str) -> None:
    """What the default audit hooks do: a warning on the ``certgate`` logger,
    ``certgate audit: would refuse SUBJECT with CODE: MESSAGE (REQUEST)``, ``request``
    naming what was decided on (e.g. ``GET /orders``)."""
    LOGGER.warning(
        "certgate audit: would refuse %s with %s: %s (%s)",
        identity.subject,
        audit.code,
        audit.message,
        request,
    )
