"""The one HTTP exchange of the fetchers (SPIFFE bundles and CRLs: GET; OCSP: POST):
``urllib``, a bounded body, a bounded time, redirects only where asked for."""

from __future__ import annotations

import ssl
import time
import urllib.error
import urllib.request
from typing import List, Optional, Tuple

#: Bytes read at a time, so that the size and the time limits are checked as the body comes.
_CHUNK = 64 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is refused: the URL is configured (or named by a CA's certificate),
    not discovered."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} refused", headers, fp)


def fetch(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    context: Optional[ssl.SSLContext] = None,
    follow_redirects: bool = False,
    post: Optional[Tuple[bytes, str]] = None,
) -> bytes:
    """The body of a 200 answer to a GET of ``url`` — or to a POST of ``post``'s body with
    its content type —, else an ``OSError`` naming the URL (``urllib``'s ``URLError`` and
    ``HTTPError`` are ones, a timeout is ``TimeoutError``).

    Each socket operation waits at most ``timeout`` seconds, and reading the body stops
    once ``timeout`` has passed since the request started, so a server that trickles
    bytes is bounded too. A body over ``max_bytes`` is refused. ``context`` authenticates
    an https server (default: the system's CAs). ``follow_redirects`` follows them as
    ``urllib`` does (a CRL is signed, so where it comes from does not matter; a SPIFFE
    bundle endpoint is trusted by its URL, so it must not redirect).
    """
    handlers: List[urllib.request.BaseHandler] = [] if follow_redirects else [_NoRedirects()]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url)
    if post is not None:
        request = urllib.request.Request(url, data=post[0], headers={"Content-Type": post[1]}, method="POST")
    with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
        if response.status != 200:
            raise OSError(f"{url} answered HTTP {response.status}, not 200")
        body = bytearray()
        while len(body) <= max_bytes:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} took more than {timeout} s to send its answer")
            chunk: bytes = response.read(min(_CHUNK, max_bytes + 1 - len(body)))
            if not chunk:
                break
            body += chunk
    if len(body) > max_bytes:
        raise OSError(f"{url} sent more than {max_bytes} bytes")
    return bytes(body)
