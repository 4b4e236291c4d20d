//! The caches (docs/operations.md#caches): the decision cache (`"cache"` in the policy)
//! answers repeat chains, but never past a CRL update, a reload, the end of a
//! certificate's or a CRL's validity, and never for a refusal; the signature cache only
//! remembers checks that succeeded.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use certgate::{CacheStats, Code, ExpiryWarningCode, Policy, Verifier};
use common::{pem, Pki, AT, GOOD_SPIFFE_ID};
use serde_json::json;

const DAY: u64 = 86_400;

/// The usual test policy (CRLs of both CAs, the good leaf allowed) with a decision cache.
fn cached(pki: &Pki, entries: u64) -> Verifier {
    let mut policy = pki.policy(json!([{ "spiffe_trust_domain": "example.org" }]));
    policy["cache"] = json!({ "entries": entries });
    Verifier::new(Policy::from_value(policy).unwrap()).unwrap()
}

fn cache_stats(verifier: &Verifier) -> CacheStats {
    verifier.stats().cache.expect("the policy has a cache")
}

/// (hits, misses, evictions, entries)
fn counts(verifier: &Verifier) -> (u64, u64, u64, usize) {
    let stats = cache_stats(verifier);
    (stats.hits, stats.misses, stats.evictions, stats.entries)
}

#[test]
fn a_repeat_chain_is_answered_from_the_cache_with_the_same_identity() {
    let pki = Pki::new();
    let verifier = cached(&pki, 16);
    let chain = [&pki.good.der];
    let first = verifier.verify(&chain, Some(AT)).unwrap();
    assert_eq!(counts(&verifier), (0, 1, 0, 1));
    let again = verifier.verify(&chain, Some(AT + 60)).unwrap();
    assert_eq!(counts(&verifier), (1, 1, 0, 1));
    assert_eq!(again, first);
    assert_eq!(again.spiffe_id.as_deref(), Some(GOOD_SPIFFE_ID));
    // Hits are verifications like any other.
    assert_eq!(verifier.stats().verifications["OK"], 2);
    // The same certificate sent as PEM is another presentation, so another key.
    verifier.verify(&[&pki.good.pem], Some(AT)).unwrap();
    assert_eq!(counts(&verifier), (1, 2, 0, 2));
    // Without "cache", stats() has no cache section.
    let plain = Verifier::new(Policy::from_value(pki.policy(json!([]))).unwrap()).unwrap();
    assert_eq!(plain.stats().cache, None);
}

#[test]
fn verify_shared_hands_out_the_identity_the_cache_holds() {
    let pki = Pki::new();
    let verifier = cached(&pki, 16);
    let chain = [&pki.good.der];
    let first = verifier.verify_shared(&chain, Some(AT)).unwrap();
    let hit = verifier.verify_shared(&chain, Some(AT + 60)).unwrap();
    assert_eq!(counts(&verifier), (1, 1, 0, 1));
    assert!(Arc::ptr_eq(&first, &hit), "a hit is not copied");
    assert_eq!(*hit, verifier.verify(&chain, Some(AT)).unwrap());
    // Without a cache every decision is its own.
    let allow = json!([{ "spiffe_trust_domain": "example.org" }]);
    let plain = Verifier::new(Policy::from_value(pki.policy(allow)).unwrap()).unwrap();
    let once = plain.verify_shared(&chain, Some(AT)).unwrap();
    let twice = plain.verify_shared(&chain, Some(AT)).unwrap();
    assert!(!Arc::ptr_eq(&once, &twice));
    assert_eq!(once, twice);
}

#[test]
fn a_certificate_revoked_after_it_was_cached_is_refused_after_update_crls() {
    let pki = Pki::new();
    let verifier = cached(&pki, 16);
    let chain = [&pki.good.der];
    verifier.verify(&chain, Some(AT)).unwrap();
    verifier.verify(&chain, Some(AT)).unwrap();
    assert_eq!(counts(&verifier).0, 1);
    verifier
        .update_crls(&[
            pem("X509 CRL", &pki.root.crl([])),
            pem("X509 CRL", &pki.intermediate.crl([vec![1], vec![2]])),
        ])
        .unwrap();
    let refused = verifier.verify(&chain, Some(AT)).unwrap_err();
    assert_eq!(refused.code(), Code::Revoked);
    // Refusals are never cached: the next one is decided from scratch too.
    verifier.verify(&chain, Some(AT)).unwrap_err();
    assert_eq!(counts(&verifier), (1, 3, 0, 1));
}

