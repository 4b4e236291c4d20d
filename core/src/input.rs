//! Input decoding: the one path by which certgate reads certificates and CRLs — peer
//! chains, `inspect`, trust anchors, intermediates, CRLs and CRL updates alike.
//!
//! It decides what an item is before anything parses it:
//! - **one DER element**: a certificate, a CRL, or a PKCS#7 bundle (`.p7b`); a PKCS#12
//!   key store is recognised and refused by name. DER is tried first, so a DER
//!   certificate that carries PEM text inside one of its strings is read as itself,
//!   never as the text it smuggles;
//! - **text with a `-----BEGIN ` line**, wherever that line stands: PEM, with any
//!   explanatory text before, between and after the blocks ignored (RFC 7468 §2, as
//!   `openssl x509 -text` and `openssl ca` write it), a UTF-8 byte order mark, CRLF or
//!   LF line ends. Private-key blocks in a bundle are skipped; any other block that is
//!   not of the expected kind is refused by its label;
//! - where trust anchors are read, a **SPIFFE trust bundle** (the JWK set with `x5c`
//!   that SPIRE exports);
//! - anything else is handed on as DER, so that garbage is refused by the parser that
//!   can say what it saw.

use std::borrow::Cow;

use rustls_pki_types::CertificateDer;
use x509_parser::der_parser::asn1_rs::{Any, Class, FromDer as _, Tag};
use x509_parser::prelude::X509Certificate;

use crate::error::{invalid_policy, Code, Rejection};

/// Most certificates accepted in one input chain.
pub const MAX_CHAIN_CERTIFICATES: usize = 16;
/// Largest accepted certificate, in DER bytes.
pub const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;
/// Largest accepted input item (PEM text or DER), in bytes: room for the whole
/// chain as PEM (base64 grows DER by 4/3, plus headers and line breaks).
pub const MAX_INPUT_BYTES: usize = MAX_CHAIN_CERTIFICATES * (MAX_CERTIFICATE_BYTES / 3 * 4 + 1024);
/// Largest source of a policy or of an update, in bytes: one item of `trust.anchors`,
/// `trust.intermediates`, a SPIFFE bundle or `revocation.crls` (inline, attached or read
/// from a file), and one item given to `update_crls` or `update_spiffe_bundle`. Room for
/// a CRL of about 1.5 million entries, as PEM.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024 * 1024;
/// Most certificates in one list of a policy (`trust.anchors`, `trust.intermediates`,
/// one trust domain's SPIFFE bundle or endpoint CA), most CRLs in one set (the policy's
/// or an update's), and most files read from one `{"dir": ...}`.
pub const MAX_SOURCE_ITEMS: usize = 10_000;

/// What an input item is expected to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Certificates: a peer chain, intermediates, a certificate to inspect.
    Certificates,
    /// Trust anchors: certificates, or a SPIFFE trust bundle.
    Anchors,
    /// Certificate revocation lists.
    Crls,
    /// OCSP responses (DER `OCSPResponse`, or PEM `OCSP RESPONSE` blocks).
    OcspResponses,
}

impl Expect {
    fn noun(self) -> &'static str {
        match self {
            Expect::Certificates | Expect::Anchors => "certificate",
            Expect::Crls => "CRL",
            Expect::OcspResponses => "OCSP response",
        }
    }
}

/// What one input item held.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    /// The DER certificates or CRLs, in input order (a PKCS#7 bundle's in issuing order).
    pub(crate) ders: Vec<Cow<'a, [u8]>>,
    /// Set when the item was an unordered bundle (PKCS#7) whose leaf cannot be told:
    /// fine for anchors or intermediates, not for the start of a peer chain.
    pub(crate) ambiguous_leaf: bool,
    /// For a SPIFFE trust bundle, its `spiffe_sequence` and `spiffe_refresh_hint`.
    pub(crate) bundle: Option<BundleMeta>,
}

/// What a SPIFFE trust bundle says about itself (SPIFFE Trust Domain and Bundle §4.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BundleMeta {
    pub(crate) sequence: Option<u64>,
    pub(crate) refresh_hint: Option<u64>,
}

