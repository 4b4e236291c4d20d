//! `certgate pki` end to end, judged by other tools: `openssl verify` with every CRL,
//! `openssl x509 -text`, `openssl crl -text`, `openssl pkcs12 -info`, certgate's own
//! `verify`, and curl presenting the client certificates to `openssl s_server`.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command, Output};

use serde_json::{json, Value};

use common::{certgate_in, sorted_keys, TempDir, TlsServer};

/// The SPIFFE ID of the client the default policy allows.
const WEB: &str = "spiffe://example.org/ns/prod/sa/web";

/// A temporary folder with a PKI in its `demo` folder, made by `certgate pki init demo`.
struct DevPki {
    parent: TempDir,
    /// What `init` printed.
    init_out: String,
}

impl DevPki {
    fn new(name: &str, init_args: &[&str]) -> DevPki {
        let parent = TempDir::new(&format!("pki-{name}"));
        let mut args = vec!["pki", "init", "demo"];
        args.extend_from_slice(init_args);
        let (code, init_out, err) = certgate_in(&parent.0, &args);
        assert_eq!(code, 0, "{init_out}{err}");
        assert!(err.is_empty(), "{err}");
        DevPki { parent, init_out }
    }

    /// `certgate pki COMMAND demo ARGS`, run in the parent folder.
    fn pki(&self, command: &str, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["pki", command, "demo"];
        all.extend_from_slice(args);
        certgate_in(&self.parent.0, &all)
    }

    /// `certgate pki issue demo NAME ARGS`, which must succeed.
    fn issue(&self, name: &str, args: &[&str]) -> String {
        let mut all = vec![name];
        all.extend_from_slice(args);
        let (code, out, err) = self.pki("issue", &all);
        assert_eq!(code, 0, "{out}{err}");
        out
    }

    /// The path of `name` in the PKI's folder.
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.parent.0.join("demo").join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// `certgate ARGS` run inside the PKI's folder.
    fn certgate(&self, args: &[&str]) -> (i32, String, String) {
        certgate_in(&self.path(""), args)
    }

    /// `openssl ARGS` run inside the PKI's folder.
    fn openssl(&self, args: &[&str]) -> Output {
        Command::new("openssl")
            .current_dir(self.path(""))
            .args(args)
            .output()
            .unwrap()
    }

