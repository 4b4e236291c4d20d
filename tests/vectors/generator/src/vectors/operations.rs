//! Vectors of running certgate in production (docs/policy.md#mode,
//! docs/policy.md#warn_before_expiry_seconds): `"mode": "audit"` admitting what enforce
//! mode refuses, with the refusal in `audit`, while input that does not decode is still
//! refused; and the expiry warnings of an admitted path, certificate by certificate and
//! CRL by CRL, at the window's edges.

use super::*;

/// The identity an audit-mode policy gives a chain it would refuse: the leaf as decoded,
/// no path, and the refusal.
fn audited(
    pki: &Pki,
    leaf: &str,
    code: &str,
    cert_index: Option<usize>,
    message: &str,
) -> Result<VerifiedIdentity> {
    Ok(VerifiedIdentity {
        identity: pki.c(leaf).identity()?,
        chain_fingerprints: Vec::new(),
        matched_rule: None,
        forwarded: None,
        audit: Some(json!({ "code": code, "message": message, "cert_index": cert_index })),
        warnings: Vec::new(),
    })
}

/// The verified identity of `path` (allowed by `allow[0]`) with these expiry warnings,
/// each `(code, path position, seconds left)`.
fn warned(pki: &Pki, path: &[&str], warnings: &[(&str, usize, i64)]) -> Result<VerifiedIdentity> {
    let path = pki.path(path);
    Ok(VerifiedIdentity {
        identity: path[0].identity()?,
        chain_fingerprints: path.iter().map(|c| c.fingerprint()).collect(),
        matched_rule: Some(0),
        forwarded: None,
        audit: None,
        warnings: warnings
            .iter()
            .map(|(code, cert_index, seconds_left)| {
                json!({ "code": code, "cert_index": cert_index, "seconds_left": seconds_left })
            })
            .collect(),
    })
}