/// Decodes one input item. The error says what was seen, for a message that the
/// caller prefixes with where the item came from.
pub(crate) fn decode(bytes: &[u8], expect: Expect) -> Result<Decoded<'_>, String> {
    const BOM: &[u8] = b"\xef\xbb\xbf";
    let text = bytes.strip_prefix(BOM);
    if text.is_none() {
        if let Some(der) = single_der_element(bytes) {
            return decode_der(der, expect);
        }
    }
    let text = text.unwrap_or(bytes);
    if has_begin_line(text) {
        return decode_pem(text, expect);
    }
    if expect == Expect::Anchors && first_non_space(text) == Some(b'{') {
        return spiffe_bundle(text);
    }
    Ok(Decoded {
        ders: vec![Cow::Borrowed(text)],
        ambiguous_leaf: false,
        bundle: None,
    })
}

/// Decodes the peer's chain: each item is decoded as above (a PEM item may hold
/// several certificates). DER items are borrowed, not copied.
pub(crate) fn decode_chain<C: AsRef<[u8]>>(
    items: &[C],
) -> Result<Vec<CertificateDer<'_>>, Rejection> {
    if items.len() > MAX_CHAIN_CERTIFICATES {
        return Err(too_many(items.len()));
    }
    let mut certs: Vec<CertificateDer<'_>> = Vec::with_capacity(items.len());
    for item in items {
        decode_chain_item(item.as_ref(), &mut certs)?;
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

/// Appends the certificates of one chain item to `certs`.
fn decode_chain_item<'a>(
    bytes: &'a [u8],
    certs: &mut Vec<CertificateDer<'a>>,
) -> Result<(), Rejection> {
    let index = certs.len();
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Rejection::at_cert(
            Code::InputTooLarge,
            index,
            format!(
                "input of {} bytes exceeds the limit of {MAX_INPUT_BYTES} bytes",
                bytes.len()
            ),
        ));
    }
    let decoded = decode(bytes, Expect::Certificates).map_err(|reason| {
        Rejection::at_cert(
            Code::MalformedCertificate,
            index,
            format!("certificate #{index}: {reason}"),
        )
    })?;
    if decoded.ambiguous_leaf && index == 0 {
        return Err(Rejection::at_cert(
            Code::MalformedCertificate,
            0,
            "certificate #0: the PKCS#7 bundle does not tell which certificate is the leaf \
             (more than one issues none of the others)",
        ));
    }
    for der in decoded.ders {
        certs.push(match der {
            Cow::Borrowed(der) => CertificateDer::from(der),
            Cow::Owned(der) => CertificateDer::from(der),
        });
        if certs.len() > MAX_CHAIN_CERTIFICATES {
            return Err(too_many(certs.len()));
        }
    }
    Ok(())
}

/// Refuses a policy or update source over [`MAX_SOURCE_BYTES`], before it is parsed.
pub(crate) fn source_within_limit(path: &str, bytes: &[u8]) -> Result<(), Rejection> {
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(invalid_policy(format!(
            "{path}: {} bytes exceed the limit of {MAX_SOURCE_BYTES} bytes per source",
            bytes.len()
        )));
    }
    Ok(())
}

/// Refuses a list of policy certificates or a set of CRLs that has grown past
/// [`MAX_SOURCE_ITEMS`] (`what`: "certificates", "CRLs", "files").
pub(crate) fn items_within_limit(path: &str, count: usize, what: &str) -> Result<(), Rejection> {
    if count > MAX_SOURCE_ITEMS {
        return Err(invalid_policy(format!(
            "{path}: more than {MAX_SOURCE_ITEMS} {what}, the limit"
        )));
    }
    Ok(())
}

fn too_many(count: usize) -> Rejection {
    Rejection::new(
        Code::InputTooLarge,
        format!("{count} certificates exceed the limit of {MAX_CHAIN_CERTIFICATES} per chain"),
    )
}

/// Every certificate (DER) of one input, such as a file's bytes, in any form certgate
/// reads (module docs); a PKCS#7 bundle's in issuing order. For tools that list what a
/// file holds: there is no limit on the count, only on the input's size.
pub fn certificates(input: &[u8]) -> Result<Vec<Vec<u8>>, Rejection> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(Rejection::new(
            Code::InputTooLarge,
            format!(
                "input of {} bytes exceeds the limit of {MAX_INPUT_BYTES} bytes",
                input.len()
            ),
        ));
    }
    let decoded = decode(input, Expect::Certificates).map_err(|reason| {
        Rejection::at_cert(
            Code::MalformedCertificate,
            0,
            format!("certificate #0: {reason}"),
        )
    })?;
    if decoded.ders.is_empty() {
        return Err(Rejection::new(Code::EmptyChain, "no certificate given"));
    }
    decoded
        .ders
        .into_iter()
        .enumerate()
        .map(|(index, der)| {
            crate::x509::parse_certificate(&der, index)?;
            Ok(der.into_owned())
        })
        .collect()
}

