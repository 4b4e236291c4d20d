//! `certgate expiry` on real files: rcgen certificates that have expired, expire soon
//! and expire late, files written by the `openssl` CLI (text dumps, DER, PKCS#7), folder
//! scans, `--warn` at its boundaries, the JSON document, and files with no certificate.

mod common;

use std::process::Command;

use rcgen::ExtendedKeyUsagePurpose::ServerAuth;
use rcgen::SanType;
use serde_json::Value;
use time::Duration;

use common::{certgate_in, issue, now, pem, server_sans, sorted_keys, Ca, TempDir};

/// A folder with `expired.pem` (10 days and an hour ago), `soon.pem` (in 5 days and an hour),
/// `sub/fine.crt` (in 400 days and an hour) and files a scan leaves out or skips.
fn folder(name: &str) -> TempDir {
    let dir = TempDir::new(&format!("expiry-{name}"));
    let ca = Ca::root_around("Certgate Test Root", now());
    let soon_sans = vec![SanType::DnsName("soon.example".try_into().unwrap())];
    let leaves = [
        (
            "expired.pem",
            "expired",
            now() - Duration::days(10) - Duration::hours(1),
            vec![],
        ),
        (
            "soon.pem",
            "soon",
            now() + Duration::days(5) + Duration::hours(1),
            soon_sans,
        ),
        (
            "sub/fine.crt",
            "fine",
            now() + Duration::days(400) + Duration::hours(1),
            server_sans("spiffe://example.org/ns/prod/sa/payments"),
        ),
    ];
    for (serial, (file, cn, not_after, sans)) in leaves.into_iter().enumerate() {
        let leaf = issue(&ca, serial as u64 + 1, cn, ServerAuth, sans, not_after);
        dir.write(file, &leaf.pem);
        dir.write(
            &file.replace(".pem", ".key").replace(".crt", ".key"),
            pem("PRIVATE KEY", &leaf.key_der),
        );
    }
    // Left out by the scan: hidden, or not a certificate file name.
    dir.write(
        ".hidden/old.pem",
        issue(&ca, 9, "hidden", ServerAuth, vec![], now()).pem,
    );
    dir.write("notes.txt", "not scanned");
    // Scanned, holds no certificate: skipped with a warning.
    dir.write("key-only.pem", pem("PRIVATE KEY", &[0x30, 0x00]));
    dir
}

fn expiry(dir: &TempDir, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["expiry"];
    all.extend_from_slice(args);
    certgate_in(&dir.0, &all)
}

