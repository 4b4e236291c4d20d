//! The target bodies: one function per fuzz target, taking the raw input. Each measures
//! its call with the counting allocator and asserts the invariants of [`crate::check`].

use std::net::IpAddr;

use certgate::{Code, Identity, Mode, Policy, Rejection, Verifier};

use crate::alloc::measure;
use crate::check;
use crate::fixtures::{self, Fixed, AT};
use crate::{header, split};

/// The target names, as `fuzz_targets/<name>.rs` and `corpus/<name>/`.
pub const NAMES: [&str; 7] = [
    "policy",
    "certificates",
    "inspect",
    "verify",
    "crl",
    "forwarded",
    "ocsp",
];

/// The body of target `name`.
pub fn by_name(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "policy" => policy,
        "certificates" => certificates,
        "inspect" => inspect,
        "verify" => verify,
        "crl" => crl,
        "forwarded" => forwarded,
        "ocsp" => ocsp,
        _ => return None,
    })
}

/// The policy JSON (UTF-8 text): `Policy::from_json`, `Verifier::new`, the verifier's
/// accessors, then a fixed good chain verified, and again after `update_crls`. A refused
/// policy is `INVALID_POLICY`; an admission ends at one of *that* policy's anchors.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fixtures = fixtures::get();
    let ((), peak) = measure(|| {
        let policy = match Policy::from_json(text) {
            Ok(policy) => policy,
            Err(refusal) => {
                return check::rejection_in(&refusal, &[Code::InvalidPolicy], "Policy::from_json")
            }
        };
        let verifier = match Verifier::new(policy) {
            Ok(verifier) => verifier,
            Err(refusal) => {
                return check::rejection_in(&refusal, &[Code::InvalidPolicy], "Verifier::new")
            }
        };
        let _ = (
            verifier.warnings(),
            verifier.usage(),
            verifier.crl_fetch(),
            verifier.spiffe_bundle_endpoints(),
            verifier.intermediate_certificates(),
            verifier.anchor_subjects(),
            verifier.forwarded_format(),
            verifier.revoked_serial_count(),
        );
        let anchors = check::fingerprints(&verifier.anchor_certificates());
        let audit = verifier.mode() == Mode::Audit;
        check::outcome(
            &verifier.verify(&fixtures.good_chain, Some(AT)),
            &anchors,
            audit,
        );
        match verifier.update_crls(&fixtures.crls) {
            Ok(()) => {
                check::outcome(
                    &verifier.verify(&fixtures.good_chain, Some(AT)),
                    &anchors,
                    audit,
                );
            }
            Err(refusal) => check::rejection_in(&refusal, &[Code::InvalidPolicy], "update_crls"),
        }
        serde_json::to_string(&verifier.stats()).expect("stats serialise");
    });
    check::allocation("policy", data.len(), peak);
}

/// Chain decoding (PEM with any text around it, DER, PKCS#7, PKCS#12 refused):
/// `certgate::certificates`. What it returns is no bigger than the input, and each
/// certificate read on its own is itself.
pub fn certificates(data: &[u8]) {
    let (result, peak) = measure(|| certgate::certificates(data));
    check::allocation("certificates", data.len(), peak);
    match result {
        Ok(ders) => {
            assert!(!ders.is_empty(), "invariant: Ok with no certificate");
            let total: usize = ders.iter().map(Vec::len).sum();
            assert!(
                total <= data.len(),
                "invariant: {total} bytes of certificates out of {} bytes of input",
                data.len()
            );
            for der in &ders {
                match certgate::certificates(der) {
                    Ok(again) => assert!(
                        again.len() == 1 && again[0] == *der,
                        "invariant: a certificate read on its own is not itself"
                    ),
                    Err(refusal) => {
                        panic!("invariant: a certificate that was read is refused alone: {refusal}")
                    }
                }
            }
        }
        Err(refusal) => check::rejection(&refusal),
    }
}

/// `certgate::inspect`: an identity without verification whose fingerprint is that of
/// the first certificate `certificates` reads from the same input.
pub fn inspect(data: &[u8]) {
    let (result, peak) = measure(|| certgate::inspect(data).inspect(check::identity_json));
    check::allocation("inspect", data.len(), peak);
    match result {
        Ok(identity) => {
            assert!(
                identity.verification.is_none(),
                "invariant: inspect returned a verification"
            );
            if let Ok(ders) = certgate::certificates(data) {
                assert_eq!(
                    identity.fingerprint_sha256,
                    check::sha256_hex(&ders[0]),
                    "invariant: inspect and certificates disagree on the first certificate"
                );
            }
        }
        Err(refusal) => check::rejection(&refusal),
    }
}

