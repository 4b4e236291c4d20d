//! The canonical identity JSON of docs/identity.md, as the vectors expect it.
//!
//! Nothing here parses a certificate: every value is derived from the
//! [`CertSpec`](crate::pki::CertSpec) the certificate was generated from (plus the
//! SHA-256 digests of the final DER bytes), so the expectations do not share code
//! with the library under test.

use serde::ser::{Serialize, Serializer};

/// Attribute name → values, in the order the attributes are encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFields(pub Vec<(String, Vec<String>)>);

impl Serialize for SubjectFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The four SAN lists, always present.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sans {
    /// dNSName entries in certificate order.
    pub dns: Vec<String>,
    /// uniformResourceIdentifier entries in certificate order.
    pub uri: Vec<String>,
    /// rfc822Name entries in certificate order.
    pub email: Vec<String>,
    /// iPAddress entries, formatted like Rust's `IpAddr` Display.
    pub ip: Vec<String>,
}

/// `public_key`: `{"algorithm":"EC","curve":"P-256"}`, `{"algorithm":"RSA","bits":2048}`, ...
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublicKey {
    /// "EC", "RSA" or "Ed25519".
    pub algorithm: &'static str,
    /// Named curve, for EC keys only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve: Option<&'static str>,
    /// Modulus size, for RSA keys only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
}

/// An identity as `inspect` returns it (docs/identity.md without the verify-only keys).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Identity {
    /// RFC 4514 subject.
    pub subject: String,
    /// Subject attributes by short name.
    pub subject_fields: SubjectFields,
    /// RFC 4514 issuer.
    pub issuer: String,
    /// Lowercase hex serial without the DER sign byte.
    pub serial: String,
    /// Lowercase hex SHA-256 of the certificate DER.
    pub fingerprint_sha256: String,
    /// Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
    pub spki_sha256: String,
    /// notBefore as unix seconds.
    pub not_before: i64,
    /// notAfter as unix seconds.
    pub not_after: i64,
    /// Subject alternative names.
    pub san: Sans,
    /// The SPIFFE ID when the certificate is a valid X509-SVID.
    pub spiffe_id: Option<String>,
    /// Key algorithm and size.
    pub public_key: PublicKey,
    /// keyUsage bit names in bit order.
    pub key_usage: Vec<&'static str>,
    /// extendedKeyUsage names in certificate order.
    pub extended_key_usage: Vec<String>,
    /// basicConstraints cA.
    pub is_ca: bool,
}

/// An identity as `verify` returns it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifiedIdentity {
    /// Everything `inspect` reports about the leaf.
    #[serde(flatten)]
    pub identity: Identity,
    /// SHA-256 of leaf, each intermediate of the built path, then the anchor.
    pub chain_fingerprints: Vec<String>,
    /// Index of the first matching `allow` rule; `None` (null) without `allow`.
    pub matched_rule: Option<usize>,
    /// How a forwarded certificate came (`verify_forwarded` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded: Option<serde_json::Value>,
    /// The refusal an audit-mode policy did not enforce: `{code, message, cert_index}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<serde_json::Value>,
    /// Expiry warnings, `{code, cert_index, seconds_left}` each (with
    /// `warn_before_expiry_seconds`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<serde_json::Value>,
}

/// Whether `uri` is a syntactically valid SPIFFE ID.
///
/// Scheme `spiffe://`, a non-empty trust domain of `[a-z0-9._-]`, then path segments of
/// `[A-Za-z0-9._-]` that are neither empty nor `.` / `..`; so no trailing `/`, no query,
/// no fragment, no port and no userinfo.
pub fn is_spiffe_id(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("spiffe://") else {
        return false;
    };
    let (trust_domain, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let td_ok = !trust_domain.is_empty()
        && trust_domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !td_ok {
        return false;
    }
    if path.is_empty() {
        return true;
    }
    path[1..].split('/').all(|segment| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    })
}

/// The SPIFFE ID of a leaf that follows the X509-SVID rules (§2, §3.1, §4.1, §4.3):
/// exactly one URI SAN, a valid SPIFFE ID with a path, cA false, a keyUsage extension
/// (`key_usage` empty means none) with digitalSignature and without keyCertSign or
/// cRLSign.
pub fn svid_leaf_id(uris: &[String], is_ca: bool, key_usage: &[&str]) -> Option<String> {
    let [only] = uris else {
        return None;
    };
    let has_path = only
        .strip_prefix("spiffe://")
        .is_some_and(|rest| rest.contains('/'));
    let follows_rules = is_spiffe_id(only)
        && has_path
        && !is_ca
        && key_usage.contains(&"digitalSignature")
        && !key_usage.contains(&"keyCertSign")
        && !key_usage.contains(&"cRLSign");
    follows_rules.then(|| only.clone())
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spiffe_syntax() {
        assert!(is_spiffe_id("spiffe://example.org/ns/prod/sa/payments"));
        assert!(is_spiffe_id("spiffe://td-1.example_x/Ns.A/b-c_D"));
        assert!(!is_spiffe_id("spiffe://Example.org/ns"));
        assert!(!is_spiffe_id("spiffe://example.org/ns/"));
        assert!(!is_spiffe_id("spiffe://example.org/ns//sa"));
        assert!(!is_spiffe_id("spiffe://example.org/ns/../sa"));
        assert!(!is_spiffe_id("spiffe://example.org/ns?x=1"));
        assert!(!is_spiffe_id("spiffe://example.org:8443/ns"));
        assert!(!is_spiffe_id("spiffe:///ns"));
        assert!(!is_spiffe_id("https://example.org/ns"));
    }

    #[test]
    fn subject_fields_keep_encoding_order() {
        let fields = SubjectFields(vec![
            ("O".into(), vec!["x".into()]),
            ("CN".into(), vec!["y".into()]),
        ]);
        assert_eq!(
            serde_json::to_string(&fields).unwrap(),
            r#"{"O":["x"],"CN":["y"]}"#
        );
    }
}
