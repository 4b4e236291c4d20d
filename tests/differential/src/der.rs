//! The few DER encodings the mutations write by hand (extension values rcgen cannot
//! mark non-critical, or leave out, or get wrong on purpose).

/// One TLV with a definite length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// SEQUENCE of the concatenated encodings.
pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// basicConstraints: `cA` (DEFAULT FALSE, so omitted when false) and pathLenConstraint.
pub fn basic_constraints(ca: bool, path_len: Option<u8>) -> Vec<u8> {
    let mut parts = Vec::new();
    if ca {
        parts.push(vec![0x01, 0x01, 0xff]);
    }
    if let Some(n) = path_len {
        if n >= 0x80 {
            parts.push(vec![0x02, 0x02, 0x00, n]);
        } else {
            parts.push(vec![0x02, 0x01, n]);
        }
    }
    seq(&parts)
}

/// subjectKeyIdentifier: an OCTET STRING.
pub fn subject_key_identifier(id: &[u8]) -> Vec<u8> {
    tlv(0x04, id)
}

/// authorityKeyIdentifier with only `[0] keyIdentifier`.
pub fn authority_key_identifier(id: &[u8]) -> Vec<u8> {
    seq(&[tlv(0x80, id)])
}

/// nameConstraints with dNSName subtrees (`[0]` permitted, `[1]` excluded).
pub fn name_constraints(permitted: &[String], excluded: &[String]) -> Vec<u8> {
    let subtrees = |names: &[String]| -> Vec<u8> {
        names
            .iter()
            .flat_map(|name| seq(&[tlv(0x82, name.as_bytes())]))
            .collect()
    };
    let mut parts = Vec::new();
    if !permitted.is_empty() {
        parts.push(tlv(0xa0, &subtrees(permitted)));
    }
    if !excluded.is_empty() {
        parts.push(tlv(0xa1, &subtrees(excluded)));
    }
    seq(&parts)
}

/// keyUsage: a BIT STRING with the given bits (0 = digitalSignature) set, DER (no
/// trailing zero bits).
pub fn key_usage(bits: &[u8]) -> Vec<u8> {
    let mut value: u16 = 0;
    for bit in bits {
        value |= 0x8000 >> bit;
    }
    let used = 16 - value.trailing_zeros() as usize; // bits up to the last one set
    let octets = used.div_ceil(8).max(1);
    let unused = (octets * 8 - used) as u8;
    let mut content = vec![unused];
    content.extend_from_slice(&value.to_be_bytes()[..octets]);
    tlv(0x03, &content)
}

/// certificatePolicies holding anyPolicy (2.5.29.32.0).
pub fn any_policy() -> Vec<u8> {
    seq(&[seq(&[tlv(0x06, &[0x55, 0x1d, 0x20, 0x00])])])
}

/// An Ed25519 private key as PKCS#8 v2 (RFC 8410 OneAsymmetricKey with the public key),
/// the form ring writes and reads.
pub fn ed25519_pkcs8(seed: &[u8; 32], public: &[u8]) -> Vec<u8> {
    let algorithm = seq(&[tlv(0x06, &[0x2b, 0x65, 0x70])]);
    let private = tlv(0x04, &tlv(0x04, seed));
    let mut bits = vec![0u8];
    bits.extend_from_slice(public);
    let public = tlv(0xa1, &tlv(0x03, &bits));
    seq(&[vec![0x02, 0x01, 0x01], algorithm, private, public])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let long = tlv(0x04, &[0; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(
            basic_constraints(true, Some(0)),
            vec![0x30, 6, 1, 1, 0xff, 2, 1, 0]
        );
        assert_eq!(basic_constraints(false, None), vec![0x30, 0]);
        assert_eq!(key_usage(&[0]), vec![0x03, 2, 7, 0x80]);
        assert_eq!(key_usage(&[5, 6]), vec![0x03, 2, 1, 0x06]);
        assert_eq!(key_usage(&[0, 8]), vec![0x03, 3, 7, 0x80, 0x80]);
    }
}