/// Decodes exactly one certificate for `inspect`: the first of the item.
pub(crate) fn decode_one(bytes: &[u8]) -> Result<CertificateDer<'_>, Rejection> {
    let mut certs = Vec::with_capacity(1);
    decode_chain_item(bytes, &mut certs)?;
    if certs.is_empty() {
        return Err(Rejection::new(Code::EmptyChain, "no certificate given"));
    }
    Ok(certs.swap_remove(0))
}

/// `bytes` when they are exactly one DER element (trailing whitespace allowed, as a
/// file may end with a newline), else `None`.
fn single_der_element(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.first() != Some(&0x30) {
        return None;
    }
    let (rest, _) = Any::from_der(bytes).ok()?;
    rest.iter()
        .all(u8::is_ascii_whitespace)
        .then(|| &bytes[..bytes.len() - rest.len()])
}

/// Whether a line of `text` starts with `-----BEGIN `.
fn has_begin_line(text: &[u8]) -> bool {
    const BEGIN: &[u8] = b"-----BEGIN ";
    text.starts_with(BEGIN)
        || text
            .windows(BEGIN.len() + 1)
            .any(|window| matches!(window[0], b'\n' | b'\r') && &window[1..] == BEGIN)
}

fn first_non_space(text: &[u8]) -> Option<u8> {
    text.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// One DER element: told apart by the first field inside its outer SEQUENCE —
/// another SEQUENCE for a certificate or CRL (tbsCertificate / tbsCertList), an
/// OBJECT IDENTIFIER for a CMS ContentInfo, an INTEGER for a PKCS#12 PFX.
fn decode_der(der: &[u8], expect: Expect) -> Result<Decoded<'_>, String> {
    let first_field = Any::from_der(der)
        .ok()
        .and_then(|(_, outer)| Any::from_der(outer.data).ok())
        .map(|(_, field)| field.tag());
    match first_field {
        // PKCS#7 carries certificates and CRLs; an OCSP response starts with an
        // ENUMERATED, and anything else is left to the OCSP parser to refuse.
        Some(Tag::Oid) if expect != Expect::OcspResponses => pkcs7(der, expect),
        Some(Tag::Integer) if is_pkcs12(der) => Err(PKCS12_REFUSAL.to_owned()),
        _ => Ok(Decoded {
            ders: vec![Cow::Borrowed(der)],
            ambiguous_leaf: false,
            bundle: None,
        }),
    }
}

const PKCS12_REFUSAL: &str = "this is a PKCS#12 key store (.p12 / .pfx), not a certificate: \
     extract its certificates with `openssl pkcs12 -in FILE -nokeys -out certs.pem`";

fn is_pkcs12(der: &[u8]) -> bool {
    use der::Decode as _;
    crate::x509::der_fits(der).is_ok() && pkcs12::pfx::Pfx::from_der(der).is_ok()
}

/// PEM text: every block, by label.
fn decode_pem(text: &[u8], expect: Expect) -> Result<Decoded<'_>, String> {
    let blocks = pem::parse_many(text).map_err(|e| format!("bad PEM: {e}"))?;
    let mut decoded = Decoded {
        ders: Vec::new(),
        ambiguous_leaf: false,
        bundle: None,
    };
    let mut skipped = Vec::new();
    for (index, block) in blocks.into_iter().enumerate() {
        let label = block.tag().to_owned();
        match (label.as_str(), expect) {
            ("CERTIFICATE" | "X509 CERTIFICATE", Expect::Certificates | Expect::Anchors)
            | ("X509 CRL", Expect::Crls)
            | ("OCSP RESPONSE", Expect::OcspResponses) => {
                decoded.ders.push(Cow::Owned(block.into_contents()))
            }
            ("PKCS7" | "PKCS #7 SIGNED DATA" | "CMS", _) => {
                let bundle = pkcs7(block.contents(), expect)?;
                decoded.ambiguous_leaf |= bundle.ambiguous_leaf && decoded.ders.is_empty();
                decoded.ders.extend(
                    bundle
                        .ders
                        .into_iter()
                        .map(|der| Cow::Owned(der.into_owned())),
                );
            }
            (other, _) if other.ends_with("PRIVATE KEY") || other == "EC PARAMETERS" => {
                skipped.push(label)
            }
            ("TRUSTED CERTIFICATE", _) => {
                return Err(format!(
                    "PEM block #{index} is an OpenSSL TRUSTED CERTIFICATE, whose trust settings \
                     certgate cannot honour: convert it with `openssl x509 -in FILE -out cert.pem`"
                ))
            }
            (other, _) => {
                return Err(format!(
                    "PEM block #{index} is {}, not {}",
                    article(other),
                    article(expect.noun())
                ))
            }
        }
    }
    if decoded.ders.is_empty() {
        let wanted = match expect {
            Expect::Certificates | Expect::Anchors => "CERTIFICATE",
            Expect::Crls => "X509 CRL",
            Expect::OcspResponses => "OCSP RESPONSE",
        };
        return Err(if skipped.is_empty() {
            format!("PEM text holds no {wanted} block")
        } else {
            format!(
                "PEM text holds no {wanted} block, only {}",
                skipped.join(", ")
            )
        });
    }
    Ok(decoded)
}

