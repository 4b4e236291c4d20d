//! Who the peer is: the canonical Identity of docs/identity.md, read from a certificate with x509-parser.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use x509_parser::der_parser::asn1_rs::{FromDer as _, Oid};
use x509_parser::prelude::{GeneralName, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;

use crate::error::{Code, Rejection};
use crate::input::decode_one;
use crate::spiffe;
use crate::x509::{
    attribute_name, attribute_text, oid_is, parse_certificate, rfc4514, serial_bytes, sha256_hex,
};

/// The canonical identity of a certificate (docs/identity.md).
///
/// `serde_json::to_value(&identity)` gives exactly the documented JSON keys;
/// the two verification-only keys (`chain_fingerprints`, `matched_rule`) are
/// present only on identities returned by [`crate::Verifier::verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Identity {
    /// Subject as an RFC 4514 string, e.g. `CN=order-service,O=Example Corp`.
    pub subject: String,
    /// Subject attributes by short name (`CN`, `O`, ...; dotted OID when unnamed), values in encoding order.
    pub subject_fields: BTreeMap<String, Vec<String>>,
    /// Issuer as an RFC 4514 string.
    pub issuer: String,
    /// Lowercase hex of the serial's bytes, without DER's leading 00 sign byte.
    pub serial: String,
    /// Lowercase hex SHA-256 of the certificate DER.
    pub fingerprint_sha256: String,
    /// Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
    pub spki_sha256: String,
    /// notBefore, unix seconds.
    pub not_before: i64,
    /// notAfter, unix seconds.
    pub not_after: i64,
    /// Subject alternative names by kind.
    pub san: SubjectAltNames,
    /// The SPIFFE ID when the certificate is a valid X509-SVID leaf: exactly one URI SAN,
    /// a valid SPIFFE ID with a path, cA false, keyUsage with digitalSignature and
    /// without keyCertSign or cRLSign; after `verify`, also signed by CAs that may sign
    /// SVIDs.
    pub spiffe_id: Option<String>,
    /// Public key algorithm and size.
    pub public_key: PublicKeyInfo,
    /// Key usage bits by RFC 5280 name, in bit order; empty when the extension is absent.
    pub key_usage: Vec<String>,
    /// Extended key usages (`clientAuth`, ... or a dotted OID), in certificate order; empty when absent.
    pub extended_key_usage: Vec<String>,
    /// Whether basicConstraints marks the certificate as a CA.
    pub is_ca: bool,
    /// Present on verified identities only.
    #[serde(flatten)]
    pub verification: Option<Verification>,
    /// Why a certificate that claims a SPIFFE ID is no X509-SVID (and so has no
    /// `spiffe_id`), for refusal messages.
    #[serde(skip)]
    pub(crate) svid_violation: Option<String>,
}

/// What verification adds to an identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Verification {
    /// SHA-256 (lowercase hex) of each certificate of the built path: leaf, intermediates, anchor.
    pub chain_fingerprints: Vec<String>,
    /// Index into the policy's `allow` of the first rule that matched; `None` when the policy has no `allow`.
    pub matched_rule: Option<usize>,
    /// How the certificate came, when a proxy forwarded it ([`crate::Verifier::verify_forwarded`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded: Option<crate::forwarded::Forwarded>,
    /// Set when a policy in `"mode": "audit"` admitted a chain it would have refused:
    /// the refusal enforce mode would have given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<Audit>,
    /// What expires soon on the admitted path, with `warn_before_expiry_seconds`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ExpiryWarning>,
    /// The generation of the policy that decided ([`crate::Verifier::generation`]). The
    /// bindings report it beside the identity, not in its JSON.
    #[serde(skip)]
    pub generation: u64,
    /// How long the decision holds, for the decision cache; taken out before the identity
    /// is handed out.
    #[serde(skip)]
    pub(crate) validity: Option<Validity>,
    /// Whether a certificate revocation checked had no OCSP answer that could have
    /// decided (so a binding that fetches has something to fetch).
    #[serde(skip)]
    pub(crate) ocsp_unanswered: bool,
}