fn expiry_json(dir: &TempDir, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (code, out, err) = expiry(dir, &all);
    assert!(code == 0 || code == 1, "{args:?}: exit {code}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn a_folder_is_listed_most_urgent_first() {
    let dir = folder("scan");
    let (code, out, err) = expiry(&dir, &["."]);
    assert_eq!(
        code, 0,
        "without --warn the dates do not fail the run: {out}{err}"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    let columns = |line: &str| -> Vec<String> {
        line.split("  ")
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let expired = columns(lines[0]);
    assert_eq!(expired[0], "EXPIRED");
    assert_eq!(expired[2], "expired 10 days ago");
    assert_eq!(expired[3], "CN=expired,O=Certgate Test");
    assert_eq!(expired[4], "-");
    assert_eq!(expired[5], "./expired.pem");
    let soon = columns(lines[1]);
    assert_eq!(
        soon[..],
        [
            "OK",
            &soon[1],
            "expires in 5 days",
            "CN=soon,O=Certgate Test",
            "dns:soon.example",
            "./soon.pem"
        ]
    );
    let fine = columns(lines[2]);
    assert_eq!(fine[2], "expires in 400 days");
    assert_eq!(
        fine[4],
        "dns:localhost, uri:spiffe://example.org/ns/prod/sa/payments, ip:127.0.0.1"
    );
    assert_eq!(fine[5], "./sub/fine.crt");
    assert_eq!(lines[3], "3 certificates in 3 files: 1 expired");
    assert_eq!(
        err.trim(),
        "certgate: warning: skipping ./key-only.pem: certificate #0: PEM text holds no \
         CERTIFICATE block, only PRIVATE KEY"
    );
    // With --warn the status column says which ones it counts.
    let (code, out, _) = expiry(&dir, &[".", "--warn", "30d"]);
    assert_eq!(code, 1);
    assert!(
        out.lines().nth(1).unwrap().starts_with("EXPIRING  "),
        "{out}"
    );
    assert!(
        out.ends_with("3 certificates in 3 files: 1 expired, 1 expiring within 30d\n"),
        "{out}"
    );
}

#[test]
fn warn_sets_the_exit_code_at_its_boundary() {
    let dir = folder("warn");
    let code = |args: &[&str]| expiry(&dir, args).0;
    // soon.pem has 5 days and an hour left, fine.crt 400 days and an hour.
    let both = ["soon.pem", "sub/fine.crt"];
    for (warn, expected) in [
        ("5d", 0),
        ("6d", 1),
        ("120h", 0),
        ("122h", 1),
        ("400d", 1),
        ("0d", 0),
    ] {
        let mut args = both.to_vec();
        args.extend(["--warn", warn]);
        assert_eq!(code(&args), expected, "--warn {warn}");
    }
    assert_eq!(code(&["sub/fine.crt", "--warn", "400d"]), 0);
    assert_eq!(code(&["sub/fine.crt", "--warn", "401d"]), 1);
    // An expired certificate fails any --warn, and nothing without it.
    assert_eq!(code(&["expired.pem", "--warn", "0d"]), 1);
    assert_eq!(code(&["expired.pem"]), 0);
    // --at looks from another time: in a week, soon.pem has expired.
    let in_a_week = (now() + Duration::days(7))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    assert_eq!(code(&["soon.pem", "--warn", "0d", "--at", &in_a_week]), 1);
    let json = expiry_json(&dir, &["soon.pem", "--at", &in_a_week]);
    assert_eq!(json["certificates"][0]["status"], "expired");
    // 1 day 23 hours ago: days_left rounds down, so it is negative once expired.
    assert_eq!(json["certificates"][0]["days_left"], -2);
    // Bad durations are usage errors.
    for bad in ["30", "1.5d", "3w", "-1d"] {
        let (exit, _, err) = expiry(&dir, &["soon.pem", "--warn", bad]);
        assert_eq!(exit, 2, "{bad}: {err}");
    }
}

#[test]
fn json_lists_every_certificate_with_its_file() {
    let dir = folder("json");
    let json = expiry_json(&dir, &[".", "--warn", "30d"]);
    let at = json["at"].as_i64().unwrap();
    assert!((at - now().unix_timestamp()).abs() < 60, "{json}");
    assert_eq!(json["warn_seconds"], 30 * 86_400);
    assert_eq!(
        (&json["expired"], &json["expiring"]),
        (&1.into(), &1.into())
    );
    let certificates = json["certificates"].as_array().unwrap();
    let brief: Vec<(&str, &str, i64, &str)> = certificates
        .iter()
        .map(|c| {
            (
                c["file"].as_str().unwrap(),
                c["subject"].as_str().unwrap(),
                c["days_left"].as_i64().unwrap(),
                c["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            (
                "./expired.pem",
                "CN=expired,O=Certgate Test",
                // Rounded down: -10 days and an hour is 11 days short.
                -11,
                "expired"
            ),
            ("./soon.pem", "CN=soon,O=Certgate Test", 5, "expiring"),
            ("./sub/fine.crt", "CN=fine,O=Certgate Test", 400, "ok"),
        ]
    );
    let fine = &certificates[2];
    assert_eq!(
        sorted_keys(fine),
        [
            "days_left",
            "expired",
            "file",
            "fingerprint_sha256",
            "index",
            "issuer",
            "not_after",
            "not_after_rfc3339",
            "not_before",
            "not_yet_valid",
            "san",
            "seconds_left",
            "serial",
            "spiffe_id",
            "status",
            "subject",
        ]
    );
    assert_eq!(fine["san"]["ip"], serde_json::json!(["127.0.0.1"]));
    assert_eq!(
        fine["spiffe_id"],
        "spiffe://example.org/ns/prod/sa/payments"
    );
    assert_eq!(
        fine["seconds_left"].as_i64().unwrap(),
        fine["not_after"].as_i64().unwrap() - at
    );
    assert_eq!(certificates[0]["expired"], true);
    assert_eq!(
        json["skipped"],
        serde_json::json!([{
            "file": "./key-only.pem",
            "reason": "certificate #0: PEM text holds no CERTIFICATE block, only PRIVATE KEY",
        }])
    );
}

fn openssl(dir: &TempDir, args: &[&str]) {
    let output = Command::new("openssl")
        .current_dir(&dir.0)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn files_written_by_openssl() {
    let dir = TempDir::new("expiry-openssl");
    // A CA, and a leaf it signs (`req -x509 -CA`): a chain, as in a real bundle.
    for (name, days, signer) in [
        ("ca", "3650", &[][..]),
        ("other", "30", &["-CA", "ca.pem", "-CAkey", "ca.key"][..]),
    ] {
        let (key, out, subject) = (
            format!("{name}.key"),
            format!("{name}.pem"),
            format!("/O=Certgate OpenSSL Test/CN={name}"),
        );
        let mut args = vec![
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &out,
            "-days",
            days,
            "-subj",
            &subject,
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ];
        args.extend_from_slice(signer);
        openssl(&dir, &args);
    }
    openssl(
        &dir,
        &[
            "x509",
            "-in",
            "other.pem",
            "-text",
            "-out",
            "other-text.pem",
        ],
    );
    openssl(
        &dir,
        &[
            "x509",
            "-in",
            "other.pem",
            "-outform",
            "DER",
            "-out",
            "other.der",
        ],
    );
    let both = format!(
        "{}{}",
        std::fs::read_to_string(dir.0.join("other.pem")).unwrap(),
        std::fs::read_to_string(dir.0.join("ca.pem")).unwrap()
    );
    dir.write("both.pem", both);
    openssl(
        &dir,
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "both.pem",
            "-out",
            "both.p7b",
            "-outform",
            "DER",
        ],
    );
    openssl(
        &dir,
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "both.pem",
            "-out",
            "both-pem.p7c",
        ],
    );
    let text = std::fs::read_to_string(dir.0.join("other-text.pem")).unwrap();
    assert!(text.starts_with("Certificate:"), "a text dump: {text}");

    let json = expiry_json(
        &dir,
        &[
            "other.pem",
            "other-text.pem",
            "other.der",
            "both.p7b",
            "both-pem.p7c",
            "ca.pem",
        ],
    );
    assert_eq!(json["skipped"], serde_json::json!([]));
    let found: Vec<(String, i64, String)> = json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!("{}#{}", c["file"].as_str().unwrap(), c["index"]),
                c["days_left"].as_i64().unwrap(),
                c["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // `-days 30` means notAfter = now + 30 days: 29 whole days once a second has passed.
    for (file, days, subject) in &found {
        match subject.as_str() {
            "CN=other,O=Certgate OpenSSL Test" => assert!((29..=30).contains(days), "{file}"),
            "CN=ca,O=Certgate OpenSSL Test" => assert!((3649..=3650).contains(days), "{file}"),
            other => panic!("{other}"),
        }
    }
    let mut files: Vec<&str> = found.iter().map(|(file, _, _)| file.as_str()).collect();
    files.sort_unstable();
    assert_eq!(
        files,
        [
            "both-pem.p7c#0",
            "both-pem.p7c#1",
            "both.p7b#0",
            "both.p7b#1",
            "ca.pem#0",
            "other-text.pem#0",
            "other.der#0",
            "other.pem#0",
        ]
    );
    // A PKCS#7 bundle is put in issuing order: the leaf first.
    for (file, _, subject) in &found {
        if file.starts_with("both") {
            assert_eq!(subject.contains("CN=other"), file.ends_with("#0"), "{file}");
        }
    }

    // A folder scan reads the same files, and both.pem (the .key files are not scanned).
    let (code, out, err) = certgate_in(&dir.0, &["expiry", "."]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(
        out.ends_with("10 certificates in 7 files: 0 expired\n"),
        "{out}"
    );
}

#[test]
fn what_holds_no_certificate_is_skipped_and_nothing_at_all_exits_2() {
    let dir = folder("empty");
    dir.write("empty.pem", "");
    dir.write("crl.pem", pem("X509 CRL", &[0x30, 0x00]));
    let (code, out, err) = expiry(&dir, &["soon.pem", "empty.pem", "crl.pem", "notes.txt"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("./soon.pem") || out.contains("soon.pem"),
        "{out}"
    );
    let warnings: Vec<&str> = err.lines().collect();
    assert_eq!(
        warnings,
        [
            "certgate: warning: skipping empty.pem: the file is empty",
            "certgate: warning: skipping crl.pem: certificate #0: PEM block #0 is an X509 CRL, \
             not a certificate",
            "certgate: warning: skipping notes.txt: certificate #0: not an X.509 certificate \
             (truncated DER or bad length)",
        ]
    );
    // Only files without certificates: nothing to report is a failure of the run.
    let (code, out, err) = expiry(&dir, &["empty.pem", "notes.txt"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.ends_with("certgate: no certificate found in the paths given\n"),
        "{err}"
    );
    let (code, _, err) = expiry(&dir, &["missing.pem"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("certgate: cannot read missing.pem: "),
        "{err}"
    );
}
