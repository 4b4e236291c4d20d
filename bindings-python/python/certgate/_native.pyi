# Hand-written stubs of the native module certgate._native (src/*.rs).
# tests/test_stubs.py fails when `Code` drifts from core's codes (CODES), and runs
# mypy's stubtest against the installed module (type-only names are listed in
# tests/stubtest-allowlist.txt).

import os
import ssl
from datetime import datetime
from pathlib import Path
from typing import (
    Any,
    Final,
    Iterable,
    Literal,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    TypedDict,
    Union,
    final,
)

from typing_extensions import TypeAlias

__all__ = [
    "Verifier",
    "Outcome",
    "LoadWarning",
    "BundleEndpoint",
    "BundleUpdate",
    "CrlFetch",
    "Identity",
    "Audit",
    "ExpiryWarning",
    "SubjectAltNames",
    "PublicKey",
    "inspect",
    "CODES",
    "EXPIRY_WARNING_CODES",
    "MAX_CHAIN_CERTIFICATES",
    "MAX_CERTIFICATE_BYTES",
    "MAX_INPUT_BYTES",
    "MAX_SOURCE_BYTES",
    "MAX_SOURCE_ITEMS",
    "MAX_POLICY_BYTES",
    "MAX_PATTERN_BYTES",
    "MAX_RULE_VALUES",
    "__version__",
]

#: Every refusal code, as in docs/errors.md (core's `Code::ALL`, in number order).
Code: TypeAlias = Literal[
    "INVALID_POLICY",
    "MALFORMED_CERTIFICATE",
    "EMPTY_CHAIN",
    "INPUT_TOO_LARGE",
    "UNKNOWN_ISSUER",
    "BAD_SIGNATURE",
    "UNSUPPORTED_ALGORITHM",
    "EXPIRED",
    "NOT_YET_VALID",
    "INVALID_USAGE",
    "CA_CONSTRAINT_VIOLATION",
    "NAME_CONSTRAINT_VIOLATION",
    "REVOKED",
    "REVOCATION_UNKNOWN",
    "CRL_EXPIRED",
    "NOT_AUTHORIZED",
    "INTERNAL",
    "UNSUPPORTED_EXTENSION",
    "UNTRUSTED_FORWARDER",
]

#: The expiry warning codes (core's `ExpiryWarningCode::ALL`, in its order).
ExpiryWarningCode: TypeAlias = Literal["LEAF_EXPIRES_SOON", "CHAIN_EXPIRES_SOON", "CRL_STALE_SOON"]

#: A policy's `mode`.
Mode: TypeAlias = Literal["enforce", "audit"]

class CrlStats(TypedDict):
    """One CRL in force, in `Stats["crls"]`."""

    #: Where it came from: `revocation.crls[0] (crl.pem)`, `crls[1]` (`update_crls`).
    source: str
    #: The issuer, RFC 4514.
    issuer: str
    #: The CRL number in decimal (hex beyond 64 bits), if it has one.
    number: Optional[str]
    delta: bool
    #: Revoked serials it lists.
    entries: int
    #: thisUpdate and nextUpdate, unix seconds.
    this_update: int
    next_update: Optional[int]

class Stats(TypedDict):
    """`Verifier.stats()`: counters since the verifier was made, and what it holds now."""

    #: Verifications by outcome: "OK" and every code (audit admissions under their code).
    verifications: dict[str, int]
    #: Chains an audit-mode policy admitted although it would have refused them.
    audit_admitted: int
    #: Expiry warnings given, by code.
    warnings: dict[str, int]
    reloads: int
    generation: int
    crl_fetch_failures: int
    crls: list[CrlStats]
    #: The decision cache, when the policy has "cache".
    cache: Optional[CacheStats]

class CacheStats(TypedDict):
    """What the decision cache did (`Stats["cache"]`)."""

    #: Decisions held now, and the most it holds ("cache.entries").
    entries: int
    capacity: int
    hits: int
    misses: int
    #: Decisions dropped, least recently used first, to make room.
    evictions: int

class _HasPublicBytes(Protocol):
    """A cryptography Certificate / CertificateRevocationList, or alike."""

    def public_bytes(self, encoding: Any, /) -> bytes: ...

#: One certificate or CRL: DER bytes (or PEM bytes), PEM text, or an object with public_bytes().
Blob: TypeAlias = Union[bytes, bytearray, memoryview, str, _HasPublicBytes]
#: One item or a sequence (list, tuple, ...) of items (a chain: leaf first).
Blobs: TypeAlias = Union[Blob, Sequence[Blob]]
#: A request's headers: a mapping, or (name, value) pairs of str or bytes (ASGI).
Headers: TypeAlias = Union[Mapping[str, str], Iterable[tuple[Union[str, bytes], Union[str, bytes]]]]
#: Verification time: an aware datetime or unix seconds; None = now.
At: TypeAlias = Union[datetime, int, float, None]
#: A TLS connection of Python's ssl module, after its handshake.
TlsConnection: TypeAlias = Union[ssl.SSLSocket, ssl.SSLObject]

CODES: Final[tuple[Code, ...]]
EXPIRY_WARNING_CODES: Final[tuple[ExpiryWarningCode, ...]]
MAX_CHAIN_CERTIFICATES: Final[int]
MAX_CERTIFICATE_BYTES: Final[int]
MAX_INPUT_BYTES: Final[int]
MAX_SOURCE_BYTES: Final[int]
MAX_SOURCE_ITEMS: Final[int]
MAX_POLICY_BYTES: Final[int]
MAX_PATTERN_BYTES: Final[int]
MAX_RULE_VALUES: Final[int]
__version__: Final[str]

