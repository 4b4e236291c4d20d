//! A deliberately small DER reader and writer.
//!
//! It is used for three things: to read back what rcgen wrote (so the generator can
//! assert that the certificates really encode the values the expected identities
//! were computed from), to extract the SubjectPublicKeyInfo for `spki_sha256`, and to
//! rebuild certificates whose signature or algorithm is altered on purpose.
//! Only single-byte tags and definite lengths are supported, which is all X.509 uses.

use std::fmt::Write as _;

use crate::Result;

/// DER tag of an INTEGER.
pub const TAG_INTEGER: u8 = 0x02;
/// DER tag of a BIT STRING.
pub const TAG_BIT_STRING: u8 = 0x03;
/// DER tag of an OBJECT IDENTIFIER.
pub const TAG_OID: u8 = 0x06;
/// DER tag of a SEQUENCE.
pub const TAG_SEQUENCE: u8 = 0x30;
/// DER tag of a SET.
pub const TAG_SET: u8 = 0x31;
/// Tag of the explicit `[0]` version field of a TBSCertificate.
const TAG_VERSION: u8 = 0xa0;

/// One decoded tag-length-value element.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    /// The identifier octet.
    pub tag: u8,
    /// The value octets.
    pub content: &'a [u8],
    /// The whole element: identifier, length and value.
    pub raw: &'a [u8],
}

/// Reads one element from the front of `input`; returns it and the rest.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8])> {
    let (&tag, after_tag) = input.split_first().ok_or("DER: truncated tag")?;
    let (&first, after_len) = after_tag.split_first().ok_or("DER: truncated length")?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || after_len.len() < count {
            return Err("DER: unsupported length form".into());
        }
        let len = after_len[..count]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, 2 + count)
    };
    let end = header
        .checked_add(len)
        .filter(|&end| end <= input.len())
        .ok_or("DER: element runs past the end of its input")?;
    let tlv = Tlv {
        tag,
        content: &input[header..end],
        raw: &input[..end],
    };
    Ok((tlv, &input[end..]))
}

/// Reads exactly one element that must fill `input` completely.
pub fn read_all(input: &[u8]) -> Result<Tlv<'_>> {
    let (tlv, rest) = read(input)?;
    if !rest.is_empty() {
        return Err("DER: trailing bytes after element".into());
    }
    Ok(tlv)
}

/// Splits the content of a constructed element into its child elements.
pub fn children(mut content: &[u8]) -> Result<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (tlv, rest) = read(content)?;
        out.push(tlv);
        content = rest;
    }
    Ok(out)
}

/// Encodes one element with a definite length.
pub fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Decodes the content octets of an OBJECT IDENTIFIER into dotted form.
pub fn oid_to_dotted(content: &[u8]) -> Result<String> {
    let mut arcs = Vec::new();
    let mut value: u64 = 0;
    for &b in content {
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            arcs.push(value);
            value = 0;
        }
    }
    let (&first, rest) = arcs.split_first().ok_or("DER: empty OID")?;
    let (a, b) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut out = format!("{a}.{b}");
    for arc in rest {
        write!(out, ".{arc}").expect("writing to a String cannot fail");
    }
    Ok(out)
}

/// The three top-level parts of a Certificate.
pub struct CertParts<'a> {
    /// The TBSCertificate element.
    pub tbs: Tlv<'a>,
    /// The outer signatureAlgorithm element.
    pub sig_alg: Tlv<'a>,
    /// The signatureValue BIT STRING element.
    pub signature: Tlv<'a>,
}

/// Splits a DER Certificate into TBSCertificate, signatureAlgorithm and signatureValue.
pub fn cert_parts(der: &[u8]) -> Result<CertParts<'_>> {
    let cert = read_all(der)?;
    let parts = children(cert.content)?;
    match parts.as_slice() {
        [tbs, sig_alg, signature]
            if tbs.tag == TAG_SEQUENCE
                && sig_alg.tag == TAG_SEQUENCE
                && signature.tag == TAG_BIT_STRING =>
        {
            Ok(CertParts {
                tbs: *tbs,
                sig_alg: *sig_alg,
                signature: *signature,
            })
        }
        _ => Err("DER: not a Certificate".into()),
    }
}

/// The TBSCertificate fields the generator reads back.
pub struct TbsFields<'a> {
    /// Content octets of the serialNumber INTEGER.
    pub serial: &'a [u8],
    /// The issuer Name element.
    pub issuer: Tlv<'a>,
    /// The subject Name element.
    pub subject: Tlv<'a>,
    /// The SubjectPublicKeyInfo element.
    pub spki: Tlv<'a>,
}