/// "an X509 CRL", "a CERTIFICATE REQUEST".
fn article(label: &str) -> String {
    let vowel = label
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c) || c == 'X');
    format!("{} {label}", if vowel { "an" } else { "a" })
}

/// A PKCS#7 / CMS SignedData bundle (`.p7b`, `openssl crl2pkcs7`): its certificates
/// (or CRLs), as the DER elements the bundle holds (RFC 5652 §5.1: `certificates [0]
/// IMPLICIT` and `crls [1] IMPLICIT` SETs of X.509 certificates and CRLs). Read with
/// borrowed DER elements only: the certificates are neither decoded nor re-encoded here
/// (each is parsed later like any other), which bounds the memory a bundle costs by its
/// size. The SET has no order, so the certificates are put in issuing order, leaf first,
/// where that order is clear.
fn pkcs7(der: &[u8], expect: Expect) -> Result<Decoded<'static>, String> {
    const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
    fn refused(what: &str) -> String {
        format!("not a PKCS#7 bundle ({what})")
    }
    fn element(input: &[u8]) -> Result<(&[u8], Any<'_>), String> {
        Any::from_der(input).map_err(|e| refused(&e.to_string()))
    }
    // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
    let (_, info) = element(der)?;
    let (rest, content_type) = element(info.data)?;
    let content_type = content_type
        .as_oid()
        .map_err(|_| refused("its contentType is no OBJECT IDENTIFIER"))?
        .to_id_string();
    if content_type != SIGNED_DATA {
        return Err(format!(
            "a CMS message of type {content_type}, not a PKCS#7 certificate bundle (signedData)"
        ));
    }
    let (_, content) = element(rest)?;
    if content.class() != Class::ContextSpecific || content.tag() != Tag(0) {
        return Err(refused("its content is not [0] EXPLICIT"));
    }
    // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
    //   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
    let (_, signed) = element(content.data)?;
    if signed.tag() != Tag::Sequence {
        return Err(refused("its signedData is not a SEQUENCE"));
    }
    let wanted = match expect {
        Expect::Certificates | Expect::Anchors => Tag(0),
        Expect::Crls | Expect::OcspResponses => Tag(1),
    };
    let mut ders = Vec::new();
    let mut fields = signed.data;
    while !fields.is_empty() {
        let (rest, field) = element(fields)?;
        fields = rest;
        if field.class() != Class::ContextSpecific || field.tag() != wanted {
            continue;
        }
        let mut items = field.data;
        while !items.is_empty() {
            let (rest, item) = element(items)?;
            let bytes = &items[..items.len() - rest.len()];
            items = rest;
            if item.class() != Class::Universal || item.tag() != Tag::Sequence {
                return Err(match expect {
                    Expect::Crls => "the PKCS#7 bundle holds revocation data that is not a CRL",
                    _ => "the PKCS#7 bundle holds a certificate that is not X.509",
                }
                .to_owned());
            }
            ders.push(bytes.to_vec());
        }
    }
    if ders.is_empty() {
        return Err(format!("the PKCS#7 bundle holds no {}", expect.noun()));
    }
    let (ders, ambiguous_leaf) = match expect {
        Expect::Crls | Expect::OcspResponses => (ders, false),
        _ => issuing_order(ders),
    };
    Ok(Decoded {
        ders: ders.into_iter().map(Cow::Owned).collect(),
        ambiguous_leaf,
        bundle: None,
    })
}

