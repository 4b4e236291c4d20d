//! Certificate parsing and the mapping of webpki's errors to codes.

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{Code, Rejection};

/// Parses a certificate with x509-parser; trailing bytes are malformed too.
pub(crate) fn parse_certificate<'a>(
    der: &'a [u8],
    index: usize,
) -> Result<X509Certificate<'a>, Rejection> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        Ok(_) => Err(Rejection::at_cert(
            Code::MalformedCertificate,
            index,
            format!("certificate #{index}: trailing bytes after the DER certificate"),
        )),
        Err(e) => Err(Rejection::at_cert(
            Code::MalformedCertificate,
            index,
            format!("certificate #{index}: not an X.509 certificate ({e})"),
        )),
    }
}

/// The code for a webpki path-building error. Every variant is named so a new
/// webpki release that adds one is noticed in review, not silently mapped.
#[allow(deprecated)] // the unit variants are still what some paths return
pub(crate) fn code_for(error: &webpki::Error) -> Code {
    use webpki::Error as E;
    match error {
        E::UnknownIssuer
        | E::CertDistrusted
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => Code::UnknownIssuer,
        E::InvalidSignatureForPublicKey | E::SignatureAlgorithmMismatch => Code::BadSignature,
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => Code::UnsupportedAlgorithm,
        E::CertExpired { .. } => Code::Expired,
        E::CertNotValidYet { .. } => Code::NotYetValid,
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            Code::InvalidUsage
        }
        E::CaUsedAsEndEntity
        | E::EndEntityUsedAsCa
        | E::PathLenConstraintViolated
        | E::MaximumPathDepthExceeded => Code::CaConstraintViolation,
        E::NameConstraintViolation
        | E::MalformedNameConstraint
        | E::InvalidNetworkMaskConstraint
        | E::MaximumNameConstraintComparisonsExceeded => Code::NameConstraintViolation,
        E::BadDer
        | E::BadDerTime
        | E::TrailingData(_)
        | E::MalformedExtensions
        | E::ExtensionValueInvalid
        | E::InvalidSerialNumber
        | E::InvalidCertValidity
        | E::UnsupportedCertVersion
        | E::UnsupportedCriticalExtension
        | E::MalformedDnsIdentifier
        | E::UnsupportedNameType => Code::MalformedCertificate,
        E::CertRevoked => Code::Revoked,
        // Revocation and name checks are certgate's own, so webpki never reports these here.
        _ => Code::Internal,
    }
}

/// What revocation checking needs to know about one certificate of a path.
#[derive(Clone, Debug)]
pub(crate) struct CertFacts {
    /// RFC 4514 subject, for messages.
    pub(crate) label: String,
    /// Raw DER of the subject and issuer names (compared bytewise, as webpki does).
    pub(crate) subject: Vec<u8>,
    pub(crate) issuer: Vec<u8>,
    /// Serial without the DER sign byte.
    pub(crate) serial: Vec<u8>,
    pub(crate) is_ca: bool,
    /// False when a keyUsage extension is present without cRLSign.
    pub(crate) may_sign_crls: bool,
    /// False when a keyUsage extension is present without keyCertSign.
    pub(crate) may_sign_certificates: bool,
    /// The trust domains of the SPIFFE IDs among its URI SANs (a SPIRE CA names its own).
    pub(crate) spiffe_domains: Vec<String>,
    /// Full SubjectPublicKeyInfo DER.
    pub(crate) spki: Vec<u8>,
    /// URIs of the cRLDistributionPoints' full names (for issuing-distribution-point scope).
    pub(crate) crl_distribution_uris: Vec<String>,
}

impl CertFacts {
    pub(crate) fn of(cert: &X509Certificate<'_>) -> CertFacts {
        use x509_parser::extensions::{DistributionPointName, ParsedExtension};
        use x509_parser::prelude::GeneralName;
        let mut crl_distribution_uris = Vec::new();
        for ext in cert.extensions() {
            if let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() {
                for point in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point
                    {
                        for name in names {
                            if let GeneralName::URI(uri) = name {
                                crl_distribution_uris.push((*uri).to_owned());
                            }
                        }
                    }
                }
            }
        }
        CertFacts {
            label: crate::identity::rfc4514(cert.subject()),
            subject: cert.subject().as_raw().to_vec(),
            issuer: cert.issuer().as_raw().to_vec(),
            serial: crate::identity::serial_bytes(cert.raw_serial()).to_vec(),
            is_ca: cert.is_ca(),
            may_sign_crls: match cert.key_usage() {
                Ok(Some(usage)) => usage.value.crl_sign(),
                Ok(None) => true,
                Err(_) => false,
            },
            may_sign_certificates: match cert.key_usage() {
                Ok(Some(usage)) => usage.value.key_cert_sign(),
                Ok(None) => true,
                Err(_) => false,
            },
            spiffe_domains: match cert.subject_alternative_name() {
                Ok(Some(san)) => {
                    let uris: Vec<String> = san
                        .value
                        .general_names
                        .iter()
                        .filter_map(|name| match name {
                            GeneralName::URI(uri) => Some((*uri).to_owned()),
                            _ => None,
                        })
                        .collect();
                    crate::spiffe::claimed_trust_domains(&uris)
                        .into_iter()
                        .map(str::to_owned)
                        .collect()
                }
                _ => Vec::new(),
            },
            spki: cert.public_key().raw.to_vec(),
            crl_distribution_uris,
        }
    }
}

/// A certificate from the policy (anchor or pooled intermediate), pre-digested.
#[derive(Debug)]
pub(crate) struct PolicyCert {
    pub(crate) der: rustls_pki_types::CertificateDer<'static>,
    pub(crate) facts: CertFacts,
    pub(crate) fingerprint: String,
}

impl PolicyCert {
    /// Parses a certificate of the policy; errors are `INVALID_POLICY` at `path`.
    pub(crate) fn new(
        der: &rustls_pki_types::CertificateDer<'_>,
        path: &str,
    ) -> Result<PolicyCert, Rejection> {
        let cert = parse_certificate(der, 0)
            .map_err(|e| crate::error::invalid_policy(format!("{path}: {}", e.message())))?;
        Ok(PolicyCert {
            der: der.clone().into_owned(),
            facts: CertFacts::of(&cert),
            fingerprint: crate::identity::sha256_hex(der),
        })
    }
}

/// Every signature algorithm webpki offers with *ring*, used for paths and CRLs alike.
pub(crate) static SIGNATURE_ALGORITHMS: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] =
    &[
        webpki::ring::ECDSA_P256_SHA256,
        webpki::ring::ECDSA_P256_SHA384,
        webpki::ring::ECDSA_P384_SHA256,
        webpki::ring::ECDSA_P384_SHA384,
        webpki::ring::ED25519,
        webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        webpki::ring::RSA_PKCS1_2048_8192_SHA384,
        webpki::ring::RSA_PKCS1_2048_8192_SHA512,
        webpki::ring::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        webpki::ring::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        webpki::ring::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
        webpki::ring::RSA_PKCS1_3072_8192_SHA384,
        webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    ];
