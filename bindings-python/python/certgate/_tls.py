"""What the client and server contexts share with ``Verifier.verify_ssl``: reading the
certificates a TLS peer sent from Python's ``ssl`` module, and giving an
``SSLContext`` the policy's trust (and nothing else)."""

from __future__ import annotations

import _ssl
import ssl
from typing import List

from ._native import Verifier, inspect


def peer_chain(tls: object) -> List[bytes]:
    """The certificates the peer of ``tls`` sent, leaf first, as DER; empty when it sent
    none. Before the handshake, ``ssl`` raises ``ValueError``.

    Python 3.13 has the public ``get_unverified_chain()``; 3.10–3.12 have it only on
    the private native object, returning certificate objects; 3.9 gives the leaf alone
    (``getpeercert(binary_form=True)``), and so does 3.10+ after a resumed session (a
    session keeps the leaf only). The policy's ``trust.intermediates`` complete a
    leaf-only chain. The leaf is read first: for a server whose client sent no
    certificate, ``get_unverified_chain()`` holds ``None`` (3.13's public one fails).
    """
    if not isinstance(tls, (ssl.SSLSocket, ssl.SSLObject)):
        raise TypeError(
            "tls: expected an ssl.SSLSocket or ssl.SSLObject (asyncio: "
            f'writer.get_extra_info("ssl_object")), got {type(tls).__name__}'
        )
    leaf = tls.getpeercert(binary_form=True)
    if leaf is None:
        return []
    public = getattr(tls, "get_unverified_chain", None)
    if public is not None:
        chain: List[bytes] = public()
    else:
        private = getattr(tls._sslobj, "get_unverified_chain", None)  # type: ignore[union-attr]
        chain = [cert.public_bytes(_ssl.ENCODING_DER) for cert in (private and private()) or []]
    return chain or [leaf]


def trust_policy(context: ssl.SSLContext, verifier: Verifier) -> None:
    """Makes OpenSSL's own verification in ``context`` require a chain to the policy's
    anchors: the anchors and ``trust.intermediates`` are its whole trust store (the
    intermediates complete the chain of a peer that sends its leaf alone), never the
    system's.

    OpenSSL accepts a chain only up to a self-signed certificate of its store, while
    certgate takes every anchor as it is; so when an anchor is not a root (a policy that
    trusts one issuing CA), the context also accepts a chain ending at any certificate
    of its store (``VERIFY_X509_PARTIAL_CHAIN``), the pooled intermediates included.
    certgate's own check still requires the anchor.
    """
    anchors = verifier.anchors()
    context.verify_mode = ssl.CERT_REQUIRED
    for der in anchors + verifier.intermediates():
        context.load_verify_locations(cadata=der)
    if not all(_self_issued(der) for der in anchors):
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN


def _self_issued(der: bytes) -> bool:
    identity = inspect(der)
    return identity.subject == identity.issuer
