//! certgate: one core that enforces mutual-TLS policy — certificate chain, SAN and
//! subject rules, CRL revocation — and tells who the peer is.
//!
//! ```no_run
//! let verifier = certgate::Verifier::from_json(r#"{
//!     "trust": { "anchors": "-----BEGIN CERTIFICATE-----\n..." },
//!     "allow": [ { "spiffe_id": "spiffe://example.org/ns/*/sa/payments" } ]
//! }"#)?;
//! # let peer_chain: Vec<Vec<u8>> = vec![];
//! let identity = verifier.verify(&peer_chain, None)?;
//! println!("{} ({:?})", identity.subject, identity.spiffe_id);
//! # Ok::<(), certgate::Rejection>(())
//! ```
//!
//! The reference (policy schema, decision steps, identity, codes) is `docs/` in the
//! repository. The crate is pure: no files, sockets or environment (except the `fs`
//! feature's policy-file loader), and the only clock read is the default verification
//! time.
#![deny(missing_docs)]

mod cache;
mod compiled;
mod constraints;
mod error;
mod forwarded;
#[cfg(feature = "fs")]
mod fs;
mod identity;
mod input;
mod matchers;
mod ocsp;
mod path;
mod policy;
mod profile;
mod revocation;
#[cfg(feature = "rustls")]
pub mod rustls;
mod schema;
mod spiffe;
mod trust;
mod verifier;
mod x509;

pub use compiled::{unix_seconds, BundleEndpoint, BundleUpdate, MAX_UNIX_SECONDS};
pub use error::{catch_panic, Code, Rejection, Warning};
pub use forwarded::{Format, Forwarded, XfccElement};
pub use identity::{
    distinguished_name, inspect, Audit, ExpiryWarning, ExpiryWarningCode, Identity, PublicKeyInfo,
    SubjectAltNames, Verification,
};
pub use input::{
    certificates, MAX_CERTIFICATE_BYTES, MAX_CHAIN_CERTIFICATES, MAX_INPUT_BYTES, MAX_SOURCE_BYTES,
    MAX_SOURCE_ITEMS,
};
pub use matchers::MAX_RULE_VALUES;
pub use ocsp::OcspQuery;
pub use policy::{Mode, Policy, DEFAULT_MAX_CHAIN_LENGTH, MAX_POLICY_BYTES};
pub use revocation::CrlSummary;
pub use schema::MAX_PATTERN_BYTES;
pub use verifier::{CacheStats, CrlFetch, Stats, Verifier};
