//! Decisions on a freshly generated PKI: the happy path, revocation, hot CRL updates,
//! and the input limits.

mod common;

use certgate::{Code, Verifier, MAX_CHAIN_CERTIFICATES, MAX_UNIX_SECONDS};
use common::{pem, Pki, AT, GOOD_SPIFFE_ID};
use serde_json::json;

fn verifier(pki: &Pki, allow: serde_json::Value) -> Verifier {
    certgate::Policy::from_value(pki.policy(allow))
        .and_then(Verifier::new)
        .expect("policy compiles")
}

#[test]
fn allowed_leaf_yields_identity_with_path_and_rule() {
    let pki = Pki::new();
    let verifier = verifier(
        &pki,
        json!([{ "dns": "nope.example" }, { "spiffe_id": "spiffe://example.org/ns/*/sa/payments" }]),
    );
    let identity = verifier.verify(&[&pki.good.der], Some(AT)).unwrap();
    assert_eq!(identity.spiffe_id.as_deref(), Some(GOOD_SPIFFE_ID));
    assert_eq!(identity.subject, "CN=leaf-1,O=Certgate Test");
    let verification = identity.verification.as_ref().unwrap();
    assert_eq!(verification.matched_rule, Some(1));
    assert_eq!(verification.chain_fingerprints.len(), 3);
    assert_eq!(
        verification.chain_fingerprints[0],
        identity.fingerprint_sha256
    );
}

#[test]
fn the_verification_time_has_one_range_for_every_binding() {
    assert_eq!(MAX_UNIX_SECONDS, (1 << 53) - 1);
    assert_eq!(certgate::unix_seconds(0.0), Some(0));
    assert_eq!(certgate::unix_seconds(1.9), Some(1));
    assert_eq!(
        certgate::unix_seconds(MAX_UNIX_SECONDS as f64),
        Some(MAX_UNIX_SECONDS)
    );
    for outside in [-0.5, -1.0, 2f64.powi(53), f64::NAN, f64::INFINITY] {
        assert_eq!(certgate::unix_seconds(outside), None, "{outside}");
    }
    // Rust callers may pass any u64: beyond the range it saturates, equally expired.
    let pki = Pki::new();
    let verifier = verifier(&pki, json!([{ "spiffe_trust_domain": "example.org" }]));
    for at in [MAX_UNIX_SECONDS, u64::MAX] {
        let rejection = verifier.verify(&[&pki.good.der], Some(at)).unwrap_err();
        assert_eq!(rejection.code(), Code::Expired, "{at}");
        assert!(
            rejection.message().contains("verification time"),
            "{}",
            rejection.message()
        );
    }
}

#[test]
fn peer_sent_intermediate_and_pem_bundle_work_without_the_pool() {
    let pki = Pki::new();
    let policy = json!({ "trust": { "anchors": pki.root.pem() } });
    let verifier = Verifier::new(certgate::Policy::from_value(policy).unwrap()).unwrap();
    let bundle = format!("{}{}", pki.good.pem, pki.intermediate.pem());
    let identity = verifier.verify(&[bundle.as_bytes()], Some(AT)).unwrap();
    assert_eq!(identity.verification.unwrap().matched_rule, None);
    let missing = verifier.verify(&[&pki.good.der], Some(AT)).unwrap_err();
    assert_eq!(missing.code(), Code::UnknownIssuer);
}

#[test]
fn revoked_leaf_is_refused_with_its_index() {
    let pki = Pki::new();
    let verifier = verifier(&pki, json!([{ "spiffe_trust_domain": "example.org" }]));
    let rejection = verifier.verify(&[&pki.revoked.der], Some(AT)).unwrap_err();
    assert_eq!(rejection.code(), Code::Revoked);
    assert_eq!(rejection.cert_index(), Some(0));
    assert!(
        rejection.message().contains("CN=leaf-2"),
        "{}",
        rejection.message()
    );
}

