//! The certificate profile certgate holds each certificate of a built path to, beyond
//! what rustls-webpki checks (docs/profile.md). webpki was written for the web PKI and
//! skips RFC 5280 rules a client-certificate gate should apply. Each rule here is either
//! an RFC 5280 MUST that applies under both profiles (keyUsage of CAs and leaves), or a
//! conformance rule that only `"profile": "strict"` (the default) applies. Each
//! certificate is judged once, on what x509-parser already parsed: policy certificates
//! when the policy is loaded, the peer's when its chain arrives.

use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{OID_KEY_TYPE_DSA, OID_KEY_TYPE_EC_PUBLIC_KEY};
use x509_parser::prelude::X509Certificate;

use crate::constraints::NAME_CONSTRAINTS_OID;
use crate::error::Code;
use crate::identity::{public_key_info, PublicKeyInfo};
use crate::policy::{Profile, Usage};
use crate::x509::oid_is;

/// Where a certificate sits on a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Leaf,
    Intermediate,
    Anchor,
}

/// A rule a certificate breaks: the code to refuse with and the rule, for the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Breach {
    pub(crate) code: Code,
    pub(crate) rule: String,
}

/// What a certificate breaks, per profile; the first rule found in each.
#[derive(Clone, Debug, Default)]
pub(crate) struct Conformance {
    /// Rules every profile applies.
    always: Option<Breach>,
    /// Rules only the strict profile applies.
    strict: Option<Breach>,
}

impl Conformance {
    /// The breach that refuses this certificate under `profile`, if any, and whether
    /// only the strict profile applies its rule.
    pub(crate) fn breach(&self, profile: Profile) -> Option<(&Breach, bool)> {
        match (&self.always, &self.strict, profile) {
            (Some(breach), _, _) => Some((breach, false)),
            (None, Some(breach), Profile::Strict) => Some((breach, true)),
            _ => None,
        }
    }

    /// Adds a breach of the strict profile found elsewhere (a malformed nameConstraints).
    pub(crate) fn add_strict(&mut self, breach: Breach) {
        self.strict.get_or_insert(breach);
    }

    /// Judges `cert` in `role`; `usage` is what a leaf must be usable for. `strict`: also
    /// the strict profile's rules (a peer's certificates under `"webpki"` skip them).
    pub(crate) fn of(
        cert: &X509Certificate<'_>,
        role: Role,
        usage: Usage,
        strict: bool,
    ) -> Conformance {
        let mut conformance = Conformance::default();
        let mut always = |code, rule: String| {
            conformance.always.get_or_insert(Breach { code, rule });
        };
        required_rules(cert, role, usage, &mut always);
        if strict {
            strict_rules(cert, role, &mut |code, rule: String| {
                conformance.strict.get_or_insert(Breach { code, rule });
            });
        }
        conformance
    }
}

const KEY_USAGE_OID: &str = "2.5.29.15";
const SAN_OID: &str = "2.5.29.17";
const BASIC_CONSTRAINTS_OID: &str = "2.5.29.19";
const EKU_OID: &str = "2.5.29.37";
const CRL_DISTRIBUTION_POINTS_OID: &str = "2.5.29.31";
const CERTIFICATE_POLICIES_OID: &str = "2.5.29.32";
const SKI_OID: &str = "2.5.29.14";
const AKI_OID: &str = "2.5.29.35";
const POLICY_CONSTRAINTS_OID: &str = "2.5.29.36";
const INHIBIT_ANY_POLICY_OID: &str = "2.5.29.54";
const AIA_OID: &str = "1.3.6.1.5.5.7.1.1";

/// The extensions rustls-webpki processes in a leaf or an intermediate: any other
/// critical one makes it refuse the certificate.
const WEBPKI_PROCESSES: [&str; 6] = [
    KEY_USAGE_OID,
    SAN_OID,
    BASIC_CONSTRAINTS_OID,
    NAME_CONSTRAINTS_OID,
    CRL_DISTRIBUTION_POINTS_OID,
    EKU_OID,
];

/// The extensions the strict profile reads: each must parse.
const READS: [&str; 11] = [
    KEY_USAGE_OID,
    SAN_OID,
    BASIC_CONSTRAINTS_OID,
    NAME_CONSTRAINTS_OID,
    EKU_OID,
    SKI_OID,
    AKI_OID,
    POLICY_CONSTRAINTS_OID,
    INHIBIT_ANY_POLICY_OID,
    AIA_OID,
    CRL_DISTRIBUTION_POINTS_OID,
];