#[test]
fn a_certificate_that_expired_after_it_was_cached_is_refused_at_a_later_time() {
    let pki = Pki::new();
    // The CRLs outlive the leaf here, so the leaf's notAfter is what ends the entry.
    let far = common::at() + time::Duration::days(365);
    let mut policy = pki.policy(json!([{ "spiffe_trust_domain": "example.org" }]));
    policy["revocation"]["crls"] = json!([
        pem("X509 CRL", &pki.root.crl_until([], far)),
        pem("X509 CRL", &pki.intermediate.crl_until([], far)),
    ]);
    policy["cache"] = json!({ "entries": 16 });
    let verifier = Verifier::new(Policy::from_value(policy).unwrap()).unwrap();
    let chain = [&pki.good.der];
    verifier.verify(&chain, Some(AT)).unwrap();
    // The leaf is valid from AT - 30 days to AT + 30 days.
    verifier.verify(&chain, Some(AT + 29 * DAY)).unwrap();
    assert_eq!(counts(&verifier).0, 1);
    let expired = verifier.verify(&chain, Some(AT + 31 * DAY)).unwrap_err();
    assert_eq!(expired.code(), Code::Expired);
    let early = verifier.verify(&chain, Some(AT - 31 * DAY)).unwrap_err();
    assert_eq!(early.code(), Code::NotYetValid);
    assert_eq!(counts(&verifier).0, 1, "outside the window is a miss");
}

#[test]
fn an_entry_ends_where_a_crl_of_the_set_turns_stale() {
    let pki = Pki::new();
    let verifier = cached(&pki, 16);
    let chain = [&pki.good.der];
    verifier.verify(&chain, Some(AT)).unwrap();
    // The CRLs' nextUpdate is AT + 7 days: past it the decision is CRL_EXPIRED.
    verifier.verify(&chain, Some(AT + 7 * DAY)).unwrap();
    assert_eq!(counts(&verifier).0, 1);
    let stale = verifier.verify(&chain, Some(AT + 7 * DAY + 1)).unwrap_err();
    assert_eq!(stale.code(), Code::CrlExpired);
}

#[test]
fn a_reload_invalidates_the_cache() {
    let pki = Pki::new();
    let verifier = cached(&pki, 16);
    let chain = [&pki.good.der];
    verifier.verify(&chain, Some(AT)).unwrap();
    let mut stricter = pki.policy(json!([{ "dns": "elsewhere.example" }]));
    stricter["cache"] = json!({ "entries": 16 });
    verifier
        .reload(Policy::from_value(stricter).unwrap())
        .unwrap();
    let refused = verifier.verify(&chain, Some(AT)).unwrap_err();
    assert_eq!(refused.code(), Code::NotAuthorized);
    // The counters carry on across the reload; the new policy's cache starts empty.
    assert_eq!(counts(&verifier), (0, 2, 0, 0));
}

#[test]
fn expiry_warnings_of_a_hit_are_those_of_its_own_time() {
    let pki = Pki::new();
    let mut policy = pki.policy(json!([{ "spiffe_trust_domain": "example.org" }]));
    policy["cache"] = json!({ "entries": 4 });
    policy["warn_before_expiry_seconds"] = json!(10 * DAY);
    let verifier = Verifier::new(Policy::from_value(policy).unwrap()).unwrap();
    let chain = [&pki.good.der];
    let crl_left = |at: u64| {
        let identity = verifier.verify(&chain, Some(at)).unwrap();
        let warnings = identity.verification.unwrap().warnings;
        assert!(warnings
            .iter()
            .all(|w| w.code == ExpiryWarningCode::CrlStaleSoon));
        warnings.iter().map(|w| w.seconds_left).collect::<Vec<_>>()
    };
    let seven_days = i64::try_from(7 * DAY).unwrap();
    assert_eq!(crl_left(AT), [seven_days, seven_days]);
    assert_eq!(crl_left(AT + 100), [seven_days - 100, seven_days - 100]);
    // The later hit got its own copy: the entry still holds the first time's warnings.
    assert_eq!(crl_left(AT), [seven_days, seven_days]);
    assert_eq!(counts(&verifier).0, 2);
    assert_eq!(verifier.stats().warnings["CRL_STALE_SOON"], 6);
}

#[test]
fn refusals_and_audit_admissions_are_never_cached() {
    let pki = Pki::new();
    let verifier = cached(&pki, 16);
    for _ in 0..3 {
        let refused = verifier.verify(&[&pki.revoked.der], Some(AT)).unwrap_err();
        assert_eq!(refused.code(), Code::Revoked);
    }
    assert_eq!(counts(&verifier), (0, 3, 0, 0));

    let mut audit = pki.policy(json!([{ "dns": "elsewhere.example" }]));
    audit["mode"] = json!("audit");
    audit["cache"] = json!({ "entries": 16 });
    let verifier = Verifier::new(Policy::from_value(audit).unwrap()).unwrap();
    for _ in 0..3 {
        let admitted = verifier.verify(&[&pki.good.der], Some(AT)).unwrap();
        assert_eq!(
            admitted.verification.unwrap().audit.unwrap().code,
            Code::NotAuthorized
        );
    }
    assert_eq!(counts(&verifier), (0, 3, 0, 0));
}

