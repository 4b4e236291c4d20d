//! `certgate probe` against real TLS servers (`openssl s_server`): with and without
//! client authentication, over TLS 1.3 and 1.2, with server chains a policy allows,
//! refuses or that have expired. Certificates are made with rcgen, valid now.

mod common;

use rcgen::ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
use rcgen::SanType;
use serde_json::Value;
use time::Duration;

use common::{certgate, issue, now, pem, server_sans, Ca, TempDir, TlsServer};

const PAYMENTS: &str = "spiffe://example.org/ns/prod/sa/payments";

/// A PKI as files: a root and issuing CA, servers (`NAME.pem` = leaf + intermediate,
/// `NAME.key`), clients, an untrusted client, and `server-policy.json` (usage server,
/// allowing only `PAYMENTS`, with CRLs revoking `payments-revoked`).
struct Pki {
    dir: TempDir,
    root_subject: String,
}

impl Pki {
    fn new(name: &str) -> Pki {
        let dir = TempDir::new(&format!("probe-{name}"));
        let root = Ca::root_around("Certgate Test Root", now());
        let int = root.intermediate("Certgate Test Issuing CA");
        let later = now() + Duration::days(30);
        let servers = [
            ("payments", 10, PAYMENTS, later),
            (
                "payments-wrong-spiffe",
                11,
                "spiffe://example.org/ns/prod/sa/other",
                later,
            ),
            ("payments-revoked", 12, PAYMENTS, later),
            ("payments-expired", 13, PAYMENTS, now() - Duration::days(2)),
        ];
        for (name, serial, spiffe_id, not_after) in servers {
            let leaf = issue(
                &int,
                serial,
                name,
                ServerAuth,
                server_sans(spiffe_id),
                not_after,
            );
            dir.write(&format!("{name}.pem"), format!("{}{}", leaf.pem, int.pem()));
            dir.write(&format!("{name}.key"), pem("PRIVATE KEY", &leaf.key_der));
        }
        let client = issue(
            &int,
            20,
            "web",
            ClientAuth,
            vec![SanType::URI(
                "spiffe://example.org/ns/prod/sa/web".try_into().unwrap(),
            )],
            later,
        );
        dir.write("client.pem", format!("{}{}", client.pem, int.pem()));
        dir.write("client.key", pem("PRIVATE KEY", &client.key_der));
        let elsewhere = Ca::root_around("Untrusted Root", now()).intermediate("Untrusted CA");
        let stranger = issue(&elsewhere, 30, "stranger", ClientAuth, vec![], later);
        dir.write(
            "stranger.pem",
            format!("{}{}", stranger.pem, elsewhere.pem()),
        );
        dir.write("stranger.key", pem("PRIVATE KEY", &stranger.key_der));
        dir.write("root.pem", root.pem());
        dir.write("intermediate.pem", int.pem());
        let policy = |usage: &str| {
            serde_json::json!({
                "trust": { "anchors": { "file": "root.pem" }, "intermediates": { "file": "intermediate.pem" } },
                "usage": usage,
                "revocation": { "crls": [pem("X509 CRL", &root.crl([])), pem("X509 CRL", &int.crl([vec![12]]))] },
                "allow": [{ "spiffe_id": PAYMENTS }],
            })
            .to_string()
        };
        dir.write("server-policy.json", policy("server"));
        dir.write("client-policy.json", policy("client"));
        let root_subject = certgate::inspect(root.pem().as_bytes()).unwrap().subject;
        Pki { dir, root_subject }
    }

    /// s_server serving `NAME.pem` / `NAME.key` with `args` added.
    fn serve(&self, name: &str, args: &[&str]) -> TlsServer {
        let (cert, key) = (format!("{name}.pem"), format!("{name}.key"));
        // s_server sends only the first certificate of -cert; the rest goes in -cert_chain.
        let mut all = vec![
            "-cert",
            &cert,
            "-key",
            &key,
            "-cert_chain",
            "intermediate.pem",
        ];
        all.extend_from_slice(args);
        TlsServer::start(&self.dir.0, &all)
    }

    fn probe(&self, args: &[&str]) -> (i32, String, String) {
        common::certgate_in(&self.dir.0, args)
    }

