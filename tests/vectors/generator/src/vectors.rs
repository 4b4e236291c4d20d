//! The conformance PKI (fixed validity around [`AT`]) and `cases.json`.

use std::path::Path;

use rcgen::{ExtendedKeyUsagePurpose as Eku, KeyUsagePurpose as Ku, RevocationReason};
use serde::Serialize;
use serde_json::{json, Value};

use crate::identity::{Identity, VerifiedIdentity};
use crate::pki::{
    crl, dn, edit_crl, ocsp_response, ocsp_try_later, openssl_pkcs12, openssl_pkcs7, openssl_text,
    pem_decode, pem_encode, write_file, Attr, Basic, CertSpec, CrlEdit, Deviations, Issued,
    KeyKind, OcspSpec, OcspStatus, Revoked, San,
};
use crate::Result;

mod fleet;
mod forwarded;
mod ocsp;
mod operations;
mod strict;

/// The verification instant of every case: 2026-06-01T00:00:00Z.
pub const AT: i64 = 1_780_272_000;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
/// Leaves are valid from a month before AT for ten years, and CAs and current CRLs even
/// longer, so end-to-end TLS tests may also use these fixtures with the real clock.
const LEAF_FROM: i64 = AT - 30 * DAY;
const LEAF_UNTIL: i64 = AT + 10 * YEAR;
const CA_UNTIL: i64 = AT + 15 * YEAR;
const ROOT_UNTIL: i64 = AT + 20 * YEAR;
const CRL_NEXT_UPDATE: i64 = AT + 10 * YEAR;

/// A certificate of the conformance PKI, with the name of its files in `pki/`.
struct Named {
    name: &'static str,
    cert: Issued,
    /// Leaves get their private key written (for end-to-end TLS tests); CAs do not.
    write_key: bool,
}