/// Reads serial, issuer, subject and SubjectPublicKeyInfo out of a DER certificate.
pub fn tbs_fields(der: &[u8]) -> Result<TbsFields<'_>> {
    let parts = cert_parts(der)?;
    let mut fields = children(parts.tbs.content)?;
    if fields.first().map(|f| f.tag) == Some(TAG_VERSION) {
        fields.remove(0);
    }
    match fields.as_slice() {
        [serial, _sig, issuer, _validity, subject, spki, ..] if serial.tag == TAG_INTEGER => {
            Ok(TbsFields {
                serial: serial.content,
                issuer: *issuer,
                subject: *subject,
                spki: *spki,
            })
        }
        _ => Err("DER: unexpected TBSCertificate layout".into()),
    }
}

/// Reads a Name as a list of RDNs (encoding order), each a list of (dotted OID, value).
pub fn read_name(name: &Tlv<'_>) -> Result<Vec<Vec<(String, String)>>> {
    let mut rdns = Vec::new();
    for set in children(name.content)? {
        if set.tag != TAG_SET {
            return Err("DER: RDN is not a SET".into());
        }
        let mut rdn = Vec::new();
        for atv in children(set.content)? {
            match children(atv.content)?.as_slice() {
                [oid, value] if oid.tag == TAG_OID => {
                    let text = String::from_utf8(value.content.to_vec())?;
                    rdn.push((oid_to_dotted(oid.content)?, text));
                }
                _ => return Err("DER: malformed AttributeTypeAndValue".into()),
            }
        }
        rdns.push(rdn);
    }
    Ok(rdns)
}

/// Rebuilds a Certificate from a TBSCertificate, an AlgorithmIdentifier and raw signature bytes.
pub fn assemble_cert(tbs: &[u8], sig_alg: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(signature);
    let mut body = tbs.to_vec();
    body.extend_from_slice(sig_alg);
    body.extend_from_slice(&encode(TAG_BIT_STRING, &bits));
    encode(TAG_SEQUENCE, &body)
}

/// Counts the positions at which `needle` occurs in `haystack`.
pub fn count_occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Replaces every occurrence of `from` in `bytes` by `to` (both of the same length).
pub fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len(), "replacement must keep lengths");
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
}

/// Rewrites a PKCS#8 v2 (RFC 5958 OneAsymmetricKey) private key as a v1 PrivateKeyInfo by
/// dropping the optional `[1] publicKey`. ring writes Ed25519 keys as v2, which OpenSSL 3.0
/// refuses to load; v1 keys pass through unchanged.
pub fn pkcs8_v1(der: &[u8]) -> Result<Vec<u8>> {
    let outer = read_all(der)?;
    let fields = children(outer.content)?;
    match fields.first() {
        Some(version) if version.tag == TAG_INTEGER && version.content == [1] => {
            let mut body = encode(TAG_INTEGER, &[0]);
            for field in &fields[1..] {
                if field.tag != 0x81 && field.tag != 0xa1 {
                    body.extend_from_slice(field.raw);
                }
            }
            Ok(encode(TAG_SEQUENCE, &body))
        }
        Some(version) if version.tag == TAG_INTEGER && version.content == [0] => Ok(der.to_vec()),
        _ => Err("not a PKCS#8 private key".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_and_read_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let content = vec![0xabu8; len];
            let der = encode(TAG_SEQUENCE, &content);
            let tlv = read_all(&der).unwrap();
            assert_eq!(tlv.tag, TAG_SEQUENCE);
            assert_eq!(tlv.content.len(), len);
            assert_eq!(tlv.raw.len(), der.len());
        }
    }

    #[test]
    fn oids_decode_to_dotted_form() {
        // 2.5.4.3 (commonName) and 1.2.840.113549.1.9.1 (emailAddress).
        assert_eq!(oid_to_dotted(&[0x55, 0x04, 0x03]).unwrap(), "2.5.4.3");
        assert_eq!(
            oid_to_dotted(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01]).unwrap(),
            "1.2.840.113549.1.9.1"
        );
    }

    #[test]
    fn truncated_input_is_an_error() {
        assert!(read(&[0x30, 0x05, 0x00]).is_err());
        assert!(read(&[0x30]).is_err());
        assert!(read_all(&[0x05, 0x00, 0x00]).is_err());
    }

    #[test]
    fn replace_all_swaps_each_occurrence() {
        let mut bytes = vec![1, 2, 3, 9, 1, 2, 3];
        assert_eq!(count_occurrences(&bytes, &[1, 2, 3]), 2);
        replace_all(&mut bytes, &[1, 2, 3], &[4, 5, 6]);
        assert_eq!(bytes, vec![4, 5, 6, 9, 4, 5, 6]);
    }
}
