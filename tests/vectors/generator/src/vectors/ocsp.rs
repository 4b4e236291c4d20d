//! OCSP vectors (docs/decision.md#ocsp): pre-made responses in `revocation.ocsp.responses`
//! — good (from the issuer, and from a delegated responder with a SHA-256 CertID),
//! revoked, unknown, expired, for another issuer, badly signed, signed by a delegate
//! without the OCSP-signing EKU, a "try later" — and which source decides when a CRL
//! answers too.

use super::*;

/// The policy of these cases: the standard trust, `allow` the payments leaf and the
/// revoked one, and a `revocation` section for the leaf with these responses (PEM text,
/// or DER bytes as a JSON array of numbers) and settings.
fn policy(pki: &Pki, responses: Vec<Value>, unknown: &str, extra: Value) -> Value {
    let mut policy = pki.policy(&[]);
    policy["allow"] = json!([
        { "spiffe_id": PAYMENTS },
        { "spiffe_id": "spiffe://example.org/ns/prod/sa/revoked" },
    ]);
    let mut revocation = json!({
        "depth": "leaf",
        "unknown_status": unknown,
        "ocsp": { "responses": responses },
    });
    if let (Value::Object(revocation), Value::Object(extra)) = (&mut revocation, extra) {
        revocation.extend(extra);
    }
    policy["revocation"] = revocation;
    policy
}