#[test]
fn a_revoked_intermediate_sent_by_the_peer_is_named_by_its_input_position() {
    let pki = Pki::new();
    let serial = certgate::inspect(&pki.intermediate.der()).unwrap().serial;
    let serial = (0..serial.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&serial[i..i + 2], 16).unwrap())
        .collect::<Vec<u8>>();
    // The intermediate is both pooled and sent: the rejection points at the sent copy.
    let verifier = verifier(&pki, json!([{ "spiffe_trust_domain": "example.org" }]));
    verifier
        .update_crls(&[pki.root.crl([serial]), pki.intermediate.crl([])])
        .unwrap();
    let rejection = verifier
        .verify(&[pki.good.der.clone(), pki.intermediate.der()], Some(AT))
        .unwrap_err();
    assert_eq!(rejection.code(), Code::Revoked);
    assert_eq!(rejection.cert_index(), Some(1));
    // Sent alone, the pooled copy is used and has no input position.
    let rejection = verifier.verify(&[&pki.good.der], Some(AT)).unwrap_err();
    assert_eq!(
        (rejection.code(), rejection.cert_index()),
        (Code::Revoked, None)
    );
}

#[test]
fn crl_signed_by_another_key_under_the_same_name_is_not_trusted() {
    let pki = Pki::new();
    // Same issuer name, different key: the CRL must not count, so status is unknown.
    let impostor = pki.root.intermediate("Certgate Test Issuing CA");
    let mut policy = pki.policy(json!([{ "spiffe_trust_domain": "example.org" }]));
    policy["revocation"]["crls"] = json!([
        pem("X509 CRL", &pki.root.crl([])),
        pem("X509 CRL", &impostor.crl([])),
    ]);
    let verifier = Verifier::new(certgate::Policy::from_value(policy).unwrap()).unwrap();
    let rejection = verifier.verify(&[&pki.good.der], Some(AT)).unwrap_err();
    assert_eq!(rejection.code(), Code::RevocationUnknown);
}

#[test]
fn update_crls_swaps_the_whole_set() {
    let pki = Pki::new();
    let verifier = verifier(&pki, json!([{ "spiffe_trust_domain": "example.org" }]));
    assert!(verifier.verify(&[&pki.good.der], Some(AT)).is_ok());
    let revoke_good = [pki.root.crl([]), pki.intermediate.crl([vec![1]])];
    verifier.update_crls(&revoke_good).unwrap();
    assert_eq!(
        verifier
            .verify(&[&pki.good.der], Some(AT))
            .unwrap_err()
            .code(),
        Code::Revoked
    );
    assert!(verifier.verify(&[&pki.revoked.der], Some(AT)).is_ok());
    // A bad update leaves the current set in place.
    let bad = verifier.update_crls(&[b"not a crl".to_vec()]).unwrap_err();
    assert_eq!(bad.code(), Code::InvalidPolicy);
    assert_eq!(
        verifier
            .verify(&[&pki.good.der], Some(AT))
            .unwrap_err()
            .code(),
        Code::Revoked
    );
}

#[test]
fn anchors_and_pooled_intermediates_are_exposed_as_given() {
    let pki = Pki::new();
    let verifier = verifier(&pki, json!([{ "spiffe_trust_domain": "example.org" }]));
    let anchors = verifier.anchor_certificates();
    assert_eq!(anchors, vec![pki.root.der().as_slice()]);
    assert_eq!(verifier.anchor_subjects().len(), 1);
    assert_eq!(
        verifier.intermediate_certificates(),
        vec![pki.intermediate.der().as_slice()]
    );
}

#[test]
fn update_crls_without_revocation_section_is_refused() {
    let pki = Pki::new();
    let policy = json!({ "trust": { "anchors": pki.root.pem() } });
    let verifier = Verifier::new(certgate::Policy::from_value(policy).unwrap()).unwrap();
    let rejection = verifier.update_crls(&[pki.root.crl([])]).unwrap_err();
    assert_eq!(rejection.code(), Code::InvalidPolicy);
}

