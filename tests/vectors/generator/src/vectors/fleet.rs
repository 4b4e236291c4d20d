//! Vectors of long rule lists (docs/policy.md#allow-and-deny): one rule per device, as
//! IoT fleets and pinning setups write them. Lists this long are matched through indexes
//! of their exact values; these cases pin that the first matching rule still wins, that
//! every matcher of a rule must still match, and that wildcards between exact rules keep
//! their place.

use super::*;

/// `count` rules, one exact value each, none of which the test leaves have.
fn devices(count: usize) -> Vec<Value> {
    (0..count)
        .map(|n| match n % 4 {
            0 => json!({ "spiffe_id": format!("spiffe://example.org/ns/fleet/sa/device-{n}") }),
            1 => json!({ "dns": format!("device-{n}.fleet.example.org") }),
            2 => json!({ "fingerprint_sha256": format!("{n:064x}") }),
            _ => json!({ "ip": format!("192.0.2.{n}") }),
        })
        .collect()
}

/// `devices(count)` with `rules` put in at the given positions.
fn fleet(count: usize, rules: &[(usize, Value)]) -> Value {
    let mut list = devices(count);
    for (position, rule) in rules {
        list.insert(*position, rule.clone());
    }
    Value::Array(list)
}

pub(super) fn cases(cs: &mut Cases<'_>) -> Result<()> {
    let none: [&str; 0] = [];
    let leaf_fingerprint = cs.pki.c("leaf-spiffe").fingerprint();
    cs.pass(
        "fleet_exact_rule_found_among_many",
        "Among 40 one-device rules, the leaf's exact SPIFFE ID rule matches at its index.",
        cs.allow(&none, fleet(40, &[(27, json!({ "spiffe_id": PAYMENTS }))])),
        &STD_CHAIN,
        &STD_PATH,
        Some(27),
    )?;
    cs.pass(
        "fleet_wildcard_before_exact_wins",
        "A wildcard rule placed before the exact rule for the same leaf is the first match.",
        cs.allow(
            &none,
            fleet(
                40,
                &[
                    (
                        5,
                        json!({ "spiffe_id": "spiffe://example.org/ns/*/sa/payments" }),
                    ),
                    (21, json!({ "spiffe_id": PAYMENTS })),
                ],
            ),
        ),
        &STD_CHAIN,
        &STD_PATH,
        Some(5),
    )?;
    cs.pass(
        "fleet_exact_before_wildcard_wins",
        "An exact rule placed before a wildcard rule for the same leaf is the first match.",
        cs.allow(
            &none,
            fleet(
                40,
                &[
                    (9, json!({ "fingerprint_sha256": leaf_fingerprint })),
                    (30, json!({ "spiffe_trust_domain": "example.org" })),
                ],
            ),
        ),
        &STD_CHAIN,
        &STD_PATH,
        Some(9),
    )?;
    cs.pass(
        "fleet_exact_rule_needs_every_matcher",
        "A rule whose exact SPIFFE ID matches but whose dns does not is skipped; the next \
         rule that matches as a whole is reported.",
        cs.allow(
            &none,
            fleet(
                40,
                &[
                    (
                        3,
                        json!({ "spiffe_id": PAYMENTS, "dns": "nothing.example.org" }),
                    ),
                    (
                        33,
                        json!({ "spiffe_id": [PAYMENTS, "spiffe://example.org/ns/x/sa/y"] }),
                    ),
                ],
            ),
        ),
        &STD_CHAIN,
        &STD_PATH,
        Some(33),
    )?;
    cs.reject(
        "fleet_no_rule_matches",
        "None of 40 one-device rules names the leaf: NOT_AUTHORIZED.",
        cs.allow(&none, fleet(40, &[])),
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        Some(0),
    )?;
    let mut denied = cs.allow(&none, json!([{ "spiffe_trust_domain": "example.org" }]));
    denied["deny"] = fleet(
        40,
        &[(17, json!({ "fingerprint_sha256": leaf_fingerprint }))],
    );
    cs.reject(
        "fleet_deny_exact_among_many",
        "A deny list of 40 pinned fingerprints that holds the leaf's refuses it, before any \
         allow rule.",
        denied,
        &STD_CHAIN,
        "NOT_AUTHORIZED",
        Some(0),
    )
}
