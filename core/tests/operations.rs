//! Running a verifier in production: reloads (whole policy, from files), generations,
//! counters, the CRL download list. Audit mode and expiry warnings are vectors.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use certgate::{Code, Policy, Verifier};
use common::{Pki, AT, GOOD_SPIFFE_ID};
use serde_json::json;

fn policy(value: serde_json::Value) -> Policy {
    Policy::from_value(value).unwrap()
}

#[test]
fn reload_swaps_the_whole_policy_and_counts_a_generation() {
    let pki = Pki::new();
    let chain = [&pki.good.der];
    let verifier =
        Verifier::new(policy(pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }])))).unwrap();
    assert_eq!(verifier.generation(), 0);
    let identity = verifier.verify(&chain, Some(AT)).unwrap();
    assert_eq!(identity.verification.unwrap().generation, 0);

    verifier
        .reload(policy(pki.policy(json!([{ "dns": "elsewhere.example" }]))))
        .unwrap();
    assert_eq!(verifier.generation(), 1);
    let refused = verifier.verify(&chain, Some(AT)).unwrap_err();
    assert_eq!(
        (refused.code(), refused.generation()),
        (Code::NotAuthorized, Some(1))
    );

    // A bad policy is refused by name and the one in force stays.
    let bad = Policy::from_value(json!({ "trust": { "anchors": "not a certificate" } })).unwrap();
    let error = verifier.reload(bad).unwrap_err();
    assert_eq!(error.code(), Code::InvalidPolicy);
    assert!(
        error.message().starts_with("trust.anchors[0]"),
        "{}",
        error.message()
    );
    assert_eq!(error.generation(), None);
    assert_eq!(verifier.generation(), 1);
    assert_eq!(
        verifier.verify(&chain, Some(AT)).unwrap_err().code(),
        Code::NotAuthorized
    );

    // CRL updates count too; a reload brings the new policy's CRLs.
    verifier.update_crls(&pki.crls_pem()).unwrap();
    assert_eq!(verifier.generation(), 2);
    let stats = verifier.stats();
    assert_eq!((stats.reloads, stats.generation), (1, 2));
}

#[test]
fn concurrent_verifications_see_one_policy_or_the_other_never_a_mix() {
    // Policy A admits the good leaf and refuses the revoked one as REVOKED; policy B has
    // no revocation and admits only the revoked leaf's SPIFFE ID. A mix (A's CRLs with
    // B's rules, say) would refuse both or admit both.
    let pki = Pki::new();
    let a = pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }]));
    let mut b = pki.policy(json!([{ "spiffe_id": "spiffe://example.org/ns/prod/sa/revoked" }]));
    b.as_object_mut().unwrap().remove("revocation");
    let verifier = Arc::new(Verifier::new(policy(a.clone())).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let good = pki.good.der.clone();
    let revoked = pki.revoked.der.clone();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (verifier, stop) = (verifier.clone(), stop.clone());
            let (good, revoked) = (good.clone(), revoked.clone());
            std::thread::spawn(move || {
                let mut decisions = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let first = verifier.verify(&[&good], Some(AT));
                    let second = verifier.verify(&[&revoked], Some(AT));
                    for (result, admitted_under_a) in [(&first, true), (&second, false)] {
                        let generation = match result {
                            Ok(identity) => identity.verification.as_ref().unwrap().generation,
                            Err(rejection) => rejection.generation().unwrap(),
                        };
                        // Even generations run policy A, odd ones policy B.
                        let under_a = generation % 2 == 0;
                        let expected = if under_a == admitted_under_a {
                            None
                        } else {
                            Some(())
                        };
                        match (result, expected, under_a) {
                            (Ok(_), None, _) => {}
                            (Err(r), Some(()), true) => assert_eq!(r.code(), Code::Revoked),
                            (Err(r), Some(()), false) => assert_eq!(r.code(), Code::NotAuthorized),
                            (other, _, _) => panic!("generation {generation}: {other:?}"),
                        }
                    }
                    decisions += 2;
                }
                decisions
            })
        })
        .collect();
    for round in 0..1000 {
        let next = if round % 2 == 0 { &b } else { &a };
        verifier.reload(policy(next.clone())).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let decisions: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(decisions > 0);
    let stats = verifier.stats();
    assert_eq!((stats.reloads, stats.generation), (1000, 1000));
    let counted: u64 = stats.verifications.values().sum();
    assert_eq!(counted, decisions, "every decision is counted once");
}