/// What certgate calls an extension in messages: its RFC 5280 name and OID.
pub(crate) fn extension_name(oid: &str) -> String {
    let name = match oid {
        KEY_USAGE_OID => "keyUsage",
        SAN_OID => "subjectAltName",
        BASIC_CONSTRAINTS_OID => "basicConstraints",
        NAME_CONSTRAINTS_OID => "nameConstraints",
        CRL_DISTRIBUTION_POINTS_OID => "cRLDistributionPoints",
        EKU_OID => "extKeyUsage",
        CERTIFICATE_POLICIES_OID => "certificatePolicies",
        SKI_OID => "subjectKeyIdentifier",
        AKI_OID => "authorityKeyIdentifier",
        POLICY_CONSTRAINTS_OID => "policyConstraints",
        INHIBIT_ANY_POLICY_OID => "inhibitAnyPolicy",
        "2.5.29.33" => "policyMappings",
        "2.5.29.18" => "issuerAltName",
        "2.5.29.9" => "subjectDirectoryAttributes",
        "2.5.29.46" => "freshestCRL",
        AIA_OID => "authorityInfoAccess",
        "1.3.6.1.5.5.7.1.11" => "subjectInfoAccess",
        _ => return format!("extension {oid}"),
    };
    format!("{name} extension ({oid})")
}

/// The first critical extension of a leaf or an intermediate that webpki refuses, as
/// the breach certgate reports: RFC 5280 forbids marking some critical (a malformed
/// certificate); the others are extensions nobody on the path processes.
pub(crate) fn critical_extension_webpki_refuses(cert: &X509Certificate<'_>) -> Option<Breach> {
    let oid = cert
        .extensions()
        .iter()
        .filter(|extension| extension.critical)
        .find(|extension| {
            !WEBPKI_PROCESSES
                .iter()
                .any(|known| oid_is(&extension.oid, known))
        })?
        .oid
        .to_id_string();
    let section = match oid.as_str() {
        AKI_OID => "§4.2.1.1",
        SKI_OID => "§4.2.1.2",
        AIA_OID => "§4.2.2.1",
        _ => {
            return Some(Breach {
                code: Code::UnsupportedExtension,
                rule: format!(
                    "has a critical {}, which certgate's path validation (rustls-webpki) does \
                     not process; RFC 5280 §4.2 requires refusing it",
                    extension_name(&oid)
                ),
            })
        }
    };
    Some(Breach {
        code: Code::MalformedCertificate,
        rule: format!(
            "has a critical {}, which RFC 5280 {section} requires to be non-critical",
            extension_name(&oid)
        ),
    })
}

/// RFC 5280 MUSTs that hold under every profile. webpki ignores keyUsage altogether.
fn required_rules(
    cert: &X509Certificate<'_>,
    role: Role,
    usage: Usage,
    breach: &mut impl FnMut(Code, String),
) {
    let key_usage = match cert.key_usage() {
        Ok(Some(key_usage)) => key_usage.value,
        _ => return,
    };
    match role {
        Role::Intermediate if !key_usage.key_cert_sign() => breach(
            Code::CaConstraintViolation,
            format!(
                "its keyUsage ({key_usage}) lacks keyCertSign, so it may not issue certificates \
                 (RFC 5280 §4.2.1.3, §6.1.4 (n))"
            ),
        ),
        Role::Leaf if !key_usage.digital_signature() => breach(
            Code::InvalidUsage,
            format!(
                "its keyUsage ({key_usage}) lacks digitalSignature, which TLS {} authentication \
                 needs (RFC 5280 §4.2.1.3, RFC 8446 §4.4.3)",
                match (usage.client, usage.server) {
                    (true, true) => "client or server",
                    (true, false) => "client",
                    _ => "server",
                }
            ),
        ),
        _ => {}
    }
}