/// The whole conformance PKI.
struct Pki {
    certs: Vec<Named>,
    crls: Vec<(&'static str, String)>,
    /// Files in the forms other tools write (text dumps, PKCS#7, PKCS#12), for `forms/`.
    forms: Vec<(&'static str, Vec<u8>)>,
}

impl Pki {
    /// The certificate called `name`; a typo is a bug in the generator.
    fn c(&self, name: &str) -> &Issued {
        &self
            .certs
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no certificate named {name}"))
            .cert
    }

    /// The CRL called `name` (PEM).
    fn crl(&self, name: &str) -> String {
        self.crls
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no CRL named {name}"))
            .1
            .clone()
    }

    /// A policy trusting the test root, with the named certificates as intermediates pool.
    fn policy(&self, pool: &[&str]) -> Value {
        let mut trust = json!({ "anchors": self.c("root").pem() });
        if !pool.is_empty() {
            trust["intermediates"] = Value::String(self.pems(pool).concat());
        }
        json!({ "trust": trust })
    }

    /// The `revocation` section with explicit settings.
    fn revocation(&self, crls: &[&str], depth: &str, unknown: &str, expired: &str) -> Value {
        let crls: Vec<String> = crls.iter().map(|n| self.crl(n)).collect();
        json!({
            "crls": crls,
            "depth": depth,
            "unknown_status": unknown,
            "expired_crl": expired,
        })
    }

    /// The form file called `name`.
    fn form(&self, name: &str) -> &[u8] {
        &self
            .forms
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no form file named {name}"))
            .1
    }

    /// The form file called `name`, as text.
    fn form_text(&self, name: &str) -> String {
        String::from_utf8(self.form(name).to_vec()).expect("a text form file")
    }

    /// PEM strings of the named certificates, in order.
    fn pems(&self, names: &[&str]) -> Vec<String> {
        names.iter().map(|n| self.c(n).pem()).collect()
    }

    /// The named certificates, in order.
    fn path(&self, names: &[&str]) -> Vec<&Issued> {
        names.iter().map(|n| self.c(n)).collect()
    }

    /// Removes the certificate called `name` so it can be altered and pushed back.
    fn take(&mut self, name: &str) -> Named {
        let index = self
            .certs
            .iter()
            .position(|n| n.name == name)
            .unwrap_or_else(|| panic!("no certificate named {name}"));
        self.certs.remove(index)
    }

    fn add(&mut self, name: &'static str, cert: Issued, write_key: bool) {
        self.certs.push(Named {
            name,
            cert,
            write_key,
        });
    }

    fn add_leaf(&mut self, name: &'static str, spec: CertSpec, issuer: &str) -> Result<()> {
        let cert = Issued::signed_by(spec, self.c(issuer))?;
        self.add(name, cert, true);
        Ok(())
    }

    fn add_ca(&mut self, name: &'static str, spec: CertSpec, issuer: &str) -> Result<()> {
        let cert = Issued::signed_by(spec, self.c(issuer))?;
        self.add(name, cert, false);
        Ok(())
    }
}

/// A CA under the test organisation, valid AT−180d … AT+15y.
fn ca(cn: &str, serial: &[u8]) -> CertSpec {
    CertSpec::ca(
        dn(&[(Attr::O, "Certgate Test"), (Attr::Cn, cn)]),
        serial,
        AT - 180 * DAY,
        CA_UNTIL,
    )
}

/// A P-256 clientAuth leaf "CN=cn,O=Example Org", valid AT−30d … AT+10y.
fn leaf(cn: &str, serial: &[u8]) -> CertSpec {
    CertSpec::leaf(
        dn(&[(Attr::O, "Example Org"), (Attr::Cn, cn)]),
        serial,
        LEAF_FROM,
        LEAF_UNTIL,
    )
}

/// The SPIFFE ID of the main leaf.
const PAYMENTS: &str = "spiffe://example.org/ns/prod/sa/payments";

fn build_pki() -> Result<Pki> {
    let mut pki = Pki {
        certs: Vec::new(),
        crls: Vec::new(),
        forms: Vec::new(),
    };
    let root = CertSpec::ca(
        dn(&[(Attr::O, "Certgate Test"), (Attr::Cn, "Certgate Test Root")]),
        &[0x01],
        AT - YEAR,
        ROOT_UNTIL,
    );
    pki.add("root", Issued::self_signed(root)?, false);
    pki.add_ca(
        "intermediate",
        ca("Certgate Test Issuing CA", &[0x02]),
        "root",
    )?;
    pki.add_ca(
        "intermediate-revoked",
        ca("Certgate Revoked Issuing CA", &[0x03]),
        "root",
    )?;
    pki.add_ca(
        "intermediate-constrained",
        ca("Certgate Constrained CA", &[0x04]).permit_dns("allowed.example.com"),
        "root",
    )?;
    pki.add_ca("chain-ca-1", ca("Certgate Chain CA 1", &[0x05]), "root")?;
    pki.add_ca(
        "chain-ca-2",
        ca("Certgate Chain CA 2", &[0x06]),
        "chain-ca-1",
    )?;
    pki.add_ca(
        "chain-ca-3",
        ca("Certgate Chain CA 3", &[0x07]),
        "chain-ca-2",
    )?;
    pki.add_ca(
        "pathlen0-ca",
        ca("Certgate PathLen0 CA", &[0x08]).basic(Basic::Ca(Some(0))),
        "root",
    )?;
    pki.add_ca(
        "pathlen0-sub-ca",
        ca("Certgate PathLen0 Sub CA", &[0x09]),
        "pathlen0-ca",
    )?;
    let untrusted = CertSpec::ca(
        dn(&[(Attr::O, "Elsewhere"), (Attr::Cn, "Untrusted Root")]),
        &[0x0a],
        AT - YEAR,
        ROOT_UNTIL,
    );
    pki.add("untrusted-root", Issued::self_signed(untrusted)?, false);

    let int = "intermediate";
    pki.add_leaf(
        "leaf-spiffe",
        leaf("payments", &[0x8a, 0x11, 0x22, 0x33]).sans(vec![San::uri(PAYMENTS)]),
        int,
    )?;
    pki.add_leaf(
        "leaf-p384",
        leaf("p384-client", &[0x10, 0x02])
            .key(KeyKind::P384)
            .sans(vec![San::dns("p384.example.com")]),
        int,
    )?;
    pki.add_leaf(
        "leaf-rsa",
        leaf("rsa-client", &[0x10, 0x03])
            .key(KeyKind::Rsa2048)
            .sans(vec![San::dns("rsa.example.com")]),
        int,
    )?;
    pki.add_leaf(
        "leaf-ed25519",
        leaf("ed25519-client", &[0x10, 0x04])
            .key(KeyKind::Ed25519)
            .sans(vec![San::dns("ed25519.example.com")]),
        int,
    )?;
    pki.add_leaf(
        "leaf-two-uris",
        leaf("two-uris", &[0x10, 0x05]).sans(vec![
            San::uri(PAYMENTS),
            San::uri("spiffe://example.org/ns/prod/sa/billing"),
        ]),
        int,
    )?;
    pki.add_leaf(
        "leaf-dns",
        leaf("api", &[0x10, 0x06]).sans(vec![San::dns("api.example.com")]),
        int,
    )?;
    pki.add_leaf(
        "leaf-dns-deep",
        leaf("deep", &[0x10, 0x07]).sans(vec![San::dns("a.b.example.com")]),
        int,
    )?;
    pki.add_leaf(
        "leaf-dns-apex",
        leaf("apex", &[0x10, 0x08]).sans(vec![San::dns("example.com")]),
        int,
    )?;
    pki.add_leaf(
        "leaf-dns-wildcard",
        leaf("wildcard", &[0x10, 0x09]).sans(vec![San::dns("*.svc.example.com")]),
        int,
    )?;
    pki.add_leaf(
        "leaf-cn-hostname",
        leaf("cnonly.example.com", &[0x10, 0x0a]),
        int,
    )?;
    pki.add_leaf(
        "leaf-email",
        leaf("alice", &[0x10, 0x0b])
            .sans(vec![San::email("alice@example.com")])
            .eku(vec![Eku::ClientAuth, Eku::EmailProtection]),
        int,
    )?;
    pki.add_leaf(
        "leaf-ip",
        leaf("ip-client", &[0x10, 0x0c]).sans(vec![San::ip("10.1.2.3"), San::ip("2001:db8::1")]),
        int,
    )?;
    pki.add_leaf(
        "leaf-multi-san",
        leaf("multi", &[0x10, 0x0d])
            .sans(vec![
                San::dns("multi.example.com"),
                San::uri("urn:example:device:1234"),
                San::email("ops@example.net"),
                San::ip("192.0.2.10"),
                San::dns("alt.example.net"),
            ])
            .eku(vec![Eku::ServerAuth, Eku::ClientAuth]),
        int,
    )?;
    pki.add_leaf(
        "leaf-no-san",
        leaf("no-san-client", &[0x10, 0x0e])
            .key_usage(Vec::new())
            .basic(Basic::NotCa),
        int,
    )?;
    let rich_subject = dn(&[
        (Attr::C, "US"),
        (Attr::St, "California"),
        (Attr::L, "San Francisco"),
        (Attr::Street, "1 Main Street"),
        (Attr::Dc, "example"),
        (Attr::O, "Example Corp"),
        (Attr::Ou, "Payments"),
        (Attr::Cn, "order-service"),
        (Attr::Uid, "svc-42"),
        (Attr::SerialNumber, "SN0042"),
        (Attr::EmailAddress, "order@example.com"),
    ]);
    let long_serial = [
        0xf0, 0x0d, 0xca, 0xfe, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
        0xbb,
    ];
    pki.add_leaf(
        "leaf-subject",
        CertSpec::leaf(rich_subject, &long_serial, LEAF_FROM, LEAF_UNTIL)
            .sans(vec![San::dns("order.example.com")]),
        int,
    )?;
    let multi_ou = dn(&[
        (Attr::O, "Example Corp"),
        (Attr::Ou, "Payments"),
        (Attr::Ou, "Platform"),
        (Attr::Cn, "multi-ou"),
    ]);
    pki.add_leaf(
        "leaf-multi-ou",
        CertSpec::leaf(multi_ou, &[0x10, 0x10], LEAF_FROM, LEAF_UNTIL),
        int,
    )?;
    pki.add_leaf(
        "leaf-usage-zoo",
        leaf("usage-zoo", &[0x10, 0x11])
            .key_usage(vec![
                Ku::KeyAgreement,
                Ku::DigitalSignature,
                Ku::DataEncipherment,
                Ku::ContentCommitment,
                Ku::KeyEncipherment,
            ])
            .eku(vec![
                Eku::ServerAuth,
                Eku::ClientAuth,
                Eku::CodeSigning,
                Eku::EmailProtection,
                Eku::TimeStamping,
                Eku::OcspSigning,
                Eku::Other(vec![1, 3, 6, 1, 4, 1, 55555, 1, 2]),
            ]),
        int,
    )?;
    let mut expired = leaf("expired-client", &[0x10, 0x12]).sans(vec![San::uri(PAYMENTS)]);
    expired.not_before = AT - 60 * DAY;
    expired.not_after = AT - HOUR;
    pki.add_leaf("leaf-expired", expired, int)?;
    let mut future = leaf("future-client", &[0x10, 0x13]).sans(vec![San::uri(PAYMENTS)]);
    future.not_before = AT + HOUR;
    future.not_after = LEAF_UNTIL;
    pki.add_leaf("leaf-not-yet-valid", future, int)?;
    pki.add_leaf(
        "leaf-server-only",
        leaf("server", &[0x10, 0x14])
            .sans(vec![San::dns("server.example.com")])
            .eku(vec![Eku::ServerAuth]),
        int,
    )?;
    pki.add_leaf(
        "leaf-no-eku",
        leaf("no-eku", &[0x10, 0x15])
            .sans(vec![San::dns("no-eku.example.com")])
            .eku(Vec::new()),
        int,
    )?;
    pki.add_leaf(
        "leaf-revoked",
        leaf("revoked-client", &[0x10, 0x16])
            .sans(vec![San::uri("spiffe://example.org/ns/prod/sa/revoked")]),
        int,
    )?;
    // Delegated OCSP responders of the issuing CA (RFC 6960 §4.2.2.2): one certified for
    // OCSP signing with id-pkix-ocsp-nocheck, one with a clientAuth EKU only.
    let responder = |cn: &str, serial: &[u8]| {
        CertSpec::leaf(
            dn(&[(Attr::O, "Certgate Test"), (Attr::Cn, cn)]),
            serial,
            LEAF_FROM,
            LEAF_UNTIL,
        )
    };
    pki.add_leaf(
        "ocsp-responder",
        responder("Certgate Test OCSP Responder", &[0x20, 0x01])
            .eku(vec![Eku::OcspSigning])
            .deviate(Deviations {
                extra: vec![(vec![1, 3, 6, 1, 5, 5, 7, 48, 1, 5], false, vec![0x05, 0x00])],
                ..Deviations::default()
            }),
        int,
    )?;
    pki.add_leaf(
        "ocsp-responder-no-eku",
        responder("Certgate Test Client Not Responder", &[0x20, 0x02]),
        int,
    )?;
    pki.add_leaf(
        "leaf-under-revoked-ca",
        leaf("under-revoked-ca", &[0x10, 0x17]).sans(vec![San::dns("orphan.example.com")]),
        "intermediate-revoked",
    )?;
    pki.add_leaf(
        "leaf-untrusted",
        leaf("payments", &[0x10, 0x18]).sans(vec![San::uri(PAYMENTS)]),
        "untrusted-root",
    )?;
    pki.add_leaf(
        "leaf-nc-permitted",
        leaf("nc-permitted", &[0x10, 0x19]).sans(vec![San::dns("api.allowed.example.com")]),
        "intermediate-constrained",
    )?;
    pki.add_leaf(
        "leaf-nc-violating",
        leaf("nc-violating", &[0x10, 0x1a]).sans(vec![San::dns("api.blocked.example.com")]),
        "intermediate-constrained",
    )?;
    pki.add_leaf(
        "leaf-long-chain",
        leaf("deep-client", &[0x10, 0x1b]).sans(vec![San::dns("deep.example.com")]),
        "chain-ca-3",
    )?;
    pki.add_leaf(
        "leaf-pathlen",
        leaf("pathlen-client", &[0x10, 0x1c]).sans(vec![San::dns("pathlen.example.com")]),
        "pathlen0-sub-ca",
    )?;
    pki.add_leaf(
        "leaf-bad-signature",
        leaf("bad-signature", &[0x10, 0x1d]).sans(vec![San::uri(PAYMENTS)]),
        int,
    )?;
    pki.add_leaf(
        "leaf-ecdsa-sha512",
        leaf("ecdsa-sha512", &[0x10, 0x1e]).sans(vec![San::uri(PAYMENTS)]),
        int,
    )?;
    pki.add_leaf(
        "leaf-issued-by-leaf",
        leaf("issued-by-leaf", &[0x10, 0x1f]).sans(vec![San::dns("child.example.com")]),
        "leaf-no-san",
    )?;
    let spiffe_syntax: [(&'static str, &str, u8); 6] = [
        (
            "leaf-spiffe-uppercase-td",
            "spiffe://Example.org/ns/prod/sa/web",
            0x20,
        ),
        (
            "leaf-spiffe-trailing-slash",
            "spiffe://example.org/ns/prod/sa/web/",
            0x21,
        ),
        (
            "leaf-spiffe-dot-segment",
            "spiffe://example.org/ns/../sa/web",
            0x22,
        ),
        (
            "leaf-spiffe-empty-segment",
            "spiffe://example.org/ns//sa/web",
            0x23,
        ),
        (
            "leaf-spiffe-query",
            "spiffe://example.org/ns/prod?sa=web",
            0x24,
        ),
        (
            "leaf-spiffe-charset",
            "spiffe://td-1.example_x/Ns.A/b-c_D",
            0x25,
        ),
    ];
    for (name, uri, serial) in spiffe_syntax {
        pki.add_leaf(
            name,
            leaf("spiffe-syntax", &[0x10, serial]).sans(vec![San::uri(uri)]),
            int,
        )?;
    }

    spiffe_pki(&mut pki)?;
    for (name, cn, serial) in [
        ("leaf-revoked-later", "revoked-later", 0x30),
        ("leaf-on-hold", "on-hold", 0x31),
    ] {
        pki.add_leaf(
            name,
            leaf(cn, &[0x10, serial]).sans(vec![San::uri(&format!(
                "spiffe://example.org/ns/prod/sa/{cn}"
            ))]),
            int,
        )?;
    }

    // Deliberately broken signatures, checked against ring so a lucky flip cannot pass.
    let mut bad = pki.take("leaf-bad-signature");
    if !bad.cert.signature_verifies(pki.c(int))? {
        return Err("freshly signed leaf does not verify".into());
    }
    bad.cert.corrupt_signature()?;
    if bad.cert.signature_verifies(pki.c(int))? {
        return Err("corrupted signature still verifies".into());
    }
    pki.certs.push(bad);
    let mut sha512 = pki.take("leaf-ecdsa-sha512");
    sha512.cert.resign_ecdsa_sha512(pki.c(int))?;
    pki.certs.push(sha512);

    // CRLs: current ones valid AT−1d … AT+10y; the expired one ended 5 days before AT.
    let revoked_leaf = Revoked {
        cert: pki.c("leaf-revoked"),
        at: AT - 25 * DAY,
        reason: RevocationReason::KeyCompromise,
    };
    let revoked_ca = Revoked {
        cert: pki.c("intermediate-revoked"),
        at: AT - 10 * DAY,
        reason: RevocationReason::CaCompromise,
    };
    let crls = vec![
        (
            "root.crl.pem",
            crl(pki.c("root"), AT - DAY, CRL_NEXT_UPDATE, 7, &[revoked_ca])?,
        ),
        (
            "intermediate.crl.pem",
            crl(pki.c(int), AT - DAY, CRL_NEXT_UPDATE, 2, &[revoked_leaf])?,
        ),
        (
            "intermediate-expired.crl.pem",
            crl(
                pki.c(int),
                AT - 20 * DAY,
                AT - 5 * DAY,
                1,
                &[Revoked {
                    cert: pki.c("leaf-revoked"),
                    at: AT - 25 * DAY,
                    reason: RevocationReason::KeyCompromise,
                }],
            )?,
        ),
        (
            "intermediate-empty.crl.pem",
            crl(pki.c(int), AT - DAY, CRL_NEXT_UPDATE, 3, &[])?,
        ),
        (
            "intermediate-revoked.crl.pem",
            crl(
                pki.c("intermediate-revoked"),
                AT - DAY,
                CRL_NEXT_UPDATE,
                1,
                &[],
            )?,
        ),
    ];
    pki.crls = crls;
    pki.crls.extend(unusual_crls(&pki)?);
    pki.forms = forms(&pki)?;
    strict::certificates(&mut pki)?;
    Ok(pki)
}

/// SPIFFE federation and the X509-SVID rules: roots that name their trust domain in
/// their own SPIFFE ID (as SPIRE's do) and one that names none, leaves of three trust
/// domains (one claiming another domain's ID), and leaves that break one X509-SVID rule
/// each.
fn spiffe_pki(pki: &mut Pki) -> Result<()> {
    for (name, cn, serial, domain) in [
        ("spiffe-a-root", "Trust Domain A Root", 0x0b, Some("a.test")),
        ("spiffe-b-root", "Trust Domain B Root", 0x0c, Some("b.test")),
        ("spiffe-unbound-root", "Unbound SPIFFE Root", 0x0d, None),
    ] {
        let mut spec = CertSpec::ca(
            dn(&[(Attr::O, "Certgate Test"), (Attr::Cn, cn)]),
            &[serial],
            AT - YEAR,
            ROOT_UNTIL,
        );
        if let Some(domain) = domain {
            spec = spec.sans(vec![San::uri(&format!("spiffe://{domain}"))]);
        }
        pki.add(name, Issued::self_signed(spec)?, false);
    }
    pki.add_ca(
        "intermediate-no-cert-sign",
        ca("Certgate No CertSign CA", &[0x0e]).key_usage(vec![Ku::CrlSign, Ku::DigitalSignature]),
        "root",
    )?;
    let svid = |cn: &str, serial: u8, id: &str| leaf(cn, &[0x11, serial]).sans(vec![San::uri(id)]);
    for (name, spec, issuer) in [
        (
            "leaf-a-payments",
            svid("payments", 0x01, A_PAYMENTS),
            "spiffe-a-root",
        ),
        (
            "leaf-b-impersonator",
            svid("payments", 0x02, A_PAYMENTS),
            "spiffe-b-root",
        ),
        (
            "leaf-b-api",
            svid("api", 0x03, "spiffe://b.test/ns/prod/sa/api"),
            "spiffe-b-root",
        ),
        (
            "leaf-unbound-service",
            svid("service", 0x04, "spiffe://c.test/ns/prod/sa/service"),
            "spiffe-unbound-root",
        ),
        (
            "leaf-unbound-impersonator",
            svid("payments", 0x05, A_PAYMENTS),
            "spiffe-unbound-root",
        ),
        (
            "leaf-under-no-cert-sign",
            svid("orphan", 0x06, "spiffe://example.org/ns/prod/sa/orphan"),
            "intermediate-no-cert-sign",
        ),
        (
            "leaf-svid-no-digital-signature",
            svid("no-ds", 0x07, "spiffe://example.org/ns/prod/sa/no-ds")
                .key_usage(vec![Ku::KeyEncipherment]),
            "intermediate",
        ),
        (
            "leaf-svid-key-cert-sign",
            svid(
                "cert-sign",
                0x08,
                "spiffe://example.org/ns/prod/sa/cert-sign",
            )
            .key_usage(vec![Ku::DigitalSignature, Ku::KeyCertSign])
            .basic(Basic::NotCa),
            "intermediate",
        ),
        (
            "leaf-svid-crl-sign",
            svid("crl-sign", 0x09, "spiffe://example.org/ns/prod/sa/crl-sign")
                .key_usage(vec![Ku::DigitalSignature, Ku::CrlSign]),
            "intermediate",
        ),
        (
            "leaf-svid-no-key-usage",
            svid("no-ku", 0x0a, "spiffe://example.org/ns/prod/sa/no-ku").key_usage(Vec::new()),
            "intermediate",
        ),
        (
            "leaf-svid-root-path",
            svid("root-path", 0x0b, "spiffe://example.org"),
            "intermediate",
        ),
        (
            "leaf-svid-ca",
            svid("ca-leaf", 0x0c, "spiffe://example.org/ns/prod/sa/ca-leaf").basic(Basic::Ca(None)),
            "intermediate",
        ),
    ] {
        pki.add_leaf(name, spec, issuer)?;
    }
    Ok(())
}

/// The workload both trust domains' leaves claim in the federation cases.
const A_PAYMENTS: &str = "spiffe://a.test/ns/prod/sa/payments";

/// A SPIFFE trust bundle as SPIRE prints it (`bundle show -format spiffe`): a jwt-svid
/// key, then an x509-svid key per root with its EC point and the certificate in `x5c`.
fn spiffe_bundle(roots: &[&Issued], sequence: u64) -> Value {
    use base64::Engine as _;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut keys = vec![json!({
        "use": "jwt-svid", "kty": "EC", "kid": "jwt-authority-1", "crv": "P-256",
        "x": "fK-wKTnKL7KFLM27lqq5DC-bxrVaH6rDV-IcCSEOeL4", "y": "wq-g3TQWxYlV51TCPH030yXsRxvujD4hUUaIQrXk4KI"
    })];
    for root in roots {
        let point = root.key.pair().public_key_raw();
        keys.push(json!({
            "use": "x509-svid", "kty": "EC", "crv": "P-256",
            "x": url.encode(&point[1..33]), "y": url.encode(&point[33..65]),
            "x5c": [base64_der(&root.der)]
        }));
    }
    json!({ "keys": keys, "spiffe_sequence": sequence, "spiffe_refresh_hint": 300 })
}

/// SPIFFE federation (the trust domain of a leaf's ID decides who may vouch for it) and
/// the X509-SVID rules.
fn spiffe_cases(cs: &mut Cases<'_>) -> Result<()> {
    let pki = cs.pki;
    let pem = |name: &str| pki.c(name).pem();
    let allow_a = json!([{ "spiffe_id": A_PAYMENTS }]);
    let bundles = |allow: Value| {
        json!({
            "trust": { "spiffe_bundles": { "a.test": pem("spiffe-a-root"), "b.test": pem("spiffe-b-root") } },
            "allow": allow
        })
    };
    let items = |names: &[&str]| pki.pems(names).into_iter().map(text).collect::<Vec<_>>();
    cs.pass(
        "spiffe_federation_own_domain_admitted",
        "With per-domain bundles, a.test's leaf chains to a.test's bundle and matches its spiffe_id rule.",
        bundles(allow_a.clone()),
        &["leaf-a-payments"],
        &["leaf-a-payments", "spiffe-a-root"],
        Some(0),
    )?;
    cs.reject(
        "spiffe_federation_impersonation_refused",
        "A leaf issued by b.test's CA that claims an a.test ID is validated against a.test's bundle only: no path.",
        bundles(allow_a.clone()),
        &["leaf-b-impersonator"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    cs.reject(
        "spiffe_federation_other_domain_not_authorized",
        "b.test's own leaf chains to b.test's bundle but matches no rule for a.test.",
        bundles(allow_a.clone()),
        &["leaf-b-api"],
        "NOT_AUTHORIZED",
        Some(0),
    )?;
    cs.pass(
        "spiffe_federation_trust_domain_rule",
        "spiffe_trust_domain b.test admits b.test's leaf, vouched for by b.test's bundle.",
        bundles(json!([{ "spiffe_trust_domain": "b.test" }])),
        &["leaf-b-api"],
        &["leaf-b-api", "spiffe-b-root"],
        Some(0),
    )?;
    cs.reject(
        "spiffe_federation_domain_without_bundle",
        "A leaf of trust domain c.test, which has no bundle, is refused; the message names the domain.",
        bundles(json!([{ "spiffe_trust_domain": "c.test" }])),
        &["leaf-unbound-service"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    cs.reject(
        "spiffe_federation_plain_leaf_needs_anchors",
        "A leaf without a SPIFFE ID needs trust.anchors, which a bundles-only policy lacks.",
        bundles(json!([{ "dns": "api.example.com" }])),
        &["leaf-dns", "intermediate"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    let mut mixed = bundles(json!([{ "dns": "api.example.com" }, { "spiffe_id": A_PAYMENTS }]));
    mixed["trust"]["anchors"] = json!([pem("root"), pem("spiffe-b-root")]);
    cs.pass(
        "spiffe_federation_plain_leaf_uses_anchors",
        "Beside the bundles, trust.anchors vouch for leaves without a SPIFFE ID.",
        mixed.clone(),
        &["leaf-dns", "intermediate"],
        &["leaf-dns", "intermediate", "root"],
        Some(0),
    )?;
    cs.reject(
        "spiffe_federation_spiffe_leaf_never_uses_anchors",
        "A SPIFFE leaf is validated against its domain's bundle only, even when trust.anchors holds its issuer.",
        mixed,
        &["leaf-b-impersonator"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    // Plain trust.anchors: anchors bound to a trust domain by their own SPIFFE ID.
    let plain = |anchors: &[&str], allow: Value| {
        let mut policy =
            json!({ "trust": { "anchors": anchors.iter().map(|a| pem(a)).collect::<Vec<_>>() } });
        if !allow.is_null() {
            policy["allow"] = allow;
        }
        policy
    };
    let both = ["spiffe-a-root", "spiffe-b-root"];
    cs.reject(
        "spiffe_anchors_impersonation_refused",
        "With both domains' roots as plain anchors, b.test's root names b.test in its own SPIFFE ID and may not vouch for an a.test ID.",
        plain(&both, allow_a.clone()),
        &["leaf-b-impersonator"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    cs.pass(
        "spiffe_anchors_own_domain_admitted",
        "a.test's root vouches for a.test's leaf.",
        plain(&both, allow_a.clone()),
        &["leaf-a-payments"],
        &["leaf-a-payments", "spiffe-a-root"],
        Some(0),
    )?;
    cs.pass(
        "spiffe_anchors_bound_root_vouches_for_its_domain",
        "Without rules, b.test's root vouches for b.test's leaf.",
        plain(&both, Value::Null),
        &["leaf-b-api"],
        &["leaf-b-api", "spiffe-b-root"],
        None,
    )?;
    cs.pass(
        "spiffe_anchors_unbound_root_single_domain",
        "A root that names no trust domain vouches for SPIFFE leaves while the rules name one domain.",
        plain(&["spiffe-unbound-root"], json!([{ "spiffe_trust_domain": "c.test" }])),
        &["leaf-unbound-service"],
        &["leaf-unbound-service", "spiffe-unbound-root"],
        Some(0),
    )?;
    let two_domains =
        json!([{ "spiffe_trust_domain": "a.test" }, { "spiffe_trust_domain": "c.test" }]);
    cs.reject(
        "spiffe_anchors_unbound_root_several_domains",
        "When the rules name several trust domains, a root that names none cannot tell which it vouches for: an a.test ID under it is refused.",
        plain(&["spiffe-unbound-root", "spiffe-a-root"], two_domains.clone()),
        &["leaf-unbound-impersonator"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    cs.pass(
        "spiffe_anchors_bound_root_several_domains",
        "With several domains in the rules, a root bound to a.test still vouches for a.test's leaf.",
        plain(&["spiffe-unbound-root", "spiffe-a-root"], two_domains),
        &["leaf-a-payments"],
        &["leaf-a-payments", "spiffe-a-root"],
        Some(0),
    )?;
    cs.reject(
        "spiffe_anchors_wildcard_domain_counts_as_several",
        "A spiffe_id pattern whose trust domain is a wildcard may mean any domain, so an unbound root vouches for no SPIFFE leaf.",
        plain(&["spiffe-unbound-root"], json!([{ "spiffe_id": "spiffe://*/ns/prod/sa/payments" }])),
        &["leaf-unbound-impersonator"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    // Bundle JSON in each shape the schema takes.
    let spire_bundle = spiffe_bundle(&[pki.c("spiffe-a-root")], 42);
    let with_bundle = |bundle: Value| json!({ "trust": { "spiffe_bundles": { "a.test": bundle } }, "allow": allow_a.clone() });
    for (name, description, bundle) in [
        (
            "spiffe_bundle_object",
            "A bundle given as the JWK set object ({\"spiffe_bundle\": {...}}), as SPIRE prints it.",
            json!({ "spiffe_bundle": spire_bundle.clone() }),
        ),
        (
            "spiffe_bundle_text",
            "A bundle given as its JSON text ({\"spiffe_bundle\": \"...\"}).",
            json!({ "spiffe_bundle": spire_bundle.to_string() }),
        ),
        (
            "spiffe_bundle_raw_text",
            "A bundle's JSON text given where anchors go is read as a bundle.",
            Value::String(serde_json::to_string_pretty(&spire_bundle)?),
        ),
        (
            "spiffe_bundle_endpoint_initial_bundle",
            "An endpoint entry verifies with its initial bundle until the binding fetches one.",
            json!({ "endpoint": "https://a.test/bundle", "bundle": { "spiffe_bundle": spire_bundle.clone() } }),
        ),
    ] {
        cs.pass(name, description, with_bundle(bundle), &["leaf-a-payments"], &["leaf-a-payments", "spiffe-a-root"], Some(0))?;
    }
    cs.pass_items(
        "spiffe_bundle_file",
        "A policy file naming a bundle JSON file per trust domain.",
        json!("files/policy-spiffe-bundles.json"),
        items(&["leaf-a-payments"]),
        &["leaf-a-payments", "spiffe-a-root"],
        Some(0),
        &[],
    )?;
    cs.reject(
        "spiffe_bundle_endpoint_not_fetched",
        "An endpoint entry without an initial bundle vouches for nothing until the binding has fetched it.",
        with_bundle(json!({ "endpoint": "https://a.test/bundle", "refresh_seconds": 60 })),
        &["leaf-a-payments"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    for (name, description, bundles_value) in [
        (
            "policy_spiffe_bundles_bad_domain",
            "A trust domain name in upper case is refused.",
            json!({ "A.test": pem("spiffe-a-root") }),
        ),
        (
            "policy_spiffe_bundles_http_endpoint",
            "A bundle endpoint must be https.",
            json!({ "a.test": { "endpoint": "http://a.test/bundle" } }),
        ),
        (
            "policy_spiffe_bundles_empty",
            "An empty spiffe_bundles map names no domain: refused.",
            json!({}),
        ),
    ] {
        cs.invalid_policy(
            name,
            description,
            json!({ "trust": { "spiffe_bundles": bundles_value } }),
        )?;
    }
    cs.invalid_policy(
        "policy_spiffe_id_without_path",
        "A spiffe_id pattern without a path can never match a leaf (X509-SVID §3.1).",
        cs.allow(
            &["intermediate"],
            json!([{ "spiffe_id": "spiffe://example.org" }]),
        ),
    )?;
    // The X509-SVID rules, each broken once: the leaf has no SPIFFE identity. Under the
    // webpki profile, so that the strict profile's keyUsage/basicConstraints rule does not
    // refuse the keyCertSign leaf first; a leaf without digitalSignature is refused
    // under every profile (RFC 5280 §4.2.1.3), before any rule is looked at.
    let mut svid_policy = cs.allow(
        &["intermediate"],
        json!([{ "spiffe_trust_domain": "example.org" }]),
    );
    svid_policy["profile"] = json!("webpki");
    for (leaf, rule, code) in [
        (
            "leaf-svid-no-digital-signature",
            "a leaf without digitalSignature",
            "INVALID_USAGE",
        ),
        (
            "leaf-svid-key-cert-sign",
            "a leaf asserting keyCertSign",
            "NOT_AUTHORIZED",
        ),
        (
            "leaf-svid-crl-sign",
            "a leaf asserting cRLSign",
            "NOT_AUTHORIZED",
        ),
        (
            "leaf-svid-no-key-usage",
            "a leaf without a keyUsage extension",
            "NOT_AUTHORIZED",
        ),
        (
            "leaf-svid-root-path",
            "a leaf whose SPIFFE ID has no path",
            "NOT_AUTHORIZED",
        ),
    ] {
        let short = leaf.trim_start_matches("leaf-svid-").replace('-', "_");
        let description = if code == "INVALID_USAGE" {
            format!("{rule} cannot authenticate with TLS: refused under every profile (RFC 5280 §4.2.1.3), before SPIFFE rules.")
        } else {
            format!("{rule} is no X509-SVID, so SPIFFE rules never match it.")
        };
        cs.reject(
            &format!("svid_rule_{short}"),
            &description,
            svid_policy.clone(),
            &[leaf],
            code,
            Some(0),
        )?;
        cs.inspect(
            &format!("inspect_svid_{short}"),
            &format!("{rule}: spiffe_id is null."),
            leaf,
        )?;
    }
    cs.inspect(
        "inspect_svid_ca",
        "A CA certificate with a SPIFFE ID path is no X509-SVID leaf: spiffe_id is null.",
        "leaf-svid-ca",
    )?;
    let mut signer_policy = cs.allow(&[], json!([{ "spiffe_trust_domain": "example.org" }]));
    signer_policy["trust"]["intermediates"] = Value::String(pem("intermediate-no-cert-sign"));
    cs.reject(
        "svid_rule_signer_without_key_cert_sign",
        "A CA whose keyUsage lacks keyCertSign may not issue certificates (RFC 5280 §6.1.4 (n)), \
         so the path through it is refused under every profile, whatever the rules.",
        signer_policy,
        &["leaf-under-no-cert-sign"],
        "CA_CONSTRAINT_VIOLATION",
        None,
    )?;
    cs.reject(
        "svid_rule_signer_without_key_cert_sign_sent",
        "The same CA sent by the peer is refused at its position in the chain.",
        cs.policy(&[]),
        &["leaf-under-no-cert-sign", "intermediate-no-cert-sign"],
        "CA_CONSTRAINT_VIOLATION",
        Some(1),
    )?;
    cs.inspect(
        "inspect_svid_signer_unknown",
        "inspect does not know the issuer, so the leaf itself is an X509-SVID.",
        "leaf-under-no-cert-sign",
    )
}

/// CRLs as CAs publish them beyond the plain case: scoped (issuing distribution point),
/// a base and a delta, and CRLs certgate cannot use or must treat specially.
fn unusual_crls(pki: &Pki) -> Result<Vec<(&'static str, String)>> {
    let int = pki.c("intermediate");
    let revoked = |name: &str, reason| Revoked {
        cert: pki.c(name),
        at: AT - 25 * DAY,
        reason,
    };
    let key_compromise = |name: &str| revoked(name, RevocationReason::KeyCompromise);
    // An rcgen CRL, altered by `edit` and signed again.
    let edited = |issuer: &Issued, number: u64, entries: &[Revoked<'_>], edit: CrlEdit| {
        let (_, der) = pem_decode(&crl(issuer, AT - DAY, CRL_NEXT_UPDATE, number, entries)?)?;
        Ok::<_, Box<dyn std::error::Error>>(pem_encode("X509 CRL", &edit_crl(&der, issuer, &edit)?))
    };
    Ok(vec![
        (
            "root-arl.crl.pem",
            edited(
                pki.c("root"),
                20,
                &[key_compromise("intermediate-revoked")],
                CrlEdit {
                    scope_ca_only: Some(true),
                    ..CrlEdit::default()
                },
            )?,
        ),
        (
            "intermediate-users.crl.pem",
            edited(
                int,
                21,
                &[key_compromise("leaf-revoked")],
                CrlEdit {
                    scope_ca_only: Some(false),
                    ..CrlEdit::default()
                },
            )?,
        ),
        (
            "intermediate-arl.crl.pem",
            edited(
                int,
                22,
                &[key_compromise("leaf-revoked")],
                CrlEdit {
                    scope_ca_only: Some(true),
                    ..CrlEdit::default()
                },
            )?,
        ),
        (
            "intermediate-base.crl.pem",
            crl(
                int,
                AT - DAY,
                CRL_NEXT_UPDATE,
                10,
                &[
                    key_compromise("leaf-revoked"),
                    revoked("leaf-on-hold", RevocationReason::CertificateHold),
                ],
            )?,
        ),
        (
            "intermediate-delta.crl.pem",
            edited(
                int,
                11,
                &[
                    key_compromise("leaf-revoked-later"),
                    revoked("leaf-on-hold", RevocationReason::RemoveFromCrl),
                ],
                CrlEdit {
                    delta_base: Some(10),
                    ..CrlEdit::default()
                },
            )?,
        ),
        (
            "intermediate-unknown-critical.crl.pem",
            edited(
                int,
                23,
                &[key_compromise("leaf-revoked")],
                CrlEdit {
                    unknown_critical: Some("1.3.6.1.4.1.55555.9"),
                    ..CrlEdit::default()
                },
            )?,
        ),
        (
            "intermediate-critical-entry.crl.pem",
            edited(
                int,
                24,
                &[key_compromise("leaf-revoked")],
                CrlEdit {
                    unknown_critical_entry: Some("1.3.6.1.4.1.55555.10"),
                    ..CrlEdit::default()
                },
            )?,
        ),
        (
            // Signed by the untrusted root's key, under the intermediate's name.
            "intermediate-bad-signature.crl.pem",
            {
                let (_, der) = pem_decode(&crl(
                    int,
                    AT - DAY,
                    CRL_NEXT_UPDATE,
                    27,
                    &[key_compromise("leaf-revoked")],
                )?)?;
                pem_encode(
                    "X509 CRL",
                    &edit_crl(&der, pki.c("untrusted-root"), &CrlEdit::default())?,
                )
            },
        ),
        (
            "intermediate-no-number.crl.pem",
            edited(
                int,
                25,
                &[key_compromise("leaf-revoked")],
                CrlEdit {
                    drop_number: true,
                    ..CrlEdit::default()
                },
            )?,
        ),
        (
            "intermediate-no-next-update.crl.pem",
            edited(
                int,
                26,
                &[key_compromise("leaf-revoked")],
                CrlEdit {
                    drop_next_update: true,
                    ..CrlEdit::default()
                },
            )?,
        ),
    ])
}

/// The conformance PKI as other tools write it: `openssl x509|crl -text` dumps, PKCS#7
/// bundles (`openssl crl2pkcs7`) and a PKCS#12 store (`openssl pkcs12 -export`).
fn forms(pki: &Pki) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let text =
        |kind: &str, pem: &str| -> Result<Vec<u8>> { Ok(openssl_text(kind, pem)?.into_bytes()) };
    let chain = pki.pems(&STD_CHAIN);
    Ok(vec![
        ("root-text.pem", text("x509", &pki.c("root").pem())?),
        (
            "intermediate-text.pem",
            text("x509", &pki.c("intermediate").pem())?,
        ),
        (
            "leaf-spiffe-text.pem",
            text("x509", &pki.c("leaf-spiffe").pem())?,
        ),
        (
            "intermediate-text.crl.pem",
            text("crl", &pki.crl("intermediate.crl.pem"))?,
        ),
        ("leaf-spiffe-chain.p7b", openssl_pkcs7(&chain, false)?),
        ("leaf-spiffe-chain.p7b.der", openssl_pkcs7(&chain, true)?),
        ("root.p7b.der", openssl_pkcs7(&[pki.c("root").pem()], true)?),
        (
            "intermediate.p7b",
            openssl_pkcs7(&[pki.c("intermediate").pem()], false)?,
        ),
        (
            "leaf-spiffe.p12",
            openssl_pkcs12(pki.c("leaf-spiffe"), &[pki.c("intermediate")])?,
        ),
    ])
}

/// One entry of `cases.json`.
#[derive(Serialize)]
struct Case {
    name: String,
    description: String,
    op: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<Value>,
    /// Instead of `policy`: a policy file, relative to `cases.json`, that names files.
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_file: Option<String>,
    /// Each item a string (text: PEM, text dumps) or an array of byte values (DER, PKCS#7, PKCS#12).
    #[serde(skip_serializing_if = "Option::is_none")]
    chain: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<i64>,
    /// `verify_forwarded`: the request's headers, `[name, value]` in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<Vec<(String, String)>>,
    /// `verify_forwarded`: the address of the connection the request came on.
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<String>,
    expect: Expect,
}

/// What a case must produce.
#[derive(Serialize)]
#[serde(untagged)]
enum Expect {
    /// `verify` succeeds with this identity.
    Verified {
        identity: VerifiedIdentity,
        /// The sources of the verifier's load warnings, in order (absent: none).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
    /// `inspect` returns this identity.
    Inspected { identity: Identity },
    /// The call is rejected with this code.
    Rejected {
        code: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        cert_index: Option<usize>,
        /// As for `Verified`; only where the verifier was built.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
}

/// A chain item as text.
fn text(item: impl Into<String>) -> Value {
    Value::String(item.into())
}

/// A chain item as bytes (an array of byte values).
fn bytes(item: &[u8]) -> Value {
    json!(item)
}

/// The whole `cases.json` document.
#[derive(Serialize)]
struct Document {
    version: u32,
    at_note: String,
    cases: Vec<Case>,
}

/// Collects cases and the helpers that shape them.
struct Cases<'p> {
    pki: &'p Pki,
    list: Vec<Case>,
}

impl<'p> Cases<'p> {
    /// A policy trusting the test root, with the named certificates as intermediates pool.
    fn policy(&self, pool: &[&str]) -> Value {
        self.pki.policy(pool)
    }

    /// [`Cases::policy`] plus `allow` rules.
    fn allow(&self, pool: &[&str], rules: Value) -> Value {
        let mut policy = self.policy(pool);
        policy["allow"] = rules;
        policy
    }

    /// The `revocation` section with explicit settings.
    fn revocation(&self, crls: &[&str], depth: &str, unknown: &str, expired: &str) -> Value {
        self.pki.revocation(crls, depth, unknown, expired)
    }

    /// A `verify` case that succeeds. `chain` is what the peer sends; `path` is the
    /// built path (leaf … anchor) whose fingerprints the identity reports.
    fn pass(
        &mut self,
        name: &str,
        description: &str,
        policy: Value,
        chain: &[&str],
        path: &[&str],
        matched_rule: Option<usize>,
    ) -> Result<()> {
        let chain = self.pki.pems(chain).into_iter().map(text).collect();
        self.pass_items(name, description, policy, chain, path, matched_rule, &[])
    }

    /// A `verify` case that succeeds for `chain` given as items (text or bytes), with
    /// the load warnings whose sources are `warnings`. `policy` is a policy object or,
    /// as a string, a policy file relative to `cases.json`.
    #[allow(clippy::too_many_arguments)]
    fn pass_items(
        &mut self,
        name: &str,
        description: &str,
        policy: Value,
        chain: Vec<Value>,
        path: &[&str],
        matched_rule: Option<usize>,
        warnings: &[&str],
    ) -> Result<()> {
        let path = self.pki.path(path);
        let mut identity = path[0].identity()?;
        // A leaf under a CA that may not sign SVIDs has no SPIFFE identity once verified.
        if !path[1..].iter().all(|ca| ca.may_sign_svids()) {
            identity.spiffe_id = None;
        }
        let identity = VerifiedIdentity {
            identity,
            chain_fingerprints: path.iter().map(|c| c.fingerprint()).collect(),
            matched_rule,
            forwarded: None,
            audit: None,
            warnings: Vec::new(),
        };
        self.pass_identity(name, description, policy, chain, identity, warnings)
    }

    /// A `verify` case that succeeds with exactly `identity`; `policy` as in
    /// [`Cases::pass_items`].
    fn pass_identity(
        &mut self,
        name: &str,
        description: &str,
        policy: Value,
        chain: Vec<Value>,
        identity: VerifiedIdentity,
        warnings: &[&str],
    ) -> Result<()> {
        let (policy, policy_file) = policy_or_file(policy);
        self.push(Case {
            name: name.to_owned(),
            description: description.to_owned(),
            op: "verify",
            policy,
            policy_file,
            chain: Some(chain),
            cert: None,
            at: Some(AT),
            headers: None,
            peer: None,
            expect: Expect::Verified {
                identity,
                warnings: warnings.iter().map(|w| (*w).to_owned()).collect(),
            },
        })
    }

    /// A `verify` case that is rejected with `code` (and `cert_index` where unambiguous).
    fn fail(
        &mut self,
        name: &str,
        description: &str,
        policy: Value,
        chain: Vec<String>,
        code: &str,
        cert_index: Option<usize>,
    ) -> Result<()> {
        let chain = chain.into_iter().map(text).collect();
        self.fail_items(name, description, policy, chain, code, cert_index, &[])
    }

    /// [`Cases::fail`] with items (text or bytes) and expected load warnings; `policy`
    /// as in [`Cases::pass_items`].
    #[allow(clippy::too_many_arguments)]
    fn fail_items(
        &mut self,
        name: &str,
        description: &str,
        policy: Value,
        chain: Vec<Value>,
        code: &str,
        cert_index: Option<usize>,
        warnings: &[&str],
    ) -> Result<()> {
        let expect = Expect::Rejected {
            code: code.to_owned(),
            cert_index,
            warnings: warnings.iter().map(|w| (*w).to_owned()).collect(),
        };
        let (policy, policy_file) = policy_or_file(policy);
        self.push(Case {
            name: name.to_owned(),
            description: description.to_owned(),
            op: "verify",
            policy,
            policy_file,
            chain: Some(chain),
            cert: None,
            at: Some(AT),
            headers: None,
            peer: None,
            expect,
        })
    }

    /// [`Cases::fail`] with a chain of named certificates.
    fn reject(
        &mut self,
        name: &str,
        description: &str,
        policy: Value,
        chain: &[&str],
        code: &str,
        cert_index: Option<usize>,
    ) -> Result<()> {
        let chain = self.pki.pems(chain);
        self.fail(name, description, policy, chain, code, cert_index)
    }

    /// A `verify` case whose policy must be refused when the verifier is constructed.
    fn invalid_policy(&mut self, name: &str, description: &str, policy: Value) -> Result<()> {
        let chain = self.pki.pems(&["leaf-spiffe", "intermediate"]);
        self.fail(name, description, policy, chain, "INVALID_POLICY", None)
    }

    /// An `inspect` case for the named certificate.
    fn inspect(&mut self, name: &str, description: &str, cert: &str) -> Result<()> {
        let pem = self.pki.c(cert).pem();
        self.inspect_item(name, description, cert, text(pem))
    }

    /// An `inspect` case whose input is `item` (text or bytes) holding the named certificate.
    fn inspect_item(
        &mut self,
        name: &str,
        description: &str,
        cert: &str,
        item: Value,
    ) -> Result<()> {
        self.push(Case {
            name: name.to_owned(),
            description: description.to_owned(),
            op: "inspect",
            policy: None,
            policy_file: None,
            chain: None,
            cert: Some(item),
            at: None,
            headers: None,
            peer: None,
            expect: Expect::Inspected {
                identity: self.pki.c(cert).identity()?,
            },
        })
    }

    fn push(&mut self, case: Case) -> Result<()> {
        if self.list.iter().any(|c| c.name == case.name) {
            return Err(format!("duplicate case name {}", case.name).into());
        }
        self.list.push(case);
        Ok(())
    }
}

/// A policy object as `policy`, or a string as `policy_file`.
fn policy_or_file(policy: Value) -> (Option<Value>, Option<String>) {
    match policy {
        Value::String(file) => (None, Some(file)),
        policy => (Some(policy), None),
    }
}

const STD_CHAIN: [&str; 2] = ["leaf-spiffe", "intermediate"];
const STD_PATH: [&str; 3] = ["leaf-spiffe", "intermediate", "root"];
const ALL_CRLS: [&str; 3] = [
    "root.crl.pem",
    "intermediate.crl.pem",
    "intermediate-revoked.crl.pem",
];

fn build_cases(pki: &Pki) -> Result<Vec<Case>> {
    let mut cs = Cases {
        pki,
        list: Vec::new(),
    };
    let int = ["intermediate"];
    let none: [&str; 0] = [];
    let spiffe_path = STD_PATH;

    // ---- spiffe_id / uri / spiffe_trust_domain ----
    cs.pass(
        "spiffe_exact_allowed",
        "An exact spiffe_id rule admits the SVID leaf; the intermediate comes from the pool.",
        cs.allow(&int, json!([{ "spiffe_id": PAYMENTS }])),
        &["leaf-spiffe"],
        &spiffe_path,
        Some(0),
    )?;
    cs.pass(
        "spiffe_wildcard_segment_allowed",
        "`*` stands for one whole path segment in spiffe_id.",
        cs.allow(
            &none,
            json!([{ "spiffe_id": "spiffe://example.org/ns/*/sa/payments" }]),
        ),
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;
    cs.pass(
        "spiffe_wildcard_last_segment_allowed",
        "`*` as the last segment matches any final segment.",
        cs.allow(
            &none,
            json!([{ "spiffe_id": "spiffe://example.org/ns/prod/sa/*" }]),
        ),
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;
    cs.pass(
        "spiffe_wildcard_partial_segment_allowed",
        "`*` may cover the rest of a segment (`pay*` matches `payments`).",
        cs.allow(
            &none,
            json!([{ "spiffe_id": "spiffe://example.org/ns/prod/sa/pay*" }]),
        ),
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;
    cs.reject(
        "spiffe_wildcard_does_not_cross_slash",
        "`*` never matches a `/`, so it cannot span several segments.",
        cs.allow(
            &none,
            json!([{ "spiffe_id": "spiffe://example.org/*/payments" }]),
        ),
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.reject(
        "spiffe_wildcard_needs_one_char",
        "`*` matches one or more characters, never the empty string.",
        cs.allow(
            &none,
            json!([{ "spiffe_id": "spiffe://example.org/ns/prod/sa/payments*" }]),
        ),
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.reject(
        "spiffe_id_rejects_two_uri_sans",
        "spiffe_id requires a valid X509-SVID, so a leaf with two URI SANs never matches.",
        cs.allow(&none, json!([{ "spiffe_id": PAYMENTS }])),
        &["leaf-two-uris", "intermediate"],
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.pass(
        "uri_matches_leaf_with_two_uri_sans",
        "The uri matcher has no SVID requirement: any URI SAN may match.",
        cs.allow(
            &none,
            json!([{ "uri": "spiffe://example.org/ns/prod/sa/billing" }]),
        ),
        &["leaf-two-uris", "intermediate"],
        &["leaf-two-uris", "intermediate", "root"],
        Some(0),
    )?;
    cs.pass(
        "uri_wildcard_urn_allowed",
        "A uri pattern with `*` matches a non-SPIFFE URN SAN.",
        cs.allow(&int, json!([{ "uri": "urn:example:device:*" }])),
        &["leaf-multi-san"],
        &["leaf-multi-san", "intermediate", "root"],
        Some(0),
    )?;
    cs.reject(
        "uri_wildcard_does_not_cross_slash",
        "In uri patterns too, `*` stops at `/`.",
        cs.allow(&none, json!([{ "uri": "spiffe://example.org/ns/*" }])),
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.pass(
        "spiffe_trust_domain_match",
        "spiffe_trust_domain matches the trust domain of the leaf's SPIFFE ID.",
        cs.allow(&none, json!([{ "spiffe_trust_domain": "example.org" }])),
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;
    cs.reject(
        "spiffe_trust_domain_mismatch",
        "A different trust domain does not match.",
        cs.allow(&none, json!([{ "spiffe_trust_domain": "example.com" }])),
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.reject(
        "spiffe_trust_domain_needs_valid_svid",
        "A single URI SAN with a trailing slash is no valid SPIFFE ID, so no trust domain matches.",
        cs.allow(&none, json!([{ "spiffe_trust_domain": "example.org" }])),
        &["leaf-spiffe-trailing-slash", "intermediate"],
        "NOT_AUTHORIZED",
        None,
    )?;

    // ---- dns ----
    let dns_path = ["leaf-dns", "intermediate", "root"];
    let dns_chain = ["leaf-dns", "intermediate"];
    cs.pass(
        "dns_exact_allowed",
        "An exact dns name matches the SAN dNSName.",
        cs.allow(&none, json!([{ "dns": "api.example.com" }])),
        &dns_chain,
        &dns_path,
        Some(0),
    )?;
    cs.pass(
        "dns_case_insensitive",
        "dns matching ignores ASCII case.",
        cs.allow(&none, json!([{ "dns": "API.Example.COM" }])),
        &dns_chain,
        &dns_path,
        Some(0),
    )?;
    cs.pass(
        "dns_wildcard_one_label",
        "`*.example.com` in the policy matches exactly one extra label.",
        cs.allow(&int, json!([{ "dns": "*.example.com" }])),
        &["leaf-dns"],
        &dns_path,
        Some(0),
    )?;
    cs.reject(
        "dns_wildcard_not_two_labels",
        "`*.example.com` does not match `a.b.example.com`.",
        cs.allow(&int, json!([{ "dns": "*.example.com" }])),
        &["leaf-dns-deep"],
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.reject(
        "dns_wildcard_not_bare_parent",
        "`*.example.com` does not match `example.com` itself.",
        cs.allow(&int, json!([{ "dns": "*.example.com" }])),
        &["leaf-dns-apex"],
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.reject(
        "dns_never_uses_common_name",
        "A hostname-like CN without a DNS SAN never satisfies a dns matcher.",
        cs.allow(&int, json!([{ "dns": "cnonly.example.com" }])),
        &["leaf-cn-hostname"],
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.pass(
        "dns_cert_wildcard_covers_name",
        "A concrete policy name matches the certificate's wildcard SAN `*.svc.example.com`.",
        cs.allow(&int, json!([{ "dns": "api.svc.example.com" }])),
        &["leaf-dns-wildcard"],
        &["leaf-dns-wildcard", "intermediate", "root"],
        Some(0),
    )?;
    cs.reject(
        "dns_cert_wildcard_not_two_labels",
        "The certificate's `*.svc.example.com` does not cover `a.b.svc.example.com`.",
        cs.allow(&int, json!([{ "dns": "a.b.svc.example.com" }])),
        &["leaf-dns-wildcard"],
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.reject(
        "dns_cert_wildcard_not_bare_parent",
        "The certificate's `*.svc.example.com` does not cover `svc.example.com`.",
        cs.allow(&int, json!([{ "dns": "svc.example.com" }])),
        &["leaf-dns-wildcard"],
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.pass(
        "dns_list_any_value",
        "A dns list matches when any of its names matches.",
        cs.allow(
            &none,
            json!([{ "dns": ["nothing.example.net", "api.example.com"] }]),
        ),
        &dns_chain,
        &dns_path,
        Some(0),
    )?;

    // ---- email ----
    let email_chain = ["leaf-email", "intermediate"];
    let email_path = ["leaf-email", "intermediate", "root"];
    cs.pass(
        "email_exact",
        "An exact email matches the SAN rfc822Name.",
        cs.allow(&none, json!([{ "email": "alice@example.com" }])),
        &email_chain,
        &email_path,
        Some(0),
    )?;
    cs.pass(
        "email_any_local_part",
        "`*@example.com` matches any local part at that domain.",
        cs.allow(&none, json!([{ "email": "*@example.com" }])),
        &email_chain,
        &email_path,
        Some(0),
    )?;
    cs.reject(
        "email_other_domain",
        "`*@example.net` does not match an address at example.com.",
        cs.allow(&none, json!([{ "email": "*@example.net" }])),
        &email_chain,
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.reject(
        "email_other_local_part",
        "A different exact address does not match.",
        cs.allow(&none, json!([{ "email": "bob@example.com" }])),
        &email_chain,
        "NOT_AUTHORIZED",
        None,
    )?;

    // ---- ip ----
    let ip_chain = ["leaf-ip", "intermediate"];
    let ip_path = ["leaf-ip", "intermediate", "root"];
    for (name, description, pattern) in [
        (
            "ip_v4_single",
            "A single IPv4 address matches the SAN iPAddress.",
            "10.1.2.3",
        ),
        (
            "ip_v4_cidr",
            "An IPv4 CIDR block containing the SAN matches.",
            "10.0.0.0/8",
        ),
        (
            "ip_v6_cidr",
            "An IPv6 CIDR block containing the SAN matches.",
            "2001:db8::/32",
        ),
        (
            "ip_v6_single",
            "A single IPv6 address matches the SAN iPAddress.",
            "2001:db8::1",
        ),
    ] {
        cs.pass(
            name,
            description,
            cs.allow(&none, json!([{ "ip": pattern }])),
            &ip_chain,
            &ip_path,
            Some(0),
        )?;
    }
    cs.reject(
        "ip_no_match",
        "Addresses and blocks that contain neither SAN do not match.",
        cs.allow(
            &none,
            json!([{ "ip": ["10.1.2.4", "192.168.0.0/16", "2001:db8::2", "2001:db9::/32"] }]),
        ),
        &ip_chain,
        "NOT_AUTHORIZED",
        None,
    )?;

    // ---- subject ----
    let subj_chain = ["leaf-subject", "intermediate"];
    let subj_path = ["leaf-subject", "intermediate", "root"];
    cs.pass(
        "subject_single_attribute",
        "A subject rule with only CN matches.",
        cs.allow(&none, json!([{ "subject": { "CN": "order-service" } }])),
        &subj_chain,
        &subj_path,
        Some(0),
    )?;
    cs.pass(
        "subject_all_attributes_and",
        "Several subject attributes must all match (AND).",
        cs.allow(
            &none,
            json!([{ "subject": { "CN": "order-service", "O": "Example Corp", "OU": "Payments" } }]),
        ),
        &subj_chain,
        &subj_path,
        Some(0),
    )?;
    cs.reject(
        "subject_one_attribute_differs",
        "If any listed attribute differs the subject rule fails.",
        cs.allow(
            &none,
            json!([{ "subject": { "CN": "order-service", "O": "Wrong Corp" } }]),
        ),
        &subj_chain,
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.pass(
        "subject_value_list_or",
        "A list of values for one attribute matches when any value matches.",
        cs.allow(
            &none,
            json!([{ "subject": { "OU": ["Nope", "Payments"] } }]),
        ),
        &subj_chain,
        &subj_path,
        Some(0),
    )?;
    cs.pass(
        "subject_every_supported_attribute",
        "C, ST, L, DC, UID, serialNumber and emailAddress are all matchable.",
        cs.allow(
            &none,
            json!([{ "subject": {
                "C": "US", "ST": "California", "L": "San Francisco", "DC": "example",
                "UID": "svc-42", "serialNumber": "SN0042", "emailAddress": "order@example.com"
            } }]),
        ),
        &subj_chain,
        &subj_path,
        Some(0),
    )?;
    cs.reject(
        "subject_case_sensitive",
        "Subject values compare case-sensitively.",
        cs.allow(&none, json!([{ "subject": { "CN": "Order-Service" } }])),
        &subj_chain,
        "NOT_AUTHORIZED",
        None,
    )?;
    let ou_chain = ["leaf-multi-ou", "intermediate"];
    let ou_path = ["leaf-multi-ou", "intermediate", "root"];
    cs.pass(
        "subject_multi_valued_first",
        "A subject with two OU values matches a rule naming the first one.",
        cs.allow(&none, json!([{ "subject": { "OU": "Payments" } }])),
        &ou_chain,
        &ou_path,
        Some(0),
    )?;
    cs.pass(
        "subject_multi_valued_second",
        "A subject with two OU values matches a rule naming the second one.",
        cs.allow(
            &none,
            json!([{ "subject": { "OU": "Platform", "CN": "multi-ou" } }]),
        ),
        &ou_chain,
        &ou_path,
        Some(0),
    )?;
    cs.pass(
        "subject_matches_leaf_without_san",
        "The subject matcher works on a leaf that has no SAN extension at all.",
        cs.allow(&none, json!([{ "subject": { "CN": "no-san-client" } }])),
        &["leaf-no-san", "intermediate"],
        &["leaf-no-san", "intermediate", "root"],
        Some(0),
    )?;

    // ---- fingerprint_sha256 / spki_sha256 ----
    let spiffe = pki.c("leaf-spiffe");
    let fp = spiffe.fingerprint();
    let fp_colons = hex::decode(&fp)?
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let spki = spiffe.identity()?.spki_sha256;
    let spki_b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(hex::decode(&spki)?)
    };
    cs.pass(
        "fingerprint_upper_case_with_colons",
        "fingerprint_sha256 ignores case and colons.",
        cs.allow(&none, json!([{ "fingerprint_sha256": fp_colons }])),
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;
    cs.pass(
        "fingerprint_plain_hex",
        "fingerprint_sha256 as plain lowercase hex matches.",
        cs.allow(&none, json!([{ "fingerprint_sha256": fp }])),
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;
    cs.reject(
        "fingerprint_of_other_cert",
        "The fingerprint of another certificate does not match.",
        cs.allow(
            &none,
            json!([{ "fingerprint_sha256": pki.c("leaf-dns").fingerprint() }]),
        ),
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.pass(
        "spki_base64",
        "spki_sha256 given as standard base64 matches.",
        cs.allow(&none, json!([{ "spki_sha256": spki_b64 }])),
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;
    cs.pass(
        "spki_hex",
        "spki_sha256 given as hex matches.",
        cs.allow(&none, json!([{ "spki_sha256": spki }])),
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;

    // ---- rule composition ----
    let mut deny_beats = cs.allow(&none, json!([{ "spiffe_trust_domain": "example.org" }]));
    deny_beats["deny"] = json!([{ "spiffe_id": PAYMENTS }]);
    cs.reject(
        "deny_beats_allow",
        "A matching deny rule rejects even though an allow rule matches too.",
        deny_beats,
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        None,
    )?;
    let mut deny_other = cs.allow(&none, json!([{ "spiffe_trust_domain": "example.org" }]));
    deny_other["deny"] = json!([{ "spiffe_id": "spiffe://example.org/ns/prod/sa/billing" }]);
    cs.pass(
        "deny_not_matching_then_allow",
        "A deny rule that does not match leaves the allow decision in place.",
        deny_other,
        &STD_CHAIN,
        &spiffe_path,
        Some(0),
    )?;
    let mut deny_only = cs.policy(&none);
    deny_only["deny"] = json!([{ "dns": "api.example.com" }]);
    cs.pass(
        "deny_only_policy_allows_others",
        "With deny rules but no allow key, a chain that no deny rule matches is allowed.",
        deny_only.clone(),
        &STD_CHAIN,
        &spiffe_path,
        None,
    )?;
    cs.reject(
        "deny_only_policy_rejects_match",
        "With deny rules but no allow key, a matching deny rule still rejects.",
        deny_only,
        &dns_chain,
        "NOT_AUTHORIZED",
        None,
    )?;
    let multi_chain = ["leaf-multi-san", "intermediate"];
    let multi_path = ["leaf-multi-san", "intermediate", "root"];
    cs.pass(
        "rule_and_all_matchers",
        "A rule matches only when every matcher in it matches (dns AND email AND ip).",
        cs.allow(
            &none,
            json!([{ "dns": "alt.example.net", "email": "ops@example.net", "ip": "192.0.2.0/24" }]),
        ),
        &multi_chain,
        &multi_path,
        Some(0),
    )?;
    cs.reject(
        "rule_and_one_matcher_fails",
        "One non-matching matcher makes the whole rule fail.",
        cs.allow(
            &none,
            json!([{ "dns": "multi.example.com", "email": "nobody@example.net" }]),
        ),
        &multi_chain,
        "NOT_AUTHORIZED",
        None,
    )?;
    cs.pass(
        "rules_or_first_match_reported",
        "Rules are ORed and matched_rule is the index of the first allow rule that matches.",
        cs.allow(
            &none,
            json!([
                { "dns": "nothing.example.net" },
                { "spiffe_id": "spiffe://example.org/ns/*/sa/payments" },
                { "spiffe_trust_domain": "example.org" }
            ]),
        ),
        &STD_CHAIN,
        &spiffe_path,
        Some(1),
    )?;
    cs.pass(
        "no_allow_key_allows_any",
        "Without an allow key any chain-valid leaf is allowed and matched_rule is null.",
        cs.policy(&int),
        &["leaf-spiffe"],
        &spiffe_path,
        None,
    )?;
    cs.reject(
        "allow_present_nothing_matches",
        "With allow rules present, a leaf that matches none of them is rejected.",
        cs.allow(
            &none,
            json!([{ "dns": "api.example.com" }, { "email": "*@example.com" }]),
        ),
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        None,
    )?;

    // ---- key types and chain shapes ----
    for (name, description, leaf_name) in [
        (
            "p384_leaf_verifies",
            "A P-384 leaf under a P-256 CA verifies.",
            "leaf-p384",
        ),
        (
            "rsa_leaf_verifies",
            "An RSA-2048 leaf under a P-256 CA verifies.",
            "leaf-rsa",
        ),
        (
            "ed25519_leaf_verifies",
            "An Ed25519 leaf under a P-256 CA verifies.",
            "leaf-ed25519",
        ),
    ] {
        cs.pass(
            name,
            description,
            cs.policy(&none),
            &[leaf_name, "intermediate"],
            &[leaf_name, "intermediate", "root"],
            None,
        )?;
    }
    cs.pass(
        "chain_includes_root",
        "A peer that also sends the root still gets the path leaf, intermediate, anchor.",
        cs.policy(&none),
        &["leaf-spiffe", "intermediate", "root"],
        &spiffe_path,
        None,
    )?;
    cs.reject(
        "missing_intermediate_no_pool",
        "A leaf sent alone, with no intermediates pool, has no path to the anchor.",
        cs.policy(&none),
        &["leaf-spiffe"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    cs.reject(
        "untrusted_root",
        "A leaf issued by a root that is not an anchor is rejected.",
        cs.policy(&int),
        &["leaf-untrusted"],
        "UNKNOWN_ISSUER",
        None,
    )?;
    cs.reject(
        "bad_signature",
        "A leaf whose signature value was altered fails signature verification.",
        cs.policy(&none),
        &["leaf-bad-signature", "intermediate"],
        "BAD_SIGNATURE",
        None,
    )?;
    cs.reject(
        "unsupported_signature_algorithm",
        "A leaf correctly signed with ecdsa-with-SHA512 uses an algorithm the verifier lacks.",
        cs.policy(&none),
        &["leaf-ecdsa-sha512", "intermediate"],
        "UNSUPPORTED_ALGORITHM",
        None,
    )?;

    // ---- validity and clock skew ----
    let expired_chain = ["leaf-expired", "intermediate"];
    let future_chain = ["leaf-not-yet-valid", "intermediate"];
    cs.reject(
        "expired_leaf",
        "A leaf whose notAfter is an hour before `at` is expired.",
        cs.policy(&none),
        &expired_chain,
        "EXPIRED",
        Some(0),
    )?;
    let mut skew_ok = cs.policy(&none);
    skew_ok["clock_skew_seconds"] = json!(7200);
    cs.pass(
        "expired_leaf_within_skew",
        "Two hours of clock skew tolerate a notAfter one hour in the past.",
        skew_ok.clone(),
        &expired_chain,
        &["leaf-expired", "intermediate", "root"],
        None,
    )?;
    let mut skew_small = cs.policy(&none);
    skew_small["clock_skew_seconds"] = json!(1800);
    cs.reject(
        "expired_leaf_skew_too_small",
        "Thirty minutes of skew do not cover a notAfter one hour in the past.",
        skew_small.clone(),
        &expired_chain,
        "EXPIRED",
        Some(0),
    )?;
    cs.reject(
        "not_yet_valid_leaf",
        "A leaf whose notBefore is an hour after `at` is not yet valid.",
        cs.policy(&none),
        &future_chain,
        "NOT_YET_VALID",
        Some(0),
    )?;
    cs.pass(
        "not_yet_valid_leaf_within_skew",
        "Two hours of clock skew tolerate a notBefore one hour in the future.",
        skew_ok,
        &future_chain,
        &["leaf-not-yet-valid", "intermediate", "root"],
        None,
    )?;
    cs.reject(
        "not_yet_valid_leaf_skew_too_small",
        "Thirty minutes of skew do not cover a notBefore one hour in the future.",
        skew_small,
        &future_chain,
        "NOT_YET_VALID",
        Some(0),
    )?;

    // ---- usage ----
    let server_chain = ["leaf-server-only", "intermediate"];
    let server_path = ["leaf-server-only", "intermediate", "root"];
    cs.reject(
        "server_only_leaf_default_usage",
        "The default usage is client, so a serverAuth-only leaf is refused.",
        cs.policy(&none),
        &server_chain,
        "INVALID_USAGE",
        Some(0),
    )?;
    let mut usage_client = cs.policy(&none);
    usage_client["usage"] = json!("client");
    cs.reject(
        "server_only_leaf_client_usage",
        "usage client requires clientAuth when the leaf has an EKU extension.",
        usage_client,
        &server_chain,
        "INVALID_USAGE",
        Some(0),
    )?;
    let mut usage_both = cs.policy(&none);
    usage_both["usage"] = json!(["client", "server"]);
    cs.pass(
        "server_only_leaf_usage_list",
        "usage [client, server] accepts a leaf that has only serverAuth.",
        usage_both,
        &server_chain,
        &server_path,
        None,
    )?;
    let mut usage_server = cs.policy(&none);
    usage_server["usage"] = json!("server");
    cs.pass(
        "server_only_leaf_server_usage",
        "usage server accepts a serverAuth leaf.",
        usage_server.clone(),
        &server_chain,
        &server_path,
        None,
    )?;
    cs.reject(
        "client_only_leaf_server_usage",
        "usage server refuses a leaf that has only clientAuth.",
        usage_server,
        &STD_CHAIN,
        "INVALID_USAGE",
        Some(0),
    )?;
    cs.pass(
        "no_eku_leaf_allowed",
        "A leaf without an EKU extension is acceptable for client usage.",
        cs.policy(&none),
        &["leaf-no-eku", "intermediate"],
        &["leaf-no-eku", "intermediate", "root"],
        None,
    )?;

    // ---- CA and path constraints ----
    let mut max2 = cs.policy(&none);
    max2["max_chain_length"] = json!(2);
    cs.reject(
        "max_chain_length_too_small",
        "max_chain_length 2 refuses a path of leaf, intermediate and anchor.",
        max2,
        &STD_CHAIN,
        "CA_CONSTRAINT_VIOLATION",
        None,
    )?;
    let mut max3 = cs.policy(&none);
    max3["max_chain_length"] = json!(3);
    cs.pass(
        "max_chain_length_exact",
        "max_chain_length counts leaf and anchor, so 3 admits leaf, intermediate, anchor.",
        max3,
        &STD_CHAIN,
        &spiffe_path,
        None,
    )?;
    let long_chain = ["leaf-long-chain", "chain-ca-3", "chain-ca-2", "chain-ca-1"];
    let long_path = [
        "leaf-long-chain",
        "chain-ca-3",
        "chain-ca-2",
        "chain-ca-1",
        "root",
    ];
    cs.pass(
        "long_chain_default_limit",
        "A path of five certificates (three intermediates) is within the default limit.",
        cs.policy(&none),
        &long_chain,
        &long_path,
        None,
    )?;
    let mut max4 = cs.policy(&none);
    max4["max_chain_length"] = json!(4);
    cs.reject(
        "long_chain_over_limit",
        "max_chain_length 4 refuses a path of five certificates.",
        max4,
        &long_chain,
        "CA_CONSTRAINT_VIOLATION",
        None,
    )?;
    let mut max5 = cs.allow(
        &["chain-ca-1", "chain-ca-2", "chain-ca-3"],
        json!([{ "dns": "deep.example.com" }]),
    );
    max5["max_chain_length"] = json!(5);
    cs.pass(
        "long_chain_at_limit_from_pool",
        "max_chain_length 5 admits a five-certificate path built from the pool.",
        max5,
        &["leaf-long-chain"],
        &long_path,
        Some(0),
    )?;
    cs.reject(
        "path_len_constraint_violated",
        "A pathLenConstraint 0 CA may not issue a sub-CA that issues the leaf.",
        cs.policy(&none),
        &["leaf-pathlen", "pathlen0-sub-ca", "pathlen0-ca"],
        "CA_CONSTRAINT_VIOLATION",
        None,
    )?;
    cs.reject(
        "end_entity_used_as_ca",
        "A certificate with cA FALSE cannot issue another certificate.",
        cs.policy(&none),
        &["leaf-issued-by-leaf", "leaf-no-san", "intermediate"],
        "CA_CONSTRAINT_VIOLATION",
        None,
    )?;
    cs.pass(
        "name_constraint_permitted",
        "A leaf whose DNS SAN is inside the CA's permitted subtree verifies.",
        cs.policy(&["intermediate-constrained"]),
        &["leaf-nc-permitted"],
        &["leaf-nc-permitted", "intermediate-constrained", "root"],
        None,
    )?;
    cs.reject(
        "name_constraint_violated",
        "A leaf whose DNS SAN is outside the CA's permitted subtree is refused.",
        cs.policy(&none),
        &["leaf-nc-violating", "intermediate-constrained"],
        "NAME_CONSTRAINT_VIOLATION",
        None,
    )?;

    // ---- revocation ----
    let with_revocation = |cs: &Cases<'_>, crls: &[&str], depth, unknown, expired| {
        let mut p = cs.policy(&none);
        p["revocation"] = cs.revocation(crls, depth, unknown, expired);
        p
    };
    cs.pass(
        "revocation_good_leaf",
        "With every CRL present and current, an unrevoked chain verifies.",
        with_revocation(&cs, &ALL_CRLS, "chain", "deny", "deny"),
        &STD_CHAIN,
        &spiffe_path,
        None,
    )?;
    cs.reject(
        "revoked_leaf",
        "A leaf listed on its issuer's CRL is revoked.",
        with_revocation(&cs, &ALL_CRLS, "chain", "deny", "deny"),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.reject(
        "revoked_leaf_root_sent_too",
        "The peer also sends the root: the refusal is still the revocation of the leaf, not \
         a finding on the longer detour through the root's copy.",
        with_revocation(&cs, &ALL_CRLS, "chain", "deny", "deny"),
        &["leaf-revoked", "intermediate", "root"],
        "REVOKED",
        Some(0),
    )?;
    cs.reject(
        "revoked_leaf_depth_leaf",
        "Depth leaf still checks the leaf itself.",
        with_revocation(&cs, &ALL_CRLS, "leaf", "deny", "deny"),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.reject(
        "revoked_intermediate_depth_chain",
        "Depth chain finds the intermediate on the root's CRL.",
        with_revocation(&cs, &ALL_CRLS, "chain", "deny", "deny"),
        &["leaf-under-revoked-ca", "intermediate-revoked"],
        "REVOKED",
        Some(1),
    )?;
    cs.pass(
        "revoked_intermediate_depth_leaf",
        "Depth leaf ignores the revoked intermediate when its leaf is not revoked.",
        with_revocation(&cs, &ALL_CRLS, "leaf", "deny", "deny"),
        &["leaf-under-revoked-ca", "intermediate-revoked"],
        &["leaf-under-revoked-ca", "intermediate-revoked", "root"],
        None,
    )?;
    let only_int = ["intermediate.crl.pem"];
    cs.reject(
        "revocation_unknown_intermediate",
        "Without the root's CRL the intermediate's status is unknown, which deny rejects.",
        with_revocation(&cs, &only_int, "chain", "deny", "deny"),
        &STD_CHAIN,
        "REVOCATION_UNKNOWN",
        Some(1),
    )?;
    let mut defaults = cs.policy(&none);
    defaults["revocation"] = json!({ "crls": [pki.crl("intermediate.crl.pem")] });
    cs.reject(
        "revocation_defaults_chain_and_deny",
        "Omitted depth and unknown_status default to chain and deny.",
        defaults,
        &STD_CHAIN,
        "REVOCATION_UNKNOWN",
        Some(1),
    )?;
    cs.pass(
        "revocation_unknown_allowed",
        "unknown_status allow accepts the intermediate whose issuer published no CRL.",
        with_revocation(&cs, &only_int, "chain", "allow", "deny"),
        &STD_CHAIN,
        &spiffe_path,
        None,
    )?;
    cs.reject(
        "revocation_unknown_leaf_depth",
        "Depth leaf without the intermediate's CRL leaves the leaf's status unknown.",
        with_revocation(&cs, &["root.crl.pem"], "leaf", "deny", "deny"),
        &STD_CHAIN,
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    let expired_crls = ["root.crl.pem", "intermediate-expired.crl.pem"];
    cs.reject(
        "crl_expired_denied",
        "The intermediate's only CRL is past nextUpdate and expired_crl is deny.",
        with_revocation(&cs, &expired_crls, "chain", "deny", "deny"),
        &STD_CHAIN,
        "CRL_EXPIRED",
        Some(0),
    )?;
    cs.pass(
        "crl_expired_allowed",
        "expired_crl allow uses the stale CRL, which does not list the leaf.",
        with_revocation(&cs, &expired_crls, "chain", "deny", "allow"),
        &STD_CHAIN,
        &spiffe_path,
        None,
    )?;
    cs.reject(
        "crl_expired_allowed_still_revokes",
        "A stale CRL accepted by expired_crl allow still revokes what it lists.",
        with_revocation(&cs, &expired_crls, "chain", "deny", "allow"),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.pass(
        "revocation_empty_crl",
        "A current CRL that lists nothing leaves every certificate good.",
        with_revocation(
            &cs,
            &["root.crl.pem", "intermediate-empty.crl.pem"],
            "chain",
            "deny",
            "deny",
        ),
        &["leaf-revoked", "intermediate"],
        &["leaf-revoked", "intermediate", "root"],
        None,
    )?;

    // ---- input decoding ----
    let garbage =
        "-----BEGIN CERTIFICATE-----\n!!!! this is not base64 !!!!\n-----END CERTIFICATE-----\n";
    cs.fail(
        "malformed_garbage_pem",
        "A CERTIFICATE PEM block whose body is not base64 is malformed.",
        cs.policy(&int),
        vec![garbage.to_owned()],
        "MALFORMED_CERTIFICATE",
        Some(0),
    )?;
    cs.fail(
        "malformed_not_der",
        "Well-formed PEM whose bytes are not DER is malformed.",
        cs.policy(&int),
        vec![pem_encode("CERTIFICATE", b"this is not a DER certificate")],
        "MALFORMED_CERTIFICATE",
        Some(0),
    )?;
    let (_, crl_der) = pem_decode(&pki.crl("intermediate.crl.pem"))?;
    cs.fail(
        "malformed_crl_in_chain",
        "A CRL's DER inside a CERTIFICATE block at position 1 is not a certificate.",
        cs.policy(&none),
        vec![spiffe.pem(), pem_encode("CERTIFICATE", &crl_der)],
        "MALFORMED_CERTIFICATE",
        Some(1),
    )?;
    cs.fail(
        "empty_chain",
        "An empty chain is refused.",
        cs.policy(&int),
        Vec::new(),
        "EMPTY_CHAIN",
        None,
    )?;
    let mut seventeen = vec![pki.c("intermediate").pem(); 17];
    seventeen[0] = spiffe.pem();
    cs.fail(
        "too_many_certificates",
        "Seventeen certificates exceed the limit of sixteen per chain.",
        cs.policy(&none),
        seventeen,
        "INPUT_TOO_LARGE",
        None,
    )?;

    input_form_cases(&mut cs)?;
    unusual_crl_cases(&mut cs)?;
    spiffe_cases(&mut cs)?;
    policy_file_cases(&mut cs)?;

    // ---- invalid policies ----
    let mut typo = cs.policy(&int);
    typo["allowed"] = json!([{ "spiffe_id": PAYMENTS }]);
    cs.invalid_policy(
        "policy_unknown_top_level_key",
        "A misspelt top-level key (`allowed`) is refused, never ignored.",
        typo,
    )?;
    cs.invalid_policy(
        "policy_unknown_rule_key",
        "An unknown matcher name inside a rule is refused.",
        cs.allow(&int, json!([{ "dns_name": "api.example.com" }])),
    )?;
    cs.invalid_policy(
        "policy_bad_cidr",
        "An IPv4 prefix longer than 32 bits is refused.",
        cs.allow(&int, json!([{ "ip": "10.0.0.0/33" }])),
    )?;
    cs.invalid_policy(
        "policy_partial_label_wildcard",
        "A dns pattern with `*` inside a label is refused.",
        cs.allow(&int, json!([{ "dns": "f*.example.com" }])),
    )?;
    let mut bad_anchor = cs.policy(&none);
    bad_anchor["trust"]["anchors"] = json!(garbage);
    cs.invalid_policy(
        "policy_unparsable_anchor",
        "An anchor that is not a certificate is refused.",
        bad_anchor,
    )?;
    let mut bad_crl = cs.policy(&int);
    bad_crl["revocation"] = json!({
        "crls": ["-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"]
    });
    cs.invalid_policy(
        "policy_unparsable_crl",
        "A CRL that does not parse is refused.",
        bad_crl,
    )?;
    cs.invalid_policy(
        "policy_unknown_subject_attribute",
        "A subject attribute outside the documented list is refused.",
        cs.allow(&int, json!([{ "subject": { "title": "Engineer" } }])),
    )?;
    cs.invalid_policy(
        "policy_empty_rule",
        "An empty rule would match everything, so it is refused.",
        cs.allow(&int, json!([{}])),
    )?;
    let mut bad_usage = cs.policy(&int);
    bad_usage["usage"] = json!("email");
    cs.invalid_policy(
        "policy_bad_usage",
        "A usage other than client or server is refused.",
        bad_usage,
    )?;
    let mut bad_revocation_key = cs.policy(&int);
    bad_revocation_key["revocation"] = json!({ "crl": [pki.crl("intermediate.crl.pem")] });
    cs.invalid_policy(
        "policy_unknown_revocation_key",
        "A misspelt key inside revocation (`crl`) is refused.",
        bad_revocation_key,
    )?;
    let mut bad_depth = cs.policy(&int);
    bad_depth["revocation"] = json!({
        "crls": [pki.crl("intermediate.crl.pem")],
        "depth": "everything"
    });
    cs.invalid_policy(
        "policy_bad_revocation_depth",
        "A revocation depth other than chain or leaf is refused.",
        bad_depth,
    )?;
    cs.invalid_policy(
        "policy_missing_anchors",
        "trust.anchors is required.",
        json!({ "trust": { "intermediates": pki.c("intermediate").pem() } }),
    )?;
    let mut null_allow = cs.policy(&int);
    null_allow["allow"] = Value::Null;
    cs.invalid_policy(
        "policy_null_allow_refused",
        "\"allow\": null is refused: only a missing key means \"allow any valid chain\".",
        null_allow,
    )?;
    cs.invalid_policy(
        "policy_matcher_wrong_type",
        "A matcher value of the wrong JSON type is refused.",
        cs.allow(&int, json!([{ "dns": 42 }])),
    )?;

    // ---- inspect ----
    for (name, description, cert) in [
        (
            "inspect_root",
            "The self-signed root: is_ca, keyCertSign and cRLSign, issuer equals subject.",
            "root",
        ),
        ("inspect_intermediate", "The issuing CA.", "intermediate"),
        (
            "inspect_constrained_ca",
            "A name-constrained CA.",
            "intermediate-constrained",
        ),
        (
            "inspect_spiffe",
            "An X509-SVID with a serial whose DER needs a 00 sign byte.",
            "leaf-spiffe",
        ),
        ("inspect_p384", "A P-384 key.", "leaf-p384"),
        ("inspect_rsa", "An RSA-2048 key.", "leaf-rsa"),
        ("inspect_ed25519", "An Ed25519 key.", "leaf-ed25519"),
        (
            "inspect_two_uris",
            "Two URI SANs: listed, but spiffe_id is null.",
            "leaf-two-uris",
        ),
        (
            "inspect_dns_wildcard",
            "A wildcard DNS SAN is reported verbatim.",
            "leaf-dns-wildcard",
        ),
        (
            "inspect_cn_hostname",
            "A hostname-like CN does not appear among the DNS SANs.",
            "leaf-cn-hostname",
        ),
        (
            "inspect_email",
            "An rfc822Name SAN and the emailProtection EKU.",
            "leaf-email",
        ),
        (
            "inspect_ip",
            "IPv4 and IPv6 SANs in IpAddr Display form.",
            "leaf-ip",
        ),
        (
            "inspect_multi_san",
            "SANs of every type, grouped by type in certificate order.",
            "leaf-multi-san",
        ),
        (
            "inspect_no_san",
            "No SAN, no keyUsage, and basicConstraints cA FALSE.",
            "leaf-no-san",
        ),
        (
            "inspect_rich_subject",
            "Every supported subject attribute and a 16-byte serial.",
            "leaf-subject",
        ),
        (
            "inspect_multi_valued_ou",
            "Two OU values, in encoding order.",
            "leaf-multi-ou",
        ),
        (
            "inspect_usage_names",
            "Key usages in bit order and EKU names, with an unnamed EKU as a dotted OID.",
            "leaf-usage-zoo",
        ),
        (
            "inspect_server_only",
            "A serverAuth-only EKU.",
            "leaf-server-only",
        ),
        (
            "inspect_no_eku",
            "extended_key_usage is empty without the extension.",
            "leaf-no-eku",
        ),
        (
            "inspect_expired",
            "inspect does not check validity.",
            "leaf-expired",
        ),
        (
            "inspect_bad_signature",
            "inspect does not check signatures.",
            "leaf-bad-signature",
        ),
        (
            "inspect_ecdsa_sha512",
            "inspect parses a certificate signed with an unsupported algorithm.",
            "leaf-ecdsa-sha512",
        ),
        (
            "inspect_spiffe_uppercase_trust_domain",
            "An upper-case trust domain is no valid SPIFFE ID.",
            "leaf-spiffe-uppercase-td",
        ),
        (
            "inspect_spiffe_trailing_slash",
            "A trailing slash is no valid SPIFFE ID.",
            "leaf-spiffe-trailing-slash",
        ),
        (
            "inspect_spiffe_dot_segment",
            "A `..` path segment is no valid SPIFFE ID.",
            "leaf-spiffe-dot-segment",
        ),
        (
            "inspect_spiffe_empty_segment",
            "An empty path segment is no valid SPIFFE ID.",
            "leaf-spiffe-empty-segment",
        ),
        (
            "inspect_spiffe_query",
            "A query is no valid SPIFFE ID.",
            "leaf-spiffe-query",
        ),
        (
            "inspect_spiffe_charset",
            "Dashes, dots, underscores and upper-case path letters are valid SPIFFE ID characters.",
            "leaf-spiffe-charset",
        ),
    ] {
        cs.inspect(name, description, cert)?;
    }

    fleet::cases(&mut cs)?;
    forwarded::cases(&mut cs)?;
    operations::cases(&mut cs)?;
    strict::cases(&mut cs)?;
    ocsp::cases(&mut cs)?;
    Ok(cs.list)
}

/// Files as other tools write them: text dumps, BOM, CRLF, PKCS#7, key blocks, PKCS#12.
fn input_form_cases(cs: &mut Cases<'_>) -> Result<()> {
    let pki = cs.pki;
    let none: [&str; 0] = [];
    let path = STD_PATH;
    let leaf = pki.c("leaf-spiffe").pem();
    let intermediate = pki.c("intermediate").pem();
    let crlf = |pem: &str| pem.replace('\n', "\r\n");
    let with_anchor = |anchor: Value| {
        let mut policy = pki.policy(&none);
        policy["trust"]["anchors"] = anchor;
        policy
    };
    let items = |list: &[&str]| list.iter().map(|item| text(*item)).collect::<Vec<_>>();
    let leaf_text = pki.form_text("leaf-spiffe-text.pem");
    let intermediate_text = pki.form_text("intermediate-text.pem");
    for (name, description, policy, chain) in [
        (
            "input_text_dump_chain",
            "Leaf and intermediate as `openssl x509 -text` writes them: the dump before each PEM block is ignored.",
            cs.policy(&none),
            items(&[&leaf_text, &intermediate_text]),
        ),
        (
            "input_text_dump_bundle",
            "One text item holding both dumps, as `cat leaf.pem intermediate.pem` of `openssl ca` files.",
            cs.policy(&none),
            vec![text(format!("{leaf_text}{intermediate_text}"))],
        ),
        (
            "input_text_dump_anchor",
            "A trust anchor written by `openssl x509 -text`.",
            with_anchor(text(pki.form_text("root-text.pem"))),
            items(&[&leaf, &intermediate]),
        ),
        (
            "input_bom_chain",
            "A leaf saved with a UTF-8 byte order mark (Windows editors) is read, not dropped.",
            cs.policy(&none),
            vec![text(format!("\u{feff}{leaf}")), text(intermediate.clone())],
        ),
        (
            "input_bom_bundle",
            "A BOM before a leaf + intermediate bundle: the leaf stays the leaf.",
            cs.policy(&none),
            vec![text(format!("\u{feff}{leaf}{intermediate}"))],
        ),
        (
            "input_bom_anchor",
            "A trust anchor saved with a UTF-8 byte order mark.",
            with_anchor(text(format!("\u{feff}{}", pki.c("root").pem()))),
            items(&[&leaf, &intermediate]),
        ),
        (
            "input_crlf_chain",
            "CRLF line ends throughout the chain.",
            cs.policy(&none),
            vec![text(crlf(&format!("{leaf}{intermediate}")))],
        ),
        (
            "input_crlf_anchor",
            "CRLF line ends in the trust anchor.",
            with_anchor(text(crlf(&pki.c("root").pem()))),
            items(&[&leaf, &intermediate]),
        ),
        (
            "input_pkcs7_pem_chain",
            "The chain as a PKCS#7 bundle from `openssl crl2pkcs7` (PEM): its leaf is found and put first.",
            cs.policy(&none),
            vec![text(pki.form_text("leaf-spiffe-chain.p7b"))],
        ),
        (
            "input_pkcs7_der_chain",
            "The chain as a DER PKCS#7 bundle (.p7b as Windows exports it).",
            cs.policy(&none),
            vec![bytes(pki.form("leaf-spiffe-chain.p7b.der"))],
        ),
        (
            "input_pkcs7_anchor",
            "The trust anchor as a DER PKCS#7 bundle.",
            with_anchor(bytes(pki.form("root.p7b.der"))),
            items(&[&leaf, &intermediate]),
        ),
        (
            "input_key_block_skipped",
            "A bundle that also holds the leaf's private key: the key block is skipped.",
            cs.policy(&none),
            vec![text(format!(
                "{leaf}{}{intermediate}",
                pki.c("leaf-spiffe").key_pem()?
            ))],
        ),
    ] {
        cs.pass_items(name, description, policy, chain, &path, None, &[])?;
    }
    let mut pkcs7_pool = cs.policy(&none);
    pkcs7_pool["trust"]["intermediates"] = text(pki.form_text("intermediate.p7b"));
    cs.pass(
        "input_pkcs7_intermediates",
        "The intermediates pool as a PKCS#7 bundle (PEM).",
        pkcs7_pool,
        &["leaf-spiffe"],
        &path,
        None,
    )?;
    let spiffe_bundle = json!({
        "keys": [
            { "use": "jwt-svid", "kty": "EC", "kid": "jwt-1", "crv": "P-256", "x": "unused", "y": "unused" },
            { "use": "x509-svid", "kty": "EC", "x5c": [base64_der(&pki.c("root").der)] }
        ],
        "spiffe_sequence": 1,
        "spiffe_refresh_hint": 300
    });
    cs.pass(
        "input_spiffe_bundle_anchor",
        "Anchors from a SPIFFE trust bundle (JWK set): the x509-svid key's x5c certificate; jwt-svid keys are skipped.",
        with_anchor(json!({ "spiffe_bundle": spiffe_bundle })),
        &STD_CHAIN,
        &path,
        None,
    )?;
    cs.fail_items(
        "input_key_only_refused",
        "A PEM item holding only a private key is no certificate; the message names the block.",
        cs.policy(&none),
        vec![text(pki.c("leaf-spiffe").key_pem()?)],
        "MALFORMED_CERTIFICATE",
        Some(0),
        &[],
    )?;
    cs.fail_items(
        "input_crl_block_in_chain",
        "A CRL PEM block where a certificate belongs is refused by its label.",
        cs.policy(&none),
        vec![text(pki.crl("intermediate.crl.pem"))],
        "MALFORMED_CERTIFICATE",
        Some(0),
        &[],
    )?;
    cs.fail_items(
        "input_pkcs12_refused",
        "A PKCS#12 key store (.p12) is named and refused, with the command that extracts its certificates.",
        cs.policy(&none),
        vec![bytes(pki.form("leaf-spiffe.p12"))],
        "MALFORMED_CERTIFICATE",
        Some(0),
        &[],
    )?;
    let mut p12_anchor = cs.policy(&none);
    p12_anchor["trust"]["anchors"] = bytes(pki.form("leaf-spiffe.p12"));
    cs.invalid_policy(
        "policy_pkcs12_anchor_refused",
        "A PKCS#12 key store as the trust anchor is refused.",
        p12_anchor,
    )?;
    let mut text_crl = cs.policy(&none);
    text_crl["revocation"] = json!({
        "crls": [pki.crl("root.crl.pem"), pki.form_text("intermediate-text.crl.pem")]
    });
    cs.reject(
        "input_text_dump_crl",
        "A CRL written by `openssl crl -text` still revokes what it lists.",
        text_crl,
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.inspect_item(
        "inspect_text_dump",
        "inspect reads a certificate after its `openssl x509 -text` dump.",
        "leaf-spiffe",
        text(leaf_text),
    )?;
    cs.inspect_item(
        "inspect_pkcs7_der",
        "inspect of a DER PKCS#7 chain bundle gives its leaf.",
        "leaf-spiffe",
        bytes(pki.form("leaf-spiffe-chain.p7b.der")),
    )
}

/// CRLs as CAs publish them: scoped, base + delta, and CRLs certgate cannot use (left
/// out with a warning, never refusing the policy).
fn unusual_crl_cases(cs: &mut Cases<'_>) -> Result<()> {
    let pki = cs.pki;
    // The intermediate is in the policy's pool, so CRL signatures are checked at load.
    let revocation = |crls: &[&str], unknown: &str, expired: &str| {
        let mut policy = pki.policy(&["intermediate"]);
        policy["revocation"] = pki.revocation(crls, "chain", unknown, expired);
        policy
    };
    let path = |leaf: &'static str| [leaf, "intermediate", "root"];
    let scoped = ["root-arl.crl.pem", "intermediate-users.crl.pem"];
    cs.pass(
        "crl_scoped_good",
        "A root ARL (onlyContainsCACerts) and a user-certificate CRL (onlyContainsUserCerts) cover the chain between them.",
        revocation(&scoped, "deny", "deny"),
        &STD_CHAIN,
        &STD_PATH,
        None,
    )?;
    cs.reject(
        "crl_scoped_user_crl_revokes",
        "The user-certificate CRL revokes the leaf it lists.",
        revocation(&scoped, "deny", "deny"),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.reject(
        "crl_scoped_arl_revokes_ca",
        "The root's ARL revokes the intermediate it lists.",
        revocation(
            &["root-arl.crl.pem", "intermediate-revoked.crl.pem"],
            "deny",
            "deny",
        ),
        &["leaf-under-revoked-ca", "intermediate-revoked"],
        "REVOKED",
        Some(1),
    )?;
    cs.reject(
        "crl_scoped_arl_does_not_cover_leaves",
        "An ARL of the intermediate (onlyContainsCACerts) does not cover its leaves, so what it lists about them is not used.",
        revocation(&["root.crl.pem", "intermediate-arl.crl.pem"], "deny", "deny"),
        &["leaf-revoked", "intermediate"],
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    cs.reject(
        "crl_scoped_user_crl_does_not_cover_cas",
        "A user-certificate CRL alone leaves the intermediate's status unknown.",
        revocation(&["intermediate-users.crl.pem"], "deny", "deny"),
        &STD_CHAIN,
        "REVOCATION_UNKNOWN",
        Some(1),
    )?;
    let base = ["root.crl.pem", "intermediate-base.crl.pem"];
    let with_delta = [
        "root.crl.pem",
        "intermediate-base.crl.pem",
        "intermediate-delta.crl.pem",
    ];
    cs.pass(
        "crl_delta_base_alone",
        "The base CRL alone does not list a leaf revoked after it was issued.",
        revocation(&base, "deny", "deny"),
        &["leaf-revoked-later", "intermediate"],
        &path("leaf-revoked-later"),
        None,
    )?;
    cs.reject(
        "crl_delta_revokes",
        "A delta CRL applied on top of its base revokes the leaf only it lists.",
        revocation(&with_delta, "deny", "deny"),
        &["leaf-revoked-later", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.reject(
        "crl_delta_keeps_base_revocations",
        "With a delta, what the base lists stays revoked.",
        revocation(&with_delta, "deny", "deny"),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.reject(
        "crl_hold_without_delta",
        "A leaf on hold (certificateHold) in the base CRL is refused.",
        revocation(&base, "deny", "deny"),
        &["leaf-on-hold", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.pass(
        "crl_delta_releases_hold",
        "A delta CRL entry with reason removeFromCRL releases the leaf from hold.",
        revocation(&with_delta, "deny", "deny"),
        &["leaf-on-hold", "intermediate"],
        &path("leaf-on-hold"),
        None,
    )?;
    let chain = |names: &[&str]| pki.pems(names).into_iter().map(text).collect::<Vec<_>>();
    cs.fail_items(
        "crl_delta_without_base",
        "A delta CRL without its base is left out with a warning; the leaf's status is then unknown.",
        revocation(&["root.crl.pem", "intermediate-delta.crl.pem"], "deny", "deny"),
        chain(&STD_CHAIN),
        "REVOCATION_UNKNOWN",
        Some(0),
        &["revocation.crls[1]"],
    )?;
    for (crl, what, short) in [
        (
            "intermediate-unknown-critical.crl.pem",
            "an unknown critical CRL extension",
            "unknown_critical",
        ),
        (
            "intermediate-critical-entry.crl.pem",
            "an unknown critical entry extension",
            "critical_entry",
        ),
        (
            "intermediate-bad-signature.crl.pem",
            "a signature the issuing CA's key does not verify",
            "bad_signature",
        ),
    ] {
        cs.fail_items(
            &format!("crl_{short}_left_out"),
            &format!("A CRL with {what} is left out with a warning, not refusing the policy; unknown_status deny then refuses."),
            revocation(&["root.crl.pem", crl], "deny", "deny"),
            chain(&STD_CHAIN),
            "REVOCATION_UNKNOWN",
            Some(0),
            &["revocation.crls[1]"],
        )?;
        cs.pass_items(
            &format!("crl_{short}_not_used"),
            &format!("The CRL with {what} is not used at all: a leaf it lists passes under unknown_status allow."),
            revocation(&["root.crl.pem", crl], "allow", "deny"),
            chain(&["leaf-revoked", "intermediate"]),
            &path("leaf-revoked"),
            None,
            &["revocation.crls[1]"],
        )?;
    }
    cs.fail_items(
        "crl_unusable_beside_a_good_one",
        "An unusable CRL beside the issuer's good CRL: the good one decides, the other is reported.",
        revocation(
            &["root.crl.pem", "intermediate.crl.pem", "intermediate-unknown-critical.crl.pem"],
            "deny",
            "deny",
        ),
        chain(&["leaf-revoked", "intermediate"]),
        "REVOKED",
        Some(0),
        &["revocation.crls[2]"],
    )?;
    let no_number = ["root.crl.pem", "intermediate-no-number.crl.pem"];
    cs.pass(
        "crl_without_number_used",
        "A CRL without a CRL number is used.",
        revocation(&no_number, "deny", "deny"),
        &STD_CHAIN,
        &STD_PATH,
        None,
    )?;
    cs.reject(
        "crl_without_number_revokes",
        "A CRL without a CRL number revokes what it lists.",
        revocation(&no_number, "deny", "deny"),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    let no_next = ["root.crl.pem", "intermediate-no-next-update.crl.pem"];
    cs.reject(
        "crl_without_next_update_is_stale",
        "A CRL without nextUpdate promises no freshness: it counts as stale, so expired_crl deny refuses.",
        revocation(&no_next, "deny", "deny"),
        &STD_CHAIN,
        "CRL_EXPIRED",
        Some(0),
    )?;
    cs.pass(
        "crl_without_next_update_allowed",
        "expired_crl allow uses a CRL without nextUpdate.",
        revocation(&no_next, "deny", "allow"),
        &STD_CHAIN,
        &STD_PATH,
        None,
    )?;
    cs.reject(
        "crl_without_next_update_still_revokes",
        "A CRL without nextUpdate still revokes what it lists.",
        revocation(&no_next, "deny", "allow"),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )
}

/// Policies given as files that name other files (`files/*.json`), read by each
/// language's file loader (or, where there is none, by its test harness).
fn policy_file_cases(cs: &mut Cases<'_>) -> Result<()> {
    let pki = cs.pki;
    let chain = |names: &[&str]| pki.pems(names).into_iter().map(text).collect::<Vec<_>>();
    cs.pass_items(
        "policy_file_references",
        "A policy file naming a text-dump anchor, the intermediate and a folder of CRLs, relative to itself.",
        json!("files/policy-references.json"),
        chain(&["leaf-spiffe"]),
        &STD_PATH,
        Some(0),
        &[],
    )?;
    cs.fail_items(
        "policy_file_references_revoked",
        "The CRLs read from the folder revoke the leaf they list.",
        json!("files/policy-references.json"),
        chain(&["leaf-revoked"]),
        "REVOKED",
        Some(0),
        &[],
    )?;
    cs.pass_items(
        "policy_file_anchor_folder",
        "Anchors from a folder: its *.crt and *.pem files, other files skipped.",
        json!("files/policy-anchor-folder.json"),
        chain(&STD_CHAIN),
        &STD_PATH,
        None,
        &[],
    )?;
    cs.fail_items(
        "policy_file_missing_file",
        "A policy file naming a file that does not exist is refused.",
        json!("files/policy-missing-file.json"),
        chain(&STD_CHAIN),
        "INVALID_POLICY",
        None,
        &[],
    )?;
    let mut inline = cs.policy(&[]);
    inline["trust"]["anchors"] = json!({ "file": "../pki/root.pem" });
    cs.invalid_policy(
        "policy_file_reference_needs_a_file",
        "A file reference in a policy not loaded from a file is refused, never read from an arbitrary folder.",
        inline,
    )
}

fn base64_der(der: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// The policy files and folders of the `policy_file` cases, keyed by path under `files/`.
fn policy_files(pki: &Pki) -> Vec<(&'static str, Vec<u8>)> {
    let json = |value: Value| {
        let mut text = serde_json::to_string_pretty(&value).expect("JSON");
        text.push('\n');
        text.into_bytes()
    };
    vec![
        (
            "policy-references.json",
            json(json!({
                "trust": {
                    "anchors": { "file": "../forms/root-text.pem" },
                    "intermediates": [{ "file": "../pki/intermediate.pem" }]
                },
                "revocation": { "crls": { "dir": "crls" } },
                "allow": [{ "spiffe_trust_domain": "example.org" }]
            })),
        ),
        (
            "policy-anchor-folder.json",
            json(json!({ "trust": { "anchors": { "dir": "anchors/" } } })),
        ),
        (
            "policy-missing-file.json",
            json(json!({ "trust": { "anchors": { "file": "absent.pem" } } })),
        ),
        ("anchors/root.crt", pki.c("root").pem().into_bytes()),
        ("anchors/untrusted-root.pem.bak", pki.c("untrusted-root").pem().into_bytes()),
        (
            "anchors/README.txt",
            b"Anchors for policy-anchor-folder.json: only *.pem, *.crt, *.cer, *.p7b and *.p7c are read.\n".to_vec(),
        ),
        (
            "policy-spiffe-bundles.json",
            json(json!({
                "trust": { "spiffe_bundles": {
                    "a.test": { "file": "a.test.bundle.json" },
                    "b.test": { "file": "b.test.bundle.json" }
                } },
                "allow": [{ "spiffe_id": A_PAYMENTS }]
            })),
        ),
        ("a.test.bundle.json", json(spiffe_bundle(&[pki.c("spiffe-a-root")], 1))),
        ("b.test.bundle.json", json(spiffe_bundle(&[pki.c("spiffe-b-root")], 1))),
        ("crls/root.crl", pki.crl("root.crl.pem").into_bytes()),
        ("crls/intermediate.crl", pki.crl("intermediate.crl.pem").into_bytes()),
        (
            "crls/README.txt",
            b"CRLs for policy-references.json: only *.pem and *.crl are read.\n".to_vec(),
        ),
    ]
}

/// Writes `DIR/pki/*` and `DIR/cases.json`.
pub fn write(dir: &Path) -> Result<()> {
    let pki = build_pki()?;
    let cases = build_cases(&pki)?;

    let pki_dir = dir.join("pki");
    std::fs::create_dir_all(&pki_dir)?;
    // Remove the previous generation's PEM files so renamed fixtures cannot linger.
    for entry in std::fs::read_dir(&pki_dir)? {
        let path = entry?.path();
        let ours = path
            .extension()
            .is_some_and(|ext| ext == "pem" || ext == "key");
        if ours {
            std::fs::remove_file(&path)?;
        }
    }
    for named in &pki.certs {
        write_file(&pki_dir, &format!("{}.pem", named.name), named.cert.pem())?;
        if named.write_key {
            write_file(
                &pki_dir,
                &format!("{}.key", named.name),
                &named.cert.key_pem()?,
            )?;
        }
    }
    for (name, pem) in &pki.crls {
        write_file(&pki_dir, name, pem)?;
    }
    for (folder, files) in [("forms", pki.forms.clone()), ("files", policy_files(&pki))] {
        let folder = dir.join(folder);
        if folder.exists() {
            std::fs::remove_dir_all(&folder)?;
        }
        for (name, contents) in files {
            let path = folder.join(name);
            std::fs::create_dir_all(path.parent().ok_or("a file in a folder")?)?;
            std::fs::write(&path, contents)?;
        }
    }

    let case_count = cases.len();
    let doc = Document {
        version: 1,
        at_note: format!(
            "Every verify case carries at = {AT} (2026-06-01T00:00:00Z). The PKI is laid out \
             around that instant (expired and not-yet-valid leaves, an expired CRL), so runners \
             must pass `at` explicitly instead of using the clock."
        ),
        cases,
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    write_file(dir, "cases.json", &text)?;
    eprintln!(
        "wrote {} certificates, {} CRLs and {} cases to {}",
        pki.certs.len(),
        pki.crls.len(),
        case_count,
        dir.display()
    );
    Ok(())
}
