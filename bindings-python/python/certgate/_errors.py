"""certgate's exceptions: one base class, one class per family of codes.

Every exception carries the stable ``code`` (one of ``certgate.CODES``), the human
``message`` naming the certificate and the reason, ``cert_index`` (the position
in the input chain of the certificate concerned, 0 = leaf, or ``None``) and
``generation`` (that of the policy that refused, ``Verifier.generation``; ``None`` when
no policy decided, as for a policy that does not compile).

==========================  =======================================================
class                       codes
==========================  =======================================================
``PolicyError``             ``INVALID_POLICY`` (also a ``ValueError``)
``MalformedInputError``     ``MALFORMED_CERTIFICATE``, ``EMPTY_CHAIN``,
                            ``INPUT_TOO_LARGE``
``UntrustedError``          ``UNKNOWN_ISSUER``, ``BAD_SIGNATURE``,
                            ``UNSUPPORTED_ALGORITHM``, ``CA_CONSTRAINT_VIOLATION``,
                            ``NAME_CONSTRAINT_VIOLATION``,
                            ``UNSUPPORTED_EXTENSION``, ``UNTRUSTED_FORWARDER``
``ExpiredError``            ``EXPIRED``, ``NOT_YET_VALID``
``UsageError``              ``INVALID_USAGE``
``RevokedError``            ``REVOKED``
``RevocationUnknownError``  ``REVOCATION_UNKNOWN``, ``CRL_EXPIRED``
``NotAuthorizedError``      ``NOT_AUTHORIZED``
``InternalError``           ``INTERNAL``
==========================  =======================================================

All but ``PolicyError`` derive from ``VerificationError``; all derive from
``CertgateError``. Catch ``CertgateError`` for any refusal, a family class to tell
refusals apart, or compare ``.code`` for the exact reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Dict, FrozenSet, Optional, Type

if TYPE_CHECKING:
    from ._native import Code

__all__ = [
    "CertgateError",
    "PolicyError",
    "VerificationError",
    "MalformedInputError",
    "UntrustedError",
    "ExpiredError",
    "UsageError",
    "RevokedError",
    "RevocationUnknownError",
    "NotAuthorizedError",
    "InternalError",
]


class CertgateError(Exception):
    """A refusal by certgate: ``code``, ``message``, ``cert_index`` and ``generation``.

    The class is chosen by the code; ``str(error)`` is ``"CODE: message"``:

    - ``PolicyError``: ``INVALID_POLICY``
    - ``VerificationError`` subclasses:
      ``MalformedInputError``: ``MALFORMED_CERTIFICATE``, ``EMPTY_CHAIN``,
      ``INPUT_TOO_LARGE``;
      ``UntrustedError``: ``UNKNOWN_ISSUER``, ``BAD_SIGNATURE``,
      ``UNSUPPORTED_ALGORITHM``, ``CA_CONSTRAINT_VIOLATION``,
      ``NAME_CONSTRAINT_VIOLATION``, ``UNSUPPORTED_EXTENSION``,
      ``UNTRUSTED_FORWARDER``;
      ``ExpiredError``: ``EXPIRED``, ``NOT_YET_VALID``;
      ``UsageError``: ``INVALID_USAGE``;
      ``RevokedError``: ``REVOKED``;
      ``RevocationUnknownError``: ``REVOCATION_UNKNOWN``, ``CRL_EXPIRED``;
      ``NotAuthorizedError``: ``NOT_AUTHORIZED``;
      ``InternalError``: ``INTERNAL``
    """

    #: The codes raised as this class (empty on the base classes).
    codes: ClassVar[FrozenSet[str]] = frozenset()

    code: Code
    message: str
    cert_index: Optional[int]
    generation: Optional[int]

    def __init__(
        self,
        code: Code,
        message: str,
        cert_index: Optional[int] = None,
        generation: Optional[int] = None,
    ) -> None:
        super().__init__(code, message, cert_index, generation)
        self.code = code
        self.message = message
        self.cert_index = cert_index
        self.generation = generation

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"cert_index={self.cert_index!r}, generation={self.generation!r})"
        )


class PolicyError(CertgateError, ValueError):
    """The policy (or a CRL given to ``update_crls``) is invalid: ``INVALID_POLICY``.

    The message names the offending path, e.g. ``allow[2].ip[0]: ...``.
    """

    codes = frozenset({"INVALID_POLICY"})


class VerificationError(CertgateError):
    """A certificate chain was refused; the subclass tells the family."""


class MalformedInputError(VerificationError):
    """The input is not certificates, is empty, or exceeds the limits:
    ``MALFORMED_CERTIFICATE``, ``EMPTY_CHAIN``, ``INPUT_TOO_LARGE``."""

    codes = frozenset({"MALFORMED_CERTIFICATE", "EMPTY_CHAIN", "INPUT_TOO_LARGE"})


class UntrustedError(VerificationError):
    """No valid path to a trust anchor: ``UNKNOWN_ISSUER``, ``BAD_SIGNATURE``,
    ``UNSUPPORTED_ALGORITHM``, ``CA_CONSTRAINT_VIOLATION``,
    ``NAME_CONSTRAINT_VIOLATION``, ``UNSUPPORTED_EXTENSION``, ``UNTRUSTED_FORWARDER``
    (a forwarded certificate from an address that is not a trusted proxy)."""

    codes = frozenset(
        {
            "UNKNOWN_ISSUER",
            "BAD_SIGNATURE",
            "UNSUPPORTED_ALGORITHM",
            "CA_CONSTRAINT_VIOLATION",
            "NAME_CONSTRAINT_VIOLATION",
            "UNSUPPORTED_EXTENSION",
            "UNTRUSTED_FORWARDER",
        }
    )


class ExpiredError(VerificationError):
    """A certificate in the path is outside its validity at the verification time:
    ``EXPIRED``, ``NOT_YET_VALID``."""

    codes = frozenset({"EXPIRED", "NOT_YET_VALID"})


class UsageError(VerificationError):
    """Key usage / extended key usage does not allow the policy's usage:
    ``INVALID_USAGE``."""

    codes = frozenset({"INVALID_USAGE"})


class RevokedError(VerificationError):
    """A certificate in the checked depth is on its issuer's CRL: ``REVOKED``."""

    codes = frozenset({"REVOKED"})


