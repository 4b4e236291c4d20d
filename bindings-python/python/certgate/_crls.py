"""Keeps CRLs fresh: ``CrlRefresher`` downloads the CRLs a policy names
(``revocation.fetch``: its ``urls``, and with ``from_distribution_points`` the CRL
distribution points of its anchors and intermediates) with ``urllib`` and hands the whole
set to the core (``update_crls``), which checks each CRL and swaps the set atomically.

A CRL is signed by its CA, so plain HTTP is fine (RFC 5280 §4.2.1.13) and a download
that fails — an error status, garbage, a timeout, a CRL the core cannot use — changes
nothing: the copy in force stays until its nextUpdate, after which the policy's
``expired_crl`` decides as for any CRL."""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, List, Optional

from . import _http
from ._errors import PolicyError
from ._hooks import LOGGER, call_hook

if TYPE_CHECKING:
    from ._native import Verifier

#: Ceiling on the time between two fetches of one CRL without the policy's
#: ``revocation.fetch.refresh_seconds``.
DEFAULT_REFRESH_SECONDS = 3600
#: Largest CRL accepted (the largest public CRLs hold a few hundred thousand entries).
MAX_CRL_BYTES = 64 * 1024 * 1024
#: How often the thread looks for a reload of the policy, which brings the new policy's
#: own CRLs in place of those fetched (the refresher then applies its copies again).
RELOAD_CHECK_SECONDS = 1.0

#: ``crls[3]`` or ``crls[3] (CRL #1)``: the item of ``update_crls`` a warning or an error
#: is about.
_ITEM = re.compile(r"crls\[(\d+)\]")


@dataclass(frozen=True)
class CrlRefresh:
    """One fetch of a CRL URL.

    ``ok``: the CRL was taken. It is ``in_force`` from policy ``generation`` on, with its
    ``next_update`` (unix seconds, ``None`` without one) — or, while other URLs have not
    answered yet, it waits for them (``in_force`` false, ``generation`` ``None``: a set is
    applied whole). Not ``ok``: the ``error`` that kept the copy in force.
    """

    url: str
    ok: bool
    in_force: bool = False
    generation: Optional[int] = None
    next_update: Optional[int] = None
    error: Optional[Exception] = None


def next_fetch_seconds(
    next_update: Optional[float],
    now: float,
    *,
    ceiling: float,
    minimum: float,
    jitter: float,
) -> float:
    """Seconds until the next download of a CRL whose nextUpdate is ``next_update`` (unix
    seconds; ``None``: it has none, so the ``ceiling``): a tenth to a fifth of the time it
    has left before it (``jitter`` in [0, 1) spreads servers started together), within
    [``minimum``, ``ceiling``]. The Node binding's ``nextFetchSeconds``, in seconds."""
    if next_update is None:
        return max(minimum, ceiling)
    left = next_update - now
    early = left - left / 10 * (1 + jitter)
    return max(minimum, min(ceiling, early))


def _log_error(error: Exception, url: str) -> None:
    LOGGER.warning("certgate: CRL %s not refreshed, the copy in force stays: %s", url, error)