/// `verify` with a fixed policy: the first byte picks the policy (anchors and pool only;
/// many anchors with rules, revocation and a decision cache; audit mode), the rest is
/// the chain, items split at [`crate::SEPARATOR`]. An admitted path ends at an anchor of
/// the policy and starts with the leaf the input's first item holds; a cached policy
/// answers a second time exactly as the first.
pub fn verify(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let fixtures = fixtures::get();
    let fixed = &fixtures.verify[usize::from(selector) % fixtures.verify.len()];
    let items = split(rest);
    let ((), peak) = measure(|| {
        let first = fixed.verifier.verify(&items, Some(AT));
        if let Some(identity) = check::outcome(&first, &fixed.anchors, fixed.audit) {
            leaf_is_first_item(identity, &items, fixed);
        }
        if fixed.cached {
            let second = fixed.verifier.verify(&items, Some(AT));
            same_decision(&first, &second, fixed.name);
        }
    });
    check::allocation("verify", data.len(), peak);
}

/// The leaf of an admitted (or audited) chain is the first certificate of the first item.
fn leaf_is_first_item(identity: &Identity, items: &[&[u8]], fixed: &Fixed) {
    if let Some(ders) = items
        .first()
        .and_then(|item| certgate::certificates(item).ok())
    {
        assert_eq!(
            identity.fingerprint_sha256,
            check::sha256_hex(&ders[0]),
            "invariant: policy {}: the identity is not of the first certificate given",
            fixed.name
        );
    }
}

fn same_decision(
    first: &Result<Identity, Rejection>,
    second: &Result<Identity, Rejection>,
    policy: &str,
) {
    match (first, second) {
        (Ok(a), Ok(b)) => assert_eq!(
            a, b,
            "invariant: policy {policy}: the cached decision differs from the first"
        ),
        (Err(a), Err(b)) => assert_eq!(
            a.code(),
            b.code(),
            "invariant: policy {policy}: a repeated refusal changed code"
        ),
        _ => panic!(
            "invariant: policy {policy}: the same chain was decided twice differently: \
             {first:?} then {second:?}"
        ),
    }
}

/// CRL loading and `update_crls`: the input's items (split at [`crate::SEPARATOR`]) as
/// `revocation.crls` of a fixed policy (`{"attached": N}` sources), then as an
/// `update_crls` of a verifier of that policy. Whatever the CRLs, a good chain and a
/// revoked one can only be admitted (ending at the anchor) or refused for revocation
/// (`REVOKED`, `REVOCATION_UNKNOWN`, `CRL_EXPIRED`): CRLs never change anything else.
pub fn crl(data: &[u8]) {
    let fixtures = fixtures::get();
    let items = split(data);
    let ((), peak) = measure(|| {
        let mut policy = Policy::from_value(fixtures::crl_policy_with_attached(items.len()))
            .expect("the attached CRL policy parses");
        policy
            .attach(items.iter().map(|item| item.to_vec()).collect())
            .expect("every item is attached");
        match Verifier::new(policy) {
            Ok(verifier) => {
                decide_after_revocation_update(&verifier, "CRLs loaded with the policy")
            }
            Err(refusal) => {
                check::rejection_in(&refusal, &[Code::InvalidPolicy], "a policy with these CRLs")
            }
        }
        let verifier =
            Verifier::new(fixtures.crl_policy.clone()).expect("the fixed CRL policy builds");
        let before = verifier.generation();
        match verifier.update_crls(&items) {
            Ok(()) => assert_eq!(
                verifier.generation(),
                before + 1,
                "invariant: an update that succeeded did not add one generation"
            ),
            Err(refusal) => {
                check::rejection(&refusal);
                assert_eq!(
                    verifier.generation(),
                    before,
                    "invariant: a refused update changed the generation"
                );
            }
        }
        decide_after_revocation_update(&verifier, "CRLs after update_crls");
    });
    check::allocation("crl", data.len(), peak);
}

