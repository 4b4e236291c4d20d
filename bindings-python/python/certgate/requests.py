"""A ``requests`` transport adapter whose new connections admit a server only by
policy: the ``certgate.client_context`` decides on each, and a pooled connection is
reused only after that. Import this module only where ``requests`` is installed
(certgate itself does not depend on it)::

    context = certgate.client_context(verifier, "client.pem", "client.key", identity="policy")
    session = requests.Session()
    session.mount("https://", certgate.requests.Adapter(context))
    session.get("https://payments.internal:8443/")

The context alone decides whom to trust. Left to itself, requests would have urllib3
load certifi's CAs into it (``verify=True``, or a path from ``verify=`` /
``REQUESTS_CA_BUNDLE``) or set it to ``CERT_NONE`` (``verify=False``), and urllib3
would check the host name itself when the context does not (``identity="policy"``).
The adapter keeps ``CERT_REQUIRED`` and no CA files on every pool (so urllib3 counts
the connections verified and never warns ``InsecureRequestWarning``), ignores CA paths
and refuses ``verify=False`` and ``cert=`` with a ``ValueError``.

A server the policy refuses raises the ``CertgateError`` of the code, as is; one that
OpenSSL refuses (untrusted, expired, wrong host name) ``requests.exceptions.SSLError``.
"""

from __future__ import annotations

import ssl
from typing import Any, Dict, Optional, Tuple

import requests.adapters

from ._client import expect_client_context

__all__ = ["Adapter"]


class Adapter(requests.adapters.HTTPAdapter):
    """An ``HTTPAdapter`` for ``session.mount("https://", Adapter(context))``.
    ``context``: a ``certgate.client_context``; the other keyword arguments are
    ``HTTPAdapter``'s (``pool_connections``, ``pool_maxsize``, ``max_retries``, ...)."""

    def __init__(self, context: ssl.SSLContext, **options: Any) -> None:
        # Before super().__init__, which calls init_poolmanager.
        self.context = expect_client_context(context)
        super().__init__(**options)

    def _tls(self) -> Dict[str, Any]:
        """The TLS settings of every urllib3 pool."""
        tls: Dict[str, Any] = {"ssl_context": self.context, "cert_reqs": "CERT_REQUIRED"}
        if not self.context.check_hostname:
            # identity="policy": the policy names the server, urllib3 must not match
            # the host name itself.
            tls["assert_hostname"] = False
        return tls

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **{**pool_kwargs, **self._tls()})

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        # Also for the pools of proxy managers, which init_poolmanager does not reach.
        host_params, _ = super().build_connection_pool_key_attributes(request, True, None)
        return host_params, self._tls()

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # requests would point the pool at certifi here (urllib3 then loads it into the
        # context), or switch verification off.
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Optional[Dict[str, str]] = None,
    ) -> requests.Response:
        if verify is False:
            raise ValueError("verify=False: the certgate context always verifies the server")
        if cert:
            raise ValueError(
                "cert: pass the client certificate to certgate.client_context(verifier, "
                "certfile, keyfile)"
            )
        return super().send(request, stream, timeout, True, None, proxies)