@final
class Verifier:
    def __new__(cls, policy: Union[dict[str, Any], str]) -> Verifier: ...
    @staticmethod
    def from_file(path: Union[str, os.PathLike[str]]) -> Verifier: ...
    def reload(self, policy: Union[dict[str, Any], str]) -> None: ...
    def reload_from_file(self) -> None: ...
    @property
    def watched_paths(self) -> list[Path]: ...
    @property
    def generation(self) -> int: ...
    @property
    def mode(self) -> Mode: ...
    def stats(self) -> Stats: ...
    def crl_fetch(self) -> CrlFetch | None: ...
    def record_crl_fetch_failure(self) -> None: ...
    @property
    def warnings(self) -> list[LoadWarning]: ...
    def verify(self, chain: Blobs, at: At = None) -> Identity: ...
    def check(self, chain: Blobs, at: At = None) -> Outcome: ...
    def verify_forwarded(self, headers: Headers, peer: str, at: At = None) -> Identity: ...
    def check_forwarded(self, headers: Headers, peer: str, at: At = None) -> Outcome: ...
    def verify_ssl(self, tls: TlsConnection, at: At = None) -> Identity: ...
    def check_ssl(self, tls: TlsConnection, at: At = None) -> Outcome: ...
    def anchors(self) -> list[bytes]: ...
    def intermediates(self) -> list[bytes]: ...
    @property
    def forwarded_format(self) -> str | None: ...
    def update_crls(self, crls: Blobs) -> None: ...
    def update_ocsp(self, responses: Blobs) -> None: ...
    @property
    def ocsp_fetch(self) -> bool: ...
    def ocsp_queries(self, chain: Blobs, at: At = None) -> list[tuple[str, bytes]]: ...
    def check_planning_ocsp(self, chain: Blobs, at: At = None) -> tuple[Outcome, list[tuple[str, bytes]]]: ...
    def add_ocsp(self, responses: Blobs) -> None: ...
    def spiffe_bundle_endpoints(self) -> list[BundleEndpoint]: ...
    def update_spiffe_bundle(self, trust_domain: str, bundle: Union[bytes, str]) -> BundleUpdate: ...

@final
class BundleEndpoint:
    @property
    def trust_domain(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def refresh_seconds(self) -> int | None: ...
    @property
    def server_ca_certificates(self) -> list[bytes]: ...

@final
class CrlFetch:
    @property
    def urls(self) -> list[str]: ...
    @property
    def refresh_seconds(self) -> int | None: ...

@final
class BundleUpdate:
    @property
    def authorities(self) -> int: ...
    @property
    def refresh_hint(self) -> int | None: ...
    @property
    def sequence(self) -> int | None: ...

@final
class LoadWarning:
    @property
    def source(self) -> str: ...
    @property
    def message(self) -> str: ...

@final
class Outcome:
    @property
    def ok(self) -> bool: ...
    @property
    def code(self) -> Code | None: ...
    @property
    def message(self) -> str | None: ...
    @property
    def cert_index(self) -> int | None: ...
    @property
    def generation(self) -> int | None: ...
    @property
    def identity(self) -> Identity | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __bool__(self) -> bool: ...

@final
class SubjectAltNames:
    @property
    def dns(self) -> list[str]: ...
    @property
    def uri(self) -> list[str]: ...
    @property
    def email(self) -> list[str]: ...
    @property
    def ip(self) -> list[str]: ...
    def to_dict(self) -> dict[str, list[str]]: ...

@final
class PublicKey:
    @property
    def algorithm(self) -> str: ...
    @property
    def curve(self) -> str | None: ...
    @property
    def bits(self) -> int | None: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Identity:
    @property
    def subject(self) -> str: ...
    @property
    def subject_fields(self) -> dict[str, list[str]]: ...
    @property
    def issuer(self) -> str: ...
    @property
    def serial(self) -> str: ...
    @property
    def fingerprint_sha256(self) -> str: ...
    @property
    def spki_sha256(self) -> str: ...
    @property
    def not_before(self) -> int: ...
    @property
    def not_after(self) -> int: ...
    @property
    def not_before_datetime(self) -> datetime: ...
    @property
    def not_after_datetime(self) -> datetime: ...
    @property
    def san(self) -> SubjectAltNames: ...
    @property
    def spiffe_id(self) -> str | None: ...
    @property
    def public_key(self) -> PublicKey: ...
    @property
    def key_usage(self) -> list[str]: ...
    @property
    def extended_key_usage(self) -> list[str]: ...
    @property
    def is_ca(self) -> bool: ...
    @property
    def chain_fingerprints(self) -> list[str] | None: ...
    @property
    def matched_rule(self) -> int | None: ...
    @property
    def forwarded(self) -> dict[str, Any] | None: ...
    @property
    def audit(self) -> Audit | None: ...
    @property
    def warnings(self) -> list[ExpiryWarning]: ...
    @property
    def generation(self) -> int | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...

@final
class Audit:
    @property
    def code(self) -> Code: ...
    @property
    def message(self) -> str: ...
    @property
    def cert_index(self) -> int | None: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class ExpiryWarning:
    @property
    def code(self) -> ExpiryWarningCode: ...
    @property
    def cert_index(self) -> int: ...
    @property
    def seconds_left(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

def inspect(cert: Blob) -> Identity: ...