#[test]
fn stats_count_outcomes_and_list_the_crls() {
    let pki = Pki::new();
    let verifier =
        Verifier::new(policy(pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }])))).unwrap();
    verifier.verify(&[&pki.good.der], Some(AT)).unwrap();
    verifier.verify(&[&pki.good.der], Some(AT)).unwrap();
    verifier.verify(&[&pki.revoked.der], Some(AT)).unwrap_err();
    verifier
        .verify(&[b"garbage".as_slice()], Some(AT))
        .unwrap_err();
    verifier.record_crl_fetch_failure();
    let stats = verifier.stats();
    assert_eq!(stats.verifications["OK"], 2);
    assert_eq!(stats.verifications["REVOKED"], 1);
    assert_eq!(stats.verifications["MALFORMED_CERTIFICATE"], 1);
    assert_eq!(
        stats.verifications.len(),
        Code::ALL.len() + 1,
        "every code, zeros included"
    );
    assert_eq!(
        stats.warnings.keys().copied().collect::<Vec<_>>(),
        ["CHAIN_EXPIRES_SOON", "CRL_STALE_SOON", "LEAF_EXPIRES_SOON"]
    );
    assert_eq!(stats.crl_fetch_failures, 1);
    let crls: Vec<(&str, usize)> = stats
        .crls
        .iter()
        .map(|crl| (crl.issuer.as_str(), crl.entries))
        .collect();
    assert_eq!(
        crls,
        [
            ("CN=Certgate Test Root,O=Certgate Test", 0),
            ("CN=Certgate Test Issuing CA,O=Certgate Test", 1)
        ]
    );
    assert!(stats
        .crls
        .iter()
        .all(|crl| crl.next_update.is_some() && !crl.delta));
}

#[test]
fn audit_admissions_and_warnings_are_counted() {
    let pki = Pki::new();
    let mut value = pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }]));
    value["mode"] = json!("audit");
    value["warn_before_expiry_seconds"] = json!(10 * 365 * 86_400);
    let verifier = Verifier::new(policy(value)).unwrap();
    let admitted = verifier.verify(&[&pki.revoked.der], Some(AT)).unwrap();
    let audit = admitted.verification.unwrap().audit.unwrap();
    assert_eq!(audit.code, Code::Revoked);
    let warned = verifier.verify(&[&pki.good.der], Some(AT)).unwrap();
    let warnings = warned.verification.unwrap().warnings;
    assert!(!warnings.is_empty());
    let stats = verifier.stats();
    assert_eq!(
        (
            stats.audit_admitted,
            stats.verifications["REVOKED"],
            stats.verifications["OK"]
        ),
        (1, 1, 1)
    );
    let counted: u64 = stats.warnings.values().sum();
    assert_eq!(counted, warnings.len() as u64);
}