#[test]
fn a_flood_of_distinct_chains_never_grows_the_cache_past_its_size() {
    let pki = Pki::new();
    let verifier = cached(&pki, 64);
    // The same certificate with other text around its PEM block: a distinct chain each
    // time, as a peer that varies what it sends would make them.
    let chains: Vec<String> = (0..2_000)
        .map(|n| format!("flood {n}\n{}", pki.good.pem))
        .collect();
    for chain in &chains {
        verifier.verify(&[chain], Some(AT)).unwrap();
    }
    let stats = cache_stats(&verifier);
    assert_eq!((stats.entries, stats.capacity), (64, 64));
    assert_eq!((stats.misses, stats.evictions), (2_000, 2_000 - 64));
    // The most recent ones are the ones kept.
    verifier.verify(&[&chains[1_999]], Some(AT)).unwrap();
    verifier.verify(&[&chains[0]], Some(AT)).unwrap();
    assert_eq!(counts(&verifier).0, 1);
}

#[test]
fn threads_hammering_same_and_distinct_chains_while_crls_change_never_decide_wrongly() {
    // Generation parity names the CRL set: even, the good leaf is current; odd, it is
    // revoked. Every outcome must agree with the generation it reports.
    let pki = Pki::new();
    let verifier = Arc::new(cached(&pki, 32));
    let current = vec![
        pem("X509 CRL", &pki.root.crl([])),
        pem("X509 CRL", &pki.intermediate.crl([vec![2]])),
    ];
    let revoking = vec![
        pem("X509 CRL", &pki.root.crl([])),
        pem("X509 CRL", &pki.intermediate.crl([vec![1], vec![2]])),
    ];
    verifier.update_crls(&current).unwrap(); // generation 1: make it even with a second
    verifier.update_crls(&current).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let chains: Arc<Vec<String>> = Arc::new(
        (0..48)
            .map(|n| format!("variant {}\n{}", n % 40, pki.good.pem))
            .collect(),
    );
    let revoked = Arc::new(pki.revoked.der.clone());
    let workers: Vec<_> = (0..8)
        .map(|worker| {
            let (verifier, stop, chains, revoked) = (
                verifier.clone(),
                stop.clone(),
                chains.clone(),
                revoked.clone(),
            );
            std::thread::spawn(move || {
                let mut decisions = 0u64;
                let mut round = worker;
                while !stop.load(Ordering::Relaxed) || decisions < 200 {
                    round += 1;
                    // Half the time the one chain every thread sends, else one of many.
                    let chain = if round % 2 == 0 {
                        &chains[0]
                    } else {
                        &chains[round % 48]
                    };
                    match verifier.verify(&[chain], Some(AT)) {
                        Ok(identity) => {
                            let generation = identity.verification.unwrap().generation;
                            assert_eq!(generation % 2, 0, "admitted under a revoking set");
                        }
                        Err(refused) => {
                            assert_eq!(refused.code(), Code::Revoked);
                            assert_eq!(
                                refused.generation().unwrap() % 2,
                                1,
                                "refused under a current set"
                            );
                        }
                    }
                    let refused = verifier
                        .verify(&[revoked.as_slice()], Some(AT))
                        .unwrap_err();
                    assert_eq!(refused.code(), Code::Revoked);
                    decisions += 2;
                }
                decisions
            })
        })
        .collect();
    for swap in 0..400 {
        let crls = if swap % 2 == 0 { &revoking } else { &current };
        verifier.update_crls(crls).unwrap();
        std::thread::yield_now();
    }
    stop.store(true, Ordering::Relaxed);
    let decisions: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    let stats = cache_stats(&verifier);
    assert!(decisions >= 1_600);
    assert!(stats.hits > 0, "{stats:?}");
    assert!(stats.entries <= 32);
}

#[test]
fn the_signature_cache_only_remembers_checks_that_succeeded() {
    let pki = Pki::new();
    let verifier = Verifier::new(
        Policy::from_value(pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }]))).unwrap(),
    )
    .unwrap();
    let chain = [&pki.good.der];
    verifier.verify(&chain, Some(AT)).unwrap();
    // The same leaf with its signature's last byte changed: the cached check of the
    // genuine signature must not vouch for it, nor the other way round.
    let mut forged = pki.good.der.clone();
    let last = forged.len() - 1;
    forged[last] ^= 0x01;
    for _ in 0..2 {
        let refused = verifier.verify(&[&forged], Some(AT)).unwrap_err();
        assert_eq!(refused.code(), Code::BadSignature, "{}", refused.message());
        verifier.verify(&chain, Some(AT)).unwrap();
    }
}