    fn probe_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.push("--json");
        let (code, out, err) = self.probe(&all);
        let value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        (code, value)
    }
}

/// Client authentication as s_server requires it: a certificate of the root, with a
/// failed verification ending the handshake (s_server only logs it otherwise).
const REQUIRE_CLIENT_CERT: [&str; 5] = [
    "-Verify",
    "2",
    "-verify_return_error",
    "-CAfile",
    "root.pem",
];

fn line<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find(|line| line.starts_with(&format!("{label}:")))
        .unwrap_or_else(|| panic!("no {label}: line in\n{out}"))
}

#[test]
fn a_server_without_client_authentication() {
    let pki = Pki::new("plain");
    let server = pki.serve("payments", &[]);
    let (code, out, err) = pki.probe(&["probe", &server.target()]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(line(&out, "handshake"), "handshake:     completed");
    assert!(
        line(&out, "tls").starts_with("tls:           TLSv1.3, TLS_"),
        "{out}"
    );
    assert_eq!(
        line(&out, "server name"),
        "server name:   localhost (sent as SNI)"
    );
    assert_eq!(
        line(&out, "server chain"),
        "server chain:  2 certificates as sent"
    );
    assert!(
        out.contains("  #0 subject:    CN=payments,O=Certgate Test\n")
            && out.contains("     san:        dns:localhost, uri:spiffe://example.org/ns/prod/sa/payments, ip:127.0.0.1\n")
            && out.contains("  #1 subject:    CN=Certgate Test Issuing CA,O=Certgate Test\n"),
        "{out}"
    );
    assert_eq!(
        line(&out, "issuers"),
        format!(
            "issuers:       in issuing order by name; #1 was issued by {} (not sent)",
            pki.root_subject
        )
    );
    assert_eq!(
        line(&out, "policy"),
        "policy:        NOT JUDGED (no --policy)"
    );
    assert_eq!(
        line(&out, "client auth"),
        "client auth:   not requested by the server"
    );
    assert_eq!(line(&out, "result"), "result:        OK");

    // The policy allows the server's SPIFFE ID; a certificate offered unasked is not sent.
    let (code, out, err) = pki.probe(&[
        "probe",
        &server.target(),
        "--policy",
        "server-policy.json",
        "--cert",
        "client.pem",
        "--key",
        "client.key",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        line(&out, "policy"),
        format!("policy:        ALLOWED {PAYMENTS} by allow[0]")
    );
    assert_eq!(
        line(&out, "client cert"),
        "client cert:   CN=web,O=Certgate Test not sent (not requested)"
    );

    let (code, json) =
        pki.probe_json(&["probe", &server.target(), "--policy", "server-policy.json"]);
    assert_eq!(code, 0);
    assert_eq!(json["ok"], true);
    assert_eq!(json["server_name"], "localhost");
    assert_eq!(json["sni"], true);
    assert_eq!(json["handshake"]["completed"], true);
    assert_eq!(json["tls"]["version"], "TLSv1.3");
    assert_eq!(json["server_chain"].as_array().unwrap().len(), 2);
    assert_eq!(json["server_chain"][0]["spiffe_id"], PAYMENTS);
    assert_eq!(json["server_chain"][0]["expired"], false);
    assert_eq!(json["chain"]["names_chain"], true);
    assert_eq!(json["name_check"]["matches"], true);
    assert_eq!(json["policy"]["covers_server"], true);
    assert_eq!(json["decision"]["allowed"], true);
    assert_eq!(json["decision"]["identity"]["spiffe_id"], PAYMENTS);
    assert_eq!(json["client_certificate"]["requested"], false);
    assert_eq!(json["client_certificate"]["outcome"], "not_requested");

    // An IP address is checked against IP SANs, and sends no SNI.
    let by_ip = format!("127.0.0.1:{}", server.port);
    let (code, json) = pki.probe_json(&["probe", &by_ip, "--policy", "server-policy.json"]);
    assert_eq!((code, &json["sni"]), (0, &Value::Bool(false)));
    // A name the certificate does not hold fails the policy check.
    let (code, out, _) = pki.probe(&[
        "probe",
        &server.target(),
        "--sni",
        "api.example.com",
        "--policy",
        "server-policy.json",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        line(&out, "name check").starts_with("name check:    api.example.com does NOT match"),
        "{out}"
    );
}

#[test]
fn a_client_certificate_the_server_accepts() {
    let pki = Pki::new("accepted");
    for (version, evidence, detail) in [
        (
            "-tls1_3",
            "no_alert_within_wait",
            "no alert within 1s after the TLS 1.3 handshake",
        ),
        (
            "-tls1_2",
            "handshake_finished",
            "the server finished the TLS 1.2 handshake after reading the client's answer",
        ),
    ] {
        let mut args = REQUIRE_CLIENT_CERT.to_vec();
        args.push(version);
        let server = pki.serve("payments", &args);
        let probe = [
            "probe",
            &server.target(),
            "--cert",
            "client.pem",
            "--key",
            "client.key",
            "--wait",
            "1s",
        ];
        let (code, out, err) = pki.probe(&probe);
        assert_eq!(code, 0, "{version}: {out}{err}");
        assert_eq!(
            line(&out, "client cert"),
            format!("client cert:   ACCEPTED CN=web,O=Certgate Test ({detail})"),
            "{version}"
        );
        // The CA names read as certgate writes names.
        assert!(
            out.contains(&format!(
                "client auth:   requested; CA names the server accepts:\n                 {}\n",
                pki.root_subject
            )),
            "{version}: {out}"
        );
        let (code, json) = pki.probe_json(&probe);
        assert_eq!(code, 0);
        let client = &json["client_certificate"];
        assert_eq!(client["requested"], true, "{version}");
        assert_eq!(client["ca_names"], serde_json::json!([pki.root_subject]));
        assert_eq!(client["given"], "CN=web,O=Certgate Test");
        assert_eq!(client["offered"], true);
        assert_eq!(client["issuer_listed"], true);
        assert_eq!(client["outcome"], "accepted");
        assert_eq!(client["alert"], Value::Null);
        assert_eq!(client["evidence"], evidence, "{version}");
        assert_eq!(json["wait_ms"], 1000);
    }
}

#[test]
fn a_client_certificate_the_server_refuses() {
    let pki = Pki::new("refused");
    for (version, stage) in [
        ("-tls1_3", "after the handshake"),
        ("-tls1_2", "during the handshake"),
    ] {
        let mut args = REQUIRE_CLIENT_CERT.to_vec();
        args.push(version);
        let server = pki.serve("payments", &args);
        // A certificate from a CA the server does not trust.
        let stranger = [
            "probe",
            &server.target(),
            "--cert",
            "stranger.pem",
            "--key",
            "stranger.key",
        ];
        let (code, out, err) = pki.probe(&stranger);
        assert_eq!(code, 1, "{version}: {out}{err}");
        assert_eq!(
            line(&out, "client cert"),
            format!(
                "client cert:   REFUSED CN=stranger,O=Certgate Test (alert unknown_ca {stage})"
            ),
            "{version}"
        );
        assert_eq!(
            line(&out, "client note"),
            "client note:   no issuer of the --cert chain is among the server's CA names"
        );
        assert_eq!(line(&out, "result"), "result:        FAILED");
        let (_, json) = pki.probe_json(&stranger);
        assert_eq!(json["client_certificate"]["outcome"], "refused");
        assert_eq!(json["client_certificate"]["alert"], "unknown_ca");
        assert_eq!(json["client_certificate"]["issuer_listed"], false);
        assert_eq!(json["ok"], false);
        // The server's chain is reported all the same.
        assert_eq!(
            json["server_chain"].as_array().unwrap().len(),
            2,
            "{version}"
        );

        // No certificate at all, to a server that requires one.
        let (code, out, _) = pki.probe(&["probe", &server.target()]);
        assert_eq!(code, 1, "{version}: {out}");
        let alert = match version {
            "-tls1_3" => "certificate_required",
            _ => "handshake_failure",
        };
        assert_eq!(
            line(&out, "client cert"),
            format!(
                "client cert:   REQUIRED: none sent (no --cert), and the server ended the \
                 connection (alert {alert} {stage})"
            ),
            "{version}"
        );
        let (_, json) = pki.probe_json(&["probe", &server.target()]);
        assert_eq!(json["client_certificate"]["outcome"], "required");
        assert_eq!(json["client_certificate"]["offered"], false);
    }
}

#[test]
fn optional_client_authentication_without_a_certificate() {
    let pki = Pki::new("optional");
    // -verify (lower case): asks for a certificate, goes on without one.
    let server = pki.serve("payments", &["-verify", "2", "-CAfile", "root.pem"]);
    let (code, out, err) = pki.probe(&["probe", &server.target(), "--wait", "1s"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        line(&out, "client cert"),
        "client cert:   NOT REQUIRED: none sent (no --cert), and the server went on (no alert \
         within 1s after the TLS 1.3 handshake)"
    );
}

#[test]
fn an_expired_server_chain() {
    let pki = Pki::new("expired");
    let server = pki.serve("payments-expired", &[]);
    // Without a policy the chain is shown, not judged: the handshake itself succeeds.
    let (code, out, err) = pki.probe(&["probe", &server.target()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(" (expired 2 days ago)\n") || out.contains(" (expired 1 day ago)\n"),
        "{out}"
    );
    let (_, json) = pki.probe_json(&["probe", &server.target()]);
    assert_eq!(json["server_chain"][0]["expired"], true);
    assert_eq!(json["decision"]["judged"], false);
    // The policy refuses it.
    let (code, out, _) = pki.probe(&["probe", &server.target(), "--policy", "server-policy.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        line(&out, "policy").starts_with("policy:        REJECTED EXPIRED: certificate #0"),
        "{out}"
    );
}

#[test]
fn server_chains_the_policy_refuses() {
    let pki = Pki::new("policy");
    for (name, code) in [
        ("payments-wrong-spiffe", "NOT_AUTHORIZED"),
        ("payments-revoked", "REVOKED"),
    ] {
        let server = pki.serve(name, &[]);
        let args = ["probe", &server.target(), "--policy", "server-policy.json"];
        let (exit, out, err) = pki.probe(&args);
        assert_eq!(exit, 1, "{name}: {out}{err}");
        assert!(
            line(&out, "policy").starts_with(&format!("policy:        REJECTED {code}: ")),
            "{name}: {out}"
        );
        // The handshake completed: the probe accepts any chain to report on it.
        assert_eq!(line(&out, "handshake"), "handshake:     completed");
        let (_, json) = pki.probe_json(&args);
        assert_eq!(json["decision"]["allowed"], false);
        assert_eq!(json["decision"]["code"], code);
        assert_eq!(json["decision"]["cert_index"], 0);
    }
    // A client policy (usage client) cannot pass a server: the probe says why.
    let server = pki.serve("payments", &[]);
    let (code, out, _) = pki.probe(&["probe", &server.target(), "--policy", "client-policy.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        line(&out, "policy").starts_with("policy:        REJECTED INVALID_USAGE: "),
        "{out}"
    );
    assert_eq!(
        line(&out, "policy note"),
        "policy note:   client-policy.json has usage [\"client\"], which does not include \
         \"server\": a server certificate (serverAuth) cannot pass it; set \"usage\": \"server\""
    );
}

#[test]
fn what_cannot_be_probed_exits_2() {
    let pki = Pki::new("errors");
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = format!("127.0.0.1:{port}");
    for (args, expected) in [
        (
            vec!["probe", closed.as_str()],
            "cannot connect to 127.0.0.1:",
        ),
        (vec!["probe", "localhost"], "is not HOST:PORT"),
        (vec!["probe", "::1:443"], "in brackets"),
        (
            vec!["probe", "localhost:1", "--sni", "not a name"],
            "is not a DNS name",
        ),
        (
            vec![
                "probe",
                "localhost:1",
                "--cert",
                "client.pem",
                "--key",
                "stranger.key",
            ],
            "does not fit --cert",
        ),
        (
            vec![
                "probe",
                "localhost:1",
                "--cert",
                "client.key",
                "--key",
                "client.key",
            ],
            "--cert client.key: ",
        ),
        (
            vec!["probe", "localhost:1", "--policy", "missing.json"],
            "cannot read the policy file",
        ),
    ] {
        let (code, out, err) = pki.probe(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let (code, _, err) = certgate(&["probe", "localhost:1", "--cert", "client.pem"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = certgate(&["probe", "localhost:1", "--wait", "2"]);
    assert_eq!(code, 2, "{err}");
}
