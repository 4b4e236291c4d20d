//! The one set of decision codes every language sees, and the rejection that carries one.

use std::fmt;

/// Defines [`Code`] from one table: each row's doc comment, variant, number and stable
/// name. The enum, its numbers, `ALL`, the names and the descriptions all come from
/// here, and so do the other languages' lists (the C enum in `certgate_codes.h` is
/// generated from `Code::ALL`), so adding a code means adding one row.
macro_rules! codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $number:literal => $name:literal, )+) => {
        /// Why a policy, an input or a chain was rejected.
        ///
        /// Each variant has one stable string ([`Code::as_str`]) and one stable number
        /// ([`Code::number`], the C enum value). Numbers are never renumbered or reused;
        /// new codes may be added, hence `#[non_exhaustive]`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[doc = $doc])+ $variant = $number, )+
        }

        impl Code {
            /// Every code, in number order.
            pub const ALL: [Code; [$($number),+].len()] = [$(Code::$variant),+];

            /// The stable string, e.g. `"REVOKED"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Code::$variant => $name, )+
                }
            }

            /// What the code means, in one sentence (its documentation).
            pub fn description(self) -> &'static str {
                let doc = match self {
                    $( Code::$variant => concat!($($doc),+), )+
                };
                doc.trim_start()
            }
        }
    };
}

codes! {
    /// The policy is malformed, has an unknown key, an unparsable anchor or CRL, or a bad pattern.
    InvalidPolicy = 1 => "INVALID_POLICY",
    /// Input bytes are not a certificate (bad PEM or DER).
    MalformedCertificate = 2 => "MALFORMED_CERTIFICATE",
    /// No certificate was given.
    EmptyChain = 3 => "EMPTY_CHAIN",
    /// More certificates or bytes than the documented limits.
    InputTooLarge = 4 => "INPUT_TOO_LARGE",
    /// No path to any trust anchor.
    UnknownIssuer = 5 => "UNKNOWN_ISSUER",
    /// A signature in the path does not verify.
    BadSignature = 6 => "BAD_SIGNATURE",
    /// A signature or key algorithm that is not supported.
    UnsupportedAlgorithm = 7 => "UNSUPPORTED_ALGORITHM",
    /// A certificate in the path is past its notAfter at the verification time.
    Expired = 8 => "EXPIRED",
    /// A certificate in the path is before its notBefore at the verification time.
    NotYetValid = 9 => "NOT_YET_VALID",
    /// Key usage / extended key usage does not allow the policy's `usage`.
    InvalidUsage = 10 => "INVALID_USAGE",
    /// Basic constraints, path length, or a chain longer than `max_chain_length`.
    CaConstraintViolation = 11 => "CA_CONSTRAINT_VIOLATION",
    /// A name constraint in the path is violated.
    NameConstraintViolation = 12 => "NAME_CONSTRAINT_VIOLATION",
    /// A certificate in the checked depth is on its issuer's CRL.
    Revoked = 13 => "REVOKED",
    /// Revocation status cannot be determined and `unknown_status` is `deny`.
    RevocationUnknown = 14 => "REVOCATION_UNKNOWN",
    /// The relevant CRL is past nextUpdate and `expired_crl` is `deny`.
    CrlExpired = 15 => "CRL_EXPIRED",
    /// The chain is valid but a `deny` rule matched or no `allow` rule did.
    NotAuthorized = 16 => "NOT_AUTHORIZED",
    /// Never expected; always a rejection (fail closed).
    Internal = 17 => "INTERNAL",
    /// A certificate in the path has a critical extension that certgate does not process.
    UnsupportedExtension = 18 => "UNSUPPORTED_EXTENSION",
    /// A forwarded certificate came from an address that is not a trusted proxy.
    UntrustedForwarder = 19 => "UNTRUSTED_FORWARDER",
}

impl Code {
    /// The stable number (the value of `CERTGATE_<CODE>` in C). `0` is reserved for success.
    pub const fn number(self) -> u32 {
        self as u32
    }

    /// The code whose stable string is `name`.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|code| code.as_str() == name)
    }

    /// The code whose stable number is `number`.
    pub fn from_number(number: u32) -> Option<Code> {
        Code::ALL.into_iter().find(|code| code.number() == number)
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
    generation: Option<u64>,
}

impl Rejection {
    /// A rejection not tied to one certificate of the input.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Rejection {
            code,
            message: message.into(),
            cert_index: None,
            generation: None,
        }
    }

    /// A rejection about certificate `index` of the input chain (0 = leaf).
    pub fn at_cert(code: Code, index: usize, message: impl Into<String>) -> Self {
        Rejection {
            code,
            message: message.into(),
            cert_index: Some(index),
            generation: None,
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

    /// The generation of the policy that refused ([`crate::Verifier::generation`]), for
    /// refusals of a verification; `None` for refused policies and updates.
    pub fn generation(&self) -> Option<u64> {
        self.generation
    }

    pub(crate) fn set_generation(&mut self, generation: u64) {
        self.generation = Some(generation);
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

/// `{"attached": N}` with no `N`th byte string handed over beside the policy.
pub(crate) fn unattached(path: &str, index: usize) -> Rejection {
    invalid_policy(format!(
        "{path}: {{\"attached\": {index}}} names a byte string handed over beside the policy, \
         and there is none with that number"
    ))
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
            assert_eq!(Code::from_number(code.number()), Some(*code));
            assert!(!code.description().is_empty());
        }
        assert_eq!(Code::from_name("OK"), None);
        assert_eq!(Code::from_number(0), None);
        assert_eq!(Code::Revoked.as_str(), "REVOKED");
        assert_eq!(
            Code::Revoked.description(),
            "A certificate in the checked depth is on its issuer's CRL."
        );
    }
}
