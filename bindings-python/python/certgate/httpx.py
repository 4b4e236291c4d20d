"""httpx transports whose new connections admit a server only by policy: the
``certgate.client_context`` decides on each, and a pooled connection is reused only
after that. Import this module only where ``httpx`` is installed (certgate itself does
not depend on it)::

    context = certgate.client_context(verifier, "client.pem", "client.key", identity="policy")
    with httpx.Client(transport=certgate.httpx.Transport(context)) as client:
        response = client.get("https://payments.internal:8443/")
        server = response.extensions["network_stream"].get_extra_info("socket")
        print(server.certgate_identity.spiffe_id)

The admitted server's identity is the ``certgate_identity`` of the connection's
``SSLSocket`` (``get_extra_info("socket")``, as above) or, with ``AsyncTransport``, of
its ``SSLObject`` (``get_extra_info("ssl_object")``).

A server the policy refuses raises the ``CertgateError`` of the code, as is; one that
OpenSSL refuses (untrusted, expired, wrong host name) an ``httpx.ConnectError`` caused
by ``ssl.SSLCertVerificationError``.
"""

from __future__ import annotations

import ssl
from typing import Any, Dict

import httpx

from ._client import expect_client_context

__all__ = ["AsyncTransport", "Transport"]


def _verified_by(context: ssl.SSLContext, options: Dict[str, Any]) -> ssl.SSLContext:
    """The context, after refusing the options that would change what it trusts."""
    for name in ("verify", "cert"):
        if name in options:
            raise TypeError(
                f"{name}: the certgate context decides whom to trust and which client "
                "certificate to send (certgate.client_context(verifier, certfile, keyfile))"
            )
    return expect_client_context(context)


class Transport(httpx.HTTPTransport):
    """An ``httpx.HTTPTransport`` for ``httpx.Client(transport=...)``. ``context``: a
    ``certgate.client_context``; the other keyword arguments are httpx's (``http2``,
    ``limits``, ``retries``, ``proxy``, ...), but not ``verify`` nor ``cert``."""

    def __init__(self, context: ssl.SSLContext, **options: Any) -> None:
        super().__init__(verify=_verified_by(context, options), **options)


class AsyncTransport(httpx.AsyncHTTPTransport):
    """The same for ``httpx.AsyncClient(transport=...)``."""

    def __init__(self, context: ssl.SSLContext, **options: Any) -> None:
        super().__init__(verify=_verified_by(context, options), **options)