/// The verification times over which a decision stays what it was, and what its expiry
/// warnings are computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Validity {
    /// The first and the last unix second (inclusive) at which every certificate of the
    /// path is valid and no CRL of the set changes from current to stale.
    pub(crate) from: i64,
    pub(crate) until: i64,
    /// notAfter of each certificate of the path, leaf first.
    pub(crate) not_after: Vec<i64>,
    /// The CRLs the decision used.
    pub(crate) consulted: Vec<Consulted>,
}

/// A complete CRL a revocation check used: for the certificate at `position` on the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Consulted {
    pub(crate) position: usize,
    pub(crate) next_update: Option<i64>,
}

/// The refusal an audit-mode policy did not enforce.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Audit {
    /// The code enforce mode would have refused with.
    #[serde(serialize_with = "code_name")]
    pub code: Code,
    /// Its message.
    pub message: String,
    /// Its certificate index, where one applies.
    pub cert_index: Option<usize>,
}

impl From<Rejection> for Audit {
    fn from(rejection: Rejection) -> Audit {
        Audit {
            code: rejection.code(),
            cert_index: rejection.cert_index(),
            message: rejection.message().to_owned(),
        }
    }
}

fn code_name<S: Serializer>(code: &Code, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(code.as_str())
}

/// Something on an admitted path that runs out within `warn_before_expiry_seconds`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExpiryWarning {
    /// What runs out.
    pub code: ExpiryWarningCode,
    /// The certificate's position on the verified path (as `chain_fingerprints`: 0 is
    /// the leaf, the last the trust anchor); for a CRL, the certificate it covers.
    pub cert_index: usize,
    /// Seconds from the verification time to the certificate's notAfter or the CRL's
    /// nextUpdate (negative when a CRL is already past it and `expired_crl` allows).
    pub seconds_left: i64,
}

/// The stable codes of [`ExpiryWarning`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ExpiryWarningCode {
    /// The leaf's notAfter is near.
    LeafExpiresSoon,
    /// An intermediate's or the trust anchor's notAfter is near.
    ChainExpiresSoon,
    /// The nextUpdate of a CRL the decision used is near.
    CrlStaleSoon,
}

impl ExpiryWarningCode {
    /// Every code, in a fixed order.
    pub const ALL: [ExpiryWarningCode; 3] = [
        ExpiryWarningCode::LeafExpiresSoon,
        ExpiryWarningCode::ChainExpiresSoon,
        ExpiryWarningCode::CrlStaleSoon,
    ];

    /// `LEAF_EXPIRES_SOON`, `CHAIN_EXPIRES_SOON` or `CRL_STALE_SOON`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpiryWarningCode::LeafExpiresSoon => "LEAF_EXPIRES_SOON",
            ExpiryWarningCode::ChainExpiresSoon => "CHAIN_EXPIRES_SOON",
            ExpiryWarningCode::CrlStaleSoon => "CRL_STALE_SOON",
        }
    }
}

impl Serialize for ExpiryWarningCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Subject alternative names, in certificate order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SubjectAltNames {
    /// dNSName entries.
    pub dns: Vec<String>,
    /// uniformResourceIdentifier entries.
    pub uri: Vec<String>,
    /// rfc822Name entries.
    pub email: Vec<String>,
    /// iPAddress entries.
    pub ip: Vec<IpAddr>,
}

/// The subject public key's algorithm and size.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKeyInfo {
    /// An elliptic-curve key on a named curve (`P-256`, `P-384`, `P-521`, or the curve OID).
    Ec {
        /// The curve name.
        curve: String,
    },
    /// An RSA key of `bits` modulus bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// An Ed25519 key.
    Ed25519,
    /// An Ed448 key.
    Ed448,
    /// Any other algorithm, by dotted OID.
    Other {
        /// The algorithm OID.
        oid: String,
    },
}

