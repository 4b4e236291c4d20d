//! The one set of decision codes every language sees, and the rejection that carries one.

use std::fmt;

/// Why a policy, an input or a chain was rejected.
///
/// Each variant has one stable string ([`Code::as_str`]) and one stable number
/// ([`Code::number`], the C enum value). Numbers are never renumbered or reused;
/// new codes may be added, hence `#[non_exhaustive]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Code {
    /// The policy is malformed, has an unknown key, an unparsable anchor or CRL, or a bad pattern.
    InvalidPolicy,
    /// Input bytes are not a certificate (bad PEM or DER).
    MalformedCertificate,
    /// No certificate was given.
    EmptyChain,
    /// More certificates or bytes than the documented limits.
    InputTooLarge,
    /// No path to any trust anchor.
    UnknownIssuer,
    /// A signature in the path does not verify.
    BadSignature,
    /// A signature or key algorithm that is not supported.
    UnsupportedAlgorithm,
    /// A certificate in the path is past its notAfter at the verification time.
    Expired,
    /// A certificate in the path is before its notBefore at the verification time.
    NotYetValid,
    /// Key usage / extended key usage does not allow the policy's `usage`.
    InvalidUsage,
    /// Basic constraints, path length, or a chain longer than `max_chain_length`.
    CaConstraintViolation,
    /// A name constraint in the path is violated.
    NameConstraintViolation,
    /// A certificate in the checked depth is on its issuer's CRL.
    Revoked,
    /// Revocation status cannot be determined and `unknown_status` is `deny`.
    RevocationUnknown,
    /// The relevant CRL is past nextUpdate and `expired_crl` is `deny`.
    CrlExpired,
    /// The chain is valid but a `deny` rule matched or no `allow` rule did.
    NotAuthorized,
    /// Never expected; always a rejection (fail closed).
    Internal,
}

impl Code {
    /// Every code, in number order.
    pub const ALL: [Code; 17] = [
        Code::InvalidPolicy,
        Code::MalformedCertificate,
        Code::EmptyChain,
        Code::InputTooLarge,
        Code::UnknownIssuer,
        Code::BadSignature,
        Code::UnsupportedAlgorithm,
        Code::Expired,
        Code::NotYetValid,
        Code::InvalidUsage,
        Code::CaConstraintViolation,
        Code::NameConstraintViolation,
        Code::Revoked,
        Code::RevocationUnknown,
        Code::CrlExpired,
        Code::NotAuthorized,
        Code::Internal,
    ];

    /// The stable string, e.g. `"REVOKED"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::InvalidPolicy => "INVALID_POLICY",
            Code::MalformedCertificate => "MALFORMED_CERTIFICATE",
            Code::EmptyChain => "EMPTY_CHAIN",
            Code::InputTooLarge => "INPUT_TOO_LARGE",
            Code::UnknownIssuer => "UNKNOWN_ISSUER",
            Code::BadSignature => "BAD_SIGNATURE",
            Code::UnsupportedAlgorithm => "UNSUPPORTED_ALGORITHM",
            Code::Expired => "EXPIRED",
            Code::NotYetValid => "NOT_YET_VALID",
            Code::InvalidUsage => "INVALID_USAGE",
            Code::CaConstraintViolation => "CA_CONSTRAINT_VIOLATION",
            Code::NameConstraintViolation => "NAME_CONSTRAINT_VIOLATION",
            Code::Revoked => "REVOKED",
            Code::RevocationUnknown => "REVOCATION_UNKNOWN",
            Code::CrlExpired => "CRL_EXPIRED",
            Code::NotAuthorized => "NOT_AUTHORIZED",
            Code::Internal => "INTERNAL",
        }
    }

    /// The stable number (the value of `CERTGATE_<CODE>` in C). `0` is reserved for success.
    pub const fn number(self) -> u32 {
        match self {
            Code::InvalidPolicy => 1,
            Code::MalformedCertificate => 2,
            Code::EmptyChain => 3,
            Code::InputTooLarge => 4,
            Code::UnknownIssuer => 5,
            Code::BadSignature => 6,
            Code::UnsupportedAlgorithm => 7,
            Code::Expired => 8,
            Code::NotYetValid => 9,
            Code::InvalidUsage => 10,
            Code::CaConstraintViolation => 11,
            Code::NameConstraintViolation => 12,
            Code::Revoked => 13,
            Code::RevocationUnknown => 14,
            Code::CrlExpired => 15,
            Code::NotAuthorized => 16,
            Code::Internal => 17,
        }
    }

    /// The code whose stable string is `name`.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|code| code.as_str() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal: the code, a human message naming the certificate and the reason,
/// and the position of the certificate in the input chain where one applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    code: Code,
    message: String,
    cert_index: Option<usize>,
}

impl Rejection {
    /// A rejection not tied to one certificate of the input.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Rejection {
            code,
            message: message.into(),
            cert_index: None,
        }
    }

    /// A rejection about certificate `index` of the input chain (0 = leaf).
    pub fn at_cert(code: Code, index: usize, message: impl Into<String>) -> Self {
        Rejection {
            code,
            message: message.into(),
            cert_index: Some(index),
        }
    }

    /// The stable code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The human-readable reason.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Position in the input chain of the certificate the rejection is about, if any.
    pub fn cert_index(&self) -> Option<usize> {
        self.cert_index
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Rejection {}

/// Something a policy load or a CRL update left out without refusing, and why: for
/// example a CRL with an unknown critical extension, which RFC 5280 forbids using.
/// Read them with [`crate::Verifier::warnings`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    source: String,
    message: String,
}

impl Warning {
    pub(crate) fn new(source: &str, message: impl Into<String>) -> Self {
        Warning {
            source: source.to_owned(),
            message: message.into(),
        }
    }

    /// Where the item came from, as a policy path (`revocation.crls[2]`, with the file
    /// name when it was read from one) or an update argument (`crls[0]`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// What was left out and why.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// `{"source": ..., "message": ...}`, the shape every binding reports.
impl serde::Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut warning = serializer.serialize_struct("Warning", 2)?;
        warning.serialize_field("source", &self.source)?;
        warning.serialize_field("message", &self.message)?;
        warning.end()
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

/// Runs a core call so that a panic (never expected) becomes an `INTERNAL` rejection
/// instead of unwinding into a host that cannot take one (Node, Python): fail closed.
/// The core's state is immutable apart from atomic pointer swaps, so a panic leaves
/// nothing half-updated.
pub fn catch_panic<T>(call: impl FnOnce() -> Result<T, Rejection>) -> Result<T, Rejection> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|text| (*text).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(Rejection::new(
            Code::Internal,
            format!("internal error in certgate (please report it): {reason}"),
        ))
    })
}

pub(crate) fn invalid_policy(message: impl Into<String>) -> Rejection {
    Rejection::new(Code::InvalidPolicy, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_internal_rejection() {
        let rejection = catch_panic::<()>(|| panic!("boom")).unwrap_err();
        assert_eq!(rejection.code(), Code::Internal);
        assert!(
            rejection.message().ends_with("boom"),
            "{}",
            rejection.message()
        );
        assert_eq!(catch_panic(|| Ok(7)), Ok(7));
    }

    #[test]
    fn names_and_numbers_are_stable_and_unique() {
        for (position, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.number() as usize, position + 1);
            assert_eq!(Code::from_name(code.as_str()), Some(*code));
        }
        assert_eq!(Code::from_name("OK"), None);
    }
}
