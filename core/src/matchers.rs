//! `allow` / `deny` rules: each matcher is validated while the policy is deserialized
//! and matched against the peer's Identity.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use serde::Deserialize;

use crate::error::{invalid_policy, Rejection};
use crate::identity::Identity;
use crate::schema::{IpBlock, OneOrMany, PatternText};
use crate::spiffe;
use crate::x509::ATTRIBUTE_NAMES;

/// One rule: matches when ALL its matchers match; a matcher with a list matches when ANY value does.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "RuleSpec")]
pub(crate) struct Rule {
    matchers: Vec<Matcher>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    spiffe_id: Option<OneOrMany<SpiffeIdPattern>>,
    spiffe_trust_domain: Option<OneOrMany<TrustDomain>>,
    dns: Option<OneOrMany<DnsPattern>>,
    uri: Option<OneOrMany<UriPattern>>,
    email: Option<OneOrMany<EmailPattern>>,
    ip: Option<OneOrMany<IpBlock>>,
    subject: Option<OneOrMany<SubjectPattern>>,
    fingerprint_sha256: Option<OneOrMany<Sha256Hex>>,
    spki_sha256: Option<OneOrMany<SpkiSha256>>,
}

#[derive(Clone, Debug)]
enum Matcher {
    SpiffeId(Vec<SpiffeIdPattern>),
    TrustDomain(Vec<TrustDomain>),
    Dns(Vec<DnsPattern>),
    Uri(Vec<UriPattern>),
    Email(Vec<EmailPattern>),
    Ip(Vec<IpBlock>),
    Subject(Vec<SubjectPattern>),
    Fingerprint(Vec<Sha256Hex>),
    Spki(Vec<SpkiSha256>),
}

impl TryFrom<RuleSpec> for Rule {
    type Error = &'static str;

