"""Keeps SPIFFE bundles fresh: polls the bundle endpoints a policy names
(``trust.spiffe_bundles.<domain>.endpoint``, SPIFFE Federation ``https_web`` profile)
with ``urllib`` and hands each answer to the core, which checks it and swaps the
domain's authorities atomically. A failed fetch or a bundle the core refuses keeps the
bundle in force and is retried at the next interval (SPIFFE Federation §6.2)."""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, List, Optional

from . import _http

if TYPE_CHECKING:
    from ._native import BundleEndpoint, Verifier

#: Refresh interval without a ``spiffe_refresh_hint`` or a policy bound (Federation §4.1).
DEFAULT_REFRESH_SECONDS = 300
#: Largest bundle accepted from an endpoint.
MAX_BUNDLE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BundleRefresh:
    """One fetch of a bundle endpoint: ``ok`` with what the core took in, or the ``error``
    that left the bundle in force unchanged."""

    trust_domain: str
    ok: bool
    authorities: Optional[int] = None
    refresh_hint: Optional[int] = None
    sequence: Optional[int] = None
    error: Optional[Exception] = None


def next_refresh_seconds(hint: Optional[int], refresh_seconds: Optional[int]) -> float:
    """Seconds until the next fetch: the bundle's hint (missing or zero: the default),
    bounded by the policy's ``refresh_seconds``, and never under one second."""
    hinted = hint if hint else DEFAULT_REFRESH_SECONDS
    bound = refresh_seconds if refresh_seconds is not None else hinted
    return max(1, min(hinted, bound))


def _fetch(endpoint: BundleEndpoint, timeout: float) -> bytes:
    """GETs the endpoint over https, its server authenticated by the policy's CAs (or the
    system's)."""
    context = ssl.create_default_context()
    if endpoint.server_ca_certificates:
        context = ssl.create_default_context(cadata=b"".join(endpoint.server_ca_certificates))
    return _http.fetch(endpoint.url, timeout=timeout, max_bytes=MAX_BUNDLE_BYTES, context=context)


class BundleRefresher:
    """Polls every SPIFFE bundle endpoint of a verifier's policy from a daemon thread: at
    once, then every ``min(spiffe_refresh_hint, refresh_seconds)`` seconds (300 when
    neither is set). ``close()`` (or leaving a ``with`` block) stops it.

    ``on_update(refresh)`` is called after a bundle was swapped in, ``on_error(error,
    trust_domain)`` when a fetch or a bundle failed (the bundle in force stays); both run
    on the polling thread. With ``start=False`` nothing is fetched until ``refresh()``.
    """

    def __init__(
        self,
        verifier: Verifier,
        *,
        on_update: Optional[Callable[[BundleRefresh], object]] = None,
        on_error: Optional[Callable[[Exception, str], object]] = None,
        timeout: float = 10.0,
        start: bool = True,
    ) -> None:
        endpoints = verifier.spiffe_bundle_endpoints()
        if not endpoints:
            raise ValueError(
                "the verifier's policy names no SPIFFE bundle endpoint "
                "(trust.spiffe_bundles.<domain>.endpoint)"
            )
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout!r}")
        self._verifier = verifier
        self._endpoints = endpoints
        self._on_update = on_update
        self._on_error = on_error
        self._timeout = timeout
        self._hints: Dict[str, Optional[int]] = {}
        self._closed = threading.Event()
        self._thread: Optional[threading.Thread] = None
        if start:
            self._thread = threading.Thread(target=self._run, name="certgate-bundles", daemon=True)
            self._thread.start()

    @property
    def trust_domains(self) -> List[str]:
        """The trust domains polled."""
        return [endpoint.trust_domain for endpoint in self._endpoints]

    def refresh(self, trust_domain: Optional[str] = None) -> List[BundleRefresh]:
        """Fetches now, every endpoint or the one of ``trust_domain``; one result each."""
        chosen = [e for e in self._endpoints if trust_domain in (None, e.trust_domain)]
        if not chosen:
            raise ValueError(f"no bundle endpoint for trust domain {trust_domain!r}")
        return [self._poll(endpoint) for endpoint in chosen]

    def close(self) -> None:
        """Stops polling and waits (briefly) for the thread to end."""
        self._closed.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self._timeout + 5)

    def __enter__(self) -> BundleRefresher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _poll(self, endpoint: BundleEndpoint) -> BundleRefresh:
        try:
            update = self._verifier.update_spiffe_bundle(
                endpoint.trust_domain, _fetch(endpoint, self._timeout)
            )
        except Exception as error:  # noqa: BLE001 - every failure keeps the old bundle
            if self._on_error is not None:
                self._on_error(error, endpoint.trust_domain)
            return BundleRefresh(endpoint.trust_domain, ok=False, error=error)
        self._hints[endpoint.trust_domain] = update.refresh_hint
        refresh = BundleRefresh(
            endpoint.trust_domain,
            ok=True,
            authorities=update.authorities,
            refresh_hint=update.refresh_hint,
            sequence=update.sequence,
        )
        if self._on_update is not None:
            self._on_update(refresh)
        return refresh

    def _run(self) -> None:
        due = {endpoint.trust_domain: time.monotonic() for endpoint in self._endpoints}
        while not self._closed.is_set():
            now = time.monotonic()
            for endpoint in self._endpoints:
                if due[endpoint.trust_domain] <= now and not self._closed.is_set():
                    self._poll(endpoint)
                    hint = self._hints.get(endpoint.trust_domain)
                    due[endpoint.trust_domain] = time.monotonic() + next_refresh_seconds(
                        hint, endpoint.refresh_seconds
                    )
            self._closed.wait(max(0.0, min(due.values()) - time.monotonic()))
