//! Benchmark fixtures valid now: a P-256 root → intermediate → SPIFFE client leaf, a
//! 100,000-entry CRL of the intermediate, an empty root CRL and two ready policies.
//!
//! The bindings' benchmarks (Node, Python, C, WASM) run `certgate-vectors bench DIR` and
//! read the files by these exact names, so they are a contract: see [`FILES`].

use std::collections::HashSet;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{RevokedCertParams, SerialNumber};
use ring::rand::{SecureRandom as _, SystemRandom};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::pki::{crl_der, dn, pem_encode, write_file, Attr, CertSpec, Issued, San};
use crate::Result;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

/// Distinct leaves in `new-leaves.pem`: more than a verifier's signature cache holds, so
/// cycling through them checks every leaf's signature afresh.
pub const NEW_LEAVES: usize = 5_000;
/// Entries on the intermediate's big CRL.
pub const CRL_ENTRIES: usize = 100_000;
/// The leaf's SPIFFE ID.
pub const LEAF_SPIFFE_ID: &str = "spiffe://bench.example/ns/prod/sa/api";
/// The trust domain both policies allow.
pub const TRUST_DOMAIN: &str = "bench.example";

/// Every file `bench` writes, with the line `README.txt` gives it.
pub const FILES: [(&str, &str); 18] = [
    ("root.pem", "ECDSA P-256 root CA (the only trust anchor)"),
    ("root.der", "the root as DER"),
    (
        "intermediate.pem",
        "ECDSA P-256 issuing CA, signed by the root",
    ),
    ("intermediate.der", "the intermediate as DER"),
    (
        "leaf.pem",
        "ECDSA P-256 client leaf: URI SAN spiffe://bench.example/ns/prod/sa/api, EKU clientAuth",
    ),
    ("leaf.der", "the leaf as DER"),
    ("leaf.key", "the leaf's private key (PKCS#8 v1 PEM)"),
    (
        "chain.pem",
        "leaf.pem then intermediate.pem: what a client sends",
    ),
    (
        "crl-100k.der",
        "the intermediate's CRL: 100,000 random 16-byte serials (not the leaf's), DER",
    ),
    ("crl-100k.pem", "the same CRL as PEM"),
    ("root-crl.der", "the root's CRL, revoking nothing, DER"),
    ("root-crl.pem", "the same CRL as PEM"),
    (
        "policy.json",
        "anchors = root, allow spiffe_trust_domain bench.example, no revocation",
    ),
    (
        "policy-crl.json",
        "policy.json plus revocation.crls = [root-crl.pem, crl-100k.pem] (depth chain)",
    ),
    (
        "policy-cache.json",
        "policy.json plus a decision cache (\"cache\": {\"entries\": 1024})",
    ),
    (
        "policy-crl-cache.json",
        "policy-crl.json plus the same decision cache",
    ),
    (
        "new-leaves.pem",
        "5,000 more client leaves of the intermediate (more than the signature cache holds)",
    ),
    ("README.txt", "this list"),
];

/// A random positive 16-byte serial whose first byte is 0x10..=0x7f (so its DER INTEGER
/// is exactly 16 content bytes, with no sign byte).
fn random_serial(rng: &SystemRandom) -> Result<[u8; 16]> {
    let mut serial = [0u8; 16];
    rng.fill(&mut serial)
        .map_err(|_| "the system random generator failed")?;
    serial[0] = (serial[0] & 0x7f) | 0x10;
    Ok(serial)
}

/// `count` distinct random serials, none equal to `exclude`.
fn revoked_serials(rng: &SystemRandom, count: usize, exclude: &[u8]) -> Result<Vec<[u8; 16]>> {
    let mut seen = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let serial = random_serial(rng)?;
        if serial.as_slice() != exclude && seen.insert(serial) {
            out.push(serial);
        }
    }
    Ok(out)
}

fn policy(anchor: &str, crls: Option<[&str; 2]>) -> Result<String> {
    let mut policy = json!({
        "trust": { "anchors": anchor },
        "allow": [{ "spiffe_trust_domain": TRUST_DOMAIN }],
    });
    if let Some(crls) = crls {
        policy["revocation"] = json!({ "crls": crls });
    }
    pretty(&policy)
}