/// Orders the certificates of a bundle leaf first, each followed by its issuer. The
/// leaf is the one certificate that issues none of the others; when there is not
/// exactly one, the order is kept and the leaf reported ambiguous.
fn issuing_order(ders: Vec<Vec<u8>>) -> (Vec<Vec<u8>>, bool) {
    let names: Vec<Option<(Vec<u8>, Vec<u8>)>> = ders
        .iter()
        .map(|der| {
            X509Certificate::from_der(der).ok().map(|(_, cert)| {
                (
                    cert.subject().as_raw().to_vec(),
                    cert.issuer().as_raw().to_vec(),
                )
            })
        })
        .collect();
    let issues_another = |index: usize| {
        let Some((subject, _)) = &names[index] else {
            return false;
        };
        names.iter().enumerate().any(|(other, names)| {
            other != index && names.as_ref().is_some_and(|(_, issuer)| issuer == subject)
        })
    };
    let leaves: Vec<usize> = (0..ders.len()).filter(|&i| !issues_another(i)).collect();
    let [leaf] = leaves[..] else {
        return (ders, true);
    };
    let mut order = vec![leaf];
    while let Some(Some((_, issuer))) = order.last().map(|&i| &names[i]) {
        let next = (0..ders.len()).find(|&candidate| {
            !order.contains(&candidate)
                && names[candidate]
                    .as_ref()
                    .is_some_and(|(subject, _)| subject == issuer)
        });
        match next {
            Some(next) => order.push(next),
            None => break,
        }
    }
    let rest: Vec<usize> = (0..ders.len()).filter(|i| !order.contains(i)).collect();
    order.extend(rest);
    let mut slots: Vec<Option<Vec<u8>>> = ders.into_iter().map(Some).collect();
    let ordered = order
        .into_iter()
        .filter_map(|index| slots[index].take())
        .collect();
    (ordered, false)
}

