//! X.509 helpers every other module reads certificates with: parsing (x509-parser),
//! RFC 4514 names, serial numbers, SHA-256 fingerprints, time for messages, and the
//! signature algorithms certgate accepts. A leaf module: it decides nothing.

use std::fmt::Debug;

use x509_parser::der_parser::asn1_rs::Any;
use x509_parser::der_parser::asn1_rs::{self, Oid};
use x509_parser::error::X509Error;
use x509_parser::nom::{self, error::ErrorKind};
use x509_parser::oid_registry;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

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
            format!(
                "certificate #{index}: not an X.509 certificate ({})",
                der_failure(&e)
            ),
        )),
    }
}

/// A DER parse error whose words may depend on the platform.
pub(crate) trait DerFailure: Debug {
    /// Whether the input ends before a length said it would.
    fn runs_past_the_input(&self) -> bool;
}

impl DerFailure for asn1_rs::Error {
    fn runs_past_the_input(&self) -> bool {
        matches!(self, Self::InvalidLength | Self::Incomplete(_))
    }
}

impl DerFailure for X509Error {
    fn runs_past_the_input(&self) -> bool {
        match self {
            Self::Der(der) => der.runs_past_the_input(),
            Self::NomError(kind) => *kind == ErrorKind::Eof,
            _ => false,
        }
    }
}

/// A DER parse error in the same words on every platform: a length beyond the input is
/// "end of input" on 64-bit hosts but InvalidLength on 32-bit WebAssembly, where the
/// length already overflows usize.
pub(crate) fn der_failure<E: DerFailure>(e: &nom::Err<E>) -> String {
    match e {
        nom::Err::Incomplete(_) => "truncated DER or bad length".to_owned(),
        nom::Err::Error(inner) | nom::Err::Failure(inner) if inner.runs_past_the_input() => {
            "truncated DER or bad length".to_owned()
        }
        other => other.to_string(),
    }
}

/// Short names of the attribute types certgate names in RFC 4514 strings and `subject_fields`.
pub(crate) const ATTRIBUTE_NAMES: [(Oid<'static>, &str); 11] = [
    (oid_registry::OID_X509_COMMON_NAME, "CN"),
    (oid_registry::OID_X509_LOCALITY_NAME, "L"),
    (oid_registry::OID_X509_STATE_OR_PROVINCE_NAME, "ST"),
    (oid_registry::OID_X509_ORGANIZATION_NAME, "O"),
    (oid_registry::OID_X509_ORGANIZATIONAL_UNIT, "OU"),
    (oid_registry::OID_X509_COUNTRY_NAME, "C"),
    (oid_registry::OID_X509_STREET_ADDRESS, "STREET"),
    (oid_registry::OID_DOMAIN_COMPONENT, "DC"),
    (oid_registry::OID_USERID, "UID"),
    (oid_registry::OID_X509_SERIALNUMBER, "serialNumber"),
    (oid_registry::OID_PKCS9_EMAIL_ADDRESS, "emailAddress"),
];

pub(crate) fn attribute_name(oid: &Oid<'_>) -> String {
    ATTRIBUTE_NAMES
        .iter()
        .find(|(known, _)| known == oid)
        .map_or_else(|| oid.to_id_string(), |(_, name)| (*name).to_owned())
}

/// An attribute's value as text; a value that is not a string prints as `#` + hex of its DER (RFC 4514 §2.4).
pub(crate) fn attribute_text(
    attr: &x509_parser::x509::AttributeTypeAndValue<'_>,
) -> (String, bool) {
    match attr.as_str() {
        Ok(text) => (text.to_owned(), true),
        Err(_) => {
            let value = attr.attr_value();
            let der =
                x509_parser::der_parser::asn1_rs::ToDer::to_der_vec(value).unwrap_or_default();
            (format!("#{}", hex::encode(der)), false)
        }
    }
}

/// RFC 4514 string of a name: RDNs last-to-first, `,` between RDNs, `+` within one.
pub(crate) fn rfc4514(name: &X509Name<'_>) -> String {
    let rdns: Vec<&x509_parser::x509::RelativeDistinguishedName<'_>> = name.iter_rdn().collect();
    let mut out = String::new();
    for (position, rdn) in rdns.iter().rev().enumerate() {
        if position > 0 {
            out.push(',');
        }
        for (index, attr) in rdn.iter().enumerate() {
            if index > 0 {
                out.push('+');
            }
            out.push_str(&attribute_name(attr.attr_type()));
            out.push('=');
            let (text, is_string) = attribute_text(attr);
            if is_string {
                escape_rfc4514_value(&text, &mut out);
            } else {
                out.push_str(&text);
            }
        }
    }
    out
}

fn escape_rfc4514_value(value: &str, out: &mut String) {
    let last = value.chars().count().saturating_sub(1);
    for (index, ch) in value.chars().enumerate() {
        match ch {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(ch);
            }
            '#' if index == 0 => out.push_str("\\#"),
            ' ' if index == 0 || index == last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            _ => out.push(ch),
        }
    }
}