    fn try_from(spec: RuleSpec) -> Result<Rule, Self::Error> {
        let matchers: Vec<Matcher> = [
            spec.spiffe_id.map(|m| Matcher::SpiffeId(m.0)),
            spec.spiffe_trust_domain.map(|m| Matcher::TrustDomain(m.0)),
            spec.dns.map(|m| Matcher::Dns(m.0)),
            spec.uri.map(|m| Matcher::Uri(m.0)),
            spec.email.map(|m| Matcher::Email(m.0)),
            spec.ip.map(|m| Matcher::Ip(m.0)),
            spec.subject.map(|m| Matcher::Subject(m.0)),
            spec.fingerprint_sha256.map(|m| Matcher::Fingerprint(m.0)),
            spec.spki_sha256.map(|m| Matcher::Spki(m.0)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if matchers.is_empty() {
            // An empty rule would match every peer: almost certainly a mistake.
            return Err("a rule needs at least one matcher");
        }
        Ok(Rule { matchers })
    }
}

impl Rule {
    /// The trust domains the rule's SPIFFE matchers name: `None` for a `spiffe_id`
    /// pattern whose trust domain is a wildcard.
    pub(crate) fn spiffe_domains(&self) -> impl Iterator<Item = Option<&str>> {
        self.matchers.iter().flat_map(|matcher| {
            let domains: Vec<Option<&str>> = match matcher {
                Matcher::SpiffeId(patterns) => patterns
                    .iter()
                    .map(|pattern| {
                        let id = pattern.0 .0.strip_prefix("spiffe://").unwrap_or_default();
                        let domain = id.split('/').next().unwrap_or_default();
                        (!domain.contains('*')).then_some(domain)
                    })
                    .collect(),
                Matcher::TrustDomain(domains) => domains
                    .iter()
                    .map(|domain| Some(domain.0.as_str()))
                    .collect(),
                _ => Vec::new(),
            };
            domains
        })
    }

    /// How many values (patterns, addresses, hashes, subject attribute values) the
    /// rule holds, counted toward [`MAX_RULE_VALUES`].
    fn value_count(&self) -> usize {
        self.matchers
            .iter()
            .map(|matcher| match matcher {
                Matcher::SpiffeId(values) => values.len(),
                Matcher::TrustDomain(values) => values.len(),
                Matcher::Dns(values) => values.len(),
                Matcher::Uri(values) => values.len(),
                Matcher::Email(values) => values.len(),
                Matcher::Ip(values) => values.len(),
                Matcher::Subject(patterns) => patterns
                    .iter()
                    .flat_map(|pattern| &pattern.0)
                    .map(|(_, values)| values.len())
                    .sum(),
                Matcher::Fingerprint(values) => values.len(),
                Matcher::Spki(values) => values.len(),
            })
            .sum()
    }

    /// Whether every matcher of the rule matches the peer.
    pub(crate) fn matches(&self, peer: &Identity) -> bool {
        self.matchers.iter().all(|matcher| matcher.matches(peer))
    }
}

impl Matcher {
    /// The values a peer must have for this matcher to match, when each of its patterns
    /// is exact (no wildcard, no CIDR block, not a subject); `None` otherwise.
    fn exact_values(&self) -> Option<Vec<(Key, String)>> {
        fn each<P>(
            patterns: &[P],
            exact: impl Fn(&P) -> Option<Vec<(Key, String)>>,
        ) -> Option<Vec<(Key, String)>> {
            patterns
                .iter()
                .map(exact)
                .collect::<Option<Vec<_>>>()
                .map(|values| values.into_iter().flatten().collect())
        }
        let literal =
            |key: Key, text: &str| (!text.contains('*')).then(|| vec![(key, text.to_owned())]);
        match self {
            Matcher::Fingerprint(hashes) => {
                each(hashes, |h| Some(vec![(Key::Fingerprint, h.0.clone())]))
            }
            Matcher::Spki(hashes) => each(hashes, |h| Some(vec![(Key::Spki, h.0.clone())])),
            Matcher::SpiffeId(patterns) => each(patterns, |p| literal(Key::SpiffeId, &p.0 .0)),
            Matcher::Uri(patterns) => each(patterns, |p| literal(Key::Uri, &p.0)),
            Matcher::Email(patterns) => each(patterns, |p| {
                Some(vec![match &p.local {
                    Some(local) => (Key::Email, format!("{local}@{}", p.domain)),
                    None => (Key::EmailDomain, p.domain.clone()),
                }])
            }),
            Matcher::Dns(patterns) => each(patterns, |p| {
                if p.wildcard {
                    return None;
                }
                let mut values = vec![(Key::Dns, p.name.clone())];
                if let Some((_, rest)) = p.name.split_once('.') {
                    values.push((Key::DnsParent, rest.to_owned()));
                }
                Some(values)
            }),
            Matcher::Ip(blocks) => each(blocks, |b| {
                (b.0.prefix_len() == b.0.max_prefix_len())
                    .then(|| vec![(Key::Ip, b.0.addr().to_string())])
            }),
            Matcher::TrustDomain(domains) => {
                each(domains, |d| Some(vec![(Key::TrustDomain, d.0.clone())]))
            }
            Matcher::Subject(_) => None,
        }
    }

    fn matches(&self, peer: &Identity) -> bool {
        fn any<P, V>(patterns: &[P], values: &[V], test: impl Fn(&P, &V) -> bool) -> bool {
            patterns.iter().any(|p| values.iter().any(|v| test(p, v)))
        }
        let spiffe_id = peer.spiffe_id.as_deref();
        match self {
            Matcher::SpiffeId(patterns) => {
                spiffe_id.is_some_and(|id| patterns.iter().any(|p| p.0.matches(id)))
            }
            Matcher::TrustDomain(domains) => spiffe_id
                .and_then(spiffe::trust_domain)
                .is_some_and(|domain| domains.iter().any(|d| d.0 == domain)),
            Matcher::Dns(patterns) => any(patterns, &peer.san.dns, |p, v| p.matches(v)),
            Matcher::Uri(patterns) => any(patterns, &peer.san.uri, |p, v| p.matches(v)),
            Matcher::Email(patterns) => any(patterns, &peer.san.email, |p, v| p.matches(v)),
            Matcher::Ip(patterns) => any(patterns, &peer.san.ip, |p, v| p.0.contains(v)),
            Matcher::Subject(patterns) => patterns.iter().any(|p| p.matches(&peer.subject_fields)),
            Matcher::Fingerprint(hashes) => hashes.iter().any(|h| h.0 == peer.fingerprint_sha256),
            Matcher::Spki(hashes) => hashes.iter().any(|h| h.0 == peer.spki_sha256),
        }
    }
}

/// Most values in one rule list (`allow` or `deny`), counted over all its rules: a
/// million per-device fingerprints or SPIFFE IDs.
pub const MAX_RULE_VALUES: usize = 1_000_000;

/// Below this many rules a list is scanned: the index would cost more than it saves.
const INDEX_FROM: usize = 16;

/// `allow` or `deny`: the rules in order, and for long lists hash indexes of their exact
/// values, so that a fleet of one-rule-per-device policies costs a few lookups per
/// verification instead of a scan. First-match order and AND-within-a-rule are kept: the
/// index only narrows which rules are tried, in order, with [`Rule::matches`].
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleList {
    rules: Vec<Rule>,
    /// Rules that can only match when the peer has a given exact value, by that value.
    by_value: HashMap<(Key, String), Vec<usize>>,
    /// Rules no exact value stands for (wildcards, CIDR blocks, subjects), in order.
    scanned: Vec<usize>,
}

/// Which identity field an indexed value is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Fingerprint,
    Spki,
    SpiffeId,
    TrustDomain,
    Uri,
    Dns,
    /// A concrete DNS name without its first label: what a certificate's `*.rest` covers.
    DnsParent,
    Email,
    EmailDomain,
    Ip,
}

impl RuleList {
    /// Indexes the rules of `allow` or `deny` (`name`, for the message when the list
    /// holds more than [`MAX_RULE_VALUES`] values).
    pub(crate) fn new(rules: Vec<Rule>, name: &str) -> Result<RuleList, Rejection> {
        let values: usize = rules.iter().map(Rule::value_count).sum();
        if values > MAX_RULE_VALUES {
            return Err(invalid_policy(format!(
                "{name}: {values} values exceed the limit of {MAX_RULE_VALUES} per rule list"
            )));
        }
        let mut list = RuleList {
            rules,
            ..RuleList::default()
        };
        if list.rules.len() < INDEX_FROM {
            return Ok(list);
        }
        for (index, rule) in list.rules.iter().enumerate() {
            // Any one matcher whose every value is exact: the rule can only match a peer
            // that has one of those values, so it is found by looking them up.
            match rule.matchers.iter().find_map(Matcher::exact_values) {
                Some(values) => {
                    for value in values {
                        let rules = list.by_value.entry(value).or_default();
                        if rules.last() != Some(&index) {
                            rules.push(index);
                        }
                    }
                }
                None => list.scanned.push(index),
            }
        }
        Ok(list)
    }