#[test]
fn concurrent_verifications_see_old_or_new_crls_never_a_mix() {
    let pki = Pki::new();
    let verifier = verifier(&pki, json!([{ "spiffe_trust_domain": "example.org" }]));
    // Each set alone leaves one certificate of the path without a CRL (REVOCATION_UNKNOWN);
    // only a mix of the two would let the chain through.
    let sets = [vec![pki.root.crl([])], vec![pki.intermediate.crl([])]];
    verifier.update_crls(&sets[0]).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                for _ in 0..300 {
                    let rejection = verifier.verify(&[&pki.good.der], Some(AT)).unwrap_err();
                    assert_eq!(rejection.code(), Code::RevocationUnknown);
                }
            });
        }
        scope.spawn(|| {
            for round in 1..=200 {
                verifier.update_crls(&sets[round % 2]).unwrap();
            }
        });
    });
    verifier
        .update_crls(&[pki.root.crl([]), pki.intermediate.crl([])])
        .unwrap();
    assert!(verifier.verify(&[&pki.good.der], Some(AT)).is_ok());
}

#[test]
fn limits_are_enforced() {
    let pki = Pki::new();
    let verifier = verifier(&pki, json!([{ "spiffe_trust_domain": "example.org" }]));
    let too_many = vec![pki.good.der.clone(); MAX_CHAIN_CERTIFICATES + 1];
    assert_eq!(
        verifier.verify(&too_many, Some(AT)).unwrap_err().code(),
        Code::InputTooLarge
    );
    let huge = vec![0x30u8; 70 * 1024];
    assert_eq!(
        verifier.verify(&[huge], Some(AT)).unwrap_err().code(),
        Code::InputTooLarge
    );
    let none: [&[u8]; 0] = [];
    assert_eq!(
        verifier.verify(&none, Some(AT)).unwrap_err().code(),
        Code::EmptyChain
    );
    assert_eq!(
        verifier.verify(&[b"garbage"], Some(AT)).unwrap_err().code(),
        Code::MalformedCertificate
    );
}

#[test]
fn certificates_lists_every_certificate_of_an_input() {
    let pki = Pki::new();
    let leaf = &pki.good.der;
    let bundle = format!(
        "Certificate:\n    Data: (text as openssl x509 -text writes it)\n{}{}",
        pem("CERTIFICATE", leaf),
        pki.intermediate.pem()
    );
    let from_text = certgate::certificates(bundle.as_bytes()).unwrap();
    assert_eq!(
        from_text,
        vec![leaf.clone(), pki.intermediate.der().to_vec()]
    );
    assert_eq!(certgate::certificates(leaf).unwrap(), vec![leaf.clone()]);
    let garbage = certgate::certificates(b"not a certificate").unwrap_err();
    assert_eq!(garbage.code(), Code::MalformedCertificate);
    let only_a_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert!(certgate::certificates(only_a_key.as_bytes()).is_err());
}

#[test]
fn distinguished_names_read_as_certgate_writes_issuers() {
    let pki = Pki::new();
    let identity = certgate::inspect(&pki.good.der).unwrap();
    let cert = x509_parser::parse_x509_certificate(&pki.good.der)
        .unwrap()
        .1;
    assert_eq!(
        certgate::distinguished_name(cert.issuer().as_raw()).as_deref(),
        Some(identity.issuer.as_str())
    );
    assert_eq!(certgate::distinguished_name(b"\x30\x03junk"), None);
}

#[test]
fn usage_names_the_roles_a_policy_admits() {
    let pki = Pki::new();
    let with_usage = |usage: serde_json::Value| {
        let mut policy = pki.policy(json!([{ "spiffe_trust_domain": "example.org" }]));
        policy["usage"] = usage;
        Verifier::new(certgate::Policy::from_value(policy).unwrap()).unwrap()
    };
    assert_eq!(with_usage(json!("client")).usage(), ["client"]);
    assert_eq!(with_usage(json!("server")).usage(), ["server"]);
    assert_eq!(
        with_usage(json!(["server", "client"])).usage(),
        ["client", "server"]
    );
}
