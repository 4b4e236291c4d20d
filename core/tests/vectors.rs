//! Replays every case of tests/vectors/cases.json: the cross-language truth.
//!
//! A chain item (or `cert`) is a string (its UTF-8 bytes: PEM, text dumps) or an array of
//! byte values (DER, PKCS#7, PKCS#12). `verify_forwarded` cases give `headers` (a list
//! of `[name, value]`) and `peer` (the connection's address) instead of a chain. `policy_file` names a policy file relative to
//! cases.json, read with `Verifier::from_file` (hence feature `fs`).

use std::path::{Path, PathBuf};

use certgate::{inspect, Code, Verifier};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(vectors_dir().join("cases.json"))
        .expect("tests/vectors/cases.json is readable");
    let doc: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    doc["cases"].as_array().expect("cases is a list").clone()
}

/// The bytes of a chain item or `cert`.
fn item(value: &Value) -> Vec<u8> {
    match value {
        Value::String(text) => text.as_bytes().to_vec(),
        Value::Array(bytes) => bytes
            .iter()
            .map(|b| {
                b.as_u64()
                    .and_then(|b| u8::try_from(b).ok())
                    .expect("a byte")
            })
            .collect(),
        other => panic!("a chain item is a string or an array of bytes, not {other}"),
    }
}

/// The case's verifier: from `policy`, or from the file `policy_file`.
fn verifier(case: &Value) -> Result<Verifier, certgate::Rejection> {
    match case["policy_file"].as_str() {
        Some(file) => Verifier::from_file(vectors_dir().join(file)),
        None => certgate::Policy::from_value(case["policy"].clone()).and_then(Verifier::new),
    }
}

/// What one case produced.
struct Outcome {
    code: String,
    cert_index: Option<usize>,
    identity: Option<Value>,
    /// Sources of the verifier's warnings, when a verifier was built.
    warnings: Vec<String>,
}

fn run(case: &Value) -> Outcome {
    let mut warnings = Vec::new();
    let result = match case["op"].as_str().expect("op") {
        "inspect" => inspect(&item(&case["cert"])),
        "verify" => {
            let chain: Vec<Vec<u8>> = case["chain"]
                .as_array()
                .expect("chain")
                .iter()
                .map(item)
                .collect();
            verifier(case).and_then(|verifier| {
                warnings = verifier
                    .warnings()
                    .iter()
                    .map(|w| w.source().to_owned())
                    .collect();
                verifier.verify(&chain, case["at"].as_u64())
            })
        }
        "verify_forwarded" => {
            let headers: Vec<(String, String)> = case["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .map(|pair| {
                    let name = pair[0].as_str().expect("a header name").to_owned();
                    (name, pair[1].as_str().expect("a header value").to_owned())
                })
                .collect();
            let peer = case["peer"].as_str().expect("peer");
            verifier(case)
                .and_then(|verifier| verifier.verify_forwarded(&headers, peer, case["at"].as_u64()))
        }
        other => panic!("unknown op {other}"),
    };
    match result {
        Ok(identity) => Outcome {
            code: "OK".to_owned(),
            cert_index: None,
            identity: Some(identity.to_json_value()),
            warnings,
        },
        Err(rejection) => Outcome {
            code: rejection.code().as_str().to_owned(),
            cert_index: rejection.cert_index(),
            identity: None,
            warnings,
        },
    }
}

/// The warning sources a case expects (none when absent).
fn expected_warnings(expect: &Value) -> Vec<String> {
    expect["warnings"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|w| w.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_vector_gives_the_expected_decision() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let expect = &case["expect"];
        let outcome = run(case);
        if let Some(expected_identity) = expect.get("identity") {
            if outcome.identity.as_ref() != Some(expected_identity) {
                failures.push(format!(
                    "{name}: expected identity {expected_identity}\n   got {} {:?}",
                    outcome.code, outcome.identity
                ));
            }
        } else {
            let expected_code = expect["code"].as_str().expect("expect.code");
            if outcome.code != expected_code {
                failures.push(format!(
                    "{name}: expected {expected_code}, got {}",
                    outcome.code
                ));
            } else if let Some(index) = expect.get("cert_index") {
                if index.as_u64().map(|i| i as usize) != outcome.cert_index {
                    failures.push(format!(
                        "{name}: expected cert_index {index}, got {:?}",
                        outcome.cert_index
                    ));
                }
            }
        }
        if case["op"] == "verify" && outcome.warnings != expected_warnings(expect) {
            failures.push(format!(
                "{name}: expected warnings from {:?}, got {:?}",
                expected_warnings(expect),
                outcome.warnings
            ));
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
