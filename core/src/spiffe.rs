//! SPIFFE ID syntax (SPIFFE-ID standard §2): `spiffe://<trust domain>/<path>`.

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

/// Trust domain names: lowercase letters, digits, `.`, `-`, `_`; not empty.
pub(crate) fn is_valid_trust_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 255
        && domain.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
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
}
