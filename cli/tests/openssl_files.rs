//! The CLI on a PKI made by the `openssl` CLI (tests/openssl/make-pki.sh), as mTLS
//! tutorials make one: text dumps before every PEM block, PKCS#7 and PKCS#12 bundles,
//! Windows line ends and byte order marks, scoped, delta and unusual CRLs. Verified
//! with the real clock: the script makes everything valid now.

mod common;

use std::path::Path;
use std::process::Command;

use common::{certgate_in, TempDir};

/// The openssl-made PKI in a temporary folder, removed on drop.
struct OpensslPki(TempDir);

impl OpensslPki {
    fn new(name: &str) -> OpensslPki {
        let dir = TempDir::new(&format!("openssl-{name}"));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/openssl/make-pki.sh");
        let status = Command::new("bash")
            .arg(script)
            .arg(&dir.0)
            .status()
            .unwrap();
        assert!(status.success(), "make-pki.sh failed");
        OpensslPki(dir)
    }
}

/// (exit code, stdout, stderr) of `certgate ARGS` run inside the PKI's folder.
fn certgate(pki: &OpensslPki, args: &[&str]) -> (i32, String, String) {
    certgate_in(&pki.0 .0, args)
}

/// The first line of stdout: `ALLOWED ...` or `REJECTED CODE: ...`.
fn decision(pki: &OpensslPki, args: &[&str]) -> String {
    let (code, out, err) = certgate(pki, args);
    assert!(code == 0 || code == 1, "{args:?}: exit {code}: {err}");
    out.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn openssl_made_files_are_read_like_openssl_reads_them() {
    let pki = OpensslPki::new("files");
    // The policy names the text-dump anchor and CRLs by file.
    for chain in [
        vec!["client.chain.pem"],
        vec!["client.pem", "intermediate.pem"],
        vec!["client.chain.p7b"],
        vec!["client.chain.p7b.der"],
        vec!["client-with-key.pem"],
    ] {
        let mut args = vec!["verify", "--policy", "policy.json"];
        args.extend(&chain);
        assert!(
            decision(&pki, &args).starts_with("ALLOWED CN=client,O=Certgate OpenSSL Test"),
            "{chain:?}"
        );
    }
    let revoked = decision(
        &pki,
        &["verify", "--policy", "policy.json", "revoked.chain.pem"],
    );
    assert!(
        revoked.starts_with("REJECTED REVOKED: certificate #0 (CN=revoked"),
        "{revoked}"
    );
    // A CA with an RSA-1024 key, which `openssl verify` accepts: certgate names the key.
    let weak = decision(&pki, &["verify", "--ca", "root.pem", "weak-leaf.chain.pem"]);
    assert!(
        weak.starts_with(
            "REJECTED UNSUPPORTED_ALGORITHM: certificate #1 (CN=OpenSSL Weak RSA-1024 CA"
        ),
        "{weak}"
    );
    // Every form of the root as the anchor.
    for anchor in [
        "root.pem",
        "root-text.pem",
        "root.der",
        "root-bom.pem",
        "root-crlf.pem",
        "anchors.p7b",
        "anchors.p7b.der",
    ] {
        let line = decision(&pki, &["verify", "--ca", anchor, "client.chain.pem"]);
        assert!(line.starts_with("ALLOWED"), "{anchor}: {line}");
    }
    // inspect reads text dumps and bundles too.
    let (code, out, _) = certgate(
        &pki,
        &[
            "inspect",
            "--json",
            "root-text.pem",
            "client.chain.p7b.der",
            "-",
        ],
    );
    assert_eq!(code, 2, "stdin is empty here: {out}");
    let (code, out, err) = certgate(
        &pki,
        &["inspect", "--json", "root-text.pem", "client.chain.p7b.der"],
    );
    assert_eq!(code, 0, "{err}");
    let subjects: Vec<String> = out
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["subject"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        subjects,
        [
            "CN=OpenSSL Test Root,O=Certgate OpenSSL Test",
            "CN=client,O=Certgate OpenSSL Test"
        ]
    );
    // A PKCS#12 key store is named, with the command that extracts its certificates.
    let (code, out, _) = certgate(&pki, &["inspect", "client.p12"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("PKCS#12") && out.contains("openssl pkcs12 -in FILE -nokeys"),
        "{out}"
    );
}

#[test]
fn crls_as_openssl_publishes_them() {
    let pki = OpensslPki::new("crls");
    let with_crls = |crls: &[&str], chain: &str| {
        let mut args = vec![
            "verify",
            "--ca",
            "root.pem",
            "--intermediates",
            "intermediate.pem",
        ];
        for crl in crls {
            args.extend(["--crl", crl]);
        }
        args.push(chain);
        certgate(&pki, &args)
    };
    let first =
        |(_, out, _): &(i32, String, String)| out.lines().next().unwrap_or_default().to_owned();
    // The root's ARL (onlyContainsCACerts) covers the intermediate; the intermediate's CRL
    // (onlyContainsUserCerts) covers leaves. Text dumps, PEM and DER alike.
    for (root_crl, int_crl) in [
        ("root.crl.pem", "intermediate.crl.pem"),
        ("root-text.crl.pem", "intermediate-text.crl.pem"),
        ("root.crl.der", "intermediate.crl.der"),
        ("root.crl.pem", "intermediate-plain.crl.pem"),
        ("root.crl.pem", "intermediate-no-number.crl.pem"),
    ] {
        assert!(
            first(&with_crls(&[root_crl, int_crl], "client.chain.pem")).starts_with("ALLOWED"),
            "{int_crl}"
        );
        assert!(
            first(&with_crls(&[root_crl, int_crl], "revoked.chain.pem"))
                .starts_with("REJECTED REVOKED"),
            "{int_crl}"
        );
    }
    // Only the user-certificate CRL: the intermediate itself is then not covered.
    let line = first(&with_crls(&["intermediate.crl.pem"], "client.chain.pem"));
    assert!(
        line.starts_with("REJECTED REVOCATION_UNKNOWN: certificate #1"),
        "{line}"
    );
    // A delta CRL on top of its base revokes what only the delta lists.
    let base = ["root.crl.pem", "intermediate.crl.pem"];
    assert!(first(&with_crls(&base, "revoked-later.chain.pem")).starts_with("ALLOWED"));
    let with_delta = [
        "root.crl.pem",
        "intermediate.crl.pem",
        "intermediate-delta.crl.pem",
    ];
    let line = first(&with_crls(&with_delta, "revoked-later.chain.pem"));
    assert!(
        line.starts_with("REJECTED REVOKED") && line.contains("delta CRL"),
        "{line}"
    );
    assert!(first(&with_crls(&with_delta, "client.chain.pem")).starts_with("ALLOWED"));
    // A delta without its base, and a CRL with an unknown critical extension, are left
    // out with a warning: the leaves they would cover have an unknown status.
    for (crl, reason) in [
        ("intermediate-delta.crl.pem", "no complete CRL"),
        (
            "intermediate-unknown-critical.crl.pem",
            "unsupported critical extension 1.3.6.1.4.1.55555.9",
        ),
    ] {
        let outcome = with_crls(&["root.crl.pem", crl], "client.chain.pem");
        assert_eq!(outcome.0, 1);
        assert!(
            first(&outcome).starts_with("REJECTED REVOCATION_UNKNOWN: certificate #0"),
            "{crl}"
        );
        assert!(
            outcome.2.starts_with(&format!(
                "certgate: warning: revocation.crls[1] ({crl}): left out: "
            )) && outcome.2.contains(reason),
            "{crl}: {}",
            outcome.2
        );
    }
}