/// The conformance rules of the strict profile (docs/profile.md has the table).
fn strict_rules(cert: &X509Certificate<'_>, role: Role, breach: &mut impl FnMut(Code, String)) {
    let is_ca_role = role != Role::Leaf;
    let subject_empty = cert.subject().iter_rdn().next().is_none();
    let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();
    let mut seen_san = None;
    let mut seen_aki = None;
    let mut seen_ski = None;
    let mut basic = None;
    let mut path_len = false;
    let mut key_cert_sign = false;
    let mut seen_oids: Vec<&[u8]> = Vec::new();
    for extension in cert.extensions() {
        // RFC 5280 §4.2: at most one instance of an extension, whatever its kind.
        let raw_oid = extension.oid.as_bytes();
        if seen_oids.contains(&raw_oid) {
            return breach(
                Code::MalformedCertificate,
                format!(
                    "it has more than one {} (RFC 5280 §4.2)",
                    extension_name(&extension.oid.to_id_string())
                ),
            );
        }
        seen_oids.push(raw_oid);
        // Dotted OIDs are built only where a message or the anchor's check needs one.
        let oid = || extension.oid.to_id_string();
        let critical = extension.critical;
        match extension.parsed_extension() {
            // What certgate reads must parse; other extensions are not its business.
            ParsedExtension::ParseError { error } if READS.contains(&oid().as_str()) => {
                return breach(
                    Code::MalformedCertificate,
                    format!("its {} does not parse ({error})", extension_name(&oid())),
                )
            }
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                seen_aki = Some((critical, aki.key_identifier.as_ref().map(|id| id.0)))
            }
            ParsedExtension::SubjectKeyIdentifier(ski) => seen_ski = Some((critical, ski.0)),
            ParsedExtension::SubjectAlternativeName(_) => seen_san = Some(critical),
            ParsedExtension::BasicConstraints(constraints) => {
                basic = Some((critical, constraints.ca));
                path_len = constraints.path_len_constraint.is_some();
            }
            ParsedExtension::KeyUsage(key_usage) => key_cert_sign = key_usage.key_cert_sign(),
            ParsedExtension::NameConstraints(_) if !is_ca_role => {
                return breach(
                    Code::NameConstraintViolation,
                    "it is an end-entity certificate with a nameConstraints extension, which \
                     only CA certificates may carry (RFC 5280 §4.2.1.10)"
                        .to_owned(),
                )
            }
            ParsedExtension::NameConstraints(_) if !critical => {
                return breach(
                    Code::NameConstraintViolation,
                    "its nameConstraints extension is not critical (RFC 5280 §4.2.1.10)".to_owned(),
                )
            }
            ParsedExtension::PolicyConstraints(_) | ParsedExtension::InhibitAnyPolicy(_)
                if !critical =>
            {
                return breach(
                    Code::MalformedCertificate,
                    format!(
                        "its {} is not critical (RFC 5280 §4.2.1.11, §4.2.1.14)",
                        extension_name(&oid())
                    ),
                )
            }
            ParsedExtension::AuthorityInfoAccess(_) if critical => {
                return breach(
                    Code::MalformedCertificate,
                    "its authorityInfoAccess extension is critical (RFC 5280 §4.2.2.1)".to_owned(),
                )
            }
            ParsedExtension::ExtendedKeyUsage(eku) if role == Role::Leaf && eku.any => {
                return breach(
                    Code::InvalidUsage,
                    "its extKeyUsage asserts anyExtendedKeyUsage; certgate's strict profile wants \
                     a leaf to name its purposes"
                        .to_owned(),
                )
            }
            _ => {}
        }
        // A trust anchor's extensions are certgate's to process (webpki reads only its
        // name, key and nameConstraints); the policy ones are met by accepting any policy.
        if role == Role::Anchor && critical {
            let oid = oid();
            // A critical key identifier is refused below, by the rule it breaks.
            let processed = WEBPKI_PROCESSES.contains(&oid.as_str())
                || [CERTIFICATE_POLICIES_OID, AIA_OID, AKI_OID, SKI_OID].contains(&oid.as_str());
            if !processed {
                return breach(
                    Code::UnsupportedExtension,
                    format!(
                        "it has a critical {}, which certgate does not process (RFC 5280 §4.2)",
                        extension_name(&oid)
                    ),
                );
            }
        }
    }
    if let Some(rule) = serial_rule(cert.raw_serial()) {
        return breach(Code::MalformedCertificate, rule);
    }
    if let Some(rule) = key_rule(cert) {
        return breach(Code::UnsupportedAlgorithm, rule);
    }
    if is_ca_role {
        match basic {
            None => {
                return breach(
                    Code::CaConstraintViolation,
                    "it issues certificates but has no basicConstraints extension \
                     (RFC 5280 §4.2.1.9)"
                        .to_owned(),
                )
            }
            Some((_, false)) => {
                return breach(
                    Code::CaConstraintViolation,
                    "it issues certificates but its basicConstraints says cA FALSE \
                     (RFC 5280 §4.2.1.9)"
                        .to_owned(),
                )
            }
            Some((false, true)) => {
                return breach(
                    Code::CaConstraintViolation,
                    "its basicConstraints extension is not critical (RFC 5280 §4.2.1.9)".to_owned(),
                )
            }
            Some((true, true)) => {}
        }
        if subject_empty {
            return breach(
                Code::MalformedCertificate,
                "it is a CA with an empty subject (RFC 5280 §4.1.2.6)".to_owned(),
            );
        }
        if role == Role::Anchor && !key_cert_sign && cert.key_usage().ok().flatten().is_some() {
            return breach(
                Code::CaConstraintViolation,
                "its keyUsage lacks keyCertSign, so it may not issue certificates \
                 (RFC 5280 §4.2.1.3)"
                    .to_owned(),
            );
        }
    } else if key_cert_sign && !matches!(basic, Some((_, true))) {
        return breach(
            Code::CaConstraintViolation,
            "its keyUsage asserts keyCertSign but it is not a CA (RFC 5280 §4.2.1.3)".to_owned(),
        );
    } else if path_len && !matches!(basic, Some((_, true))) {
        return breach(
            Code::CaConstraintViolation,
            "its basicConstraints has a pathLenConstraint but cA FALSE (RFC 5280 §4.2.1.9)"
                .to_owned(),
        );
    }
    if subject_empty && seen_san != Some(true) {
        return breach(
            Code::MalformedCertificate,
            "its subject is empty and it has no critical subjectAltName extension \
             (RFC 5280 §4.2.1.6)"
                .to_owned(),
        );
    }
    match seen_aki {
        Some((true, _)) => {
            return breach(
                Code::MalformedCertificate,
                "its authorityKeyIdentifier extension is critical (RFC 5280 §4.2.1.1)".to_owned(),
            )
        }
        // RFC 5280 lets a self-signed certificate omit it; self-issued is what can be told
        // without a signature check (a CA's rollover certificates carry one anyway).
        None if !self_issued => {
            return breach(
                Code::MalformedCertificate,
                "it has no authorityKeyIdentifier extension, which RFC 5280 §4.2.1.1 requires \
                 of every certificate a CA issues"
                    .to_owned(),
            )
        }
        _ => {}
    }
    match seen_ski {
        Some((true, _)) => {
            return breach(
                Code::MalformedCertificate,
                "its subjectKeyIdentifier extension is critical (RFC 5280 §4.2.1.2)".to_owned(),
            )
        }
        None if is_ca_role => {
            return breach(
                Code::MalformedCertificate,
                "it is a CA without a subjectKeyIdentifier extension (RFC 5280 §4.2.1.2)"
                    .to_owned(),
            )
        }
        _ => {}
    }
    if let (Role::Anchor, true, Some((_, Some(aki))), Some((_, ski))) =
        (role, self_issued, seen_aki, seen_ski)
    {
        if aki != ski {
            breach(
                Code::MalformedCertificate,
                "it is self-signed but its authorityKeyIdentifier differs from its \
                 subjectKeyIdentifier (RFC 5280 §4.2.1.1)"
                    .to_owned(),
            );
        }
    }
}

