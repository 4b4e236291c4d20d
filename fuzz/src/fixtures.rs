//! The fixed PKI and policies the targets decide with: certificates and CRLs of
//! `tests/vectors/pki` (compiled in), and the verifiers built from them once per process.

use std::collections::HashSet;
use std::sync::OnceLock;

use certgate::{Policy, Verifier};
use serde_json::{json, Value};

use crate::check;

/// The verification time of every target: the vectors' `at` (2026-06-01), at which the
/// vector PKI and its CRLs are current.
pub const AT: u64 = 1_780_272_000;

macro_rules! pki {
    ($($name:ident = $file:literal;)+) => {
        $(#[doc = concat!("`tests/vectors/pki/", $file, "`")]
        pub const $name: &str = include_str!(concat!("../../tests/vectors/pki/", $file));)+
    };
}

pki! {
    ROOT = "root.pem";
    INTERMEDIATE = "intermediate.pem";
    ROOT_CRL = "root.crl.pem";
    INTERMEDIATE_CRL = "intermediate.crl.pem";
    LEAF = "leaf-spiffe.pem";
    REVOKED_LEAF = "leaf-revoked.pem";
    NC_ROOT_EMAIL = "nc-root-email.pem";
    NC_ROOT_URI = "nc-root-uri.pem";
    NC_ROOT_DIRECTORY = "nc-root-directory.pem";
    ROLLOVER_ROOT_OLD = "rollover-root-old.pem";
    PATHLEN0_CA = "pathlen0-ca.pem";
    SELFISSUED_CA = "selfissued-ca.pem";
    SPIFFE_A_ROOT = "spiffe-a-root.pem";
    SPIFFE_B_ROOT = "spiffe-b-root.pem";
}

/// Every `forwarded.format` of docs/forwarded.md.
pub const FORMATS: [&str; 8] = [
    "rfc9440", "xfcc", "nginx", "haproxy", "caddy", "apache", "alb", "traefik",
];

/// The proxies the forwarded policies trust.
pub const TRUSTED_PROXIES: [&str; 3] = ["127.0.0.1", "10.0.0.0/8", "::1"];

/// A verifier of a fixed policy, and the SHA-256 of each of its anchors.
pub struct Fixed {
    /// A name for messages.
    pub name: &'static str,
    /// Built once; `verify` and `verify_forwarded` leave its policy as it is.
    pub verifier: Verifier,
    /// Lowercase hex SHA-256 of every anchor in force.
    pub anchors: HashSet<String>,
    /// Whether the policy is in audit mode (admits with `audit` set).
    pub audit: bool,
    /// Whether the policy has a decision cache (a second verify must answer the same).
    pub cached: bool,
}

impl Fixed {
    fn new(name: &'static str, policy: Value) -> Fixed {
        let verifier = Verifier::from_json(&policy.to_string())
            .unwrap_or_else(|e| panic!("fixed policy {name} does not build: {e}"));
        let anchors = check::fingerprints(&verifier.anchor_certificates());
        Fixed {
            name,
            audit: policy.get("mode") == Some(&json!("audit")),
            cached: policy.get("cache").is_some(),
            verifier,
            anchors,
        }
    }
}

