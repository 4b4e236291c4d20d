//! Input decoding (PEM or DER, limits) and the mapping of webpki's errors to codes.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{Code, Rejection};

/// Most certificates accepted in one input chain.
pub const MAX_CHAIN_CERTIFICATES: usize = 16;
/// Largest accepted certificate, in DER bytes.
pub const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;
/// Largest accepted input item (PEM text or DER), in bytes: room for the whole
/// chain as PEM (base64 grows DER by 4/3, plus headers and line breaks).
pub const MAX_INPUT_BYTES: usize = MAX_CHAIN_CERTIFICATES * (MAX_CERTIFICATE_BYTES / 3 * 4 + 1024);

/// Whether `bytes` start (after whitespace) like PEM text rather than DER.
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(b"-----BEGIN")
}

/// Decodes the peer's chain: each item is DER or PEM (a PEM item may hold several
/// certificates). DER items are borrowed, PEM items decoded.
pub(crate) fn decode_chain<C: AsRef<[u8]>>(
    items: &[C],
) -> Result<Vec<CertificateDer<'_>>, Rejection> {
    if items.len() > MAX_CHAIN_CERTIFICATES {
        return Err(too_many(items.len()));
    }
    let mut certs = Vec::with_capacity(items.len());
    for item in items {
        decode_item(item.as_ref(), &mut certs)?;
    }
    if certs.is_empty() {
        return Err(Rejection::new(Code::EmptyChain, "no certificate given"));
    }
    for (index, der) in certs.iter().enumerate() {
        if der.len() > MAX_CERTIFICATE_BYTES {
            return Err(Rejection::at_cert(
                Code::InputTooLarge,
                index,
                format!(
                    "certificate #{index} is {} bytes; the limit is {MAX_CERTIFICATE_BYTES}",
                    der.len()
                ),
            ));
        }
    }
    Ok(certs)
}

/// Appends the certificates of one input item (DER, or PEM with one or more certificates).
fn decode_item<'a>(bytes: &'a [u8], certs: &mut Vec<CertificateDer<'a>>) -> Result<(), Rejection> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Rejection::at_cert(
            Code::InputTooLarge,
            certs.len(),
            format!(
                "input of {} bytes exceeds the limit of {MAX_INPUT_BYTES} bytes",
                bytes.len()
            ),
        ));
    }
    if !looks_like_pem(bytes) {
        certs.push(CertificateDer::from(bytes));
        return Ok(());
    }
    let before = certs.len();
    for pem in CertificateDer::pem_slice_iter(bytes) {
        let der = pem.map_err(|e| {
            Rejection::at_cert(
                Code::MalformedCertificate,
                certs.len(),
                format!("certificate #{}: bad PEM: {e}", certs.len()),
            )
        })?;
        certs.push(der);
        if certs.len() > MAX_CHAIN_CERTIFICATES {
            return Err(too_many(certs.len()));
        }
    }
    if certs.len() == before {
        return Err(Rejection::at_cert(
            Code::MalformedCertificate,
            before,
            format!("certificate #{before}: PEM text holds no CERTIFICATE block"),
        ));
    }
    Ok(())
}

fn too_many(count: usize) -> Rejection {
    Rejection::new(
        Code::InputTooLarge,
        format!("{count} certificates exceed the limit of {MAX_CHAIN_CERTIFICATES} per chain"),
    )
}

/// Decodes exactly one certificate for `inspect`: DER, or the first certificate of a PEM text.
pub(crate) fn decode_one(bytes: &[u8]) -> Result<CertificateDer<'_>, Rejection> {
    let mut certs = Vec::with_capacity(1);
    decode_item(bytes, &mut certs)?;
    if certs.is_empty() {
        return Err(Rejection::new(Code::EmptyChain, "no certificate given"));
    }
    Ok(certs.swap_remove(0))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_oversized_inputs_are_rejected_before_parsing() {
        let none: [&[u8]; 0] = [];
        assert_eq!(decode_chain(&none).unwrap_err().code(), Code::EmptyChain);
        let huge = vec![0u8; MAX_INPUT_BYTES + 1];
        assert_eq!(
            decode_chain(&[&huge]).unwrap_err().code(),
            Code::InputTooLarge
        );
        let many = vec![&b"x"[..]; MAX_CHAIN_CERTIFICATES + 1];
        assert_eq!(decode_chain(&many).unwrap_err().code(), Code::InputTooLarge);
    }

    #[test]
    fn pem_without_certificates_is_malformed() {
        let pem = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            decode_chain(&[&pem[..]]).unwrap_err().code(),
            Code::MalformedCertificate
        );
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
            spki: cert.public_key().raw.to_vec(),
            crl_distribution_uris,
        }
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
