//! The `certgate` binary end to end: files in, exit codes and output out.

mod common;

use base64::Engine as _;
use std::process::Command;

use common::{certgate, Pki, TempDir, GOOD_SPIFFE_ID};

const AT: &str = "2026-06-01T00:00:00Z";

/// A temporary folder holding the test PKI as files; removed on drop.
struct Files {
    dir: TempDir,
    /// The PKI the files were written from.
    pki: Pki,
}

impl Files {
    fn new(name: &str) -> Files {
        let files = Files {
            dir: TempDir::new(name),
            pki: Pki::new(),
        };
        let pki = &files.pki;
        files.write("root.pem", &pki.root.pem());
        files.write("intermediate.pem", &pki.intermediate.pem());
        files.write(
            "good.pem",
            &format!("{}{}", pki.good.pem, pki.intermediate.pem()),
        );
        files.write("revoked.pem", &pki.revoked.pem);
        files.write("crl.pem", &pki.crls_pem().concat());
        files.write(
            "garbage.pem",
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        );
        let policy = pki
            .policy(serde_json::json!([{ "spiffe_id": "spiffe://example.org/ns/*/sa/payments" }]));
        files.write("policy.json", &policy.to_string());
        files.write(
            "bad-policy.json",
            r#"{"trust":{"anchors":"x"},"allow":[{"ip":"10.0.0.0/33"}]}"#,
        );
        std::fs::write(files.path("crl.der"), pki.intermediate.crl([vec![2]])).unwrap();
        files
    }

    fn path(&self, name: &str) -> String {
        self.dir.path(name)
    }

    fn write(&self, name: &str, text: &str) {
        self.dir.write(name, text);
    }
}

#[test]
fn inspect_prints_readable_and_json_identity() {
    let files = Files::new("inspect");
    let (code, out, _) = certgate(&["inspect", &files.path("good.pem")]);
    assert_eq!(code, 0);
    assert!(
        out.contains("subject:      CN=leaf-1,O=Certgate Test"),
        "{out}"
    );
    assert!(out.contains(GOOD_SPIFFE_ID), "{out}");
    let (code, out, _) = certgate(&["inspect", "--json", &files.path("good.pem")]);
    assert_eq!(code, 0);
    let identity: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(identity["spiffe_id"], GOOD_SPIFFE_ID);
    assert!(identity.get("matched_rule").is_none());
}