/// The serial's bytes without DER's leading 00 sign byte.
pub(crate) fn serial_bytes(raw: &[u8]) -> &[u8] {
    match raw {
        [0, next, ..] if next & 0x80 != 0 => &raw[1..],
        _ => raw,
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

/// RFC 3339 text of a unix time, for messages.
pub(crate) fn format_time(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{seconds} (unix)"))
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

/// Whether `oid` is the dotted OID `dotted` ("2.5.29.37"), compared arc by arc without
/// building its text: verification compares a dozen OIDs per certificate.
pub(crate) fn oid_is(oid: &Oid<'_>, dotted: &str) -> bool {
    let Some(mut arcs) = oid.iter() else {
        return false; // an arc beyond 64 bits is none of ours
    };
    let mut wanted = dotted.as_bytes().split(|byte| *byte == b'.');
    let value = |digits: &[u8]| {
        (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit))
            .then(|| {
                digits.iter().try_fold(0u64, |value, digit| {
                    value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
                })
            })
            .flatten()
    };
    loop {
        match (arcs.next(), wanted.next()) {
            (None, None) => return true,
            (Some(arc), Some(digits)) if value(digits) == Some(arc) => {}
            _ => return false,
        }
    }
}

/// How deep [`der_fits`] walks nested elements; real certificates, name constraints and
/// OCSP responses nest under a dozen levels.
const MAX_DER_DEPTH: usize = 32;

/// Checks that `der` is DER whose every element fits inside the one that holds it,
/// walking the whole tree with x509-parser's borrowing reader (no allocation), at most
/// [`MAX_DER_DEPTH`] levels deep. It guards the decoders of RustCrypto's `der` 0.7 (x509-ocsp,
/// x509-cert, pkcs12), whose `Reader::read_vec` allocates the length an element claims
/// before checking the input holds it: on a tree that fits, no claim exceeds the input
/// (fuzz finding F2, as F1 was for PKCS#7).
pub(crate) fn der_fits(der: &[u8]) -> Result<(), String> {
    fn walk(mut input: &[u8], depth: usize) -> Result<(), String> {
        while !input.is_empty() {
            let (rest, element) =
                Any::from_der(input).map_err(|e| format!("bad structure ({e})"))?;
            if element.header.is_constructed() {
                let inner = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("nested more than {MAX_DER_DEPTH} levels deep"))?;
                walk(element.data, inner)?;
            }
            input = rest;
        }
        Ok(())
    }
    walk(der, MAX_DER_DEPTH)
}

/// The signed parts of a CRL, a certificate or an OCSP BasicOCSPResponse: each is
/// `SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING, ... }`.
pub(crate) struct SignedParts<'a> {
    /// The whole to-be-signed element.
    pub(crate) tbs: &'a [u8],
    /// The contents of the signature AlgorithmIdentifier.
    pub(crate) algorithm: &'a [u8],
    /// The signature bits.
    pub(crate) signature: &'a [u8],
}