/// Everything the targets share, built on first use (before any measurement).
pub struct Fixtures {
    /// The policies of the `verify` target, chosen by the input's first byte.
    pub verify: Vec<Fixed>,
    /// One verifier per forwarded format (`forwarded` target), in [`FORMATS`] order.
    pub forwarded: Vec<Fixed>,
    /// The `crl` target's policy: anchors, pool and CRLs, revocation checked on the
    /// whole chain, unknown status and expired CRLs refused.
    pub crl_policy: Policy,
    /// The `ocsp` target's policy: the CRL policy's trust and CRLs, the leaf checked, with
    /// OCSP preferred; its responses come from the input.
    pub ocsp_policy: Policy,
    /// A good leaf and its intermediate (admitted by the CRL policy as loaded).
    pub good_chain: [&'static str; 2],
    /// A leaf revoked by a later CRL of the intermediate, and the intermediate.
    pub revoked_chain: [&'static str; 2],
    /// The CRLs of the CRL policy, for `update_crls` in the `policy` target.
    pub crls: [&'static str; 2],
}

fn trust() -> Value {
    json!({ "anchors": ROOT, "intermediates": INTERMEDIATE })
}

/// The `crl` target's policy with `revocation.crls` the input's items (`{"attached": N}`).
pub fn crl_policy_with_attached(count: usize) -> Value {
    let crls: Vec<Value> = (0..count)
        .map(|index| json!({ "attached": index }))
        .collect();
    json!({
        "trust": trust(),
        "revocation": { "crls": crls, "depth": "chain", "unknown_status": "deny", "expired_crl": "deny" },
    })
}

fn build() -> Fixtures {
    let verify = vec![
        // Anchors and pool only: whatever chains to the root is admitted.
        Fixed::new("anchored", json!({ "trust": trust() })),
        // Many anchors (name constraints, key rollover, path length, SPIFFE bundles), the
        // webpki profile, rules, revocation, the decision cache and expiry warnings.
        Fixed::new(
            "rules",
            json!({
                "trust": {
                    "anchors": [ROOT, NC_ROOT_EMAIL, NC_ROOT_URI, NC_ROOT_DIRECTORY,
                                ROLLOVER_ROOT_OLD, PATHLEN0_CA, SELFISSUED_CA],
                    "intermediates": [INTERMEDIATE],
                    "spiffe_bundles": { "a.test": SPIFFE_A_ROOT, "b.test": SPIFFE_B_ROOT },
                },
                "profile": "webpki",
                "usage": ["client", "server"],
                "allow": [
                    { "spiffe_trust_domain": "example.org" },
                    { "spiffe_trust_domain": "a.test" },
                    { "spiffe_id": "spiffe://*/ns/prod/sa/payments" },
                    { "dns": "*.example.com" },
                    { "email": "*@example.com" },
                    { "ip": ["10.0.0.0/8", "2001:db8::/32"] },
                    { "uri": "urn:example:device:*" },
                    { "subject": { "O": "Example Org" } },
                ],
                "deny": [ { "dns": "evil.example.com" } ],
                "revocation": {
                    "crls": [ROOT_CRL, INTERMEDIATE_CRL],
                    "unknown_status": "allow",
                    "expired_crl": "allow",
                },
                "clock_skew_seconds": 300,
                "warn_before_expiry_seconds": 31_536_000,
                "cache": { "entries": 64 },
            }),
        ),
        // Audit mode: admits whatever decodes, with the refusal it would have given.
        Fixed::new(
            "audit",
            json!({
                "trust": trust(),
                "mode": "audit",
                "allow": [ { "spiffe_id": "spiffe://example.org/ns/prod/sa/payments" } ],
                "revocation": { "crls": [ROOT_CRL, INTERMEDIATE_CRL] },
            }),
        ),
    ];
    let forwarded = FORMATS
        .iter()
        .map(|format| {
            Fixed::new(
                format,
                json!({
                    "trust": trust(),
                    "forwarded": { "format": format, "trusted_proxies": TRUSTED_PROXIES },
                    "revocation": { "crls": [ROOT_CRL, INTERMEDIATE_CRL], "unknown_status": "allow" },
                }),
            )
        })
        .collect();
    let crl_policy = Policy::from_json(
        &json!({
            "trust": trust(),
            "revocation": {
                "crls": [ROOT_CRL, INTERMEDIATE_CRL],
                "depth": "chain", "unknown_status": "deny", "expired_crl": "deny",
            },
        })
        .to_string(),
    )
    .expect("the CRL policy parses");
    let ocsp_policy = Policy::from_json(
        &json!({
            "trust": trust(),
            "revocation": {
                "crls": [ROOT_CRL, INTERMEDIATE_CRL],
                "depth": "leaf", "unknown_status": "deny",
                "ocsp": { "prefer": "ocsp" },
            },
        })
        .to_string(),
    )
    .expect("the OCSP policy parses");
    Fixtures {
        verify,
        forwarded,
        crl_policy,
        ocsp_policy,
        good_chain: [LEAF, INTERMEDIATE],
        revoked_chain: [REVOKED_LEAF, INTERMEDIATE],
        crls: [ROOT_CRL, INTERMEDIATE_CRL],
    }
}

/// The fixtures, built on the first call.
pub fn get() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(build)
}