pub(super) fn cases(cs: &mut Cases<'_>) -> Result<()> {
    let pki = cs.pki;
    let int = pki.c("intermediate");
    let spec = |cert: &str, status: OcspStatus| OcspSpec {
        cert: pki.c(cert),
        issuer: int,
        signer: int,
        status,
        this_update: AT - HOUR,
        next_update: Some(AT + 7 * DAY),
        sha256: false,
        by_key: true,
        corrupt: false,
    };
    let pem = |spec: OcspSpec<'_>| -> Result<Value> {
        Ok(text(pem_encode("OCSP RESPONSE", &ocsp_response(&spec)?)))
    };
    let good = pem(spec("leaf-spiffe", OcspStatus::Good))?;
    let chain = STD_CHAIN.to_vec();
    let revoked_chain = ["leaf-revoked", "intermediate"];
    let revoked_path = ["leaf-revoked", "intermediate", "root"];

    cs.pass(
        "ocsp_good",
        "A current response from the issuing CA (responder named by key hash, SHA-1 CertID) \
         says good: admitted with unknown_status deny and no CRL.",
        policy(pki, vec![good.clone()], "deny", json!({})),
        &chain,
        &STD_PATH,
        Some(0),
    )?;
    let der = ocsp_response(&spec("leaf-spiffe", OcspStatus::Good))?;
    cs.pass(
        "ocsp_good_der_bytes",
        "The same response as DER bytes (a JSON array of numbers, what `openssl ocsp \
         -respout` writes).",
        policy(pki, vec![json!(der)], "deny", json!({})),
        &chain,
        &STD_PATH,
        Some(0),
    )?;
    let delegated = pem(OcspSpec {
        signer: pki.c("ocsp-responder"),
        sha256: true,
        by_key: false,
        ..spec("leaf-spiffe", OcspStatus::Good)
    })?;
    cs.pass(
        "ocsp_good_delegated_sha256",
        "A response signed by a delegated responder that the issuing CA certified with \
         id-kp-OCSPSigning (and id-pkix-ocsp-nocheck), named by its subject, carried in the \
         response, with a SHA-256 CertID: admitted.",
        policy(pki, vec![delegated], "deny", json!({})),
        &chain,
        &STD_PATH,
        Some(0),
    )?;
    let revoked = pem(spec("leaf-revoked", OcspStatus::Revoked(AT - 25 * DAY)))?;
    cs.reject(
        "ocsp_revoked",
        "A current response says revoked (keyCompromise): REVOKED, whatever unknown_status.",
        policy(pki, vec![revoked.clone()], "allow", json!({})),
        &revoked_chain,
        "REVOKED",
        Some(0),
    )?;
    let unknown = pem(spec("leaf-spiffe", OcspStatus::Unknown))?;
    cs.reject(
        "ocsp_unknown_deny",
        "The responder says unknown and no CRL answers: unknown_status deny refuses.",
        policy(pki, vec![unknown.clone()], "deny", json!({})),
        &chain,
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    cs.pass(
        "ocsp_unknown_allow",
        "The responder says unknown: unknown_status allow admits.",
        policy(pki, vec![unknown.clone()], "allow", json!({})),
        &chain,
        &STD_PATH,
        Some(0),
    )?;
    let expired = pem(OcspSpec {
        this_update: AT - 10 * DAY,
        next_update: Some(AT - 3 * DAY),
        ..spec("leaf-spiffe", OcspStatus::Good)
    })?;
    cs.reject(
        "ocsp_expired",
        "A good response past its nextUpdate counts as no answer: unknown_status deny \
         refuses.",
        policy(pki, vec![expired], "deny", json!({})),
        &chain,
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    let no_next_update = pem(OcspSpec {
        next_update: None,
        ..spec("leaf-spiffe", OcspStatus::Good)
    })?;
    cs.reject(
        "ocsp_no_next_update",
        "A response without nextUpdate promises no freshness and counts as expired.",
        policy(pki, vec![no_next_update], "deny", json!({})),
        &chain,
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    let not_yet = pem(OcspSpec {
        this_update: AT + DAY,
        next_update: Some(AT + 8 * DAY),
        ..spec("leaf-spiffe", OcspStatus::Good)
    })?;
    cs.reject(
        "ocsp_not_yet_valid",
        "A response whose thisUpdate is a day after `at` (beyond clock_skew_seconds) is no \
         answer yet.",
        policy(pki, vec![not_yet], "deny", json!({})),
        &chain,
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    let other_issuer = pem(OcspSpec {
        issuer: pki.c("intermediate-revoked"),
        ..spec("leaf-spiffe", OcspStatus::Good)
    })?;
    cs.reject(
        "ocsp_wrong_cert_id",
        "A good response for the leaf's serial whose CertID hashes another CA's name and key \
         is not about this certificate: unknown_status deny refuses.",
        policy(pki, vec![other_issuer], "deny", json!({})),
        &chain,
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    let forged = pem(OcspSpec {
        corrupt: true,
        ..spec("leaf-spiffe", OcspStatus::Good)
    })?;
    cs.reject(
        "ocsp_bad_signature",
        "A response for the leaf whose signature does not verify is refused even with \
         unknown_status allow: someone is serving forged responses.",
        policy(pki, vec![forged], "allow", json!({})),
        &chain,
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    let not_a_responder = pem(OcspSpec {
        signer: pki.c("ocsp-responder-no-eku"),
        by_key: false,
        ..spec("leaf-spiffe", OcspStatus::Good)
    })?;
    cs.reject(
        "ocsp_delegate_without_ocsp_signing",
        "A response signed by a certificate of the issuing CA that lacks id-kp-OCSPSigning is \
         refused even with unknown_status allow (RFC 6960 §4.2.2.2).",
        policy(pki, vec![not_a_responder], "allow", json!({})),
        &chain,
        "REVOCATION_UNKNOWN",
        Some(0),
    )?;
    let try_later = text(pem_encode("OCSP RESPONSE", &ocsp_try_later()?));
    cs.pass_items(
        "ocsp_try_later_left_out",
        "A \"try later\" answer holds no status: it is left out with a warning, and \
         unknown_status allow admits.",
        policy(pki, vec![try_later], "allow", json!({})),
        chain.iter().map(|name| text(pki.c(name).pem())).collect(),
        &STD_PATH,
        Some(0),
        &["revocation.ocsp.responses[0]"],
    )?;

    // Fuzz finding F2: an OCTET STRING claiming 6.5 MB inside a 29-byte response made the
    // der crate allocate the claim before reading; it is refused as malformed.
    let octet = [0x04, 0x83, 0x63, 0x0a, 0x30, 0, 0, 0, 0];
    let oid = [
        0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01,
    ];
    let wrap = |tag: u8, content: &[u8]| -> Vec<u8> {
        let mut element = vec![tag, content.len() as u8];
        element.extend_from_slice(content);
        element
    };
    let bytes = wrap(0x30, &[&oid[..], &octet[..]].concat());
    let body = [&[0x0a, 0x01, 0x00][..], &wrap(0xa0, &bytes)].concat();
    cs.invalid_policy(
        "ocsp_response_claims_more_than_it_holds",
        "An OCSP response whose responseBytes OCTET STRING claims 6,490,416 bytes in a \
         29-byte input is INVALID_POLICY, and nothing near the claim is allocated.",
        policy(pki, vec![json!(wrap(0x30, &body))], "deny", json!({})),
    )?;

    // Both sources: the CRL revokes leaf-revoked, a current OCSP response says good.
    let good_for_revoked = pem(spec("leaf-revoked", OcspStatus::Good))?;
    let crls = json!({ "crls": [pki.crl("intermediate.crl.pem")] });
    let prefer = |prefer: &str| {
        let mut extra = crls.clone();
        extra["ocsp"] = json!({ "responses": [good_for_revoked.clone()], "prefer": prefer });
        extra
    };
    cs.pass(
        "ocsp_preferred_over_crl",
        "With `prefer: ocsp` (the default) a current OCSP response decides over a current \
         CRL: the responder's good wins over the CRL's entry.",
        policy(pki, Vec::new(), "deny", prefer("ocsp")),
        &revoked_chain,
        &revoked_path,
        Some(1),
    )?;
    cs.reject(
        "ocsp_crl_preferred",
        "With `prefer: crl` the current CRL decides: its entry revokes.",
        policy(pki, Vec::new(), "deny", prefer("crl")),
        &revoked_chain,
        "REVOKED",
        Some(0),
    )?;
    let mut fallback = crls.clone();
    fallback["ocsp"] = json!({ "responses": [unknown] });
    cs.pass(
        "ocsp_unknown_falls_back_to_crl",
        "The responder says unknown; the current CRL answers instead (the leaf is not on \
         it): admitted with unknown_status deny.",
        policy(pki, Vec::new(), "deny", fallback),
        &chain,
        &STD_PATH,
        Some(0),
    )?;
    let mut both_revoked = crls;
    both_revoked["ocsp"] = json!({ "responses": [revoked, good] });
    cs.reject(
        "ocsp_revoked_among_others",
        "Among responses for several certificates, the leaf's says revoked: REVOKED.",
        policy(pki, Vec::new(), "allow", both_revoked),
        &revoked_chain,
        "REVOKED",
        Some(0),
    )?;
    Ok(())
}