/// A SPIFFE trust bundle (SPIFFE Trust Domain and Bundle §4, X509-SVID §6.2): a JWK set
/// whose `x509-svid` keys each carry a CA certificate in `x5c` (standard base64 DER).
/// As the consumer rules say, keys with another or no `use`, an unknown or missing
/// `kty`, or no `x5c` are ignored, and only `x5c[0]` is read. A key whose certificate is
/// not base64 refuses the whole bundle: it is corrupt, not merely foreign.
fn spiffe_bundle(text: &[u8]) -> Result<Decoded<'static>, String> {
    use base64::Engine as _;
    #[derive(serde::Deserialize)]
    struct Bundle {
        keys: Vec<serde_json::Value>,
        spiffe_sequence: Option<u64>,
        spiffe_refresh_hint: Option<u64>,
    }
    const KEY_TYPES: [&str; 3] = ["EC", "RSA", "OKP"];
    let bundle: Bundle = serde_json::from_slice(text)
        .map_err(|e| format!("not a SPIFFE trust bundle (JSON JWK set): {e}"))?;
    let mut ders = Vec::new();
    for (index, key) in bundle.keys.iter().enumerate() {
        let field = |name: &str| key.get(name).and_then(serde_json::Value::as_str);
        let usable = field("use") == Some("x509-svid")
            && field("kty").is_some_and(|kty| KEY_TYPES.contains(&kty));
        let first = key
            .get("x5c")
            .and_then(serde_json::Value::as_array)
            .and_then(|chain| chain.first());
        let Some(first) = first.filter(|_| usable) else {
            continue;
        };
        let der = first
            .as_str()
            .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
            .ok_or_else(|| format!("SPIFFE bundle keys[{index}].x5c[0]: not base64 DER"))?;
        ders.push(Cow::Owned(der));
    }
    if ders.is_empty() {
        return Err("the SPIFFE bundle holds no x509-svid key with a certificate".to_owned());
    }
    Ok(Decoded {
        ders,
        ambiguous_leaf: false,
        bundle: Some(BundleMeta {
            sequence: bundle.spiffe_sequence,
            refresh_hint: bundle.spiffe_refresh_hint,
        }),
    })
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
    fn pem_is_found_after_explanatory_text_and_a_bom() {
        let block = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
        for text in [
            format!("Certificate:\n    Data: ...\n{block}"),
            format!("\u{feff}{block}"),
            block.replace('\n', "\r\n"),
            format!("{block}\n  trailing words\n\n"),
        ] {
            let decoded = decode(text.as_bytes(), Expect::Certificates).unwrap();
            assert_eq!(decoded.ders.len(), 1, "{text:?}");
            assert_eq!(decoded.ders[0].as_ref(), [0x30, 0x03, 0x02, 0x01, 0x00]);
        }
    }

    #[test]
    fn der_wins_over_pem_text_inside_it() {
        // A DER SEQUENCE whose contents contain a PEM block must stay that DER.
        let inner = b"\n-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
        let mut der = vec![0x30, inner.len() as u8 + 2, 0x0c, inner.len() as u8];
        der.extend_from_slice(inner);
        let decoded = decode(&der, Expect::Certificates).unwrap();
        assert_eq!(decoded.ders[0].as_ref(), &der[..]);
    }

    #[test]
    fn key_blocks_are_skipped_but_never_enough() {
        let key = "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n";
        let cert = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
        let both = format!("{cert}{key}");
        assert_eq!(
            decode(both.as_bytes(), Expect::Certificates)
                .unwrap()
                .ders
                .len(),
            1
        );
        let error = decode(key.as_bytes(), Expect::Certificates).unwrap_err();
        assert!(
            error.contains("no CERTIFICATE block, only PRIVATE KEY"),
            "{error}"
        );
    }

    #[test]
    fn foreign_blocks_are_named() {
        let csr =
            "-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n";
        let error = decode(csr.as_bytes(), Expect::Certificates).unwrap_err();
        assert_eq!(
            error,
            "PEM block #0 is a CERTIFICATE REQUEST, not a certificate"
        );
        let crl = "-----BEGIN X509 CRL-----\nMAMCAQA=\n-----END X509 CRL-----\n";
        let error = decode(crl.as_bytes(), Expect::Certificates).unwrap_err();
        assert_eq!(error, "PEM block #0 is an X509 CRL, not a certificate");
        assert!(decode(crl.as_bytes(), Expect::Crls).is_ok());
    }

    #[test]
    fn garbage_is_passed_on_for_the_parser_to_describe() {
        let decoded = decode(b"not a certificate", Expect::Certificates).unwrap();
        assert_eq!(decoded.ders[0].as_ref(), b"not a certificate");
    }

    #[test]
    fn spiffe_bundles_only_where_anchors_are_read() {
        let bundle = br#"{"keys":[{"use":"jwt-svid","kty":"EC"},{"use":"x509-svid","kty":"EC","x5c":["MAMCAQA="]}],"spiffe_refresh_hint":300}"#;
        let decoded = decode(bundle, Expect::Anchors).unwrap();
        assert_eq!(decoded.ders.len(), 1);
        assert_eq!(decoded.ders[0].as_ref(), [0x30, 0x03, 0x02, 0x01, 0x00]);
        // Elsewhere JSON is not a certificate: it goes on to the DER parser, which refuses it.
        assert_eq!(
            decode(bundle, Expect::Certificates).unwrap().ders[0].as_ref(),
            &bundle[..]
        );
        assert_eq!(
            decode(bundle, Expect::Anchors).unwrap().bundle,
            Some(BundleMeta {
                sequence: None,
                refresh_hint: Some(300)
            })
        );
        // Only x5c[0] is read; keys of unknown kty or use, or without x5c, are skipped.
        let odd = br#"{"keys":[{"use":"x509-svid","kty":"EC","x5c":["MAMCAQA=","garbage"]},
            {"use":"x509-svid","kty":"XYZ","x5c":["garbage"]},{"use":"wit-svid","kty":"EC","x5c":["x"]},
            {"use":"x509-svid","kty":"EC"},{"kty":"EC","x5c":["x"]}],"spiffe_sequence":7}"#;
        let decoded = decode(odd, Expect::Anchors).unwrap();
        assert_eq!(decoded.ders.len(), 1);
        assert_eq!(decoded.bundle.unwrap().sequence, Some(7));
        let corrupt = br#"{"keys":[{"use":"x509-svid","kty":"EC","x5c":["not base64!"]}]}"#;
        assert!(decode(corrupt, Expect::Anchors)
            .unwrap_err()
            .contains("keys[0].x5c[0]: not base64 DER"));
        let none = br#"{"keys":[{"use":"jwt-svid","kty":"EC"}]}"#;
        assert!(decode(none, Expect::Anchors)
            .unwrap_err()
            .contains("no x509-svid key"));
    }
}