fn pretty(value: &Value) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// Writes the benchmark fixtures (see [`FILES`]) into `dir`. Certificates are valid from
/// now (CAs from a day ago for ten years, the leaf from an hour ago for a year); both CRLs
/// were issued an hour ago with nextUpdate a week from now, so regenerate before a run.
pub fn write(dir: &Path) -> Result<()> {
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
    let rng = SystemRandom::new();
    let ca = |cn: &str, serial: &[u8]| {
        CertSpec::ca(
            dn(&[(Attr::O, "Certgate Bench"), (Attr::Cn, cn)]),
            serial,
            now - DAY,
            now + 10 * YEAR,
        )
    };
    let root = Issued::self_signed(ca("Certgate Bench Root", &random_serial(&rng)?))?;
    let int = Issued::signed_by(
        ca("Certgate Bench Issuing CA", &random_serial(&rng)?),
        &root,
    )?;
    let leaf_serial = random_serial(&rng)?;
    let leaf = Issued::signed_by(
        CertSpec::leaf(
            dn(&[(Attr::O, "Certgate Bench"), (Attr::Cn, "api")]),
            &leaf_serial,
            now - HOUR,
            now + YEAR,
        )
        .sans(vec![San::uri(LEAF_SPIFFE_ID)]),
        &int,
    )?;

    let mut new_leaves = String::new();
    for n in 0..NEW_LEAVES {
        let leaf = Issued::signed_by(
            CertSpec::leaf(
                dn(&[
                    (Attr::O, "Certgate Bench"),
                    (Attr::Cn, &format!("device-{n}")),
                ]),
                &random_serial(&rng)?,
                now - HOUR,
                now + YEAR,
            )
            .sans(vec![San::uri(LEAF_SPIFFE_ID)]),
            &int,
        )?;
        new_leaves.push_str(&leaf.pem());
    }

    let (this_update, next_update) = (now - HOUR, now + 7 * DAY);
    let revoked = revoked_serials(&rng, CRL_ENTRIES, &leaf_serial)?
        .iter()
        .enumerate()
        .map(|(i, serial)| {
            // Revocation dates spread over the last 90 days, oldest first.
            let age = 90 * DAY - (i as i64 * 90 * DAY) / CRL_ENTRIES as i64;
            Ok(RevokedCertParams {
                serial_number: SerialNumber::from_slice(serial),
                revocation_time: OffsetDateTime::from_unix_timestamp(this_update - age)?,
                reason_code: None,
                invalidity_date: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let big_crl = crl_der(&int, this_update, next_update, 1, revoked)?;
    let root_crl = crl_der(&root, this_update, next_update, 1, Vec::new())?;
    let big_crl_pem = pem_encode("X509 CRL", &big_crl);
    let root_crl_pem = pem_encode("X509 CRL", &root_crl);

    std::fs::create_dir_all(dir)?;
    write_file(dir, "root.pem", root.pem())?;
    write_file(dir, "root.der", &root.der)?;
    write_file(dir, "intermediate.pem", int.pem())?;
    write_file(dir, "intermediate.der", &int.der)?;
    write_file(dir, "leaf.pem", leaf.pem())?;
    write_file(dir, "leaf.der", &leaf.der)?;
    write_file(dir, "leaf.key", leaf.key_pem()?)?;
    write_file(dir, "chain.pem", format!("{}{}", leaf.pem(), int.pem()))?;
    write_file(dir, "crl-100k.der", &big_crl)?;
    write_file(dir, "crl-100k.pem", &big_crl_pem)?;
    write_file(dir, "root-crl.der", &root_crl)?;
    write_file(dir, "root-crl.pem", &root_crl_pem)?;
    write_file(dir, "policy.json", policy(&root.pem(), None)?)?;
    write_file(
        dir,
        "policy-crl.json",
        policy(&root.pem(), Some([&root_crl_pem, &big_crl_pem]))?,
    )?;
    for (name, crls) in [
        ("policy-cache.json", None),
        (
            "policy-crl-cache.json",
            Some([root_crl_pem.as_str(), big_crl_pem.as_str()]),
        ),
    ] {
        let mut cached: Value = serde_json::from_str(&policy(&root.pem(), crls)?)?;
        cached["cache"] = json!({ "entries": 1024 });
        write_file(dir, name, pretty(&cached)?)?;
    }
    write_file(dir, "new-leaves.pem", &new_leaves)?;
    write_file(dir, "README.txt", readme(now, next_update))?;
    eprintln!(
        "wrote the benchmark fixtures (CRLs valid for 7 days) to {}",
        dir.display()
    );
    Ok(())
}

fn readme(now: i64, next_update: i64) -> String {
    let mut text = format!(
        "certgate benchmark fixtures, written by `certgate-vectors bench DIR` at unix time \
         {now}.\nChain: root -> intermediate -> leaf, all ECDSA P-256 signed with \
         ecdsa-with-SHA256.\nBoth CRLs carry a CRL number and an authority key identifier; \
         their nextUpdate is {next_update}\n(a week after writing): regenerate the fixtures \
         before a benchmark run.\n\n"
    );
    let width = FILES.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, what) in FILES {
        text.push_str(&format!("{name:width$}  {what}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_positive_sixteen_bytes_distinct_and_skip_the_excluded_one() {
        let rng = SystemRandom::new();
        let exclude = random_serial(&rng).unwrap();
        let serials = revoked_serials(&rng, 1_000, &exclude).unwrap();
        let distinct: HashSet<_> = serials.iter().collect();
        assert_eq!(distinct.len(), 1_000);
        assert!(!distinct.contains(&exclude));
        assert!(serials.iter().all(|s| (0x10..=0x7f).contains(&s[0])));
    }

    #[test]
    fn readme_lists_every_file() {
        let text = readme(0, 1);
        for (name, _) in FILES {
            assert!(text.contains(name), "{name}");
        }
    }
}
