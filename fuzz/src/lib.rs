//! Fuzz targets for certgate (issue 17): the bodies of the libFuzzer targets in
//! `fuzz_targets/` and of the stable corpus replay in `tests/replay.rs`, which both call
//! [`targets`]. Each body asserts the invariants of [`check`]: no panic, a refusal
//! always has one of the documented codes, allocation within a bound, and `verify`
//! admits nothing that does not chain to the policy's anchors.
//!
//! Inputs that hold several byte strings (a chain, a CRL set, headers) are split at
//! [`SEPARATOR`]; `examples/seed.rs` writes the seed corpora in that format.

pub mod alloc;
pub mod check;
pub mod fixtures;
pub mod targets;

/// Separates the items of one input (chain items, CRLs, headers). Printable, so the
/// fuzzer and the dictionaries can make it; no PEM or base64 text contains it.
pub const SEPARATOR: &[u8] = b"\n--8<--\n";

/// The items of `data`, split at [`SEPARATOR`]; no items for empty data.
pub fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut items = Vec::new();
    if data.is_empty() {
        return items;
    }
    let mut rest = data;
    while let Some(at) = find(rest, SEPARATOR) {
        items.push(&rest[..at]);
        rest = &rest[at + SEPARATOR.len()..];
    }
    items.push(rest);
    items
}

/// The input whose [`split`] is `items` (the seed writer's side).
pub fn join<I: AsRef<[u8]>>(items: &[I]) -> Vec<u8> {
    let mut data = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            data.extend_from_slice(SEPARATOR);
        }
        data.extend_from_slice(item.as_ref());
    }
    data
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// One header of a `forwarded` input: `name:value`, split at the first colon (the value
/// keeps its leading space; certgate trims values). Without a colon, a name and no value.
pub fn header(item: &[u8]) -> (String, &[u8]) {
    match item.iter().position(|&b| b == b':') {
        Some(colon) => (
            String::from_utf8_lossy(&item[..colon]).into_owned(),
            &item[colon + 1..],
        ),
        None => (String::from_utf8_lossy(item).into_owned(), &[][..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_join_round_trip() {
        assert!(split(b"").is_empty());
        assert_eq!(split(b"a"), vec![&b"a"[..]]);
        let items: Vec<&[u8]> = vec![b"leaf", b"", b"int"];
        assert_eq!(split(&join(&items)), items);
        assert_eq!(header(b"X-A: v:w"), ("X-A".to_owned(), &b" v:w"[..]));
        assert_eq!(header(b"X-A"), ("X-A".to_owned(), &b""[..]));
    }
}