    /// Standard output of `openssl ARGS`, which must succeed.
    fn openssl_ok(&self, args: &[&str]) -> String {
        let output = self.openssl(args);
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `openssl verify` of `file` with both CRLs checked for the whole chain:
    /// (succeeded, stdout and stderr).
    fn openssl_verify(&self, file: &str) -> (bool, String) {
        let output = self.openssl(&[
            "verify",
            "-x509_strict",
            "-crl_check_all",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "intermediate.pem",
            "-CRLfile",
            "root.crl",
            "-CRLfile",
            "intermediate.crl",
            file,
        ]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// The first line `certgate verify --policy policy.json FILE` prints.
    fn decision(&self, file: &str) -> String {
        let (code, out, err) = self.certgate(&["verify", "--policy", "policy.json", file]);
        assert!(code == 0 || code == 1, "{file}: exit {code}: {err}");
        out.lines().next().unwrap_or_default().to_owned()
    }

    fn index(&self) -> Value {
        serde_json::from_str(&self.read("index.json")).unwrap()
    }

    /// The permission bits of `name`.
    fn mode(&self, name: &str) -> u32 {
        std::fs::metadata(self.path(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }
}

/// The extension block of `openssl x509 -text` (or `openssl crl -text`), one line each:
/// `X509v3 Key Usage: critical = Digital Signature`.
fn extensions(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("X509v3 ") && trimmed != "X509v3 extensions:" {
            let value = lines.get(i + 1).map_or("", |next| next.trim());
            found.push(format!("{trimmed} = {value}"));
        }
    }
    found
}

#[test]
fn init_writes_a_pki_that_openssl_and_certgate_accept() {
    let pki = DevPki::new("init", &[]);
    let lines: Vec<&str> = pki.init_out.lines().collect();
    assert_eq!(
        lines[0],
        "created a development PKI in demo for the trust domain example.org"
    );
    let files: Vec<&str> = lines[1..10]
        .iter()
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "demo/root.pem",
            "demo/root.key",
            "demo/intermediate.pem",
            "demo/intermediate.key",
            "demo/root.crl",
            "demo/intermediate.crl",
            "demo/crls.pem",
            "demo/policy.json",
            "demo/index.json",
        ]
    );
    assert!(
        lines[1].contains("root CA: CN=Certgate Dev Root ")
            && lines[1].contains(",O=Certgate Dev PKI, until "),
        "{}",
        pki.init_out
    );
    assert!(
        lines[10].starts_with("CRLs: number 1, next update ")
            && lines[10].ends_with(" (expires in 30 days)"),
        "{}",
        pki.init_out
    );
    assert_eq!(lines.len(), 11);
    for key in ["root.key", "intermediate.key"] {
        assert_eq!(pki.mode(key), 0o600, "{key}");
        assert!(pki.read(key).starts_with("-----BEGIN PRIVATE KEY-----\n"));
    }

    // The policy names its files relative to itself, and certgate compiles it cleanly.
    let policy: Value = serde_json::from_str(&pki.read("policy.json")).unwrap();
    assert_eq!(
        policy,
        json!({
            "trust": { "anchors": { "file": "root.pem" }, "intermediates": { "file": "intermediate.pem" } },
            "usage": "client",
            "revocation": { "crls": [{ "file": "root.crl" }, { "file": "intermediate.crl" }] },
            "allow": [{ "spiffe_trust_domain": "example.org" }],
        })
    );
    let verifier = certgate::Verifier::from_file(pki.path("policy.json")).unwrap();
    assert!(verifier.warnings().is_empty(), "{:?}", verifier.warnings());
    let index = pki.index();
    let crl = &index["crl"];
    assert_eq!(
        index,
        json!({
            "version": 1,
            "trust_domain": "example.org",
            "crl": { "number": 1, "this_update": crl["this_update"], "next_update": crl["next_update"] },
            "certificates": [],
        })
    );
    // thisUpdate an hour back, for clocks behind; nextUpdate in 30 days.
    assert_eq!(
        crl["next_update"].as_i64().unwrap() - crl["this_update"].as_i64().unwrap(),
        30 * 86_400 + 3_600
    );

    // The CAs as RFC 5280 and the strict profile want them.
    let root = pki.openssl_ok(&["x509", "-in", "root.pem", "-noout", "-text"]);
    let intermediate = pki.openssl_ok(&["x509", "-in", "intermediate.pem", "-noout", "-text"]);
    let root_extensions = extensions(&root);
    let intermediate_extensions = extensions(&intermediate);
    let ski = |found: &[String]| -> String {
        found
            .iter()
            .find_map(|line| line.strip_prefix("X509v3 Subject Key Identifier: = "))
            .unwrap()
            .to_owned()
    };
    let (root_ski, intermediate_ski) = (ski(&root_extensions), ski(&intermediate_extensions));
    assert_eq!(
        root_extensions,
        [
            format!("X509v3 Authority Key Identifier: = {root_ski}"),
            "X509v3 Subject Alternative Name: = URI:spiffe://example.org".to_owned(),
            "X509v3 Key Usage: critical = Certificate Sign, CRL Sign".to_owned(),
            format!("X509v3 Subject Key Identifier: = {root_ski}"),
            "X509v3 Basic Constraints: critical = CA:TRUE".to_owned(),
        ]
    );
    assert_eq!(
        intermediate_extensions,
        [
            format!("X509v3 Authority Key Identifier: = {root_ski}"),
            "X509v3 Subject Alternative Name: = URI:spiffe://example.org".to_owned(),
            "X509v3 Key Usage: critical = Certificate Sign, CRL Sign".to_owned(),
            format!("X509v3 Subject Key Identifier: = {intermediate_ski}"),
            "X509v3 Basic Constraints: critical = CA:TRUE, pathlen:0".to_owned(),
        ]
    );
    assert!(
        root.contains("Not After : ")
            && root.contains("Subject: O = Certgate Dev PKI, CN = Certgate Dev Root ")
    );
    let (ok, text) = pki.openssl_verify("intermediate.pem");
    assert!(ok, "{text}");

    // Both CRLs: empty, number 1, signed by their CA (openssl checks the signature).
    for (crl, ca, ski) in [
        ("root.crl", "root.pem", &root_ski),
        ("intermediate.crl", "intermediate.pem", &intermediate_ski),
    ] {
        let output = pki.openssl(&["crl", "-in", crl, "-CAfile", ca, "-noout", "-text"]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("verify OK"),
            "{crl}: {output:?}"
        );
        assert_eq!(
            extensions(&text),
            [
                format!("X509v3 Authority Key Identifier: = {ski}"),
                "X509v3 CRL Number: = 1".to_owned(),
            ],
            "{crl}"
        );
        assert!(text.contains("No Revoked Certificates."), "{text}");
    }
    assert_eq!(
        pki.read("crls.pem"),
        format!("{}{}", pki.read("root.crl"), pki.read("intermediate.crl"))
    );
}

#[test]
fn init_never_overwrites() {
    let pki = DevPki::new("overwrite", &[]);
    let root = pki.read("root.pem");
    let (code, out, err) = pki.pki("init", &[]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "certgate: demo already holds a PKI (demo/index.json): certgate pki init never \
         overwrites one; choose another folder\n"
    );
    assert_eq!(pki.read("root.pem"), root);

    // A folder with one of the files, and no index: refused before anything is written.
    let other = TempDir::new("pki-stray");
    other.write("demo/policy.json", "{}");
    let (code, _, err) = certgate_in(&other.0, &["pki", "init", "demo"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "certgate: demo/policy.json already exists: certgate pki init never overwrites a \
         file; choose another folder\n"
    );
    let left: Vec<_> = std::fs::read_dir(other.0.join("demo"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(left, ["policy.json"]);

    // A trust domain the policy would refuse: nothing is created.
    let (code, _, err) = certgate_in(
        &other.0,
        &["pki", "init", "new", "--trust-domain", "Example.org"],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "certgate: --trust-domain \"Example.org\": allow[0].spiffe_trust_domain: \
         \"Example.org\" is not a SPIFFE trust domain (lowercase letters, digits, '.', '-', \
         '_')\n"
    );
    assert!(!other.0.join("new").exists());
    // Commands on a folder without a PKI.
    let (code, _, err) = certgate_in(&other.0, &["pki", "list", "demo"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "certgate: demo holds no PKI (no index.json): run `certgate pki init demo` first\n"
    );
}

#[test]
fn issued_certificates_verify_with_openssl_and_certgate() {
    let pki = DevPki::new("issue", &[]);
    let out = pki.issue("web", &["--spiffe", WEB]);
    let lines: Vec<&str> = out.lines().collect();
    let serial = pki.index()["certificates"][0]["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(lines[0], format!("issued web: CN=web, serial {serial}"));
    assert_eq!(lines[1], format!("  san:        uri:{WEB}"));
    assert_eq!(lines[2], "  usage:      clientAuth");
    assert!(lines[3].ends_with(" (expires in 90 days)"), "{out}");
    assert_eq!(
        lines[4..],
        [
            "  demo/web.pem  the certificate, then the issuing CA's",
            "  demo/web.key  its private key, ECDSA P-256 (PKCS#8, mode 0600)",
            "  demo/web.p12  both, PKCS#12 for browsers and macOS, password \"certgate\" (mode 0600)",
        ]
    );
    // 16 octets, positive, never shortened: 32 hex digits starting 4 to 7.
    assert_eq!(serial.len(), 32, "{serial}");
    assert!(matches!(serial.as_bytes()[0], b'4'..=b'7'), "{serial}");

    // A client in another trust domain: issued with a warning, refused by the policy.
    let (code, _, err) = pki.pki(
        "issue",
        &[
            "elsewhere",
            "--spiffe",
            "spiffe://other.test/ns/prod/sa/web",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(
        err,
        "certgate: warning: spiffe://other.test/ns/prod/sa/web is not in the trust domain \
         example.org, for which this PKI's CAs vouch: its policy.json refuses it\n"
    );
    pki.issue(
        "server",
        &["--server", "--dns", "localhost", "--ip", "127.0.0.1"],
    );
    pki.issue(
        "both-rsa",
        &[
            "--key",
            "rsa",
            "--client",
            "--server",
            "--dns",
            "rsa.example.org",
            "--email",
            "ops@example.org",
            "--uri",
            "urn:example:rsa",
            "--days",
            "10",
        ],
    );
    pki.issue(
        "edwards",
        &[
            "--key",
            "ed25519",
            "--spiffe",
            "spiffe://example.org/ns/dev/sa/ed",
            "--p12-password",
            "s3cret",
        ],
    );

    for name in ["web", "elsewhere", "server", "both-rsa", "edwards"] {
        let (ok, text) = pki.openssl_verify(&format!("{name}.pem"));
        assert!(ok, "{name}: {text}");
        assert_eq!(pki.mode(&format!("{name}.key")), 0o600, "{name}");
        assert_eq!(pki.mode(&format!("{name}.p12")), 0o600, "{name}");
        // NAME.pem is the leaf, then the issuing CA.
        assert!(pki
            .read(&format!("{name}.pem"))
            .ends_with(&pki.read("intermediate.pem")));
        assert!(pki
            .read(&format!("{name}.key"))
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
    }

    // The extensions claimed, as openssl reads them.
    let intermediate = pki.openssl_ok(&["x509", "-in", "intermediate.pem", "-noout", "-text"]);
    let intermediate_ski = extensions(&intermediate)
        .iter()
        .find_map(|line| {
            line.strip_prefix("X509v3 Subject Key Identifier: = ")
                .map(str::to_owned)
        })
        .unwrap();
    let text =
        |name: &str| pki.openssl_ok(&["x509", "-in", &format!("{name}.pem"), "-noout", "-text"]);
    let web = text("web");
    let web_extensions = extensions(&web);
    assert_eq!(web_extensions.len(), 6, "{web_extensions:?}");
    assert_eq!(
        [&web_extensions[..4], &web_extensions[5..]].concat(),
        [
            format!("X509v3 Authority Key Identifier: = {intermediate_ski}"),
            format!("X509v3 Subject Alternative Name: = URI:{WEB}"),
            "X509v3 Key Usage: critical = Digital Signature".to_owned(),
            "X509v3 Extended Key Usage: = TLS Web Client Authentication".to_owned(),
            "X509v3 Basic Constraints: critical = CA:FALSE".to_owned(),
        ]
    );
    assert!(web_extensions[4].starts_with("X509v3 Subject Key Identifier: = "));
    assert!(web.contains("        Subject: CN = web\n"), "{web}");
    assert!(
        web.contains("Public Key Algorithm: id-ecPublicKey") && web.contains("NIST CURVE: P-256")
    );
    let server = extensions(&text("server"));
    assert!(
        server.contains(
            &"X509v3 Subject Alternative Name: = DNS:localhost, IP Address:127.0.0.1".to_owned()
        ),
        "{server:?}"
    );
    assert!(
        server.contains(&"X509v3 Extended Key Usage: = TLS Web Server Authentication".to_owned())
    );
    let rsa = text("both-rsa");
    assert!(
        rsa.contains("Public Key Algorithm: rsaEncryption")
            && rsa.contains("Public-Key: (2048 bit)"),
        "{rsa}"
    );
    let rsa = extensions(&rsa);
    assert!(rsa.contains(&"X509v3 Subject Alternative Name: = DNS:rsa.example.org, email:ops@example.org, URI:urn:example:rsa".to_owned()), "{rsa:?}");
    assert!(rsa.contains(&"X509v3 Extended Key Usage: = TLS Web Client Authentication, TLS Web Server Authentication".to_owned()));
    assert!(text("edwards").contains("Public Key Algorithm: ED25519"));

    // certgate: the SPIFFE client is allowed; the others are not, each for its reason.
    let (code, out, err) = pki.certgate(&["verify", "--policy", "policy.json", "web.pem"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ALLOWED CN=web\n"), "{out}");
    assert!(out.contains(&format!("  spiffe id:    {WEB}\n")), "{out}");
    assert!(pki
        .decision("edwards.pem")
        .starts_with("ALLOWED CN=edwards"));
    assert!(
        pki.decision("elsewhere.pem")
            .starts_with("REJECTED UNKNOWN_ISSUER: "),
        "{}",
        pki.decision("elsewhere.pem")
    );
    assert!(pki
        .decision("server.pem")
        .starts_with("REJECTED INVALID_USAGE: "));
    assert!(pki
        .decision("both-rsa.pem")
        .starts_with("REJECTED NOT_AUTHORIZED: "));
    // The server certificate, judged as a server by a policy of the same files.
    let (code, out, err) = pki.certgate(&[
        "verify",
        "--ca",
        "root.pem",
        "--intermediates",
        "intermediate.pem",
        "--crl",
        "crls.pem",
        "--usage",
        "server",
        "--allow-dns",
        "localhost",
        "server.pem",
    ]);
    assert_eq!(code, 0, "{out}{err}");

    // PKCS#12: openssl reads every file with its password, without the legacy provider.
    for (name, password) in [
        ("web", "certgate"),
        ("server", "certgate"),
        ("both-rsa", "certgate"),
        ("edwards", "s3cret"),
    ] {
        let file = format!("{name}.p12");
        let output = pki.openssl(&[
            "pkcs12",
            "-info",
            "-nodes",
            "-in",
            &file,
            "-passin",
            &format!("pass:{password}"),
        ]);
        let info = String::from_utf8_lossy(&output.stderr);
        let contents = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{name}: {info}");
        assert!(info.contains("MAC: sha1"), "{info}");
        assert!(
            info.contains("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC"),
            "{info}"
        );
        assert!(
            info.contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"),
            "{info}"
        );
        assert!(
            contents.contains(&format!("subject=CN = {name}\n")),
            "{contents}"
        );
        assert!(contents.contains("subject=O = Certgate Dev PKI, CN = Certgate Dev Issuing CA "));
        assert!(contents.contains("-----BEGIN PRIVATE KEY-----"));
        assert!(
            contents.contains(&format!("friendlyName: {name}\n")),
            "{contents}"
        );
        let wrong = pki.openssl(&[
            "pkcs12",
            "-info",
            "-nodes",
            "-in",
            &file,
            "-passin",
            "pass:wrong",
        ]);
        assert!(!wrong.status.success(), "{name}");
    }
    // The key in the PKCS#12 file is the one in NAME.key.
    let pkey = |args: &[&str]| pki.openssl_ok(&[&["pkey", "-pubout"][..], args].concat());
    pki.openssl_ok(&[
        "pkcs12",
        "-in",
        "web.p12",
        "-passin",
        "pass:certgate",
        "-nocerts",
        "-nodes",
        "-out",
        "web-from-p12.key",
    ]);
    assert_eq!(
        pkey(&["-in", "web-from-p12.key"]),
        pkey(&["-in", "web.key"])
    );

    // The index records each certificate with its PEM, in issuing order.
    let index = pki.index();
    let names: Vec<&str> = index["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web", "elsewhere", "server", "both-rsa", "edwards"]);
    let web = &index["certificates"][0];
    assert_eq!(web["revoked"], Value::Null);
    assert!(pki
        .read("web.pem")
        .starts_with(web["certificate"].as_str().unwrap()));
}

#[test]
fn issue_refuses_what_it_cannot_do_and_writes_nothing() {
    let pki = DevPki::new("refuse", &[]);
    pki.issue("web", &["--spiffe", WEB]);
    let index = pki.read("index.json");
    let refused = |args: &[&str], message: &str| {
        let (code, out, err) = pki.pki("issue", args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    };
    refused(
        &["web"],
        "demo already issued a certificate named web (serial ",
    );
    refused(&["WEB"], "demo already issued a certificate named web");
    for name in ["../web", "a/b", ".hidden", "a b", "", "naïve"] {
        refused(
            &[name],
            "is not a certificate name: 1 to 64 letters, digits",
        );
    }
    for name in ["root", "Intermediate", "crls"] {
        refused(&[name], "is the name of one of the PKI's own files");
    }
    refused(
        &["bad", "--spiffe", "spiffe://Example.org/x"],
        "--spiffe \"spiffe://Example.org/x\" is not a SPIFFE ID",
    );
    refused(
        &["bad", "--spiffe", "spiffe://example.org"],
        "is not a SPIFFE ID",
    );
    refused(
        &["bad", "--spiffe", WEB, "--uri", "urn:x"],
        "cannot be used with",
    );
    refused(
        &["bad", "--dns", "bücher.example"],
        "--dns \"bücher.example\" is not ASCII",
    );
    refused(
        &["bad", "--ip", "10.0.0.256"],
        "invalid value '10.0.0.256' for '--ip <ADDR>'",
    );
    refused(
        &["bad", "--key", "dsa"],
        "invalid value 'dsa' for '--key <TYPE>'",
    );
    refused(
        &["bad", "--days", "0"],
        "invalid value '0' for '--days <N>'",
    );
    refused(
        &["bad", "--days", "4000"],
        "--days 4000 would outlive the issuing CA, which expires ",
    );
    // A file in the way.
    std::fs::write(pki.path("stray.p12"), "").unwrap();
    refused(
        &["stray"],
        "demo/stray.p12 already exists: certgate pki never overwrites a file",
    );
    assert_eq!(pki.read("index.json"), index);
    for name in ["bad.pem", "bad.key", "bad.p12", "stray.pem", "stray.key"] {
        assert!(!pki.path(name).exists(), "{name}");
    }
    // --help names the defaults.
    let (_, help, _) = certgate_in(&pki.parent.0, &["pki", "issue", "--help"]);
    for default in ["[default: 90]", "[default: ec]", "[default: certgate]"] {
        assert!(help.contains(default), "{default}: {help}");
    }
}

#[test]
fn revoked_certificates_are_refused_by_openssl_and_certgate() {
    let pki = DevPki::new("revoke", &["--crl-days", "2"]);
    pki.issue("web", &["--spiffe", WEB]);
    pki.issue("old", &["--spiffe", "spiffe://example.org/ns/prod/sa/old"]);
    pki.issue(
        "keep",
        &["--spiffe", "spiffe://example.org/ns/prod/sa/keep"],
    );
    let serial = |name: &str| -> String {
        pki.index()["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["serial"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let next_update =
        || pki.openssl_ok(&["crl", "-in", "intermediate.crl", "-noout", "-nextupdate"]);
    assert!(pki.decision("web.pem").starts_with("ALLOWED CN=web"));

    // By name, with a reason.
    let (code, out, err) = pki.pki("revoke", &["web", "--reason", "key-compromise"]);
    assert_eq!(code, 0, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!("revoked web (serial {}) at ", serial("web"))),
        "{out}"
    );
    assert!(lines[0].ends_with("Z, reason key-compromise"), "{out}");
    assert!(
        lines[1].starts_with("CRLs: number 2, next update ")
            && lines[1].ends_with(" (expires in 30 days)"),
        "{out}"
    );
    // By serial as openssl prints it (upper case, colons): no reasonCode for unspecified.
    let old = serial("old").to_uppercase();
    let with_colons: Vec<String> = old
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect();
    let (code, out, err) = pki.pki("revoke", &[&with_colons.join(":")]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.ends_with(" (expires in 30 days)\n"), "{out}");

    for name in ["web.pem", "old.pem"] {
        let (ok, text) = pki.openssl_verify(name);
        assert!(!ok, "{name}: {text}");
        assert!(text.contains("certificate revoked"), "{name}: {text}");
        let decision = pki.decision(name);
        assert!(
            decision.starts_with(&format!(
                "REJECTED REVOKED: certificate #0 (CN={}) is revoked",
                &name[..name.len() - 4]
            )),
            "{decision}"
        );
    }
    let (ok, text) = pki.openssl_verify("keep.pem");
    assert!(ok, "{text}");
    assert!(pki.decision("keep.pem").starts_with("ALLOWED CN=keep"));

    let crl = pki.openssl_ok(&["crl", "-in", "intermediate.crl", "-noout", "-text"]);
    assert!(
        crl.contains("X509v3 CRL Number: \n                3\n"),
        "{crl}"
    );
    assert!(
        crl.contains(&format!(
            "Serial Number: {}\n",
            serial("web").to_uppercase()
        )),
        "{crl}"
    );
    assert_eq!(crl.matches("Revocation Date: ").count(), 2, "{crl}");
    assert_eq!(
        crl.matches("X509v3 CRL Reason Code: \n                Key Compromise")
            .count(),
        1,
        "{crl}"
    );
    let root_crl = pki.openssl_ok(&["crl", "-in", "root.crl", "-noout", "-text"]);
    assert!(
        root_crl.contains("X509v3 CRL Number: \n                3\n")
            && root_crl.contains("No Revoked Certificates."),
        "{root_crl}"
    );
    let index = pki.index();
    assert_eq!(
        index["certificates"][0]["revoked"]["reason"],
        "key-compromise"
    );
    assert_eq!(index["certificates"][1]["revoked"]["reason"], "unspecified");
    assert_eq!(index["crl"]["number"], 3);

    // What cannot be revoked.
    let (code, _, err) = pki.pki("revoke", &["web"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "certgate: web (serial {}) was revoked already, at ",
            serial("web")
        )),
        "{err}"
    );
    assert!(err.ends_with(" (key-compromise)\n"), "{err}");
    let (code, _, err) = pki.pki("revoke", &["nobody"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "certgate: demo has issued no certificate named \"nobody\" or with that serial number\n"
    );
    let (code, _, _) = pki.pki("revoke", &["keep", "--reason", "certificate-hold"]);
    assert_eq!(code, 2);

    // `pki crl` re-signs both with the next number and fresh dates; nothing else changes.
    let before = next_update();
    let (code, out, err) = pki.pki("crl", &["--crl-days", "7"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("CRLs: number 4, next update ") && out.ends_with(" (expires in 7 days)\n"),
        "{out}"
    );
    assert_ne!(next_update(), before);
    let (ok, text) = pki.openssl_verify("keep.pem");
    assert!(ok, "{text}");
    let (ok, _) = pki.openssl_verify("web.pem");
    assert!(!ok);
    assert!(pki.decision("web.pem").starts_with("REJECTED REVOKED: "));
    assert_eq!(pki.index()["crl"]["number"], 4);
    // No temporary file is left behind.
    let hidden: Vec<_> = std::fs::read_dir(pki.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn list_shows_status_serials_and_sans() {
    let pki = DevPki::new("list", &["--trust-domain", "prod.test"]);
    pki.issue("web", &["--spiffe", "spiffe://prod.test/web"]);
    pki.issue(
        "api",
        &[
            "--server",
            "--dns",
            "api.prod.test",
            "--ip",
            "::1",
            "--days",
            "5",
        ],
    );
    let (code, _, err) = pki.pki("revoke", &["web", "--reason", "superseded"]);
    assert_eq!(code, 0, "{err}");
    let serials: Vec<String> = pki.index()["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["serial"].as_str().unwrap().to_owned())
        .collect();

    let (code, out, err) = pki.pki("list", &[]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let columns = |line: &str| -> Vec<String> {
        line.split("  ")
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let web = columns(lines[0]);
    assert_eq!(
        web,
        [
            "REVOKED",
            "web",
            &serials[0],
            &web[3],
            &web[4],
            "uri:spiffe://prod.test/web"
        ]
    );
    // 90 days, rounded down once a second has passed since `issue`.
    assert!(
        ["expires in 90 days", "expires in 89 days"].contains(&web[4].as_str()),
        "{out}"
    );
    let api = columns(lines[1]);
    assert_eq!(
        api,
        [
            "OK",
            "api",
            &serials[1],
            &api[3],
            &api[4],
            "dns:api.prod.test, ip:::1"
        ]
    );
    assert!(
        ["expires in 5 days", "expires in 4 days"].contains(&api[4].as_str()),
        "{out}"
    );
    assert_eq!(
        lines[2],
        "2 certificates issued in demo: 1 revoked, 0 expired"
    );
    assert!(
        lines[3].starts_with("CRLs: number 2, next update "),
        "{out}"
    );
    assert_eq!(lines.len(), 4);

    let (code, out, _) = pki.pki("list", &["--json"]);
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list["dir"], "demo");
    assert_eq!(list["trust_domain"], "prod.test");
    assert_eq!(list["crl"]["number"], 2);
    assert_eq!(list["crl"]["expired"], false);
    assert_eq!(
        list["crl"]["next_update"],
        pki.index()["crl"]["next_update"]
    );
    let web = &list["certificates"][0];
    assert_eq!(web["name"], "web");
    assert_eq!(web["status"], "revoked");
    assert_eq!(web["revoked"]["reason"], "superseded");
    assert_eq!(web["serial"], serials[0]);
    assert_eq!(web["spiffe_id"], "spiffe://prod.test/web");
    assert!(
        [89, 90].contains(&web["days_left"].as_i64().unwrap()),
        "{web}"
    );
    assert_eq!(
        web["not_after_rfc3339"],
        lines[0].split_whitespace().nth(3).unwrap()
    );
    let api = &list["certificates"][1];
    assert_eq!(
        (&api["status"], &api["revoked"]),
        (&json!("ok"), &Value::Null)
    );
    assert_eq!(api["san"]["ip"], json!(["::1"]));
    assert_eq!(
        sorted_keys(api),
        [
            "days_left",
            "expired",
            "fingerprint_sha256",
            "issuer",
            "name",
            "not_after",
            "not_after_rfc3339",
            "not_before",
            "not_yet_valid",
            "revoked",
            "san",
            "seconds_left",
            "serial",
            "spiffe_id",
            "status",
            "subject",
        ]
    );
    // The trust domain went into the CAs and the policy.
    let root = pki.openssl_ok(&[
        "x509",
        "-in",
        "root.pem",
        "-noout",
        "-ext",
        "subjectAltName",
    ]);
    assert!(root.contains("URI:spiffe://prod.test"), "{root}");
    assert!(pki.decision("web.pem").starts_with("REJECTED REVOKED"));
}

/// `curl ARGS` (the client certificate) against `server`, trusting the PKI's root: the
/// HTTP status, or curl's error.
fn curl(pki: &DevPki, server: &TlsServer, args: &[&str]) -> Result<String, String> {
    let output = Command::new("curl")
        .current_dir(pki.path(""))
        .args([
            "-sS",
            "--max-time",
            "10",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--cacert",
            "root.pem",
        ])
        .args(args)
        .arg(format!("https://{}/", server.target()))
        .output()
        .expect("curl");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn curl_presents_the_certificates_to_openssl_s_server() {
    let pki = DevPki::new("curl", &[]);
    pki.issue(
        "server",
        &["--server", "--dns", "localhost", "--ip", "127.0.0.1"],
    );
    pki.issue("web", &["--spiffe", WEB]);
    pki.issue(
        "revoked",
        &["--spiffe", "spiffe://example.org/ns/prod/sa/revoked"],
    );
    pki.issue(
        "edwards",
        &[
            "--key",
            "ed25519",
            "--spiffe",
            "spiffe://example.org/ns/prod/sa/ed",
        ],
    );
    let (code, _, err) = pki.pki("revoke", &["revoked"]);
    assert_eq!(code, 0, "{err}");
    // A client of another development PKI.
    let stranger = DevPki::new("curl-stranger", &[]);
    stranger.issue("web", &["--spiffe", WEB]);
    std::fs::copy(stranger.path("web.pem"), pki.path("stranger.pem")).unwrap();
    std::fs::copy(stranger.path("web.key"), pki.path("stranger.key")).unwrap();

    let run = |server: &TlsServer, name: &str| {
        let (cert, key) = (format!("{name}.pem"), format!("{name}.key"));
        curl(&pki, server, &["--cert", &cert, "--key", &key])
    };
    // s_server requires a client certificate (-Verify) of the -CAfile's root and ends the
    // handshake when it does not verify (-verify_return_error); it sends only the first
    // certificate of -cert, so the issuing CA goes in -cert_chain.
    let serve = |ca_file: &str, crl_args: &[&str]| {
        let mut args = vec![
            "-cert",
            "server.pem",
            "-key",
            "server.key",
            "-cert_chain",
            "intermediate.pem",
            "-Verify",
            "1",
            "-verify_return_error",
            "-CAfile",
            ca_file,
        ];
        args.extend_from_slice(crl_args);
        TlsServer::start(&pki.path(""), &args)
    };
    let server = serve("root.pem", &[]);
    assert_eq!(run(&server, "web"), Ok("200".to_owned()));
    assert_eq!(run(&server, "edwards"), Ok("200".to_owned()));
    // The PKCS#12 files, as curl on macOS takes them.
    for name in ["web", "edwards"] {
        let p12 = format!("{name}.p12:certgate");
        assert_eq!(
            curl(&pki, &server, &["--cert-type", "P12", "--cert", &p12]),
            Ok("200".to_owned()),
            "{name}"
        );
    }
    // Without CRL checks s_server accepts the revoked certificate.
    assert_eq!(run(&server, "revoked"), Ok("200".to_owned()));
    let refused = run(&server, "stranger").unwrap_err();
    assert!(refused.contains("unknown ca"), "{refused}");
    drop(server);

    // With the issuing CA's CRL (s_server's -CRL reads one CRL: -crl_check checks the leaf).
    let server = serve("root.pem", &["-crl_check", "-CRL", "intermediate.crl"]);
    assert_eq!(run(&server, "web"), Ok("200".to_owned()));
    let refused = run(&server, "revoked").unwrap_err();
    assert!(refused.contains("certificate revoked"), "{refused}");
    drop(server);

    // Every CRL of the chain: OpenSSL reads CRLs from the -CAfile too.
    std::fs::write(
        pki.path("root-and-crls.pem"),
        format!("{}{}", pki.read("root.pem"), pki.read("crls.pem")),
    )
    .unwrap();
    let server = serve("root-and-crls.pem", &["-crl_check_all"]);
    assert_eq!(run(&server, "web"), Ok("200".to_owned()));
    let refused = run(&server, "revoked").unwrap_err();
    assert!(refused.contains("certificate revoked"), "{refused}");
}
