"""``server_context``: an ``ssl.SSLContext`` for Python's own TLS servers (``asyncio``,
``socketserver`` / ``http.server``, a bare ``ssl`` socket) that admit clients by
policy without a proxy; ``Verifier.verify_ssl`` then decides on each connection."""

from __future__ import annotations

import os
import ssl
from typing import Union

from ._native import Verifier
from ._request import expect_verifier
from ._tls import trust_policy

__all__ = ["server_context"]


def server_context(
    verifier: Verifier,
    certfile: Union[str, os.PathLike[str]],
    keyfile: Union[str, os.PathLike[str], None] = None,
) -> ssl.SSLContext:
    """An ``ssl.SSLContext`` (``PROTOCOL_TLS_SERVER``) presenting ``certfile`` /
    ``keyfile`` that requires a client certificate, trusted by OpenSSL under the
    policy's anchors (with ``trust.intermediates`` to complete a partial chain) and
    nothing else. An untrusted or expired client, or one without a certificate, fails
    the handshake. The rest of the policy — usage, ``allow`` / ``deny``, revocation —
    is ``verifier.verify_ssl(connection)`` after the handshake, before reading a
    request; with TLS 1.3 the client has finished its handshake by then, so a refused
    client sees the connection close rather than a handshake alert.

    Python's ``ssl`` module cannot set the list of acceptable CAs that a
    CertificateRequest carries (OpenSSL's ``SSL_CTX_set_client_CA_list``), so this
    context sends none; clients offer the certificate they are configured with.

    Session tickets are off: a resumed session keeps only the client's leaf, which
    ``verify_ssl`` could not complete without ``trust.intermediates``; every connection
    is a full handshake. Renegotiation is off as well. The trust store is loaded now:
    after ``update_spiffe_bundle`` changes the anchors, make a new context.
    """
    verifier = expect_verifier(verifier)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    trust_policy(context, verifier)
    context.num_tickets = 0
    context.options |= ssl.OP_NO_TICKET | ssl.OP_NO_RENEGOTIATION
    return context
