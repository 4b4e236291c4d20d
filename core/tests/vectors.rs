//! Replays every case of tests/vectors/cases.json: the cross-language truth.

use certgate::{inspect, Code, Verifier};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/cases.json");
    let text = std::fs::read_to_string(path).expect("tests/vectors/cases.json is readable");
    let doc: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    doc["cases"].as_array().expect("cases is a list").clone()
}

/// The outcome of one case as (code, cert_index, identity JSON).
fn run(case: &Value) -> (String, Option<usize>, Option<Value>) {
    let result = match case["op"].as_str().expect("op") {
        "inspect" => inspect(case["cert"].as_str().expect("cert").as_bytes()),
        "verify" => {
            let chain: Vec<&[u8]> = case["chain"]
                .as_array()
                .expect("chain")
                .iter()
                .map(|pem| pem.as_str().expect("chain item").as_bytes())
                .collect();
            certgate::Policy::from_value(case["policy"].clone())
                .and_then(Verifier::new)
                .and_then(|verifier| verifier.verify(&chain, case["at"].as_u64()))
        }
        other => panic!("unknown op {other}"),
    };
    match result {
        Ok(identity) => ("OK".to_owned(), None, Some(identity.to_json_value())),
        Err(rejection) => (
            rejection.code().as_str().to_owned(),
            rejection.cert_index(),
            None,
        ),
    }
}

#[test]
fn every_vector_gives_the_expected_decision() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let expect = &case["expect"];
        let (code, cert_index, identity) = run(case);
        if let Some(expected_identity) = expect.get("identity") {
            if identity.as_ref() != Some(expected_identity) {
                failures.push(format!(
                    "{name}: expected identity {expected_identity}\n   got {code} {identity:?}"
                ));
            }
        } else {
            let expected_code = expect["code"].as_str().expect("expect.code");
            if code != expected_code {
                failures.push(format!("{name}: expected {expected_code}, got {code}"));
            } else if let Some(index) = expect.get("cert_index") {
                if index.as_u64().map(|i| i as usize) != cert_index {
                    failures.push(format!(
                        "{name}: expected cert_index {index}, got {cert_index:?}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn vectors_cover_every_code_input_can_produce() {
    let cases = cases();
    for code in Code::ALL {
        if code == Code::Internal {
            continue;
        }
        assert!(
            cases
                .iter()
                .any(|case| case["expect"]["code"] == code.as_str()),
            "no vector expects {code}"
        );
    }
}
