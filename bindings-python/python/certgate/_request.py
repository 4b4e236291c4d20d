"""What the ASGI and WSGI middlewares share: deciding on a request (the certificate of
the TLS connection, or the headers a trusted proxy set when the policy has a
``forwarded`` section) and the JSON body of a refusal."""

from __future__ import annotations

import json
from typing import Iterable, Optional, Sequence, Tuple, Union

from ._native import Outcome, Verifier

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
