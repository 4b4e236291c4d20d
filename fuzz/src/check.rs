//! The invariants every target asserts. A violation panics with a message that starts
//! with `invariant:`, which libFuzzer reports as a crash and the replay as a failure.

use std::collections::HashSet;

use certgate::{Code, Identity, Rejection, MAX_CHAIN_CERTIFICATES};

/// Allocation bound, per byte of input (see [`allocation`]).
pub const ALLOCATION_FACTOR: usize = 64;
/// Allocation bound, fixed part: 2 MiB (see [`allocation`]), about ten times the most a
/// seed input needs (a verifier of a policy with its caches: ~170 KB).
pub const ALLOCATION_SLACK: usize = 2 << 20;

/// The most certificates a built path holds: `max_chain_length` is effective up to 8
/// (docs/decision.md, Limits), leaf and anchor included.
pub const MAX_PATH: usize = 8;

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of each certificate.
pub fn fingerprints(ders: &[Vec<u8>]) -> HashSet<String> {
    ders.iter().map(|der| sha256_hex(der)).collect()
}

/// A refusal has one of the documented codes ([`Code::ALL`]), never `INTERNAL` ("never
/// expected"), a message, and a certificate index within the chain limit.
pub fn rejection(rejection: &Rejection) {
    let code = rejection.code();
    assert!(
        Code::ALL.contains(&code),
        "invariant: refusal with an undocumented code {code:?}: {rejection}"
    );
    assert_eq!(
        Code::from_name(code.as_str()),
        Some(code),
        "invariant: code {code:?} does not round-trip by name"
    );
    assert_ne!(
        code,
        Code::Internal,
        "invariant: INTERNAL refusal (never expected): {rejection}"
    );
    assert!(
        !rejection.message().is_empty(),
        "invariant: refusal {code} without a message"
    );
    if let Some(index) = rejection.cert_index() {
        assert!(
            index <= MAX_CHAIN_CERTIFICATES,
            "invariant: cert_index {index} past the chain limit: {rejection}"
        );
    }
}

/// Like [`rejection`], and the code is one of `expected`.
pub fn rejection_in(rejection: &Rejection, expected: &[Code], context: &str) {
    self::rejection(rejection);
    assert!(
        expected.contains(&rejection.code()),
        "invariant: {context}: refused {} where only {expected:?} can be: {rejection}",
        rejection.code()
    );
}

/// The identity serialises to JSON that parses.
pub fn identity_json(identity: &Identity) {
    let text = identity.to_json();
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
        panic!("invariant: identity JSON does not parse ({e}): {text}");
    }
}

/// The outcome of a verification by a verifier whose anchors are `anchors`: a refusal
/// passes [`rejection`]; an admission passes [`admitted`]. Returns the identity.
pub fn outcome<'r>(
    result: &'r Result<Identity, Rejection>,
    anchors: &HashSet<String>,
    audit_mode: bool,
) -> Option<&'r Identity> {
    match result {
        Ok(identity) => {
            admitted(identity, anchors, audit_mode);
            Some(identity)
        }
        Err(refusal) => {
            rejection(refusal);
            None
        }
    }
}

/// What an admission must satisfy: it is a verified identity; unless an audit-mode
/// policy admitted it despite a refusal (then `audit` carries a valid refusal and no
/// path), its path is non-empty, starts with the leaf, ends at one of the policy's
/// anchors, and is no longer than the limit. Nothing that does not chain to the
/// anchors is admitted.
pub fn admitted(identity: &Identity, anchors: &HashSet<String>, audit_mode: bool) {
    let verification = identity
        .verification
        .as_ref()
        .expect("invariant: verify returned an identity without its verification");
    identity_json(identity);
    if let Some(audit) = &verification.audit {
        assert!(
            audit_mode,
            "invariant: an enforce-mode policy admitted with an audit ({:?}: {})",
            audit.code, audit.message
        );
        rejection(&Rejection::new(audit.code, audit.message.clone()));
        assert!(
            verification.chain_fingerprints.is_empty(),
            "invariant: an audit admission reports a path"
        );
        return;
    }
    let path = &verification.chain_fingerprints;
    assert!(
        path.len() >= 2,
        "invariant: admitted with a path of {} certificates (leaf and anchor at least): {path:?}",
        path.len()
    );
    assert!(
        path.len() <= MAX_PATH,
        "invariant: admitted with a path of {} certificates, over {MAX_PATH}",
        path.len()
    );
    assert_eq!(
        path[0], identity.fingerprint_sha256,
        "invariant: the path does not start with the leaf"
    );
    let last = &path[path.len() - 1];
    assert!(
        anchors.contains(last),
        "invariant: admitted a chain that does not end at an anchor: path {path:?}, anchors {anchors:?}"
    );
}

/// The allocation bound of one call on `input_len` bytes:
/// `ALLOCATION_FACTOR × input_len + ALLOCATION_SLACK` (64 × input + 2 MiB). Every input
/// is bounded by the documented limits (`MAX_INPUT_BYTES` per item, 16 certificates of
/// at most 64 KiB), so what a call holds is proportional to its input; the slack covers
/// the fixed cost of a verifier and its caches.
pub fn allocation_bound(input_len: usize) -> usize {
    ALLOCATION_FACTOR
        .saturating_mul(input_len)
        .saturating_add(ALLOCATION_SLACK)
}

/// Peak live bytes of one call on `input_len` bytes stayed within [`allocation_bound`].
pub fn allocation(target: &str, input_len: usize, peak: usize) {
    let bound = allocation_bound(input_len);
    assert!(
        peak <= bound,
        "invariant: {target}: one call on {input_len} bytes held {peak} bytes at its peak, \
         over the bound of {bound} (64 x input + 2 MiB)"
    );
}