/// RFC 5280 §4.1.2.2: a positive integer of at most 20 octets (sign byte included).
fn serial_rule(raw: &[u8]) -> Option<String> {
    let positive =
        raw.first().is_some_and(|first| first & 0x80 == 0) && raw.iter().any(|b| *b != 0);
    if !positive {
        return Some("its serial number is not positive (RFC 5280 §4.1.2.2)".to_owned());
    }
    (raw.len() > 20).then(|| {
        format!(
            "its serial number is {} octets long; RFC 5280 §4.1.2.2 allows at most 20",
            raw.len()
        )
    })
}

/// The minimum key strength: RSA of at least 2048 bits in whole bytes; no P-192, no DSA.
pub(crate) fn key_rule(cert: &X509Certificate<'_>) -> Option<String> {
    let spki = cert.public_key();
    let algorithm = &spki.algorithm.algorithm;
    if *algorithm == OID_KEY_TYPE_DSA {
        return Some("its key is a DSA key, which certgate does not accept".to_owned());
    }
    if *algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let p192 = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|parameters| parameters.as_oid().ok())
            .is_some_and(|curve| curve == P192);
        return p192.then(|| "its key is on P-192, which certgate does not accept".to_owned());
    }
    // Any RSA key (rsaEncryption, RSASSA-PSS) parses as one; the identity says the same.
    match public_key_info(cert) {
        PublicKeyInfo::Rsa { bits } if bits < 2048 || bits % 8 != 0 => Some(format!(
            "its RSA key has {bits} bits; certgate requires at least 2048, a multiple of 8"
        )),
        _ => None,
    }
}

/// secp192r1 (prime192v1).
const P192: x509_parser::der_parser::Oid<'static> =
    x509_parser::der_parser::oid!(1.2.840 .10045 .3 .1 .1);

/// The pathLenConstraint of a CA certificate, if it sets one.
pub(crate) fn path_len_constraint(cert: &X509Certificate<'_>) -> Option<u32> {
    match cert.basic_constraints() {
        Ok(Some(constraints)) => constraints.value.path_len_constraint,
        _ => None,
    }
}

/// Whether the certificate names itself as issuer (RFC 5280 §6.1: self-issued).
pub(crate) fn is_self_issued(cert: &X509Certificate<'_>) -> bool {
    cert.subject().as_raw() == cert.issuer().as_raw()
}
