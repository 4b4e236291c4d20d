//! A small demo PKI valid now (relative to the current clock), for `make demo`.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{ExtendedKeyUsagePurpose as Eku, RevocationReason};
use serde_json::json;

use crate::pki::{crl, dn, write_file, Attr, CertSpec, Issued, Revoked, San};
use crate::Result;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

/// The SPIFFE ID pattern the demo policy allows.
const ALLOWED_PATTERN: &str = "spiffe://demo.example/ns/prod/sa/*";
/// The one server a client under `server-policy.json` may call.
const PAYMENTS: &str = "spiffe://demo.example/ns/prod/sa/payments";

fn demo_ca(org: &str, cn: &str, serial: &[u8], now: i64) -> CertSpec {
    CertSpec::ca(
        dn(&[(Attr::O, org), (Attr::Cn, cn)]),
        serial,
        now - DAY,
        now + 5 * YEAR,
    )
}

fn demo_leaf(cn: &str, serial: &[u8], not_before: i64, not_after: i64) -> CertSpec {
    CertSpec::leaf(
        dn(&[(Attr::O, "Certgate Demo"), (Attr::Cn, cn)]),
        serial,
        not_before,
        not_after,
    )
}

/// Writes the demo PKI into `dir`:
/// `ca.pem`, `intermediate.pem`, `crl.pem`, `policy.json`, `server.{pem,key}` and
/// `NAME.{pem,key}` for the clients `allowed`, `revoked`, `wrong-spiffe`, `expired`
/// and `untrusted`. Each `NAME.pem` holds the leaf followed by its intermediate.
///
/// The CRLs are also written one per file (`root-crl.pem`, `intermediate-crl.pem`), with
/// the issuing CA's next CRL, `intermediate-crl-next.pem`, which revokes `allowed` too.
///
/// For the other direction (a client checking its server), `server-policy.json`
/// (`usage: "server"`, allowing only the SPIFFE ID `PAYMENTS`) and the servers
/// `payments`, `payments-wrong-spiffe`, `payments-revoked`, `payments-untrusted` and
/// `payments-expired`, all named `localhost` / 127.0.0.1 too, so that hostname
/// checks pass and only the policy tells them apart.
pub fn write(dir: &Path) -> Result<()> {
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
    let (from, until) = (now - HOUR, now + 90 * DAY);

    let root = Issued::self_signed(demo_ca("Certgate Demo", "Certgate Demo Root", &[0x01], now))?;
    let int = Issued::signed_by(
        demo_ca("Certgate Demo", "Certgate Demo Issuing CA", &[0x02], now),
        &root,
    )?;
    let other_root =
        Issued::self_signed(demo_ca("Elsewhere", "Untrusted Demo Root", &[0x01], now))?;
    let other_int = Issued::signed_by(
        demo_ca("Elsewhere", "Untrusted Demo Issuing CA", &[0x02], now),
        &other_root,
    )?;

    let svid = |path: &str| San::uri(&format!("spiffe://demo.example/ns/{path}"));
    let server = Issued::signed_by(
        demo_leaf("localhost", &[0x10], from, until)
            .sans(vec![San::dns("localhost"), San::ip("127.0.0.1")])
            .eku(vec![Eku::ServerAuth]),
        &int,
    )?;
    let allowed = Issued::signed_by(
        demo_leaf("web", &[0x20], from, until).sans(vec![svid("prod/sa/web")]),
        &int,
    )?;
    let revoked = Issued::signed_by(
        demo_leaf("web-revoked", &[0x21], from, until).sans(vec![svid("prod/sa/web")]),
        &int,
    )?;
    let wrong = Issued::signed_by(
        demo_leaf("web-dev", &[0x22], from, until).sans(vec![svid("dev/sa/web")]),
        &int,
    )?;
    let expired = Issued::signed_by(
        demo_leaf("web-expired", &[0x23], now - 2 * DAY, now - HOUR)
            .sans(vec![svid("prod/sa/web")]),
        &int,
    )?;
    let untrusted = Issued::signed_by(
        demo_leaf("web", &[0x30], from, until).sans(vec![svid("prod/sa/web")]),
        &other_int,
    )?;

    let payments_server = |cn: &str, serial: u8, spiffe: &str, validity: (i64, i64), issuer| {
        Issued::signed_by(
            demo_leaf(cn, &[serial], validity.0, validity.1)
                .sans(vec![
                    San::uri(spiffe),
                    San::dns("localhost"),
                    San::ip("127.0.0.1"),
                ])
                .eku(vec![Eku::ServerAuth]),
            issuer,
        )
    };
    let payments = payments_server("payments", 0x40, PAYMENTS, (from, until), &int)?;
    let payments_wrong = payments_server(
        "payments-dev",
        0x41,
        "spiffe://demo.example/ns/dev/sa/payments",
        (from, until),
        &int,
    )?;
    let payments_revoked =
        payments_server("payments-revoked", 0x42, PAYMENTS, (from, until), &int)?;
    let payments_untrusted =
        payments_server("payments", 0x43, PAYMENTS, (from, until), &other_int)?;
    let payments_expired = payments_server(
        "payments-expired",
        0x44,
        PAYMENTS,
        (now - 2 * DAY, now - HOUR),
        &int,
    )?;

    let root_crl = crl(&root, from, until, 1, &[])?;
    let compromised = |cert| Revoked {
        cert,
        at: from,
        reason: RevocationReason::KeyCompromise,
    };
    let int_crl = crl(
        &int,
        from,
        until,
        1,
        &[compromised(&revoked), compromised(&payments_revoked)],
    )?;
    // The issuing CA's next CRL, which also revokes `allowed`: what a CRL endpoint
    // serves after a revocation (the bindings' CRL download tests).
    let int_crl_next = crl(
        &int,
        from,
        until,
        2,
        &[
            compromised(&revoked),
            compromised(&payments_revoked),
            compromised(&allowed),
        ],
    )?;

    std::fs::create_dir_all(dir)?;
    write_file(dir, "root-crl.pem", &root_crl)?;
    write_file(dir, "intermediate-crl.pem", &int_crl)?;
    write_file(dir, "intermediate-crl-next.pem", &int_crl_next)?;
    write_file(dir, "ca.pem", root.pem())?;
    write_file(dir, "intermediate.pem", int.pem())?;
    write_file(dir, "crl.pem", format!("{root_crl}{int_crl}"))?;
    for (name, leaf, issuer) in [
        ("server", &server, &int),
        ("allowed", &allowed, &int),
        ("revoked", &revoked, &int),
        ("wrong-spiffe", &wrong, &int),
        ("expired", &expired, &int),
        ("untrusted", &untrusted, &other_int),
        ("payments", &payments, &int),
        ("payments-wrong-spiffe", &payments_wrong, &int),
        ("payments-revoked", &payments_revoked, &int),
        ("payments-untrusted", &payments_untrusted, &other_int),
        ("payments-expired", &payments_expired, &int),
    ] {
        write_file(
            dir,
            &format!("{name}.pem"),
            format!("{}{}", leaf.pem(), issuer.pem()),
        )?;
        write_file(dir, &format!("{name}.key"), &leaf.key_pem()?)?;
    }
    let policy = json!({
        "trust": { "anchors": root.pem(), "intermediates": int.pem() },
        "revocation": { "crls": [root_crl, int_crl] },
        "allow": [{ "spiffe_id": ALLOWED_PATTERN }],
    });
    write_policy(dir, "policy.json", &policy)?;
    let server_policy = json!({
        "trust": { "anchors": root.pem(), "intermediates": int.pem() },
        "revocation": { "crls": [root_crl, int_crl] },
        "usage": "server",
        "allow": [{ "spiffe_id": PAYMENTS }],
    });
    write_policy(dir, "server-policy.json", &server_policy)?;
    eprintln!(
        "wrote the demo PKI (valid from now for 90 days) to {}",
        dir.display()
    );
    Ok(())
}

fn write_policy(dir: &Path, name: &str, policy: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(policy)?;
    text.push('\n');
    write_file(dir, name, &text)
}
