//! The documented limits on what operators hand to certgate (docs/decision.md#limits):
//! each one is met exactly without complaint and refused one past it, by code and with
//! a message that names where. The peer-chain limits are vectors and input.rs tests.

mod common;

use certgate::{
    Code, Policy, Rejection, Verifier, MAX_PATTERN_BYTES, MAX_POLICY_BYTES, MAX_RULE_VALUES,
    MAX_SOURCE_BYTES, MAX_SOURCE_ITEMS,
};
use common::{Pki, AT, GOOD_SPIFFE_ID};
use serde_json::json;

fn compile(value: serde_json::Value) -> Result<Verifier, Rejection> {
    Verifier::new(Policy::from_value(value)?)
}

fn assert_over_limit(result: Result<Verifier, Rejection>, names: &str) {
    let error = result.expect_err("past the limit");
    assert_eq!(error.code(), Code::InvalidPolicy, "{}", error.message());
    assert!(error.message().contains(names), "{}", error.message());
}

/// The CRLs in force revoke the test PKI's revoked leaf: the update was taken whole.
fn assert_revoked(verifier: &Verifier, pki: &Pki) {
    let refusal = verifier.verify(&[&pki.revoked.der], Some(AT)).unwrap_err();
    assert_eq!(refusal.code(), Code::Revoked);
}

/// `text` followed by a comment line and filler, `length` bytes in all: PEM readers
/// ignore text after the last block, as they ignore `openssl x509 -text` dumps.
fn padded(text: &str, length: usize) -> String {
    let mut padded = format!("{text}\n");
    padded.push_str(&"x".repeat(length - padded.len()));
    padded
}

#[test]
fn policy_text_is_read_up_to_its_limit() {
    let pki = Pki::new();
    let policy = pki
        .policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }]))
        .to_string();
    let mut at_limit = policy.clone();
    at_limit.push_str(&" ".repeat(MAX_POLICY_BYTES - policy.len()));
    let verifier = Verifier::from_json(&at_limit).unwrap();
    assert!(verifier.verify(&[&pki.good.der], Some(AT)).is_ok());
    drop(verifier);

    at_limit.push(' ');
    let error = Verifier::from_json(&at_limit).unwrap_err();
    assert_eq!(error.code(), Code::InvalidPolicy);
    assert_eq!(
        error.message(),
        format!(
            "a policy of {} bytes is over the limit of {MAX_POLICY_BYTES} bytes",
            MAX_POLICY_BYTES + 1
        )
    );
}

#[test]
fn each_source_is_read_up_to_its_limit() {
    let pki = Pki::new();
    let anchor_policy = |anchors: String| json!({ "trust": { "anchors": anchors } });
    compile(anchor_policy(padded(&pki.root.pem(), MAX_SOURCE_BYTES))).unwrap();
    assert_over_limit(
        compile(anchor_policy(padded(&pki.root.pem(), MAX_SOURCE_BYTES + 1))),
        &format!(
            "trust.anchors[0]: {} bytes exceed the limit of {MAX_SOURCE_BYTES} bytes per source",
            MAX_SOURCE_BYTES + 1
        ),
    );

    // A CRL update is held to the same limit as the policy's CRLs.
    let verifier = compile(pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }]))).unwrap();
    let crls = pki.crls_pem();
    let at_limit = [crls[0].clone(), padded(&crls[1], MAX_SOURCE_BYTES)];
    verifier.update_crls(&at_limit).unwrap();
    assert_revoked(&verifier, &pki);
    let past = [crls[0].clone(), padded(&crls[1], MAX_SOURCE_BYTES + 1)];
    let error = verifier.update_crls(&past).unwrap_err();
    assert_eq!(error.code(), Code::InvalidPolicy);
    assert!(
        error.message().starts_with("crls[1]: "),
        "{}",
        error.message()
    );
}

