//! OCSP beyond the shared vectors: swapping responses at run time, and a cached decision
//! that must not outlive the response it rests on. The responses are the vectors' own
//! (tests/vectors/cases.json), signed by the generator.

use certgate::{Code, Policy, Verifier};
use serde_json::Value;

/// The verification instant of the vectors: 2026-06-01T00:00:00Z.
const AT: u64 = 1_780_272_000;
const DAY: u64 = 86_400;

fn case(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/cases.json");
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

/// The OCSP responses of a case's policy, as PEM text.
fn responses(case: &Value) -> Vec<String> {
    case["policy"]["revocation"]["ocsp"]["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|response| response.as_str().unwrap().to_owned())
        .collect()
}

fn chain(case: &Value) -> Vec<String> {
    case["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item.as_str().unwrap().to_owned())
        .collect()
}

fn verifier(mut policy: Value) -> Verifier {
    policy["cache"] = serde_json::json!({ "entries": 16 });
    Verifier::new(Policy::from_value(policy).unwrap()).unwrap()
}

#[test]
fn update_ocsp_swaps_the_responses_atomically() {
    let good = case("ocsp_good");
    let expired = responses(&case("ocsp_expired"));
    let chain = chain(&good);
    let verifier = verifier(good["policy"].clone());
    assert!(verifier.verify(&chain, Some(AT)).is_ok());

    verifier.update_ocsp(&expired).unwrap();
    assert_eq!(verifier.generation(), 1);
    let refused = verifier.verify(&chain, Some(AT)).unwrap_err();
    assert_eq!(refused.code(), Code::RevocationUnknown);
    assert!(
        refused.message().contains("responses[0] expired at"),
        "{}",
        refused.message()
    );

    // A malformed response refuses the update; the responses in force stay.
    let error = verifier.update_ocsp(&["not an OCSP response"]).unwrap_err();
    assert_eq!(error.code(), Code::InvalidPolicy);
    assert!(
        error.message().starts_with("responses[0]: "),
        "{}",
        error.message()
    );
    assert_eq!(verifier.generation(), 1);

    verifier.update_ocsp(&responses(&good)).unwrap();
    assert!(verifier.verify(&chain, Some(AT)).is_ok());
    verifier.update_ocsp::<&str>(&[]).unwrap();
    assert_eq!(
        verifier.verify(&chain, Some(AT)).unwrap_err().code(),
        Code::RevocationUnknown
    );

    let mut without_revocation = good["policy"].clone();
    without_revocation
        .as_object_mut()
        .unwrap()
        .remove("revocation");
    let error = verifier_plain(without_revocation)
        .update_ocsp(&responses(&good))
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidPolicy);
}

fn verifier_plain(policy: Value) -> Verifier {
    Verifier::new(Policy::from_value(policy).unwrap()).unwrap()
}

#[test]
fn a_cached_decision_ends_with_the_response_it_rests_on() {
    // The good response is current from AT − 1 h to AT + 7 d.
    let good = case("ocsp_good");
    let chain = chain(&good);
    let verifier = verifier(good["policy"].clone());
    assert!(verifier.verify(&chain, Some(AT)).is_ok());
    assert!(verifier.verify(&chain, Some(AT + 7 * DAY)).is_ok());
    let cache = verifier.stats().cache.unwrap();
    assert_eq!((cache.hits, cache.misses), (1, 1));

    let refused = verifier.verify(&chain, Some(AT + 7 * DAY + 1)).unwrap_err();
    assert_eq!(refused.code(), Code::RevocationUnknown);
    // Before its thisUpdate the response is no answer either, cached or not.
    let refused = verifier.verify(&chain, Some(AT - 2 * 3_600)).unwrap_err();
    assert_eq!(refused.code(), Code::RevocationUnknown);
    assert_eq!(verifier.stats().cache.unwrap().hits, 1);
}

#[test]
fn responses_pushed_into_a_policy_without_an_ocsp_section_are_used() {
    let good = case("ocsp_good");
    let chain = chain(&good);
    let mut policy = good["policy"].clone();
    policy["revocation"].as_object_mut().unwrap().remove("ocsp");
    let verifier = verifier_plain(policy);
    let unknown = verifier.verify(&chain, Some(AT)).unwrap_err();
    assert_eq!(unknown.code(), Code::RevocationUnknown);
    verifier.update_ocsp(&responses(&good)).unwrap();
    assert!(verifier.verify(&chain, Some(AT)).is_ok());
}

#[test]
fn planning_costs_nothing_when_the_responses_answer() {
    let good = case("ocsp_good");
    let chain = chain(&good);
    let mut policy = good["policy"].clone();
    policy["revocation"]["ocsp"]["fetch"] = serde_json::json!(true);
    let verifier = verifier_plain(policy);
    assert!(verifier.ocsp_fetch());
    let (result, queries) = verifier.verify_planning_ocsp(&chain, Some(AT));
    assert!(result.is_ok());
    assert!(queries.is_empty());
    // Unanswered, but the vectors' leaf names no responder: nothing to fetch either.
    verifier.update_ocsp::<&str>(&[]).unwrap();
    let (result, queries) = verifier.verify_planning_ocsp(&chain, Some(AT));
    assert_eq!(result.unwrap_err().code(), Code::RevocationUnknown);
    assert!(queries.is_empty());
    assert!(verifier.ocsp_queries(&chain, Some(AT)).unwrap().is_empty());
}