class CrlRefresher:
    """Downloads every CRL of ``verifier.crl_fetch()`` from a daemon thread and keeps them
    in force with ``verifier.update_crls``.

    Every URL is fetched at once; the set replaces the policy's own ``revocation.crls``
    when a CRL of every URL is in hand. Then each URL is fetched again a tenth to a fifth
    of its CRL's remaining time before nextUpdate, at most the policy's
    ``revocation.fetch.refresh_seconds`` (default 3600) and at least ``min_interval``
    seconds later; a failed fetch is retried after ``min_interval``. A fetch is bounded by
    ``timeout`` seconds (a server that hangs included) and ``MAX_CRL_BYTES``; redirects
    are followed (a CRL is signed: where it comes from does not matter).

    A failed fetch — an HTTP error, a timeout, a body that is no CRL, a CRL the core leaves
    out (another issuer, a bad signature) — keeps the last good copy of that URL in force,
    is counted in ``verifier.stats()["crl_fetch_failures"]`` and reported to
    ``on_error(error, url)`` (default: a warning on the ``certgate`` logger).
    ``on_update(refresh)`` follows each CRL taken. Both run on the refresher's thread (or
    ``refresh()``'s caller); an exception they raise is logged.

    A reload of the policy (``reload``, ``reload_from_file``, ``PolicyWatcher``) brings
    the new policy's own CRLs: within ``RELOAD_CHECK_SECONDS`` the refresher applies its
    copies again, and fetches what the new ``revocation.fetch`` adds.

    ``close()`` (or leaving a ``with`` block) stops the thread; with ``start=False`` nothing
    is fetched until ``refresh()``.
    """

    def __init__(
        self,
        verifier: Verifier,
        *,
        on_update: Optional[Callable[[CrlRefresh], object]] = None,
        on_error: Optional[Callable[[Exception, str], object]] = None,
        timeout: float = 10.0,
        min_interval: float = 10.0,
        start: bool = True,
    ) -> None:
        fetch = verifier.crl_fetch()
        if fetch is None:
            raise ValueError("the verifier's policy names no CRL to fetch (revocation.fetch)")
        if not fetch.urls:
            raise ValueError("revocation.fetch names no URL that can be downloaded (http or https)")
        for name, hook in (("on_update", on_update), ("on_error", on_error)):
            if hook is not None and not callable(hook):
                raise TypeError(f"{name} must be callable, not {type(hook).__name__}")
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, not {timeout!r}")
        if not min_interval > 0:
            raise ValueError(f"min_interval must be positive, not {min_interval!r}")
        self._verifier = verifier
        self._on_update = on_update
        self._on_error = on_error or _log_error
        self._timeout = timeout
        self._min_interval = min_interval
        self._urls: List[str] = fetch.urls
        self._ceiling: float = fetch.refresh_seconds or DEFAULT_REFRESH_SECONDS
        self._reloads = verifier.stats()["reloads"]
        #: The last good copy of each URL.
        self._copies: Dict[str, bytes] = {}
        #: The URLs whose copies make the set in force, in the order given to
        #: ``update_crls`` (``crls[i]`` is ``_applied[i]``); empty while the policy's own
        #: CRLs are in force.
        self._applied: List[str] = []
        #: The nextUpdate of each URL's CRL in force (the earliest, for a PEM of several).
        self._next_update: Dict[str, Optional[int]] = {}
        self._due = {url: time.monotonic() for url in self._urls}
        # One round at a time: the thread's and refresh()'s.
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread: Optional[threading.Thread] = None
        if start:
            self._thread = threading.Thread(target=self._run, name="certgate-crls", daemon=True)
            self._thread.start()

    @property
    def urls(self) -> List[str]:
        """The URLs fetched (those of the policy in force)."""
        return list(self._urls)

    def refresh(self, url: Optional[str] = None) -> List[CrlRefresh]:
        """Fetches now, every URL or ``url``; one result each, in the policy's order. The
        schedule of each URL fetched starts again from its result."""
        with self._lock:
            self._follow_reload()
            chosen = [known for known in self._urls if url in (None, known)]
            if not chosen:
                raise ValueError(f"{url!r} is not one of the URLs fetched: {self._urls}")
            return self._round(chosen)

    def close(self) -> None:
        """Stops fetching and waits (briefly: a download under way is bounded by
        ``timeout``) for the thread to end."""
        self._closed.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2 * self._timeout + 5)

    def __enter__(self) -> CrlRefresher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _run(self) -> None:
        while not self._closed.is_set():
            with self._lock:
                try:
                    self._follow_reload()
                    now = time.monotonic()
                    due = [url for url in self._urls if self._due[url] <= now]
                    if due:
                        self._round(due)
                except Exception:  # noqa: BLE001 - never expected; the thread must go on
                    LOGGER.exception("certgate: refreshing the CRLs failed")
                wake = min([*self._due.values(), time.monotonic() + RELOAD_CHECK_SECONDS])
            self._closed.wait(max(0.0, wake - time.monotonic()))

    def _round(self, urls: List[str]) -> List[CrlRefresh]:
        """Fetches ``urls``, applies what came, and schedules them again."""
        results: Dict[str, CrlRefresh] = {}
        fetched: Dict[str, bytes] = {}
        for url in urls:
            if self._closed.is_set() and threading.current_thread() is self._thread:
                break
            try:
                fetched[url] = _http.fetch(url, timeout=self._timeout, max_bytes=MAX_CRL_BYTES, follow_redirects=True)
            except Exception as error:  # noqa: BLE001 - every failure keeps the copy in force
                results[url] = self._failed(url, error)
        if fetched:
            results.update(self._apply(fetched))
        now = time.monotonic()
        for url in results:
            if results[url].ok:
                self._due[url] = now + self._delay(url)
            else:
                self._due[url] = now + self._min_interval
        return [results[url] for url in urls if url in results]

    def _delay(self, url: str) -> float:
        """Seconds until ``url`` is due again, from its CRL in force (the ceiling without)."""
        return next_fetch_seconds(
            self._next_update.get(url),
            time.time(),
            ceiling=self._ceiling,
            minimum=self._min_interval,
            jitter=random.random(),
        )

    def _apply(self, new: Dict[str, bytes], again: bool = False) -> Dict[str, CrlRefresh]:
        """Applies the last good copies with the ``new`` ones (and, with ``again``, the
        copies alone), leaving out each new one the core refuses or leaves out, so that
        its URL's last good copy stays; the result of each new one."""
        results: Dict[str, CrlRefresh] = {}
        pending = dict(new)
        while pending or again:
            again = False
            candidate = {**self._copies, **pending}
            order = [url for url in self._urls if url in candidate]
            if not self._applied and len(order) < len(self._urls):
                # The first set is applied whole: until then the policy's CRLs stay.
                self._copies = candidate
                results.update({url: CrlRefresh(url, ok=True) for url in pending})
                break
            if not order:
                break
            try:
                self._verifier.update_crls([candidate[url] for url in order])
            except Exception as error:  # noqa: BLE001 - the set in force stays
                culprit = self._item_url(str(error), order)
                if culprit is not None and culprit not in pending:
                    # A copy that suited the policy before a reload and not the new one.
                    del self._copies[culprit]
                    self._due[culprit] = time.monotonic()
                    again = True
                    continue
                # The new CRL the error names, or every new one when it names none.
                for url in [culprit] if culprit is not None else list(pending):
                    results[url] = self._failed(url, error)
                    del pending[url]
                continue
            previous, self._copies, self._applied = self._copies, candidate, order
            left_out = self._left_out(pending)
            for url, reason in left_out.items():
                results[url] = self._failed(url, reason)
                del pending[url]
                if url in previous:
                    self._copies[url] = previous[url]
                else:
                    del self._copies[url]
            if left_out:
                # Again without them: each URL's last good copy, if it has one.
                again = True
                continue
            self._read_next_updates()
            generation = self._verifier.generation
            now = time.monotonic()
            for url in order:
                # A URL that waited for the others is due before its CRL runs out.
                self._due[url] = min(self._due.get(url, now), now + self._delay(url))
            for url in pending:
                results[url] = CrlRefresh(
                    url,
                    ok=True,
                    in_force=True,
                    generation=generation,
                    next_update=self._next_update.get(url),
                )
            break
        for result in results.values():
            if result.ok and self._on_update is not None:
                call_hook(self._on_update, result)
        return results

    def _left_out(self, new: Dict[str, bytes]) -> Dict[str, Exception]:
        """The URLs of ``new`` whose CRL the core left out of the set just applied, with why."""
        left_out: Dict[str, Exception] = {}
        for warning in self._verifier.warnings:
            url = self._item_url(warning.source, self._applied)
            if url in new and url not in left_out:
                left_out[url] = PolicyError("INVALID_POLICY", f"{url}: {warning.message}")
        return left_out

    @staticmethod
    def _item_url(text: str, order: List[str]) -> Optional[str]:
        """The URL of the ``update_crls`` item that ``text`` (a warning's source, an
        error's message) starts with (``crls[3]``, ``crls[3] (CRL #1)``), if any."""
        match = _ITEM.match(text)
        index = int(match.group(1)) if match else len(order)
        return order[index] if index < len(order) else None

    def _read_next_updates(self) -> None:
        """The nextUpdate of each URL's CRL in force (the earliest, for a PEM of several)."""
        next_update: Dict[str, Optional[int]] = {}
        for crl in self._verifier.stats()["crls"]:
            url = self._item_url(crl["source"], self._applied)
            if url is not None:
                times = [t for t in (next_update.get(url), crl["next_update"]) if t is not None]
                next_update[url] = min(times) if times else None
        self._next_update = next_update

    def _failed(self, url: str, error: Exception) -> CrlRefresh:
        self._verifier.record_crl_fetch_failure()
        call_hook(self._on_error, error, url)
        return CrlRefresh(url, ok=False, error=error)

    def _follow_reload(self) -> None:
        """After a reload of the policy: its URLs, and the copies applied again."""
        reloads = self._verifier.stats()["reloads"]
        if reloads == self._reloads:
            return
        self._reloads = reloads
        fetch = self._verifier.crl_fetch()
        self._urls = fetch.urls if fetch is not None else []
        self._ceiling = (fetch.refresh_seconds if fetch else None) or DEFAULT_REFRESH_SECONDS
        self._copies = {url: body for url, body in self._copies.items() if url in self._urls}
        self._applied = []
        self._next_update = {}
        now = time.monotonic()
        self._due = {url: self._due.get(url, now) for url in self._urls}
        if self._urls and len(self._copies) == len(self._urls):
            self._apply({}, again=True)