#[test]
fn certificate_lists_hold_up_to_the_item_limit() {
    let pki = Pki::new();
    // The same anchor many times over: each copy is parsed and counted.
    let anchors = |count: usize| json!({ "trust": { "anchors": pki.root.pem().repeat(count) } });
    compile(anchors(MAX_SOURCE_ITEMS)).unwrap();
    assert_over_limit(
        compile(anchors(MAX_SOURCE_ITEMS + 1)),
        &format!("trust.anchors: more than {MAX_SOURCE_ITEMS} certificates, the limit"),
    );
    // Counted over all the sources of a list, not per source.
    let split = json!({ "trust": {
        "anchors": pki.root.pem(),
        "intermediates": [pki.intermediate.pem().repeat(MAX_SOURCE_ITEMS), pki.intermediate.pem()],
    } });
    assert_over_limit(compile(split), "trust.intermediates: more than");
}

#[test]
fn crl_sets_hold_up_to_the_item_limit() {
    let pki = Pki::new();
    let verifier = compile(pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }]))).unwrap();
    let crls = pki.crls_pem();
    let mut set = vec![crls[0].clone(); MAX_SOURCE_ITEMS - 1];
    set.push(crls[1].clone());
    verifier.update_crls(&set).unwrap();
    assert_revoked(&verifier, &pki);
    set.push(crls[0].clone());
    let error = verifier.update_crls(&set).unwrap_err();
    assert_eq!(error.code(), Code::InvalidPolicy);
    assert_eq!(
        error.message(),
        format!("crls[{MAX_SOURCE_ITEMS}]: more than {MAX_SOURCE_ITEMS} CRLs, the limit")
    );
}

#[test]
fn rule_lists_hold_up_to_the_value_limit() {
    let pki = Pki::new();
    // One per-device rule each, as a fleet policy is written, and one rule that lists
    // many values: both count every value.
    let names = |count: usize| -> Vec<String> {
        (0..count)
            .map(|n| format!("device-{n}.fleet.example"))
            .collect()
    };
    let mut allow: Vec<serde_json::Value> = names(MAX_RULE_VALUES - 1)
        .into_iter()
        .map(|name| json!({ "dns": name }))
        .collect();
    allow.push(json!({ "spiffe_id": GOOD_SPIFFE_ID }));
    let verifier = compile(pki.policy(json!(allow))).unwrap();
    let identity = verifier.verify(&[&pki.good.der], Some(AT)).unwrap();
    assert_eq!(
        identity.verification.unwrap().matched_rule,
        Some(MAX_RULE_VALUES - 1)
    );
    drop(verifier);

    let one_rule = json!([{ "dns": names(MAX_RULE_VALUES) }, { "dns": "one.more.example" }]);
    assert_over_limit(
        compile(pki.policy(one_rule)),
        &format!(
            "allow: {} values exceed the limit of {MAX_RULE_VALUES} per rule list",
            MAX_RULE_VALUES + 1
        ),
    );
    let mut deny = pki.policy(json!([{ "spiffe_id": GOOD_SPIFFE_ID }]));
    deny["deny"] = json!([{ "fingerprint_sha256": vec!["00".repeat(32); MAX_RULE_VALUES + 1] }]);
    assert_over_limit(compile(deny), "deny: ");
}

#[test]
fn rule_values_are_read_up_to_the_pattern_limit() {
    let pki = Pki::new();
    let uri = |length: usize| {
        let prefix = "https://fleet.example/";
        format!("{prefix}{}", "d".repeat(length - prefix.len()))
    };
    compile(pki.policy(json!([{ "uri": uri(MAX_PATTERN_BYTES) }]))).unwrap();
    let subject = json!([{ "subject": { "O": ["Example", "o".repeat(MAX_PATTERN_BYTES + 1)] } }]);
    for (allow, path) in [
        (
            json!([{ "uri": uri(MAX_PATTERN_BYTES + 1) }]),
            "allow[0].uri",
        ),
        (subject, "allow[0].subject.O[1]"),
    ] {
        // A schema error like any other: INVALID_POLICY with its path, and the value
        // is not quoted back.
        let error = compile(pki.policy(allow)).unwrap_err();
        assert_eq!(error.code(), Code::InvalidPolicy);
        assert_eq!(
            error.message(),
            format!(
                "{path}: a value of {} bytes is over the limit of {MAX_PATTERN_BYTES} bytes",
                MAX_PATTERN_BYTES + 1
            )
        );
    }
}