/// The good and the revoked chain decided under the revocation data in force (`what`,
/// for messages): an admission ends at an anchor, a refusal is a revocation code.
fn decide_after_revocation_update(verifier: &Verifier, what: &str) {
    let fixtures = fixtures::get();
    let anchors = check::fingerprints(&verifier.anchor_certificates());
    for chain in [&fixtures.good_chain, &fixtures.revoked_chain] {
        match verifier.verify(chain, Some(AT)) {
            Ok(identity) => check::admitted(&identity, &anchors, false),
            Err(refusal) => check::rejection_in(
                &refusal,
                &[Code::Revoked, Code::RevocationUnknown, Code::CrlExpired],
                what,
            ),
        }
    }
    let _ = (verifier.warnings(), verifier.revoked_serial_count());
    serde_json::to_string(&verifier.stats()).expect("stats serialise");
}

/// `update_ocsp` or `add_ocsp` of a verifier.
type OcspUpdate = fn(&Verifier, &[&[u8]]) -> Result<(), Rejection>;

/// OCSP responses, one per item (DER or PEM): `update_ocsp`, then `add_ocsp`, on a
/// verifier whose policy checks the leaf with OCSP before its CRLs; after each, the good
/// and the revoked chain are decided (an admission ends at the anchor, a refusal is a
/// revocation code) and the requests for the good chain are planned. A refused update
/// is `INVALID_POLICY` and changes nothing; one that succeeded adds one generation.
pub fn ocsp(data: &[u8]) {
    let fixtures = fixtures::get();
    let items = split(data);
    let ((), peak) = measure(|| {
        let verifier =
            Verifier::new(fixtures.ocsp_policy.clone()).expect("the fixed OCSP policy builds");
        let updates: [(&str, OcspUpdate); 2] = [
            ("update_ocsp", |verifier, items| verifier.update_ocsp(items)),
            ("add_ocsp", |verifier, items| verifier.add_ocsp(items)),
        ];
        for (name, update) in updates {
            let before = verifier.generation();
            match update(&verifier, &items) {
                Ok(()) => assert_eq!(
                    verifier.generation(),
                    before + 1,
                    "invariant: an {name} that succeeded did not add one generation"
                ),
                Err(refusal) => {
                    check::rejection_in(&refusal, &[Code::InvalidPolicy], name);
                    assert_eq!(
                        verifier.generation(),
                        before,
                        "invariant: a refused {name} changed the generation"
                    );
                }
            }
            decide_after_revocation_update(&verifier, &format!("OCSP responses after {name}"));
            verifier
                .ocsp_queries(&fixtures.good_chain, Some(AT))
                .expect("the requests for a good chain are planned");
        }
    });
    check::allocation("ocsp", data.len(), peak);
}

/// Every forwarded-header format: the first item is the connection's peer address, the
/// others are headers (`name:value`); each is given to the verifier of every format of
/// docs/forwarded.md. An admission names its format, comes from a trusted proxy, and
/// ends at the anchor.
pub fn forwarded(data: &[u8]) {
    let fixtures = fixtures::get();
    let items = split(data);
    let Some((peer, headers)) = items.split_first() else {
        return;
    };
    let peer = String::from_utf8_lossy(peer);
    let headers: Vec<(String, &[u8])> = headers.iter().map(|item| header(item)).collect();
    let ((), peak) = measure(|| {
        for (format, fixed) in fixtures::FORMATS.iter().zip(&fixtures.forwarded) {
            let result = fixed.verifier.verify_forwarded(&headers, &peer, Some(AT));
            if let Some(identity) = check::outcome(&result, &fixed.anchors, false) {
                from_trusted_proxy(identity, format);
            }
        }
    });
    check::allocation("forwarded", data.len(), peak);
}

fn from_trusted_proxy(identity: &Identity, format: &str) {
    let forwarded = identity
        .verification
        .as_ref()
        .and_then(|verification| verification.forwarded.as_ref())
        .expect("invariant: a verify_forwarded admission without `forwarded`");
    assert_eq!(
        forwarded.format, format,
        "invariant: admitted under another format"
    );
    let proxy: IpAddr = forwarded
        .proxy
        .parse()
        .unwrap_or_else(|_| panic!("invariant: proxy {:?} is no address", forwarded.proxy));
    let trusted = match proxy {
        IpAddr::V4(v4) => v4.octets() == [127, 0, 0, 1] || v4.octets()[0] == 10,
        IpAddr::V6(v6) => v6.is_loopback(),
    };
    assert!(
        trusted,
        "invariant: admitted a certificate forwarded by {proxy}, which is not a trusted proxy"
    );
}