impl Serialize for PublicKeyInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            PublicKeyInfo::Ec { curve } => {
                map.serialize_entry("algorithm", "EC")?;
                map.serialize_entry("curve", curve)?;
            }
            PublicKeyInfo::Rsa { bits } => {
                map.serialize_entry("algorithm", "RSA")?;
                map.serialize_entry("bits", bits)?;
            }
            PublicKeyInfo::Ed25519 => map.serialize_entry("algorithm", "Ed25519")?,
            PublicKeyInfo::Ed448 => map.serialize_entry("algorithm", "Ed448")?,
            PublicKeyInfo::Other { oid } => map.serialize_entry("algorithm", oid)?,
        }
        map.end()
    }
}

impl Identity {
    /// The canonical JSON text of docs/identity.md.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, numbers and maps cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The canonical JSON as a `serde_json::Value`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Reads the identity of one parsed certificate. `der` is its encoding (for the fingerprint).
    pub(crate) fn of(cert: &X509Certificate<'_>, der: &[u8]) -> Result<Identity, Rejection> {
        let malformed = |what: &str, err: &dyn std::fmt::Display| {
            Rejection::new(
                Code::MalformedCertificate,
                format!("{}: bad {what} extension: {err}", rfc4514(cert.subject())),
            )
        };
        let mut san = SubjectAltNames::default();
        if let Some(ext) = cert
            .subject_alternative_name()
            .map_err(|e| malformed("subjectAltName", &e))?
        {
            for name in &ext.value.general_names {
                match name {
                    GeneralName::DNSName(dns) => san.dns.push((*dns).to_owned()),
                    GeneralName::URI(uri) => san.uri.push((*uri).to_owned()),
                    GeneralName::RFC822Name(email) => san.email.push((*email).to_owned()),
                    GeneralName::IPAddress(bytes) => {
                        san.ip.push(ip_from_bytes(bytes).ok_or_else(|| {
                            malformed("subjectAltName", &"iPAddress is not 4 or 16 bytes")
                        })?)
                    }
                    _ => {}
                }
            }
        }
        let key_usage: Option<Vec<String>> = cert
            .key_usage()
            .map_err(|e| malformed("keyUsage", &e))?
            .map(|ext| {
                KEY_USAGE_NAMES
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| ext.value.flags & (1 << bit) != 0)
                    .map(|(_, name)| (*name).to_owned())
                    .collect()
            });
        let is_ca = cert
            .basic_constraints()
            .map_err(|e| malformed("basicConstraints", &e))?
            .is_some_and(|ext| ext.value.ca);
        let (spiffe_id, svid_violation) = match (spiffe::SvidShape {
            uris: &san.uri,
            is_ca,
            key_usage: key_usage.as_deref(),
        })
        .leaf_id()
        {
            Ok(id) => (Some(id.to_owned()), None),
            Err(violation) => (None, violation),
        };
        Ok(Identity {
            subject: rfc4514(cert.subject()),
            subject_fields: name_fields(cert.subject()),
            issuer: rfc4514(cert.issuer()),
            serial: hex::encode(serial_bytes(cert.raw_serial())),
            fingerprint_sha256: sha256_hex(der),
            spki_sha256: sha256_hex(cert.public_key().raw),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            san,
            spiffe_id,
            public_key: public_key_info(cert),
            key_usage: key_usage.unwrap_or_default(),
            extended_key_usage: extended_key_usage(cert)
                .map_err(|e| malformed("extendedKeyUsage", &e))?,
            is_ca,
            verification: None,
            svid_violation,
        })
    }
}

/// Parses one certificate (DER, or the first certificate of a PEM text) into its
/// Identity, with no verification.
pub fn inspect(cert: &[u8]) -> Result<Identity, Rejection> {
    let der = decode_one(cert)?;
    let parsed = parse_certificate(&der, 0)?;
    Identity::of(&parsed, &der)
}