    pub(crate) fn len(&self) -> usize {
        self.rules.len()
    }

    /// The index of the first rule that matches `peer`.
    pub(crate) fn first_match(&self, peer: &Identity) -> Option<usize> {
        if self.rules.len() < INDEX_FROM {
            return self.rules.iter().position(|rule| rule.matches(peer));
        }
        let mut candidates = self.scanned.clone();
        for value in peer_values(peer) {
            if let Some(rules) = self.by_value.get(&value) {
                candidates.extend_from_slice(rules);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .find(|&index| self.rules[index].matches(peer))
    }
}

/// Every exact value of `peer` a rule could be indexed by.
fn peer_values(peer: &Identity) -> Vec<(Key, String)> {
    let mut values = vec![
        (Key::Fingerprint, peer.fingerprint_sha256.clone()),
        (Key::Spki, peer.spki_sha256.clone()),
    ];
    if let Some(id) = &peer.spiffe_id {
        values.push((Key::SpiffeId, id.clone()));
        if let Some(domain) = spiffe::trust_domain(id) {
            values.push((Key::TrustDomain, domain.to_owned()));
        }
    }
    values.extend(peer.san.uri.iter().map(|uri| (Key::Uri, uri.clone())));
    for name in &peer.san.dns {
        let name = name.to_ascii_lowercase();
        if let Some(rest) = name.strip_prefix("*.") {
            values.push((Key::DnsParent, rest.to_owned()));
        }
        values.push((Key::Dns, name));
    }
    for address in &peer.san.email {
        if let Some((local, domain)) = address.rsplit_once('@') {
            let domain = domain.to_ascii_lowercase();
            values.push((Key::Email, format!("{local}@{domain}")));
            values.push((Key::EmailDomain, domain));
        }
    }
    values.extend(peer.san.ip.iter().map(|ip| (Key::Ip, ip.to_string())));
    values
}

/// A DNS name pattern: a name, or `*.` + name where `*` is exactly one label.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "PatternText")]
struct DnsPattern {
    /// Lowercase; for a wildcard, the part after `*.`.
    name: String,
    wildcard: bool,
}

impl TryFrom<PatternText> for DnsPattern {
    type Error = String;

    fn try_from(PatternText(text): PatternText) -> Result<Self, String> {
        let lower = text.to_ascii_lowercase();
        let (wildcard, name) = match lower.strip_prefix("*.") {
            Some(rest) => (true, rest.to_owned()),
            None => (false, lower),
        };
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if name.is_empty() || !name.split('.').all(valid_label) {
            return Err(format!(
                "{text:?} is not a DNS name pattern (a name, or \"*.\" followed by a name; \
                 \"*\" may only be the whole left-most label)"
            ));
        }
        Ok(DnsPattern { name, wildcard })
    }
}

impl DnsPattern {
    fn matches(&self, san: &str) -> bool {
        let san = san.to_ascii_lowercase();
        if self.wildcard {
            if let Some((label, rest)) = san.split_once('.') {
                // A certificate wildcard `*.x` is covered by the policy wildcard `*.x`;
                // an empty label (`.x`) is no name at all.
                return rest == self.name
                    && (label == "*" || (!label.is_empty() && !label.contains('*')));
            }
            return false;
        }
        if san == self.name {
            return true;
        }
        // RFC 6125: a certificate's `*.example.com` covers one whole left-most label
        // and needs at least two labels after it.
        match (san.strip_prefix("*."), self.name.split_once('.')) {
            (Some(cert_rest), Some((label, name_rest))) => {
                cert_rest.contains('.') && cert_rest == name_rest && !label.is_empty()
            }
            _ => false,
        }
    }
}

/// A URI pattern: `*` matches one or more characters other than `/`; nothing else is special.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "PatternText")]
struct UriPattern(String);

impl TryFrom<PatternText> for UriPattern {
    type Error = String;

    fn try_from(PatternText(text): PatternText) -> Result<Self, String> {
        if text.is_empty() {
            return Err("an empty URI pattern can never match".to_owned());
        }
        Ok(UriPattern(text))
    }
}

impl UriPattern {
    fn matches(&self, value: &str) -> bool {
        glob_matches(&self.0, value)
    }
}

/// `*` = one or more characters other than `/`. Since `*` never matches `/`, the
/// pattern and the value split at `/` into the same number of segments, matched pairwise;
/// within a segment the literal pieces between stars are placed leftmost-first (each
/// star taking at least one character), which is optimal for this kind of glob. Every
/// search is `str::find` (two-way), so a match costs linear time in the value's length
/// whatever the pattern: no 64 KiB SAN and no pattern makes it quadratic.
fn glob_matches(pattern: &str, value: &str) -> bool {
    let mut patterns = pattern.split('/');
    let mut values = value.split('/');
    loop {
        match (patterns.next(), values.next()) {
            (Some(p), Some(v)) if segment_matches(p, v) => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// One `/`-free segment of a glob against one segment of the value.
fn segment_matches(pattern: &str, value: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = value.strip_prefix(first) else {
        return false;
    };
    let stars: Vec<&str> = pieces.collect();
    let Some((last, middle)) = stars.split_last() else {
        return rest.is_empty(); // no star: the segment is a literal
    };
    for piece in middle {
        // The star before `piece` takes at least one character.
        let Some(skip) = rest.chars().next().map(char::len_utf8) else {
            return false;
        };
        match rest[skip..].find(piece) {
            Some(at) => rest = &rest[skip + at + piece.len()..],
            None => return false,
        }
    }
    // The last star takes at least one character and is followed by `last`.
    rest.len() > last.len()
        && rest.ends_with(last)
        && rest.is_char_boundary(rest.len() - last.len())
}

/// A `spiffe_id` pattern: a URI pattern that must be a SPIFFE ID.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "PatternText")]
struct SpiffeIdPattern(UriPattern);

impl TryFrom<PatternText> for SpiffeIdPattern {
    type Error = String;

    fn try_from(PatternText(text): PatternText) -> Result<Self, String> {
        // Validate the shape with each `*` read as one path-safe character.
        let shape = text.replace('*', "x");
        if !spiffe::is_valid_id(&shape) {
            return Err(format!(
                "{text:?} is not a SPIFFE ID pattern (spiffe://trust-domain/path)"
            ));
        }
        if !shape["spiffe://".len()..].contains('/') {
            return Err(format!(
                "{text:?} has no path, so it can never match a leaf (X509-SVID §3.1: a leaf's \
                 SPIFFE ID has a path); use spiffe_trust_domain to match a whole trust domain"
            ));
        }
        Ok(SpiffeIdPattern(UriPattern(text)))
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "PatternText")]
struct TrustDomain(String);

impl TryFrom<PatternText> for TrustDomain {
    type Error = String;

    fn try_from(PatternText(text): PatternText) -> Result<Self, String> {
        if !spiffe::is_valid_trust_domain(&text) {
            return Err(format!(
                "{text:?} is not a SPIFFE trust domain (lowercase letters, digits, '.', '-', '_')"
            ));
        }
        Ok(TrustDomain(text))
    }
}

/// An email pattern: an exact address, or `*@domain` for any local part.
/// Local parts compare exactly, domains ASCII case-insensitively.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "PatternText")]
struct EmailPattern {
    local: Option<String>,
    domain: String,
}

impl TryFrom<PatternText> for EmailPattern {
    type Error = String;

    fn try_from(PatternText(text): PatternText) -> Result<Self, String> {
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err(format!("{text:?} is not an email address or \"*@domain\""));
        };
        if local.is_empty() || domain.is_empty() || (local.contains('*') && local != "*") {
            return Err(format!("{text:?} is not an email address or \"*@domain\""));
        }
        Ok(EmailPattern {
            local: (local != "*").then(|| local.to_owned()),
            domain: domain.to_ascii_lowercase(),
        })
    }
}

impl EmailPattern {
    fn matches(&self, address: &str) -> bool {
        let Some((local, domain)) = address.rsplit_once('@') else {
            return false;
        };
        domain.eq_ignore_ascii_case(&self.domain)
            && self.local.as_deref().is_none_or(|wanted| wanted == local)
    }
}

/// `subject`: every listed attribute has a value equal to the one given (or one of a list).
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "BTreeMap<String, OneOrMany<PatternText>>")]
struct SubjectPattern(Vec<(String, Vec<String>)>);

impl TryFrom<BTreeMap<String, OneOrMany<PatternText>>> for SubjectPattern {
    type Error = String;

    fn try_from(map: BTreeMap<String, OneOrMany<PatternText>>) -> Result<Self, String> {
        if map.is_empty() {
            return Err("a subject matcher needs at least one attribute".to_owned());
        }
        let mut attributes = Vec::with_capacity(map.len());
        for (name, values) in map {
            if !ATTRIBUTE_NAMES.iter().any(|(_, known)| *known == name) {
                let known: Vec<&str> = ATTRIBUTE_NAMES.iter().map(|(_, n)| *n).collect();
                return Err(format!(
                    "{name:?} is not a subject attribute (one of {})",
                    known.join(", ")
                ));
            }
            attributes.push((name, values.0.into_iter().map(|value| value.0).collect()));
        }
        Ok(SubjectPattern(attributes))
    }
}

impl SubjectPattern {
    fn matches(&self, fields: &BTreeMap<String, Vec<String>>) -> bool {
        self.0.iter().all(|(name, wanted)| {
            fields
                .get(name)
                .is_some_and(|present| present.iter().any(|value| wanted.contains(value)))
        })
    }
}

/// A SHA-256 in hex; colons and case ignored. Stored as lowercase hex.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "PatternText")]
struct Sha256Hex(String);

impl TryFrom<PatternText> for Sha256Hex {
    type Error = String;

    fn try_from(PatternText(text): PatternText) -> Result<Self, String> {
        let digits: String = text.chars().filter(|c| *c != ':').collect();
        match hex::decode(&digits) {
            Ok(bytes) if bytes.len() == 32 => Ok(Sha256Hex(hex::encode(bytes))),
            _ => Err(format!(
                "{text:?} is not a SHA-256 in hex (64 digits, colons allowed)"
            )),
        }
    }
}

/// A SHA-256 of a SubjectPublicKeyInfo, in hex or base64. Stored as lowercase hex.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "PatternText")]
struct SpkiSha256(String);

impl TryFrom<PatternText> for SpkiSha256 {
    type Error = String;

    fn try_from(PatternText(text): PatternText) -> Result<Self, String> {
        if let Ok(Sha256Hex(hex)) = Sha256Hex::try_from(PatternText(text.clone())) {
            return Ok(SpkiSha256(hex));
        }
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE,
        ];
        engines
            .iter()
            .find_map(|engine| engine.decode(&text).ok().filter(|b| b.len() == 32))
            .map(|bytes| SpkiSha256(hex::encode(bytes)))
            .ok_or_else(|| format!("{text:?} is not a SHA-256 in base64 or hex"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(pattern: &str) -> DnsPattern {
        DnsPattern::try_from(PatternText(pattern.to_owned())).unwrap()
    }

    fn peer(
        spiffe_id: Option<&str>,
        dns: &[&str],
        email: &[&str],
        ip: &[&str],
        o: &str,
    ) -> Identity {
        let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect();
        Identity {
            subject: format!("CN=peer,O={o}"),
            subject_fields: BTreeMap::from([("O".to_owned(), vec![o.to_owned()])]),
            issuer: "CN=ca".to_owned(),
            serial: "01".to_owned(),
            fingerprint_sha256: format!("{:064x}", 1000 + 31 * dns.join(",").len() + email.len()),
            spki_sha256: format!("{:064x}", 100 + ip.len()),
            not_before: 0,
            not_after: 1,
            san: crate::identity::SubjectAltNames {
                dns: strings(dns),
                uri: spiffe_id.into_iter().map(str::to_owned).collect(),
                email: strings(email),
                ip: ip.iter().map(|a| a.parse().unwrap()).collect(),
            },
            spiffe_id: spiffe_id.map(str::to_owned),
            public_key: crate::identity::PublicKeyInfo::Ed25519,
            key_usage: Vec::new(),
            extended_key_usage: Vec::new(),
            is_ca: false,
            verification: None,
            svid_violation: None,
        }
    }

    /// The index narrows which rules are tried, never which one matches first: every
    /// peer gets the rule a plain scan finds, over a list mixing exact values (indexed,
    /// several kinds in one rule, lists), wildcards, CIDR blocks and subjects (scanned).
    #[test]
    fn indexed_rules_match_as_a_scan_does() {
        let rules: Vec<Rule> = serde_json::from_value(serde_json::json!([
            { "spiffe_id": "spiffe://example.org/ns/a/sa/*" },
            { "dns": "api.example.com", "subject": { "O": "Other" } },
            { "dns": ["api.example.com", "www.example.com"] },
            { "email": "*@Example.ORG" },
            { "email": "ops@example.org" },
            { "ip": "10.0.0.0/8" },
            { "ip": ["192.0.2.7", "2001:db8::1"] },
            { "spiffe_trust_domain": "b.test" },
            { "spiffe_id": "spiffe://example.org/ns/a/sa/web" },
            { "uri": "spiffe://example.org/ns/b/sa/db" },
            { "fingerprint_sha256": format!("{:064x}", 1000 + 31) },
            { "spki_sha256": format!("{:064x}", 101), "dns": "*.example.com" },
            { "dns": "*.example.com" },
            { "subject": { "O": "Fleet" } },
            { "dns": "device-1.fleet.example", "ip": "192.0.2.9" },
            { "dns": "device-2.fleet.example" },
            { "dns": "device-3.FLEET.example" },
        ]))
        .unwrap();
        let list = RuleList::new(rules.clone(), "allow").unwrap();
        assert!(!list.by_value.is_empty() && !list.scanned.is_empty());
        let peers = [
            peer(Some("spiffe://example.org/ns/a/sa/web"), &[], &[], &[], "X"),
            peer(Some("spiffe://example.org/ns/b/sa/db"), &[], &[], &[], "X"),
            peer(Some("spiffe://b.test/anything"), &[], &[], &[], "X"),
            peer(None, &["API.example.com"], &[], &[], "Other"),
            peer(None, &["www.example.com"], &[], &[], "X"),
            peer(None, &["x.example.com"], &[], &[], "X"),
            peer(None, &["*.fleet.example"], &[], &[], "X"),
            peer(None, &["device-3.fleet.example"], &[], &[], "X"),
            peer(None, &["device-1.fleet.example"], &[], &["192.0.2.9"], "X"),
            peer(None, &["device-1.fleet.example"], &[], &["192.0.2.8"], "X"),
            peer(None, &[], &["ops@EXAMPLE.org"], &[], "X"),
            peer(None, &[], &["Ops@example.org", "dev@example.com"], &[], "X"),
            peer(None, &[], &[], &["10.1.2.3"], "X"),
            peer(None, &[], &[], &["2001:db8::1"], "X"),
            peer(None, &[], &[], &["::ffff:192.0.2.7"], "X"),
            peer(None, &[], &[], &[], "Fleet"),
            peer(None, &["a"], &[], &[], "X"),
            peer(None, &["y.example.com"], &[], &["192.0.2.1"], "X"),
            peer(None, &["b", "c"], &["e"], &[], "X"),
            peer(None, &[], &[], &[], "Nobody"),
        ];
        for peer in &peers {
            let scanned = rules.iter().position(|rule| rule.matches(peer));
            assert_eq!(list.first_match(peer), scanned, "{peer:?}");
        }
        // Every rule is the first match of some peer but the shadowed ones (4 by 3, 8 by 0).
        let found: std::collections::BTreeSet<_> =
            peers.iter().filter_map(|p| list.first_match(p)).collect();
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            [0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16]
        );
    }

    #[test]
    fn dns_wildcard_is_one_label() {
        let p = dns("*.Example.com");
        assert!(p.matches("api.example.COM"));
        assert!(!p.matches("a.b.example.com"));
        assert!(!p.matches("example.com"));
        assert!(p.matches("*.example.com"));
        assert!(!p.matches(".example.com"));
    }

    #[test]
    fn concrete_name_matches_certificate_wildcard() {
        let p = dns("api.svc.example.com");
        assert!(p.matches("*.svc.example.com"));
        assert!(!dns("a.b.svc.example.com").matches("*.svc.example.com"));
        assert!(!dns("api.com").matches("*.com"));
        assert!(!dns("foo.example.com").matches("f*.example.com"));
    }

    #[test]
    fn bad_dns_patterns_are_rejected() {
        for bad in ["f*.example.com", "*", "a..b", "*.*.example.com", ""] {
            assert!(
                DnsPattern::try_from(PatternText(bad.to_owned())).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn glob_star_never_crosses_slash_and_needs_one_char() {
        assert!(glob_matches(
            "spiffe://e/ns/*/sa/x",
            "spiffe://e/ns/prod/sa/x"
        ));
        assert!(!glob_matches(
            "spiffe://e/ns/*/sa/x",
            "spiffe://e/ns/a/b/sa/x"
        ));
        assert!(!glob_matches("spiffe://e/ns/*/sa/x", "spiffe://e/ns//sa/x"));
        assert!(glob_matches("urn:*:*", "urn:a:b:c"));
        assert!(!glob_matches("a*", "a"));
        assert!(glob_matches("a**b", "axyb"));
        assert!(!glob_matches("a**b", "axb"));
        assert!(glob_matches("*ab*ab*", "xabyabz"));
        assert!(!glob_matches("*ab*ab*", "xabab"));
        assert!(glob_matches("ab*ab", "abab_ab"));
        assert!(!glob_matches("ab*ab", "abab"));
        assert!(glob_matches("é*é", "éüé"));
        assert!(!glob_matches("x/*", "x/"));
        assert!(glob_matches("", ""));
    }

    /// The glob agrees with a brute-force reading of its definition on every pattern
    /// and value over a small alphabet.
    #[test]
    fn glob_agrees_with_the_definition() {
        fn reference(p: &[u8], v: &[u8]) -> bool {
            match p.split_first() {
                None => v.is_empty(),
                Some((b'*', rest)) => (1..=v.len())
                    .take_while(|&n| v[n - 1] != b'/')
                    .any(|n| reference(rest, &v[n..])),
                Some((c, rest)) => v.first() == Some(c) && reference(rest, &v[1..]),
            }
        }
        fn words(alphabet: &[u8], max: usize) -> Vec<String> {
            let mut all = vec![String::new()];
            let mut frontier = vec![String::new()];
            for _ in 0..max {
                frontier = frontier
                    .iter()
                    .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{}", *c as char)))
                    .collect();
                all.extend(frontier.iter().cloned());
            }
            all
        }
        let patterns = words(b"a*/", 5);
        let values = words(b"ab/", 5);
        for p in &patterns {
            for v in &values {
                assert_eq!(
                    glob_matches(p, v),
                    reference(p.as_bytes(), v.as_bytes()),
                    "{p:?} vs {v:?}"
                );
            }
        }
    }

    /// A 64 KiB SAN against patterns that cost a quadratic matcher billions of steps
    /// (the previous matcher scanned ahead from every reachable position of every star):
    /// answered correctly, in linear time by construction.
    #[test]
    fn glob_handles_a_64k_value() {
        let value = "a".repeat(64 * 1024);
        let near_miss = format!("{}b", "a".repeat(64 * 1024 - 1));
        for pattern in ["*a*a*a*a*a*a*a*b", "*b", "a*a*a*a*a*a*a*a*a*a*a*c"] {
            assert!(!glob_matches(pattern, &value), "{pattern}");
            assert_eq!(
                glob_matches(pattern, &near_miss),
                pattern.ends_with('b'),
                "{pattern}"
            );
        }
        let long_pattern = "*a".repeat(1000);
        assert!(glob_matches(&long_pattern, &value));
        assert!(!glob_matches(&long_pattern, &"a".repeat(1999)));
    }

    #[test]
    fn email_patterns() {
        let any = EmailPattern::try_from(PatternText("*@Example.com".to_owned())).unwrap();
        assert!(any.matches("bob@example.COM"));
        assert!(!any.matches("bob@evil.com"));
        let exact = EmailPattern::try_from(PatternText("Bob@example.com".to_owned())).unwrap();
        assert!(!exact.matches("bob@example.com"));
    }

    #[test]
    fn spki_accepts_hex_and_base64() {
        let hex_form = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let b64 = base64::engine::general_purpose::STANDARD.encode(hex::decode(hex_form).unwrap());
        assert_eq!(SpkiSha256::try_from(PatternText(b64)).unwrap().0, hex_form);
        assert_eq!(
            Sha256Hex::try_from(PatternText(hex_form.to_uppercase()))
                .unwrap()
                .0,
            hex_form
        );
    }
}