#[test]
fn verify_with_policy_file_allows_and_rejects() {
    let files = Files::new("policy");
    let policy = files.path("policy.json");
    let (code, out, _) = certgate(&[
        "verify",
        "--policy",
        &policy,
        "--at",
        AT,
        &files.path("good.pem"),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("ALLOWED CN=leaf-1,O=Certgate Test"),
        "{out}"
    );
    let (code, out, _) = certgate(&[
        "verify",
        "--policy",
        &policy,
        "--at",
        AT,
        &files.path("revoked.pem"),
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with("REJECTED REVOKED: "), "{out}");
    let (code, out, _) = certgate(&[
        "verify",
        "--json",
        "--policy",
        &policy,
        "--at",
        AT,
        &files.path("revoked.pem"),
    ]);
    assert_eq!(code, 1);
    let outcome: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(outcome["code"], "REVOKED");
    assert_eq!(outcome["cert_index"], 0);
}

#[test]
fn verify_with_shortcuts() {
    let files = Files::new("shortcuts");
    let base = [
        "verify",
        "--ca",
        &files.path("root.pem"),
        "--intermediates",
        &files.path("intermediate.pem"),
        "--at",
        AT,
    ];
    let run = |extra: &[&str], chain: &str| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        args.push(chain);
        certgate(&args)
    };
    let good = files.path("good.pem");
    assert_eq!(
        run(
            &["--allow-spiffe", "spiffe://example.org/ns/prod/sa/*"],
            &good
        )
        .0,
        0
    );
    let (code, out, _) = run(
        &[
            "--allow-dns",
            "api.example.com",
            "--allow-cn",
            "someone-else",
        ],
        &good,
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("REJECTED NOT_AUTHORIZED: "), "{out}");
    assert_eq!(run(&["--allow-cn", "leaf-1"], &good).0, 0);
    let crl = files.path("crl.pem");
    let (code, out, _) = run(&["--crl", &crl], &files.path("revoked.pem"));
    assert_eq!(
        (code, out.starts_with("REJECTED REVOKED")),
        (1, true),
        "{out}"
    );
    // Only the intermediate's CRL (DER): the intermediate's own status is unknown.
    let (code, out, _) = run(&["--crl", &files.path("crl.der")], &good);
    assert_eq!(
        (code, out.starts_with("REJECTED REVOCATION_UNKNOWN")),
        (1, true),
        "{out}"
    );
    let (code, out, _) = run(&["--usage", "server"], &good);
    assert_eq!(
        (code, out.starts_with("REJECTED INVALID_USAGE")),
        (1, true),
        "{out}"
    );
    assert_eq!(run(&["--usage", "client,server"], &good).0, 0);
}

#[test]
fn verify_a_forwarded_header() {
    let files = Files::new("forwarded");
    let pki = &files.pki;
    // HAProxy's `%[ssl_c_der,base64]`: the leaf's DER in base64, one line.
    let header = base64::engine::general_purpose::STANDARD.encode(&pki.good.der);
    let (root, intermediate) = (files.path("root.pem"), files.path("intermediate.pem"));
    let run = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--ca",
            &root,
            "--intermediates",
            &intermediate,
            "--at",
            AT,
            "--header-value",
            &header,
        ];
        args.extend_from_slice(extra);
        certgate(&args)
    };
    let (code, out, err) = run(&["--forwarded", "haproxy", "--peer", "10.0.0.7"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("forwarded:    by 10.0.0.7 in x-client-cert (haproxy)"),
        "{out}"
    );
    let (code, out, _) = run(&["--forwarded", "nginx"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("REJECTED MALFORMED_CERTIFICATE: the x-client-cert header (nginx format)"),
        "{out}"
    );
    let (code, _, err) = run(&[]);
    assert_eq!(code, 2);
    assert!(err.contains("--forwarded FORMAT"), "{err}");
}

#[test]
fn caller_errors_exit_2_with_one_line() {
    let files = Files::new("errors");
    let good = files.path("good.pem");
    let missing = files.path("missing.pem");
    let (bad_policy, root, garbage) = (
        files.path("bad-policy.json"),
        files.path("root.pem"),
        files.path("garbage.pem"),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["inspect", &missing], "cannot read"),
        (vec!["verify", "--ca", &missing, &good], "cannot read"),
        (
            vec!["verify", "--policy", &bad_policy, &good],
            "INVALID_POLICY: allow[0].ip: \"10.0.0.0/33\" is not a CIDR block",
        ),
        (
            vec!["verify", "--ca", &root, "--at", "yesterday", &good],
            "RFC 3339",
        ),
        (vec!["verify", &good], "--policy FILE or --ca FILE"),
        (
            vec!["verify", "--ca", &garbage, &good],
            "INVALID_POLICY: trust.anchors[0]",
        ),
    ];
    for (args, expected) in cases {
        let (code, out, err) = certgate(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let (code, _, _) = certgate(&["verify", "--bogus"]);
    assert_eq!(code, 2);
}

#[test]
fn inspect_of_garbage_is_a_rejection() {
    let files = Files::new("garbage");
    let (code, out, _) = certgate(&["inspect", &files.path("garbage.pem")]);
    assert_eq!(code, 1);
    assert!(out.starts_with("REJECTED MALFORMED_CERTIFICATE"), "{out}");
}

#[test]
fn the_chain_may_be_several_files_or_standard_input() {
    let files = Files::new("several");
    files.write("leaf.pem", &files.pki.good.pem);
    let policy = files.path("policy.json");
    let (code, out, err) = certgate(&[
        "verify",
        "--policy",
        &policy,
        "--at",
        AT,
        &files.path("leaf.pem"),
        &files.path("intermediate.pem"),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_certgate"))
        .args(["verify", "--json", "--policy", &policy, "--at", AT, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let chain = std::fs::read(files.path("good.pem")).unwrap();
    child.stdin.take().unwrap().write_all(&chain).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let identity: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(identity["spiffe_id"], GOOD_SPIFFE_ID);
    let (code, _, err) = certgate(&["inspect", "-", "-"]);
    assert_eq!(
        (code, err.trim()),
        (2, "certgate: - (standard input) may be given once")
    );
}

#[test]
fn a_policy_file_may_name_files_relative_to_itself() {
    let files = Files::new("references");
    std::fs::create_dir_all(files.dir.0.join("crls")).unwrap();
    for (index, crl) in files.pki.crls_pem().iter().enumerate() {
        files.write(&format!("crls/{index}.crl"), crl);
    }
    files.write("crls/README.txt", "not a CRL: skipped by extension");
    files.write(
        "ref-policy.json",
        &serde_json::json!({
            "trust": { "anchors": { "file": "root.pem" }, "intermediates": [{ "file": "intermediate.pem" }] },
            "revocation": { "crls": { "dir": "crls" } },
        })
        .to_string(),
    );
    let policy = files.path("ref-policy.json");
    // Run from elsewhere: references resolve against the policy's folder, not the cwd.
    let run = |chain: &str| {
        Command::new(env!("CARGO_BIN_EXE_certgate"))
            .current_dir(std::env::temp_dir())
            .args(["verify", "--policy", &policy, "--at", AT, chain])
            .output()
            .unwrap()
    };
    assert_eq!(run(&files.path("good.pem")).status.code(), Some(0));
    let revoked = run(&files.path("revoked.pem"));
    assert_eq!(revoked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&revoked.stdout).starts_with("REJECTED REVOKED"));
    files.write(
        "bad-ref.json",
        r#"{"trust":{"anchors":{"file":"absent.pem"}}}"#,
    );
    let (code, _, err) = certgate(&[
        "verify",
        "--policy",
        &files.path("bad-ref.json"),
        &files.path("good.pem"),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("trust.anchors[0]: cannot read the file ") && err.contains("absent.pem"),
        "{err}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly_with_the_decided_code() {
    let files = Files::new("pipe");
    for (args, expected) in [
        (
            vec![
                "verify",
                "--ca",
                "root.pem",
                "--intermediates",
                "intermediate.pem",
                "--crl",
                "crl.pem",
                "--at",
                AT,
                "revoked.pem",
            ],
            1,
        ),
        (
            vec!["verify", "--policy", "policy.json", "--at", AT, "good.pem"],
            0,
        ),
        (vec!["inspect", "good.pem", "root.pem"], 0),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_certgate"))
            .current_dir(&files.dir.0)
            .args(&args)
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(expected), "{args:?}");
        assert!(
            output.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn bad_files_get_one_line_and_exit_2() {
    use std::os::unix::ffi::OsStrExt;
    let files = Files::new("badfiles");
    files.write("empty.pem", "");
    let not_utf8 = std::ffi::OsStr::from_bytes(b"\xffcert.pem");
    let through_a_file = files.path("good.pem/inside.pem");
    let (empty, good, policy) = (
        files.path("empty.pem"),
        files.path("good.pem"),
        files.path("policy.json"),
    );
    let cases: Vec<(Vec<&std::ffi::OsStr>, &str)> = vec![
        (
            vec!["inspect".as_ref(), files.dir.0.as_os_str()],
            "is a folder, not a file",
        ),
        (
            vec!["inspect".as_ref(), empty.as_ref()],
            "empty.pem is empty",
        ),
        (vec!["inspect".as_ref(), not_utf8], "cannot read"),
        (
            vec!["inspect".as_ref(), through_a_file.as_ref()],
            "cannot read",
        ),
        (
            vec!["verify".as_ref(), "--ca".as_ref(), not_utf8, good.as_ref()],
            "not a UTF-8 path",
        ),
        (
            vec![
                "verify".as_ref(),
                "--policy".as_ref(),
                policy.as_ref(),
                empty.as_ref(),
            ],
            "is empty",
        ),
    ];
    for (args, expected) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_certgate"))
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