class RevocationUnknownError(VerificationError):
    """Revocation status could not be established: ``REVOCATION_UNKNOWN``,
    ``CRL_EXPIRED``."""

    codes = frozenset({"REVOCATION_UNKNOWN", "CRL_EXPIRED"})


class NotAuthorizedError(VerificationError):
    """The chain is valid but a ``deny`` rule matched or no ``allow`` rule did:
    ``NOT_AUTHORIZED``."""

    codes = frozenset({"NOT_AUTHORIZED"})


class InternalError(VerificationError):
    """Never expected; still a refusal (certgate fails closed): ``INTERNAL``."""

    codes = frozenset({"INTERNAL"})


_CLASSES = (
    PolicyError,
    MalformedInputError,
    UntrustedError,
    ExpiredError,
    UsageError,
    RevokedError,
    RevocationUnknownError,
    NotAuthorizedError,
    InternalError,
)

# Shown (and pickled) as certgate.X, the name users import.
for _cls in (CertgateError, VerificationError, *_CLASSES):
    _cls.__module__ = "certgate"
del _cls

#: The exception class of each code.
CLASS_FOR_CODE: Dict[str, Type[CertgateError]] = {
    code: cls for cls in _CLASSES for code in cls.codes
}


def error_for(
    code: Code,
    message: str,
    cert_index: Optional[int] = None,
    generation: Optional[int] = None,
) -> CertgateError:
    """The exception for a refusal with ``code`` (used by the native module).

    A code this module does not know (from a newer core) is still an error:
    ``VerificationError``.
    """
    return CLASS_FOR_CODE.get(code, VerificationError)(code, message, cert_index, generation)
