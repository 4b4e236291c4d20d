//! Soak test (`make soak`, not part of `make test`): 8 threads run 1,000,000
//! verifications of a mix of good, revoked, expired, untrusted, garbage and oversized
//! chains while the CRL set is swapped every 10 ms and the policy reloaded every 100 ms.
//! Every decision is checked against the code expected under the CRL set of the
//! generation that made it; RSS is sampled, and its growth after warm-up must stay under
//! 5%. Prints the figures; exits 1 on any wrong decision or growth.
//!
//!   cargo run --release -p certgate --example soak [-- VERIFICATIONS]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use certgate::{Code, Policy, Verifier, MAX_INPUT_BYTES};
use common::{pem, Ca, Pki, AT};
use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType};
use serde_json::json;

const THREADS: u64 = 8;

/// The two CRL sets swapped in turn: the good leaf is current under `Current` and revoked
/// under `Revoking`; the revoked leaf is revoked under both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CrlSet {
    Current,
    Revoking,
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let total: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let pki = Pki::new();
    let expired = {
        let mut params = CertificateParams::default();
        params.distinguished_name = common::name("leaf-expired");
        params.not_before = common::at() - time::Duration::days(60);
        params.not_after = common::at() - time::Duration::days(1);
        params.subject_alt_names = vec![SanType::URI(
            "spiffe://example.org/ns/prod/sa/old".try_into().unwrap(),
        )];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        pki.intermediate.sign_leaf(params)
    };
    let stranger = Ca::root("Elsewhere Root")
        .intermediate("Elsewhere CA")
        .leaf(
            7,
            vec![SanType::URI(
                "spiffe://example.org/ns/prod/sa/payments"
                    .try_into()
                    .unwrap(),
            )],
        );
    let crls = |set: CrlSet| {
        let revoked = match set {
            CrlSet::Current => vec![vec![2]],
            CrlSet::Revoking => vec![vec![1], vec![2]],
        };
        vec![
            pem("X509 CRL", &pki.root.crl([])),
            pem("X509 CRL", &pki.intermediate.crl(revoked)),
        ]
    };
    let (current, revoking) = (crls(CrlSet::Current), crls(CrlSet::Revoking));
    let mut policy = pki.policy(json!([{ "spiffe_trust_domain": "example.org" }]));
    policy["revocation"]["crls"] = json!(current);
    policy["cache"] = json!({ "entries": 256 });
    let policy = Policy::from_value(policy).unwrap();
    let verifier = Arc::new(Verifier::new(policy.clone()).unwrap());

    // The CRL set of every generation, recorded by the thread that made it.
    let sets: Arc<RwLock<HashMap<u64, CrlSet>>> =
        Arc::new(RwLock::new(HashMap::from([(0, CrlSet::Current)])));
    let set_of = |sets: &RwLock<HashMap<u64, CrlSet>>, generation: u64| loop {
        if let Some(set) = sets.read().unwrap().get(&generation) {
            return *set;
        }
        std::thread::yield_now(); // the swapping thread records it right after the swap
    };

    let inputs: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("good", vec![pki.good.der.clone(), pki.intermediate.der()]),
        ("good-pem", vec![pki.good.pem.clone().into_bytes()]),
        ("revoked", vec![pki.revoked.der.clone()]),
        ("expired", vec![expired.der.clone()]),
        ("untrusted", vec![stranger.der.clone()]),
        (
            "garbage",
            vec![b"\x30\x82\xff\xff not a certificate".to_vec()],
        ),
        ("oversized", vec![vec![0x30; MAX_INPUT_BYTES + 1]]),
    ];
    let inputs = Arc::new(inputs);
    let done = Arc::new(AtomicU64::new(0));
    let wrong = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let rss_start = rss_kib();

    let swapper = {
        let (verifier, sets, stop) = (verifier.clone(), sets.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut swaps, mut reloads) = (0u64, 0u64);
            let mut next = CrlSet::Revoking;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(10));
                // Swap and record under the write lock, so a verification of the new
                // generation waits for its record, never reads a missing one for long.
                let mut record = sets.write().unwrap();
                if swaps % 10 == 9 {
                    verifier.reload(policy.clone()).unwrap();
                    record.insert(verifier.generation(), CrlSet::Current);
                    next = CrlSet::Revoking;
                    reloads += 1;
                } else {
                    let crls = if next == CrlSet::Revoking {
                        &revoking
                    } else {
                        &current
                    };
                    verifier.update_crls(crls).unwrap();
                    record.insert(verifier.generation(), next);
                    next = if next == CrlSet::Revoking {
                        CrlSet::Current
                    } else {
                        CrlSet::Revoking
                    };
                }
                // A verification never lags 1,000 swaps (10 s) behind: older records go, so
                // that this bookkeeping does not grow the RSS being measured.
                let generation = verifier.generation();
                record.retain(|&recorded, _| recorded + 1_000 > generation);
                drop(record);
                swaps += 1;
            }
            (swaps, reloads)
        })
    };

    let sampler = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                samples.push(rss_kib());
                std::thread::sleep(Duration::from_millis(100));
            }
            samples
        })
    };

    let workers: Vec<_> = (0..THREADS)
        .map(|worker| {
            let (verifier, sets, inputs, done, wrong) = (
                verifier.clone(),
                sets.clone(),
                inputs.clone(),
                done.clone(),
                wrong.clone(),
            );
            std::thread::spawn(move || {
                let mut n = worker;
                while done.fetch_add(1, Ordering::Relaxed) < total {
                    n += 1;
                    let (name, chain) = &inputs[(n % inputs.len() as u64) as usize];
                    let result = verifier.verify(chain, Some(AT));
                    let generation = match &result {
                        Ok(identity) => identity.verification.as_ref().map(|v| v.generation),
                        Err(refusal) => refusal.generation(),
                    };
                    let expected = match *name {
                        "good" | "good-pem" => match generation.map(|g| set_of(&sets, g)) {
                            Some(CrlSet::Current) => None,
                            _ => Some(Code::Revoked),
                        },
                        "revoked" => Some(Code::Revoked),
                        "expired" => Some(Code::Expired),
                        "untrusted" => Some(Code::UnknownIssuer),
                        "garbage" => Some(Code::MalformedCertificate),
                        _ => Some(Code::InputTooLarge),
                    };
                    let got = result.as_ref().err().map(|refusal| refusal.code());
                    if got != expected {
                        wrong.fetch_add(1, Ordering::Relaxed);
                        eprintln!("wrong: {name} under generation {generation:?}: {got:?}, expected {expected:?}");
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (swaps, reloads) = swapper.join().unwrap();
    let samples = sampler.join().unwrap();

    // Growth after warm-up: the last tenth of the samples against the first tenth after
    // the first fifth of the run.
    let tenth = (samples.len() / 10).max(1);
    let mean = |s: &[u64]| s.iter().sum::<u64>() as f64 / s.len().max(1) as f64;
    let warm = mean(&samples[(samples.len() / 5).min(samples.len() - tenth)..][..tenth]);
    let end = mean(&samples[samples.len() - tenth..]);
    let growth = (end / warm - 1.0) * 100.0;
    let stats = verifier.stats();
    let cache = stats.cache.unwrap();
    let wrong = wrong.load(Ordering::Relaxed);
    println!(
        "soak: {total} verifications on {THREADS} threads in {:.1} s ({:.0}/s); {swaps} CRL swaps \
         and reloads ({reloads} reloads), generation {}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        stats.generation
    );
    println!(
        "decisions: {wrong} wrong; OK {}, REVOKED {}, EXPIRED {}, UNKNOWN_ISSUER {}, \
         MALFORMED_CERTIFICATE {}, INPUT_TOO_LARGE {}; cache {} hits / {} misses",
        stats.verifications["OK"],
        stats.verifications["REVOKED"],
        stats.verifications["EXPIRED"],
        stats.verifications["UNKNOWN_ISSUER"],
        stats.verifications["MALFORMED_CERTIFICATE"],
        stats.verifications["INPUT_TOO_LARGE"],
        cache.hits,
        cache.misses
    );
    println!(
        "RSS: {rss_start} KiB at start, {warm:.0} KiB after warm-up, {end:.0} KiB at the end \
         ({growth:+.1}%, limit +5%), max {} KiB; {} samples",
        samples.iter().max().unwrap_or(&0),
        samples.len()
    );
    if wrong > 0 || growth >= 5.0 {
        std::process::exit(1);
    }
}