/// An X.501 Name (its DER, outer SEQUENCE included, as a TLS CertificateRequest lists
/// acceptable CAs) written as certgate writes subjects and issuers (RFC 4514, short
/// attribute names); `None` when it is not a Name.
pub fn distinguished_name(der: &[u8]) -> Option<String> {
    match X509Name::from_der(der) {
        Ok(([], name)) => Some(rfc4514(&name)),
        _ => None,
    }
}

const KEY_USAGE_NAMES: [&str; 9] = [
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
];

fn name_fields(name: &X509Name<'_>) -> BTreeMap<String, Vec<String>> {
    let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for attr in name.iter_attributes() {
        fields
            .entry(attribute_name(attr.attr_type()))
            .or_default()
            .push(attribute_text(attr).0);
    }
    fields
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// The subject key's algorithm and size, as the identity reports it.
pub(crate) fn public_key_info(cert: &X509Certificate<'_>) -> PublicKeyInfo {
    let spki = cert.public_key();
    let algorithm = &spki.algorithm.algorithm;
    if oid_is(algorithm, "1.2.840.113549.1.1.1") || oid_is(algorithm, "1.2.840.113549.1.1.10") {
        return PublicKeyInfo::Rsa {
            bits: match spki.parsed() {
                Ok(key @ PublicKey::RSA(_)) => key.key_size(),
                _ => 0,
            },
        };
    }
    if oid_is(algorithm, "1.2.840.10045.2.1") {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|params| params.as_oid().ok());
        let named = [
            ("1.2.840.10045.3.1.7", "P-256"),
            ("1.3.132.0.34", "P-384"),
            ("1.3.132.0.35", "P-521"),
        ];
        let curve = match &curve {
            Some(oid) => named
                .iter()
                .find(|(dotted, _)| oid_is(oid, dotted))
                .map_or_else(|| oid.to_id_string(), |(_, name)| (*name).to_owned()),
            None => String::new(),
        };
        return PublicKeyInfo::Ec { curve };
    }
    if oid_is(algorithm, "1.3.101.112") {
        return PublicKeyInfo::Ed25519;
    }
    if oid_is(algorithm, "1.3.101.113") {
        return PublicKeyInfo::Ed448;
    }
    PublicKeyInfo::Other {
        oid: algorithm.to_id_string(),
    }
}

/// EKU purposes in certificate order (x509-parser's parsed form loses the order).
fn extended_key_usage(cert: &X509Certificate<'_>) -> Result<Vec<String>, String> {
    const EKU_OID: &str = "2.5.29.37";
    let Some(ext) = cert
        .extensions()
        .iter()
        .find(|ext| oid_is(&ext.oid, EKU_OID))
    else {
        return Ok(Vec::new());
    };
    let (_, purposes) =
        <Vec<Oid<'_>>>::from_der(ext.value).map_err(|e| crate::x509::der_failure(&e))?;
    const NAMES: [(&str, &str); 7] = [
        ("1.3.6.1.5.5.7.3.1", "serverAuth"),
        ("1.3.6.1.5.5.7.3.2", "clientAuth"),
        ("1.3.6.1.5.5.7.3.3", "codeSigning"),
        ("1.3.6.1.5.5.7.3.4", "emailProtection"),
        ("1.3.6.1.5.5.7.3.8", "timeStamping"),
        ("1.3.6.1.5.5.7.3.9", "OCSPSigning"),
        ("2.5.29.37.0", "anyExtendedKeyUsage"),
    ];
    Ok(purposes
        .iter()
        .map(|oid| {
            NAMES
                .iter()
                .find(|(dotted, _)| oid_is(oid, dotted))
                .map_or_else(|| oid.to_id_string(), |(_, name)| (*name).to_owned())
        })
        .collect())
}
