"""Fetching OCSP responses for ``revocation.ocsp.fetch`` (docs/decision.md#ocsp).

A verification that lacked an OCSP answer a fetch could give comes back from the core
with the requests to make (``Verifier.check_planning_ocsp``: each checked certificate's
authorityInfoAccess responder and CertID); one whose responses are in force pays nothing
more. Each request is POSTed with ``urllib``, and the answers go back to the core
(``Verifier.add_ocsp``), which checks them when a path uses them and keeps each until
its nextUpdate (at most 10,000 statuses). Threads asking for the same request at the
same time share one request. A request that fails (no answer within the timeout, an
error status, a body the core refuses) leaves the status unknown, which
``unknown_status`` decides. ``verify`` itself never fetches: it uses what earlier
fetches left.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from . import _http
from ._errors import PolicyError, error_for

if TYPE_CHECKING:
    from ._native import At, Blobs, Identity, Verifier

#: How long a responder may take, seconds.
OCSP_TIMEOUT = 5.0
#: Largest response accepted.
MAX_RESPONSE_BYTES = 1024 * 1024

_in_flight: Dict[Tuple[str, bytes], "Future[Optional[bytes]]"] = {}
_lock = threading.Lock()


def _post(url: str, request: bytes, timeout: float) -> Optional[bytes]:
    """The responder's answer to ``request``, or ``None`` when the request failed; one
    request at a time per (responder, request), whatever the threads."""
    key = (url, request)
    with _lock:
        shared = _in_flight.get(key)
        if shared is None:
            mine: "Future[Optional[bytes]]" = Future()
            _in_flight[key] = mine
    if shared is not None:
        return shared.result()
    answer: Optional[bytes] = None
    try:
        answer = _http.fetch(
            url,
            timeout=timeout,
            max_bytes=MAX_RESPONSE_BYTES,
            follow_redirects=True,
            post=(request, "application/ocsp-request"),
        )
    except OSError:
        answer = None
    finally:
        with _lock:
            del _in_flight[key]
        mine.set_result(answer)
    return answer


def fetch_ocsp(verifier: Verifier, chain: Blobs, *, at: At = None, timeout: float = OCSP_TIMEOUT) -> int:
    """Fetches the OCSP responses ``chain`` lacks at ``at`` into ``verifier``, whatever
    its policy's ``fetch`` says; returns how many responses it added. Blocks for at most
    about ``timeout`` seconds per responder; never raises for a responder's failure."""
    return _fetch(verifier, verifier.ocsp_queries(chain, at=at), timeout)


def _fetch(verifier: Verifier, queries: List[Tuple[str, bytes]], timeout: float) -> int:
    """POSTs each planned ``(url, request)`` and adds the answers; how many it added."""
    answers = [_post(url, request, timeout) for url, request in queries]
    responses = [answer for answer in answers if answer is not None]
    if not responses:
        return 0
    try:
        verifier.add_ocsp(responses)
    except PolicyError:
        # A response the core refuses as malformed is as good as none.
        return 0
    return len(responses)


async def verify_async(verifier: Verifier, chain: Blobs, *, at: At = None) -> Identity:
    """``verifier.verify(chain, at=at)`` in a worker thread. When the policy says
    ``revocation.ocsp.fetch`` and the decision lacked an OCSP answer a fetch could give,
    the responses are fetched and the chain verified again; a verification whose
    responses are in force costs no more than ``verify``."""
    if not verifier.ocsp_fetch:
        return await asyncio.to_thread(verifier.verify, chain, at)
    outcome, queries = await asyncio.to_thread(verifier.check_planning_ocsp, chain, at)
    if queries:
        await asyncio.to_thread(_fetch, verifier, queries, OCSP_TIMEOUT)
        return await asyncio.to_thread(verifier.verify, chain, at)
    if outcome.identity is not None and outcome.ok:
        return outcome.identity
    raise error_for(outcome.code or "INTERNAL", outcome.message or "", outcome.cert_index, outcome.generation)