pub(super) fn cases(cs: &mut Cases<'_>) -> Result<()> {
    let pki = cs.pki;
    let chain = |names: &[&str]| -> Vec<Value> { pki.pems(names).into_iter().map(text).collect() };
    let payments = json!([{ "spiffe_id": PAYMENTS }]);
    let allowing = |rules: Value| {
        let mut policy = pki.policy(&[]);
        policy["allow"] = rules;
        policy
    };
    let audit = |mut policy: Value| {
        policy["mode"] = json!("audit");
        policy
    };
    let with_crls = |mut policy: Value| {
        policy["revocation"] = pki.revocation(&ALL_CRLS, "chain", "deny", "deny");
        policy
    };

    // ---- audit mode ----
    let issuing_label = "CN=Certgate Test Issuing CA,O=Certgate Test";
    let subject = |name: &str| -> Result<String> { Ok(pki.c(name).identity()?.subject) };
    cs.pass_identity(
        "audit_revoked_admitted",
        "In audit mode a revoked leaf is admitted; `audit` carries the refusal enforce mode \
         would give, and the identity has no verified path.",
        audit(with_crls(cs.allow(
            &[],
            json!([{ "spiffe_trust_domain": "example.org" }]),
        ))),
        chain(&["leaf-revoked", "intermediate"]),
        audited(
            pki,
            "leaf-revoked",
            "REVOKED",
            Some(0),
            &format!(
                "certificate #0 ({}) is revoked: serial 1016 is on the CRL of {issuing_label}",
                subject("leaf-revoked")?
            ),
        )?,
        &[],
    )?;
    cs.pass_identity(
        "audit_not_authorized_admitted",
        "In audit mode a chain no allow rule matches is admitted with NOT_AUTHORIZED in `audit`.",
        audit(allowing(json!([{ "dns": "nothing.example" }]))),
        chain(&STD_CHAIN),
        audited(
            pki,
            "leaf-spiffe",
            "NOT_AUTHORIZED",
            Some(0),
            &format!(
                "certificate #0 ({}) matches no allow rule (SAN dns=[] uri=[\"{PAYMENTS}\"] \
                 email=[] ip=[])",
                subject("leaf-spiffe")?
            ),
        )?,
        &[],
    )?;
    cs.pass_identity(
        "audit_unknown_issuer_admitted",
        "In audit mode even a chain to no trust anchor is admitted (UNKNOWN_ISSUER in \
         `audit`): audit mode is for rolling out a stricter policy behind one that enforces.",
        audit(allowing(payments.clone())),
        chain(&["leaf-untrusted"]),
        audited(
            pki,
            "leaf-untrusted",
            "UNKNOWN_ISSUER",
            None,
            &format!(
                "no path from certificate #0 ({}) to an authority of its trust domain \
                 example.org: its issuer CN=Untrusted Root,O=Elsewhere is not an authority of \
                 example.org, and no intermediate sent or pooled links it to one",
                subject("leaf-untrusted")?
            ),
        )?,
        &[],
    )?;
    cs.pass(
        "audit_allowed_is_plain",
        "In audit mode a chain enforce mode admits gets the usual identity, without `audit`.",
        audit(allowing(payments.clone())),
        &STD_CHAIN,
        &STD_PATH,
        Some(0),
    )?;
    cs.fail(
        "audit_undecodable_still_refused",
        "Audit mode admits only what decodes: bytes that are no certificate are refused.",
        audit(allowing(payments.clone())),
        vec!["not a certificate".to_owned()],
        "MALFORMED_CERTIFICATE",
        Some(0),
    )?;
    cs.fail(
        "audit_empty_chain_still_refused",
        "Audit mode admits only what decodes: an empty chain is refused.",
        audit(allowing(payments.clone())),
        Vec::new(),
        "EMPTY_CHAIN",
        None,
    )?;
    cs.invalid_policy(
        "policy_mode_unknown",
        "mode is \"enforce\" or \"audit\".",
        {
            let mut policy = pki.policy(&[]);
            policy["mode"] = json!("dry-run");
            policy
        },
    )?;

    // ---- expiry warnings ----
    let warn = |window: i64| {
        let mut policy = with_crls(allowing(payments.clone()));
        policy["warn_before_expiry_seconds"] = json!(window);
        policy
    };
    let leaf_left = LEAF_UNTIL - AT;
    let ca_left = CA_UNTIL - AT;
    let root_left = ROOT_UNTIL - AT;
    let crl_left = CRL_NEXT_UPDATE - AT;
    cs.pass_identity(
        "warn_nothing_within_the_window",
        "With a window shorter than anything's time left there are no warnings.",
        warn(leaf_left - 1),
        chain(&STD_CHAIN),
        warned(pki, &STD_PATH, &[])?,
        &[],
    )?;
    cs.pass_identity(
        "warn_leaf_and_crls_at_the_edge",
        "A window of exactly the leaf's time left warns of the leaf and of the two CRLs the \
         decision used (their nextUpdate is as near): a CRL's index is the certificate it covers.",
        warn(leaf_left),
        chain(&STD_CHAIN),
        warned(
            pki,
            &STD_PATH,
            &[
                ("LEAF_EXPIRES_SOON", 0, leaf_left),
                ("CRL_STALE_SOON", 0, crl_left),
                ("CRL_STALE_SOON", 1, crl_left),
            ],
        )?,
        &[],
    )?;
    cs.pass_identity(
        "warn_whole_chain",
        "A window past the root's notAfter warns of every certificate of the path, the \
         intermediate and the anchor as CHAIN_EXPIRES_SOON, in path order, then the CRLs.",
        warn(root_left + 1),
        chain(&STD_CHAIN),
        warned(
            pki,
            &STD_PATH,
            &[
                ("LEAF_EXPIRES_SOON", 0, leaf_left),
                ("CHAIN_EXPIRES_SOON", 1, ca_left),
                ("CHAIN_EXPIRES_SOON", 2, root_left),
                ("CRL_STALE_SOON", 0, crl_left),
                ("CRL_STALE_SOON", 1, crl_left),
            ],
        )?,
        &[],
    )?;
    cs.pass_identity(
        "warn_without_revocation_only_certificates",
        "Without a revocation section no CRL is used, so only certificates warn.",
        {
            let mut policy = allowing(payments.clone());
            policy["warn_before_expiry_seconds"] = json!(ca_left);
            policy
        },
        chain(&STD_CHAIN),
        warned(
            pki,
            &STD_PATH,
            &[
                ("LEAF_EXPIRES_SOON", 0, leaf_left),
                ("CHAIN_EXPIRES_SOON", 1, ca_left),
            ],
        )?,
        &[],
    )?;
    cs.reject(
        "warn_refused_chain_has_no_warnings",
        "Warnings belong to admitted chains: a refused one is only refused.",
        warn(root_left + 1),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    cs.invalid_policy(
        "policy_warn_before_expiry_negative",
        "warn_before_expiry_seconds is a whole number of seconds, 0 or more.",
        {
            let mut policy = pki.policy(&[]);
            policy["warn_before_expiry_seconds"] = json!(-1);
            policy
        },
    )?;

    // ---- the decision cache (docs/policy.md#cache): the same decisions, remembered ----
    let caching = |entries: Value| {
        let mut policy = with_crls(allowing(payments.clone()));
        policy["cache"] = json!({ "entries": entries });
        policy
    };
    cs.pass(
        "cache_admits_as_without",
        "A policy with a decision cache decides as without one; the first sight of a chain \
         is always decided from scratch.",
        caching(json!(8)),
        &["leaf-spiffe", "intermediate"],
        &["leaf-spiffe", "intermediate", "root"],
        Some(0),
    )?;
    cs.reject(
        "cache_refuses_as_without",
        "A refusal is decided as without a cache (and never remembered).",
        caching(json!(8)),
        &["leaf-revoked", "intermediate"],
        "REVOKED",
        Some(0),
    )?;
    for (name, description, entries) in [
        (
            "policy_cache_entries_zero",
            "cache.entries is 1 to 1,000,000: 0 is refused.",
            json!(0),
        ),
        (
            "policy_cache_entries_too_many",
            "cache.entries is 1 to 1,000,000: more is refused.",
            json!(1_000_001),
        ),
        (
            "policy_cache_entries_text",
            "cache.entries is a number, not text.",
            json!("64"),
        ),
    ] {
        cs.invalid_policy(name, description, caching(entries))?;
    }
    cs.invalid_policy(
        "policy_attached_without_bytes",
        "{\"attached\": N} names bytes a binding hands over beside the policy; a policy \
         that comes without them is refused.",
        {
            let mut policy = pki.policy(&[]);
            policy["trust"]["intermediates"] = json!([{ "attached": 0 }]);
            policy
        },
    )?;
    cs.invalid_policy(
        "policy_cache_unknown_key",
        "cache takes entries only; an unknown key is refused.",
        {
            let mut policy = caching(json!(8));
            policy["cache"]["ttl"] = json!(60);
            policy
        },
    )?;
    Ok(())
}
