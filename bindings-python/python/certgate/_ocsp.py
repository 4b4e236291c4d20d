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

#: Requests in flight, by verifier, responder and request: threads share one, and it ends
#: only once its answer is in the verifier, so a thread that starts meanwhile finds either
#: the request or its answer.
_in_flight: Dict[Tuple[int, str, bytes], "Future[None]"] = {}
_lock = threading.Lock()


def _post(url: str, request: bytes, timeout: float) -> Optional[bytes]:
    """The responder's answer to ``request``, or ``None`` when the request failed."""
    try:
        return _http.fetch(
            url,
            timeout=timeout,
            max_bytes=MAX_RESPONSE_BYTES,
            follow_redirects=True,
            post=(request, "application/ocsp-request"),
        )
    except OSError:
        return None


def fetch_ocsp(verifier: Verifier, chain: Blobs, *, at: At = None, timeout: float = OCSP_TIMEOUT) -> int:
    """Fetches the OCSP responses ``chain`` lacks at ``at`` into ``verifier``, whatever
    its policy's ``fetch`` says; returns how many responses it added. Blocks for at most
    about ``timeout`` seconds per responder; never raises for a responder's failure."""
    return _fetch(verifier, verifier.ocsp_queries(chain, at=at), timeout)


def _fetch(verifier: Verifier, queries: List[Tuple[str, bytes]], timeout: float) -> int:
    """POSTs each planned ``(url, request)`` not already in flight for ``verifier``, adds
    the answers, and waits for those in flight; how many answers this call added."""
    mine: List[Tuple[Tuple[int, str, bytes], "Future[None]", str, bytes]] = []
    theirs: List["Future[None]"] = []
    with _lock:
        for url, request in queries:
            key = (id(verifier), url, request)
            shared = _in_flight.get(key)
            if shared is None:
                owned: "Future[None]" = Future()
                _in_flight[key] = owned
                mine.append((key, owned, url, request))
            else:
                theirs.append(shared)
    added = 0
    try:
        answers = [_post(url, request, timeout) for _, _, url, request in mine]
        responses = [answer for answer in answers if answer is not None]
        if responses:
            try:
                verifier.add_ocsp(responses)
                added = len(responses)
            except PolicyError:
                pass  # a response the core refuses as malformed is as good as none
    finally:
        with _lock:
            for key, _, _, _ in mine:
                del _in_flight[key]
        for _, owned, _, _ in mine:
            owned.set_result(None)
    for shared in theirs:
        shared.result()
    return added


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