/// Splits a signed object; fields after the signature (an OCSP response's `certs`) are
/// left to the caller.
pub(crate) fn signed_parts(der: &[u8]) -> Result<SignedParts<'_>, String> {
    let (contents, rest) = element_contents(der)?;
    if !rest.is_empty() {
        return Err("trailing bytes after the signed object".to_owned());
    }
    let (tbs, rest) = split_element(contents)?;
    let (algorithm, rest) = element_contents(rest)?;
    let (signature_bits, _) = element_contents(rest)?;
    match signature_bits.split_first() {
        Some((0, signature)) => Ok(SignedParts {
            tbs,
            algorithm,
            signature,
        }),
        _ => Err("bad signature encoding".to_owned()),
    }
}

/// The first DER element of `input` (header included), and what follows it.
pub(crate) fn split_element(input: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (rest, _) = Any::from_der(input).map_err(|e| format!("bad structure ({e})"))?;
    Ok((&input[..input.len() - rest.len()], rest))
}

/// The contents of the first DER element of `input`, and what follows it.
pub(crate) fn element_contents(input: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (rest, any) = Any::from_der(input).map_err(|e| format!("bad structure ({e})"))?;
    Ok((any.data, rest))
}

/// The key algorithm (AlgorithmIdentifier contents) and the key bits (the BIT STRING's
/// contents after its unused-bits byte) of a SubjectPublicKeyInfo.
pub(crate) fn spki_parts(spki: &[u8]) -> Option<(&[u8], &[u8])> {
    let (spki_fields, _) = element_contents(spki).ok()?;
    let (key_algorithm, key_rest) = element_contents(spki_fields).ok()?;
    let (key_bits, _) = element_contents(key_rest).ok()?;
    // Always 0 unused bits for keys.
    match key_bits.split_first() {
        Some((0, public_key)) => Some((key_algorithm, public_key)),
        _ => None,
    }
}

/// Verifies `signature` over `message` with the key in `spki` (full SPKI DER), choosing
/// webpki's algorithm by the signature's and the key's AlgorithmIdentifier.
pub(crate) fn verify_signature(
    spki: &[u8],
    signature_algorithm: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Some((key_algorithm, public_key)) = spki_parts(spki) else {
        return false;
    };
    SIGNATURE_ALGORITHMS
        .iter()
        .filter(|alg| {
            alg.public_key_alg_id().as_ref() == key_algorithm
                && alg.signature_alg_id().as_ref() == signature_algorithm
        })
        .any(|alg| alg.verify_signature(public_key, message, signature).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4514_escapes_special_characters() {
        let mut out = String::new();
        escape_rfc4514_value("#a, b+c ", &mut out);
        assert_eq!(out, "\\#a\\, b\\+c\\ ");
    }

    #[test]
    fn serial_drops_only_the_sign_byte() {
        assert_eq!(serial_bytes(&[0x00, 0x80, 0x01]), &[0x80, 0x01]);
        assert_eq!(serial_bytes(&[0x00]), &[0x00]);
        assert_eq!(serial_bytes(&[0x01, 0x02]), &[0x01, 0x02]);
    }

    /// A length past the input reads alike whether it fits usize (64-bit hosts: end of
    /// input) or not (32-bit WebAssembly, and here a nine-octet length: InvalidLength).
    #[test]
    fn a_length_past_the_input_reads_alike_on_every_platform() {
        let fits_usize = [0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00];
        let overflows_usize = [0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x00];
        for der in [&fits_usize[..], &overflows_usize[..]] {
            let refused = parse_certificate(der, 0).unwrap_err();
            assert_eq!(
                refused.message(),
                "certificate #0: not an X.509 certificate (truncated DER or bad length)"
            );
        }
    }

    #[test]
    fn oid_is_compares_every_arc() {
        use std::str::FromStr as _;
        let eku = Oid::from_str("2.5.29.37").unwrap();
        assert!(oid_is(&eku, "2.5.29.37"));
        for other in [
            "2.5.29.37.0",
            "2.5.29",
            "2.5.29.38",
            "2.5.29.3",
            "",
            "2.5.29.37.",
        ] {
            assert!(!oid_is(&eku, other), "{other}");
        }
        let big = Oid::from_str("1.3.6.1.4.1.311.21.20").unwrap();
        assert!(oid_is(&big, "1.3.6.1.4.1.311.21.20"));
    }
}