#[cfg(feature = "fs")]
mod files {
    use super::*;
    use std::path::PathBuf;

    /// A folder under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("certgate-limits-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn policy(&self, value: serde_json::Value) -> PathBuf {
            let path = self.0.join("policy.json");
            std::fs::write(&path, value.to_string()).unwrap();
            path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn referenced_files_are_read_up_to_the_source_limit() {
        let scratch = Scratch::new("file");
        let pki = Pki::new();
        std::fs::write(
            scratch.0.join("root.pem"),
            padded(&pki.root.pem(), MAX_SOURCE_BYTES),
        )
        .unwrap();
        std::fs::write(
            scratch.0.join("big.pem"),
            padded(&pki.root.pem(), MAX_SOURCE_BYTES + 1),
        )
        .unwrap();
        Verifier::from_file(
            scratch.policy(json!({ "trust": { "anchors": { "file": "root.pem" } } })),
        )
        .unwrap();
        let error = Verifier::from_file(
            scratch.policy(json!({ "trust": { "anchors": { "file": "big.pem" } } })),
        )
        .unwrap_err();
        assert_eq!(error.code(), Code::InvalidPolicy);
        assert!(
            error.message().starts_with("trust.anchors[0]: the file ")
                && error.message().ends_with(&format!(
                    "big.pem is over the limit of {MAX_SOURCE_BYTES} bytes"
                )),
            "{}",
            error.message()
        );

        // A reference to an endless file stops at the limit instead of exhausting memory.
        let error = Verifier::from_file(
            scratch.policy(json!({ "trust": { "anchors": { "file": "/dev/zero" } } })),
        )
        .unwrap_err();
        assert_eq!(
            (error.code(), error.message()),
            (
                Code::InvalidPolicy,
                format!(
                    "trust.anchors[0]: the file /dev/zero is over the limit of {MAX_SOURCE_BYTES} bytes"
                )
                .as_str()
            )
        );
    }

    #[test]
    fn a_policy_file_is_read_up_to_the_policy_limit() {
        let scratch = Scratch::new("policy");
        let pki = Pki::new();
        let path = scratch.policy(json!({ "trust": { "anchors": pki.root.pem() } }));
        // Sparse: the filler costs no disk.
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(MAX_POLICY_BYTES as u64 + 1).unwrap();
        drop(file);
        let error = Verifier::from_file(&path).unwrap_err();
        assert_eq!(error.code(), Code::InvalidPolicy);
        assert!(
            error.message().starts_with("the policy file ")
                && error
                    .message()
                    .ends_with(&format!("is over the limit of {MAX_POLICY_BYTES} bytes")),
            "{}",
            error.message()
        );
    }

    #[test]
    fn a_folder_holds_up_to_the_item_limit_of_files() {
        let scratch = Scratch::new("dir");
        let pki = Pki::new();
        let cas = scratch.0.join("cas");
        std::fs::create_dir(&cas).unwrap();
        let root = pki.root.pem();
        for n in 0..MAX_SOURCE_ITEMS {
            std::fs::write(cas.join(format!("{n:05}.pem")), &root).unwrap();
        }
        let policy = scratch.policy(json!({ "trust": { "anchors": { "dir": "cas" } } }));
        Verifier::from_file(&policy).unwrap();
        std::fs::write(cas.join("extra.pem"), &root).unwrap();
        let error = Verifier::from_file(&policy).unwrap_err();
        assert_eq!(error.code(), Code::InvalidPolicy);
        assert_eq!(
            error.message(),
            format!(
                "trust.anchors[0]: the folder cas: more than {MAX_SOURCE_ITEMS} files, the limit"
            )
        );
    }
}