#[test]
fn crl_fetch_lists_the_urls_and_the_distribution_points() {
    let pki = Pki::new();
    let mut value = pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }]));
    assert_eq!(
        Verifier::new(policy(value.clone())).unwrap().crl_fetch(),
        None
    );
    value["revocation"]["fetch"] =
        json!({ "urls": ["http://crl.example/root.crl"], "refresh_seconds": 600 });
    let fetch = Verifier::new(policy(value.clone()))
        .unwrap()
        .crl_fetch()
        .unwrap();
    assert_eq!(fetch.urls, ["http://crl.example/root.crl"]);
    assert_eq!(fetch.refresh_seconds, Some(600));

    // The distribution points of the policy's own certificates: http(s) ones only.
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = common::name("Root With Distribution Points");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec![
            "http://crl.example/root.crl".to_owned(),
            "ldap://directory.example/cn=root".to_owned(),
            "https://crl.example/other.crl".to_owned(),
        ],
    }];
    let root = params
        .self_signed(&rcgen::KeyPair::generate().unwrap())
        .unwrap();
    value["trust"]["intermediates"] = json!(root.pem());
    value["revocation"]["fetch"]["from_distribution_points"] = json!(true);
    let fetch = Verifier::new(policy(value.clone()))
        .unwrap()
        .crl_fetch()
        .unwrap();
    assert_eq!(
        fetch.urls,
        [
            "http://crl.example/root.crl",
            "https://crl.example/other.crl"
        ],
        "the policy's URLs first, each once"
    );

    for (fetch, wanted) in [
        (json!({ "urls": [] }), "an empty list"),
        (
            json!({ "from_distribution_points": false }),
            "from_distribution_points",
        ),
        (
            json!({ "urls": "ftp://crl.example/x.crl" }),
            "not a CRL URL",
        ),
        (
            json!({ "urls": "http://user@crl.example/x.crl" }),
            "not a CRL URL",
        ),
        (
            json!({ "refresh_seconds": 0, "from_distribution_points": true }),
            "out of range",
        ),
    ] {
        value["revocation"]["fetch"] = fetch;
        let error = Policy::from_value(value.clone()).unwrap_err();
        assert!(
            error.message().starts_with("revocation.fetch"),
            "{}",
            error.message()
        );
        assert!(error.message().contains(wanted), "{}", error.message());
    }
}

#[test]
fn reload_from_file_reads_every_file_again_all_or_nothing() {
    let pki = Pki::new();
    let dir = std::env::temp_dir().join(format!("certgate-reload-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("crls")).unwrap();
    std::fs::write(dir.join("ca.pem"), pki.root.pem()).unwrap();
    std::fs::write(dir.join("intermediate.pem"), pki.intermediate.pem()).unwrap();
    for (index, crl) in pki.crls_pem().iter().enumerate() {
        std::fs::write(dir.join("crls").join(format!("{index}.pem")), crl).unwrap();
    }
    let write_policy = |spiffe_id: &str| {
        let policy = json!({
            "trust": { "anchors": { "file": "ca.pem" }, "intermediates": { "file": "intermediate.pem" } },
            "revocation": { "crls": { "dir": "crls" } },
            "allow": [{ "spiffe_id": spiffe_id }],
        });
        std::fs::write(dir.join("policy.json"), policy.to_string()).unwrap();
    };
    write_policy(GOOD_SPIFFE_ID);
    let verifier = Verifier::from_file(dir.join("policy.json")).unwrap();
    assert_eq!(
        verifier.watched_paths(),
        [
            dir.join("policy.json"),
            dir.join("ca.pem"),
            dir.join("intermediate.pem"),
            dir.join("crls")
        ]
    );
    let chain = [&pki.good.der];
    verifier.verify(&chain, Some(AT)).unwrap();

    write_policy("spiffe://example.org/ns/prod/sa/other");
    verifier.reload_from_file().unwrap();
    assert_eq!(verifier.generation(), 1);
    assert_eq!(
        verifier.verify(&chain, Some(AT)).unwrap_err().code(),
        Code::NotAuthorized
    );

    // A referenced file gone (a half-done update): the error names it, nothing changes.
    write_policy(GOOD_SPIFFE_ID);
    std::fs::remove_file(dir.join("intermediate.pem")).unwrap();
    let error = verifier.reload_from_file().unwrap_err();
    assert_eq!(error.code(), Code::InvalidPolicy);
    assert!(
        error.message().contains("intermediate.pem"),
        "{}",
        error.message()
    );
    assert_eq!(verifier.generation(), 1);
    assert_eq!(
        verifier.verify(&chain, Some(AT)).unwrap_err().code(),
        Code::NotAuthorized
    );

    std::fs::write(dir.join("intermediate.pem"), pki.intermediate.pem()).unwrap();
    verifier.reload_from_file().unwrap();
    verifier.verify(&chain, Some(AT)).unwrap();
    assert_eq!(verifier.stats().reloads, 2);

    let inline =
        Verifier::new(policy(pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }])))).unwrap();
    assert_eq!(
        inline.reload_from_file().unwrap_err().code(),
        Code::InvalidPolicy
    );
    assert!(inline.watched_paths().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
