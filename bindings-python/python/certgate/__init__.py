"""certgate: enforce a mutual-TLS policy and tell who the peer is.

One Rust core decides for every language: certificate chain, SAN / subject rules,
CRL revocation. This package is its Python binding::

    import certgate

    verifier = certgate.Verifier({
        "trust": {"anchors": open("ca.pem").read()},
        "allow": [{"spiffe_id": "spiffe://example.org/ns/*/sa/payments"}],
    })
    der = tls_socket.getpeercert(binary_form=True)
    identity = verifier.verify(der)          # raises a certgate.VerificationError
    print(identity.spiffe_id, identity.to_dict())

    outcome = verifier.check(der)            # never raises for a refused chain
    if not outcome.ok:
        print(outcome.code, outcome.message)

Inputs (``chain``, ``cert``, ``crls``): ``bytes`` (DER, or PEM), ``str`` (PEM, one or
several certificates), an object with ``public_bytes(Encoding.DER)`` such as a
``cryptography`` certificate, or a ``list`` / ``tuple`` of those (leaf first).
``at``: an aware ``datetime`` or unix seconds (``int`` / ``float``); default now.

TLS connections of Python's ``ssl`` module, both directions of mutual TLS:
``client_context(verifier, certfile, keyfile, identity=...)`` checks the server a
client calls (``certgate.httpx`` and ``certgate.requests`` wrap it for those
libraries); ``server_context(verifier, certfile, keyfile)`` and
``verifier.verify_ssl(tls)`` admit the clients of a Python TLS server.

Running it: ``verifier.reload(policy)`` / ``reload_from_file()`` swap the policy whole,
and ``PolicyWatcher(verifier)`` reloads a ``Verifier.from_file`` policy when its files
change; ``CrlRefresher(verifier)`` downloads the policy's ``revocation.fetch`` CRLs and
keeps them fresh; with ``revocation.ocsp.fetch``, ``await certgate.verify_async(verifier,
chain)`` fetches the OCSP responses a chain lacks before deciding (``fetch_ocsp`` does it
from a thread); ``verifier.stats()`` counts what was decided and
``prometheus_text(verifier.stats())`` renders it for Prometheus. Each outcome reports the
``generation`` of the policy that decided.

Exceptions: ``PolicyError`` for ``INVALID_POLICY``; ``VerificationError`` subclasses
for refusals (``MalformedInputError``, ``UntrustedError``, ``ExpiredError``,
``UsageError``, ``RevokedError``, ``RevocationUnknownError``, ``NotAuthorizedError``,
``InternalError``), all ``CertgateError`` with ``.code``, ``.message``, ``.cert_index``,
``.generation``. See ``certgate._errors`` for which code raises which class.
"""

from typing import TYPE_CHECKING

from ._errors import (
    CertgateError,
    ExpiredError,
    InternalError,
    MalformedInputError,
    NotAuthorizedError,
    PolicyError,
    RevocationUnknownError,
    RevokedError,
    UntrustedError,
    UsageError,
    VerificationError,
)
from ._native import (
    CODES,
    EXPIRY_WARNING_CODES,
    Audit,
    BundleEndpoint,
    BundleUpdate,
    CrlFetch,
    ExpiryWarning,
    MAX_CERTIFICATE_BYTES,
    MAX_CHAIN_CERTIFICATES,
    MAX_INPUT_BYTES,
    MAX_PATTERN_BYTES,
    MAX_POLICY_BYTES,
    MAX_RULE_VALUES,
    MAX_SOURCE_BYTES,
    MAX_SOURCE_ITEMS,
    Identity,
    LoadWarning,
    Outcome,
    PublicKey,
    SubjectAltNames,
    Verifier,
    __version__,
    inspect,
)

from ._client import client_context
from ._crls import CrlRefresh, CrlRefresher
from ._metrics import PROMETHEUS_CONTENT_TYPE, prometheus_text
from ._ocsp import fetch_ocsp, verify_async
from ._refresh import BundleRefresh, BundleRefresher
from ._server import server_context
from ._watch import PolicyWatcher

if TYPE_CHECKING:
    # Type-only: the Literals of every code and mode, and the TypedDicts of stats(), for
    # annotations (`code: certgate.Code`, `stats: certgate.Stats`).
    from ._native import Code as Code
    from ._native import CacheStats as CacheStats
    from ._native import CrlStats as CrlStats
    from ._native import ExpiryWarningCode as ExpiryWarningCode
    from ._native import Mode as Mode
    from ._native import Stats as Stats

__all__ = [
    "CODES",
    "EXPIRY_WARNING_CODES",
    "Audit",
    "BundleEndpoint",
    "BundleRefresh",
    "BundleRefresher",
    "BundleUpdate",
    "MAX_CERTIFICATE_BYTES",
    "MAX_CHAIN_CERTIFICATES",
    "MAX_INPUT_BYTES",
    "MAX_PATTERN_BYTES",
    "MAX_POLICY_BYTES",
    "MAX_RULE_VALUES",
    "MAX_SOURCE_BYTES",
    "MAX_SOURCE_ITEMS",
    "PROMETHEUS_CONTENT_TYPE",
    "CertgateError",
    "CrlFetch",
    "CrlRefresh",
    "CrlRefresher",
    "ExpiredError",
    "ExpiryWarning",
    "Identity",
    "InternalError",
    "LoadWarning",
    "MalformedInputError",
    "NotAuthorizedError",
    "Outcome",
    "PolicyError",
    "PolicyWatcher",
    "PublicKey",
    "RevocationUnknownError",
    "RevokedError",
    "SubjectAltNames",
    "UntrustedError",
    "UsageError",
    "VerificationError",
    "Verifier",
    "__version__",
    "client_context",
    "fetch_ocsp",
    "inspect",
    "prometheus_text",
    "server_context",
    "verify_async",
]
