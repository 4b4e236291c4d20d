//! CRL semantics beyond the shared vectors: which CRL decides, scope, who may sign.

mod common;

use certgate::{Code, Policy, Verifier};
use common::{at, pem, Ca, Pki, AT};
use rcgen::{CrlDistributionPoint, CrlIssuingDistributionPoint, CrlScope, SanType};
use serde_json::json;
use time::Duration;

fn verifier_with(pki: &Pki, crls: &[Vec<u8>]) -> Verifier {
    let crls: Vec<String> = crls.iter().map(|der| pem("X509 CRL", der)).collect();
    let policy = json!({
        "trust": { "anchors": pki.root.pem(), "intermediates": pki.intermediate.pem() },
        "revocation": { "crls": crls },
    });
    Verifier::new(Policy::from_value(policy).unwrap()).unwrap()
}

fn code(verifier: &Verifier, der: &[u8]) -> Option<Code> {
    verifier.verify(&[der], Some(AT)).err().map(|r| r.code())
}

#[test]
fn the_highest_crl_number_decides() {
    let pki = Pki::new();
    let week = at() + Duration::days(7);
    let old_revokes = pki.intermediate.crl_with([vec![1]], 1, week, None);
    let new_clears = pki.intermediate.crl_with([], 2, week, None);
    let both = verifier_with(
        &pki,
        &[pki.root.crl([]), old_revokes.clone(), new_clears.clone()],
    );
    assert_eq!(code(&both, &pki.good.der), None);
    let newer_revokes = pki.intermediate.crl_with([vec![1]], 3, week, None);
    let again = verifier_with(&pki, &[pki.root.crl([]), new_clears, newer_revokes]);
    assert_eq!(code(&again, &pki.good.der), Some(Code::Revoked));
}

#[test]
fn a_current_crl_beats_an_expired_one_with_a_higher_number() {
    let pki = Pki::new();
    let expired = pki
        .intermediate
        .crl_with([vec![1]], 9, at() - Duration::days(1), None);
    let current = pki
        .intermediate
        .crl_with([], 2, at() + Duration::days(7), None);
    let verifier = verifier_with(&pki, &[pki.root.crl([]), expired, current]);
    assert_eq!(code(&verifier, &pki.good.der), None);
}

#[test]
fn issuing_distribution_point_scope_is_honoured() {
    let pki = Pki::new();
    let week = at() + Duration::days(7);
    let scoped = |scope| {
        Some(CrlIssuingDistributionPoint {
            distribution_point: CrlDistributionPoint {
                uris: vec!["http://crl.example/root.crl".into()],
            },
            scope: Some(scope),
        })
    };
    // The root's CRL claims to hold only user certificates, and names a distribution
    // point the intermediate does not list: it covers nothing on this path.
    let user_only = pki
        .root
        .crl_with([], 1, week, scoped(CrlScope::UserCertsOnly));
    let verifier = verifier_with(&pki, &[user_only, pki.intermediate.crl([])]);
    let rejection = verifier.verify(&[&pki.good.der], Some(AT)).unwrap_err();
    assert_eq!(rejection.code(), Code::RevocationUnknown);
    assert!(
        rejection.message().contains("Issuing CA"),
        "{}",
        rejection.message()
    );
    // A leaf-only check never needs the root's CRL.
    let crls = vec![pem("X509 CRL", &pki.intermediate.crl([]))];
    let policy = json!({
        "trust": { "anchors": pki.root.pem(), "intermediates": pki.intermediate.pem() },
        "revocation": { "crls": crls, "depth": "leaf" },
    });
    let leaf_only = Verifier::new(Policy::from_value(policy).unwrap()).unwrap();
    assert_eq!(code(&leaf_only, &pki.good.der), None);
}

#[test]
fn a_crl_naming_a_distribution_point_covers_only_certificates_that_list_it() {
    let root = Ca::root("Certgate Test Root");
    let intermediate = root.intermediate("Certgate Test Issuing CA");
    let listed = {
        let mut params = rcgen::CertificateParams::default();
        params.distinguished_name = common::name("dp-listed");
        params.serial_number = Some(7u64.into());
        params.not_before = at() - Duration::days(1);
        params.not_after = at() + Duration::days(1);
        params.subject_alt_names = vec![SanType::DnsName("a.example".try_into().unwrap())];
        params.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec!["http://crl.example/ica.crl".into()],
        }];
        intermediate.sign_leaf(params)
    };
    let unlisted = intermediate.leaf(8, vec![]);
    let idp = Some(CrlIssuingDistributionPoint {
        distribution_point: CrlDistributionPoint {
            uris: vec!["http://crl.example/ica.crl".into()],
        },
        scope: None,
    });
    let crl = intermediate.crl_with([vec![7]], 1, at() + Duration::days(7), idp);
    let crls = vec![pem("X509 CRL", &crl)];
    let policy = json!({
        "trust": { "anchors": root.pem(), "intermediates": intermediate.pem() },
        "revocation": { "crls": crls, "depth": "leaf" },
    });
    let verifier = Verifier::new(Policy::from_value(policy).unwrap()).unwrap();
    assert_eq!(code(&verifier, &listed.der), Some(Code::Revoked));
    assert_eq!(
        code(&verifier, &unlisted.der),
        Some(Code::RevocationUnknown)
    );
}

#[test]
fn bad_crls_are_refused_at_load_with_their_position() {
    let pki = Pki::new();
    let policy = json!({
        "trust": { "anchors": pki.root.pem() },
        "revocation": { "crls": [pem("X509 CRL", &pki.root.crl([])), "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"] },
    });
    let rejection = Verifier::new(Policy::from_value(policy).unwrap()).unwrap_err();
    assert_eq!(rejection.code(), Code::InvalidPolicy);
    assert!(
        rejection.message().starts_with("revocation.crls[1]: "),
        "{}",
        rejection.message()
    );
    let certificate_as_crl = json!({
        "trust": { "anchors": pki.root.pem() },
        "revocation": { "crls": [pki.root.der()] },
    });
    let rejection = Verifier::new(Policy::from_value(certificate_as_crl).unwrap()).unwrap_err();
    assert_eq!(rejection.code(), Code::InvalidPolicy);
}
