//! SPIFFE: the SPIFFE ID syntax (SPIFFE-ID standard §2) and the X509-SVID rules a
//! certificate must follow to carry a SPIFFE identity (X509-SVID standard §2–§5).

use std::collections::BTreeSet;

const SCHEME: &str = "spiffe://";
const MAX_LENGTH: usize = 2048;

/// The trust domain of a syntactically valid SPIFFE ID.
pub(crate) fn trust_domain(id: &str) -> Option<&str> {
    if id.len() > MAX_LENGTH {
        return None;
    }
    let rest = id.strip_prefix(SCHEME)?;
    let (domain, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, ""),
    };
    if !is_valid_trust_domain(domain) {
        return None;
    }
    // Path: zero or more "/segment", no empty, "." or ".." segments, no trailing slash.
    if !path.is_empty() {
        for segment in path[1..].split('/') {
            let valid = !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
            if !valid {
                return None;
            }
        }
    }
    Some(domain)
}

/// Whether `id` is a syntactically valid SPIFFE ID.
pub(crate) fn is_valid_id(id: &str) -> bool {
    trust_domain(id).is_some()
}

/// Whether a valid SPIFFE ID has a path (`spiffe://td` alone names the trust domain).
fn has_path(id: &str) -> bool {
    id.strip_prefix(SCHEME)
        .is_some_and(|rest| rest.contains('/'))
}

/// Trust domain names: lowercase letters, digits, `.`, `-`, `_`; not empty.
pub(crate) fn is_valid_trust_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 255
        && domain.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
}

/// The trust domains a certificate claims: those of its URI SANs that are valid SPIFFE
/// IDs. A leaf claiming one is validated against that trust domain's authorities only.
pub(crate) fn claimed_trust_domains(uris: &[String]) -> BTreeSet<&str> {
    uris.iter().filter_map(|uri| trust_domain(uri)).collect()
}

/// What certgate reads from a certificate to apply the X509-SVID rules.
pub(crate) struct SvidShape<'a> {
    pub(crate) uris: &'a [String],
    pub(crate) is_ca: bool,
    /// keyUsage bits by RFC 5280 name; `None` without the extension.
    pub(crate) key_usage: Option<&'a [String]>,
}

impl<'a> SvidShape<'a> {
    fn asserts(&self, usage: &str) -> bool {
        self.key_usage
            .is_some_and(|bits| bits.iter().any(|bit| bit == usage))
    }

    /// The leaf's SPIFFE ID if it is a valid X509-SVID leaf, else why not (`None`
    /// reason: the certificate claims no SPIFFE ID at all).
    pub(crate) fn leaf_id(&self) -> Result<&'a str, Option<String>> {
        let [only] = self.uris else {
            if self.uris.iter().any(|uri| uri.starts_with(SCHEME)) {
                return Err(Some(format!(
                    "it has {} URI SANs (X509-SVID §2: exactly one)",
                    self.uris.len()
                )));
            }
            return Err(None);
        };
        if !only.starts_with(SCHEME) {
            return Err(None);
        }
        let broken = if !is_valid_id(only) {
            "its URI SAN is not a valid SPIFFE ID (SPIFFE-ID §2)"
        } else if !has_path(only) {
            "its SPIFFE ID has no path (X509-SVID §3.1: a leaf's ID has a non-root path)"
        } else if self.is_ca {
            "it is a CA certificate (X509-SVID §4.1: a leaf has cA false)"
        } else if self.key_usage.is_none() {
            "it has no keyUsage extension (X509-SVID §4.3: a leaf sets digitalSignature)"
        } else if !self.asserts("digitalSignature") {
            "its keyUsage lacks digitalSignature (X509-SVID §4.3)"
        } else if self.asserts("keyCertSign") {
            "its keyUsage asserts keyCertSign (X509-SVID §4.3: not in a leaf)"
        } else if self.asserts("cRLSign") {
            "its keyUsage asserts cRLSign (X509-SVID §4.3: not in a leaf)"
        } else {
            return Ok(only);
        };
        Err(Some(broken.to_owned()))
    }
}

/// Why a certificate on the path above an SVID leaf cannot sign SVIDs, if it cannot:
/// `may_sign_certificates` is false when a keyUsage extension lacks keyCertSign.
pub(crate) fn signing_violation(is_ca: bool, may_sign_certificates: bool) -> Option<&'static str> {
    if !is_ca {
        Some("it is not a CA (X509-SVID §4.1: a signing certificate has cA true)")
    } else if !may_sign_certificates {
        Some("its keyUsage lacks keyCertSign (X509-SVID §4.3)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_ids() {
        assert_eq!(trust_domain("spiffe://example.org"), Some("example.org"));
        assert_eq!(
            trust_domain("spiffe://example.org/ns/prod/sa/web"),
            Some("example.org")
        );
    }

    #[test]
    fn rejects_invalid_ids() {
        for bad in [
            "spiffe://",
            "spiffe://Example.org/a",
            "spiffe://example.org/",
            "spiffe://example.org//a",
            "spiffe://example.org/a/../b",
            "spiffe://example.org/a?q=1",
            "spiffe://user@example.org/a",
            "spiffe://example.org:8080/a",
            "SPIFFE://example.org/a",
            "https://example.org/a",
        ] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn leaf_rules_say_which_one_is_broken() {
        let uri = vec!["spiffe://example.org/ns/a".to_owned()];
        let signing = vec!["digitalSignature".to_owned()];
        let shape = |uris: &[String], is_ca, key_usage: Option<&[String]>| {
            SvidShape {
                uris,
                is_ca,
                key_usage,
            }
            .leaf_id()
            .map(str::to_owned)
        };
        assert_eq!(
            shape(&uri, false, Some(&signing)),
            Ok("spiffe://example.org/ns/a".to_owned())
        );
        let broken = |result: Result<String, Option<String>>| result.unwrap_err().unwrap();
        assert!(broken(shape(&uri, true, Some(&signing))).contains("§4.1"));
        assert!(broken(shape(&uri, false, None)).contains("no keyUsage"));
        let cert_sign = vec!["digitalSignature".to_owned(), "keyCertSign".to_owned()];
        assert!(broken(shape(&uri, false, Some(&cert_sign))).contains("keyCertSign"));
        let root = vec!["spiffe://example.org".to_owned()];
        assert!(broken(shape(&root, false, Some(&signing))).contains("no path"));
        let two = vec![uri[0].clone(), "urn:x".to_owned()];
        assert!(broken(shape(&two, false, Some(&signing))).contains("2 URI SANs"));
        let https = vec!["https://example.org".to_owned()];
        assert_eq!(shape(&https, false, Some(&signing)), Err(None));
    }
}
