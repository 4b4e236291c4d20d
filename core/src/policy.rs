//! The one policy schema (docs/policy.md): deserialized by serde, unknown keys rejected,
//! every pattern validated while deserializing so errors name their path.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::Deserialize;

use crate::error::{invalid_policy, unattached, Rejection};
use crate::forwarded::{Format, ForwardedRules};
use crate::matchers::Rule;
use crate::schema::{not_null, IpBlock, OneOrMany, Source, Sources};

/// Default for `max_chain_length`: certificates in the built path, leaf and anchor included.
pub const DEFAULT_MAX_CHAIN_LENGTH: usize = 8;
/// Largest policy JSON text (or policy file), in bytes: room for a CRL at
/// [`crate::MAX_SOURCE_BYTES`] inline as PEM, twice over.
pub const MAX_POLICY_BYTES: usize = 256 * 1024 * 1024;

/// A policy as written by its author (docs/policy.md). Build one with [`Policy::from_json`],
/// [`Policy::from_value`], or any serde deserializer; compile it with [`crate::Verifier::new`].
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub(crate) trust: Trust,
    #[serde(default)]
    pub(crate) usage: Usage,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) revocation: Option<RevocationPolicy>,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) allow: Option<Vec<Rule>>,
    #[serde(default)]
    pub(crate) deny: Vec<Rule>,
    #[serde(default = "default_max_chain_length")]
    pub(crate) max_chain_length: ChainLength,
    #[serde(default)]
    pub(crate) clock_skew_seconds: u32,
    #[serde(default)]
    pub(crate) profile: Profile,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) forwarded: Option<ForwardedPolicy>,
    #[serde(default)]
    pub(crate) mode: Mode,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) warn_before_expiry_seconds: Option<u64>,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) cache: Option<CachePolicy>,
}

/// `cache`: remember the decisions on admitted chains (docs/policy.md#cache).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CachePolicy {
    pub(crate) entries: CacheEntries,
}

/// The most decisions a cache holds: 1 to 1,000,000.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CacheEntries(pub(crate) std::num::NonZeroUsize);

impl<'de> Deserialize<'de> for CacheEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = u64::deserialize(deserializer)?;
        usize::try_from(value)
            .ok()
            .filter(|entries| (1..=1_000_000).contains(entries))
            .and_then(std::num::NonZeroUsize::new)
            .map(CacheEntries)
            .ok_or_else(|| {
                de::Error::custom(format!("{value} is out of range: 1 to 1000000 entries"))
            })
    }
}

/// `mode`: whether refusals are enforced (docs/policy.md#mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Mode {
    /// Refusals refuse.
    #[default]
    Enforce,
    /// A chain that decodes is admitted whatever the decision; the identity's `audit`
    /// carries the refusal enforce mode would have given.
    Audit,
}

impl Mode {
    /// `"enforce"` or `"audit"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Audit => "audit",
        }
    }
}

impl Policy {
    /// Parses a policy from JSON text. Errors are `INVALID_POLICY` with the offending path,
    /// e.g. `allow[2].ip[0]: "10.0.0.0/33" is not a CIDR block`.
    pub fn from_json(json: &str) -> Result<Policy, Rejection> {
        if json.len() > MAX_POLICY_BYTES {
            return Err(invalid_policy(format!(
                "a policy of {} bytes is over the limit of {MAX_POLICY_BYTES} bytes",
                json.len()
            )));
        }
        // Through a Value, so schema errors read the same as from the bindings
        // (no line/column); syntax errors keep theirs.
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| invalid_policy(format!("policy is not JSON: {e}")))?;
        Policy::from_value(value)
    }

    /// Parses a policy from a JSON value (what the bindings build from native objects).
    pub fn from_value(value: serde_json::Value) -> Result<Policy, Rejection> {
        serde_path_to_error::deserialize(value).map_err(path_error)
    }

    /// Puts byte strings handed over beside the policy in place: each `{"attached": N}`
    /// certificate or CRL source becomes `attachments[N]`. The bindings pass the bytes
    /// of a native policy object (a `Buffer`, `bytes`) this way, so a large DER CRL is
    /// moved, not spelled out as a JSON array of numbers. A number with no attachment is
    /// `INVALID_POLICY` naming its path.
    pub fn attach(&mut self, attachments: Vec<Vec<u8>>) -> Result<(), Rejection> {
        let mut attachments: Vec<Option<Vec<u8>>> = attachments.into_iter().map(Some).collect();
        for (path, sources) in self.sources_mut() {
            for (index, source) in sources.0.iter_mut().enumerate() {
                if let Source::Attached(number) = *source {
                    let bytes = attachments
                        .get_mut(number)
                        .and_then(Option::take)
                        .ok_or_else(|| unattached(&format!("{path}[{index}]"), number))?;
                    *source = Source::inline(bytes);
                }
            }
        }
        Ok(())
    }

    /// Every list of certificate or CRL sources in the policy, with its JSON path.
    fn sources_mut(&mut self) -> Vec<(String, &mut Sources)> {
        let mut all = Vec::new();
        if let Some(sources) = self.trust.anchors.as_mut() {
            all.push(("trust.anchors".to_owned(), sources));
        }
        if let Some(sources) = self.trust.intermediates.as_mut() {
            all.push(("trust.intermediates".to_owned(), sources));
        }
        if let Some(revocation) = self.revocation.as_mut() {
            if let Some(sources) = revocation.crls.as_mut() {
                all.push(("revocation.crls".to_owned(), sources));
            }
            if let Some(sources) = revocation.ocsp.as_mut().and_then(|o| o.responses.as_mut()) {
                all.push(("revocation.ocsp.responses".to_owned(), sources));
            }
        }
        for (domain, spec) in self.trust.spiffe_bundles.iter_mut().flatten() {
            let path = format!("trust.spiffe_bundles.{}", domain.0);
            match spec {
                BundleSpec::Authorities(sources) => all.push((path, sources)),
                BundleSpec::Endpoint(endpoint) => {
                    if let Some(sources) = endpoint.endpoint_ca.as_mut() {
                        all.push((format!("{path}.endpoint_ca"), sources));
                    }
                    if let Some(sources) = endpoint.bundle.as_mut() {
                        all.push((format!("{path}.bundle"), sources));
                    }
                }
            }
        }
        all
    }
}

fn path_error<E: fmt::Display>(error: serde_path_to_error::Error<E>) -> Rejection {
    let path = error.path().to_string();
    let inner = error.into_inner().to_string();
    if path == "." {
        invalid_policy(format!("policy: {inner}"))
    } else {
        invalid_policy(format!("{path}: {inner}"))
    }
}

fn default_max_chain_length() -> ChainLength {
    ChainLength(DEFAULT_MAX_CHAIN_LENGTH)
}

/// `max_chain_length`: 2 (leaf + anchor) to 16 (the input limit plus the anchor).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChainLength(pub(crate) usize);

impl<'de> Deserialize<'de> for ChainLength {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = u64::deserialize(deserializer)?;
        match usize::try_from(value) {
            Ok(length @ 2..=17) => Ok(ChainLength(length)),
            _ => Err(de::Error::custom(format!(
                "{value} is out of range: a path has 2 (leaf and anchor) to 17 certificates"
            ))),
        }
    }
}

/// `trust`: the anchors, the optional pool of untrusted intermediates, and the SPIFFE
/// bundles of federated trust domains. At least one of `anchors` and `spiffe_bundles`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Trust {
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) anchors: Option<Sources>,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) intermediates: Option<Sources>,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) spiffe_bundles: Option<BTreeMap<TrustDomainName, BundleSpec>>,
}

/// A SPIFFE trust domain name used as a key of `trust.spiffe_bundles`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TrustDomainName(pub(crate) String);

impl<'de> Deserialize<'de> for TrustDomainName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        if !crate::spiffe::is_valid_trust_domain(&name) {
            return Err(de::Error::custom(format!(
                "{name:?} is not a SPIFFE trust domain name (lowercase letters, digits, '.', '-', '_')"
            )));
        }
        Ok(TrustDomainName(name))
    }
}

/// The authorities of one trust domain: given (any form anchors take), or fetched from
/// a SPIFFE bundle endpoint by the binding.
#[derive(Clone, Debug)]
pub(crate) enum BundleSpec {
    Authorities(Sources),
    Endpoint(BundleEndpointSpec),
}

/// `{"endpoint": URL, "refresh_seconds"?, "endpoint_ca"?, "bundle"?}`: a SPIFFE bundle
/// endpoint (`https_web` profile), polled by the Node and Python bindings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BundleEndpointSpec {
    pub(crate) endpoint: EndpointUrl,
    /// Upper bound on the refresh interval; the bundle's `spiffe_refresh_hint` may
    /// shorten it. Default: the hint, else 300 seconds.
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) refresh_seconds: Option<RefreshSeconds>,
    /// CAs that authenticate the endpoint's HTTPS server instead of the system's.
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) endpoint_ca: Option<Sources>,
    /// The bundle to use until the first fetch succeeds.
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) bundle: Option<Sources>,
}

impl<'de> Deserialize<'de> for BundleSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // An object with "endpoint" is an endpoint; anything else is a source list.
        let value = serde_json::Value::deserialize(deserializer)?;
        if value.get("endpoint").is_some() {
            BundleEndpointSpec::deserialize(value)
                .map(BundleSpec::Endpoint)
                .map_err(de::Error::custom)
        } else {
            Sources::deserialize(value)
                .map(BundleSpec::Authorities)
                .map_err(de::Error::custom)
        }
    }
}

/// An `https://` URL without user information (SPIFFE Federation §5.2.1).
#[derive(Clone, Debug)]
pub(crate) struct EndpointUrl(pub(crate) String);

impl<'de> Deserialize<'de> for EndpointUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let url = String::deserialize(deserializer)?;
        let authority = url
            .strip_prefix("https://")
            .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
        match authority {
            Some(host)
                if !host.is_empty()
                    && !host.contains('@')
                    && !url.contains(char::is_whitespace) =>
            {
                Ok(EndpointUrl(url))
            }
            _ => Err(de::Error::custom(format!(
                "{url:?} is not a bundle endpoint URL (https://host/path, no user information)"
            ))),
        }
    }
}

/// A refresh interval: 1 second to 7 days.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RefreshSeconds(pub(crate) u32);

impl<'de> Deserialize<'de> for RefreshSeconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = u64::deserialize(deserializer)?;
        match u32::try_from(value) {
            Ok(seconds @ 1..=604_800) => Ok(RefreshSeconds(seconds)),
            _ => Err(de::Error::custom(format!(
                "{value} is out of range: 1 second to 604800 (7 days)"
            ))),
        }
    }
}

/// `usage`: which EKU the leaf must allow (either, when both are listed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) client: bool,
    pub(crate) server: bool,
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            client: true,
            server: false,
        }
    }
}

impl<'de> Deserialize<'de> for Usage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names: OneOrMany<String> = Deserialize::deserialize(deserializer)?;
        let mut usage = Usage {
            client: false,
            server: false,
        };
        for name in names.0 {
            match name.as_str() {
                "client" => usage.client = true,
                "server" => usage.server = true,
                other => {
                    return Err(de::Error::custom(format!(
                        "{other:?} is not a usage: expected \"client\" or \"server\""
                    )))
                }
            }
        }
        if !usage.client && !usage.server {
            return Err(de::Error::custom("usage lists no usage"));
        }
        Ok(usage)
    }
}

/// `revocation`: CRLs and what to do when status is unknown or a CRL is stale.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevocationPolicy {
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) crls: Option<Sources>,
    #[serde(default)]
    pub(crate) depth: Depth,
    #[serde(default)]
    pub(crate) unknown_status: Decision,
    #[serde(default)]
    pub(crate) expired_crl: Decision,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) fetch: Option<CrlFetchPolicy>,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) ocsp: Option<OcspPolicy>,
}

/// `revocation.ocsp`: OCSP responses beside (or instead of) CRLs (docs/decision.md#ocsp).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OcspPolicy {
    /// Stapled or pre-fetched DER `OCSPResponse`s; `update_ocsp` replaces them.
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) responses: Option<Sources>,
    #[serde(default)]
    pub(crate) prefer: Prefer,
    /// Whether the Node and Python bindings fetch missing responses from the responders
    /// the certificates name, in `verifyAsync` / `verify_async`.
    #[serde(default)]
    pub(crate) fetch: bool,
}

/// `revocation.ocsp.prefer`: which source decides when an OCSP response and a CRL both
/// answer for a certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Prefer {
    /// The OCSP response: usually the fresher of the two.
    #[default]
    Ocsp,
    /// The CRL.
    Crl,
}

/// `revocation.fetch`: CRLs the Node and Python bindings download and keep fresh.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "CrlFetchSpec")]
pub(crate) struct CrlFetchPolicy {
    pub(crate) urls: Vec<String>,
    pub(crate) from_distribution_points: bool,
    pub(crate) refresh_seconds: Option<RefreshSeconds>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrlFetchSpec {
    #[serde(default, deserialize_with = "not_null")]
    urls: Option<OneOrMany<CrlUrl>>,
    #[serde(default)]
    from_distribution_points: bool,
    #[serde(default, deserialize_with = "not_null")]
    refresh_seconds: Option<RefreshSeconds>,
}

impl TryFrom<CrlFetchSpec> for CrlFetchPolicy {
    type Error = String;

    fn try_from(spec: CrlFetchSpec) -> Result<Self, String> {
        let urls: Vec<String> = spec
            .urls
            .into_iter()
            .flat_map(|urls| urls.0)
            .map(|url| url.0)
            .collect();
        if urls.is_empty() && !spec.from_distribution_points {
            return Err(
                "give urls, or \"from_distribution_points\": true, or leave fetch out".to_owned(),
            );
        }
        Ok(CrlFetchPolicy {
            urls,
            from_distribution_points: spec.from_distribution_points,
            refresh_seconds: spec.refresh_seconds,
        })
    }
}

/// An `http://` or `https://` URL to fetch a CRL from (CAs publish most CRLs over plain
/// HTTP: the CRL is signed, RFC 5280 §4.2.1.13).
#[derive(Clone, Debug)]
pub(crate) struct CrlUrl(pub(crate) String);

impl<'de> Deserialize<'de> for CrlUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let url = String::deserialize(deserializer)?;
        if is_fetchable_url(&url) {
            Ok(CrlUrl(url))
        } else {
            Err(de::Error::custom(format!(
                "{url:?} is not a CRL URL (http:// or https://, a host, no user information)"
            )))
        }
    }
}

/// Whether `url` is an `http://` or `https://` URL with a host and no user information.
pub(crate) fn is_fetchable_url(url: &str) -> bool {
    let authority = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    matches!(authority, Some(host) if !host.is_empty() && !host.contains('@'))
        && !url.contains(char::is_whitespace)
}

/// Which certificates of the path are checked for revocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Depth {
    /// Every certificate but the anchor.
    #[default]
    Chain,
    /// The leaf only.
    Leaf,
}

/// `deny` (fail closed, the default) or `allow`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Decision {
    #[default]
    Deny,
    Allow,
}

/// `forwarded`: client certificates a TLS-terminating proxy forwards in a header
/// (docs/forwarded.md). Without it, forwarded headers are never read.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ForwardedPolicy {
    pub(crate) format: Format,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) header: Option<HeaderName>,
    #[serde(default, deserialize_with = "not_null")]
    pub(crate) chain_header: Option<HeaderName>,
    pub(crate) trusted_proxies: OneOrMany<IpBlock>,
}

impl From<&ForwardedPolicy> for ForwardedRules {
    fn from(policy: &ForwardedPolicy) -> Self {
        ForwardedRules {
            format: policy.format,
            header: policy.header.as_ref().map_or_else(
                || policy.format.default_header().to_owned(),
                |name| name.0.clone(),
            ),
            chain_header: policy
                .chain_header
                .as_ref()
                .map(|name| name.0.clone())
                .or_else(|| policy.format.default_chain_header().map(str::to_owned)),
            trusted_proxies: policy.trusted_proxies.0.clone(),
        }
    }
}

/// An HTTP header name (RFC 9110 token), kept in lower case.
#[derive(Clone, Debug)]
pub(crate) struct HeaderName(String);

impl<'de> Deserialize<'de> for HeaderName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) {
            return Err(de::Error::custom(format!(
                "{name:?} is not an HTTP header name"
            )));
        }
        Ok(HeaderName(name.to_ascii_lowercase()))
    }
}

/// `profile`: the certificate profile the path is held to (docs/profile.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Profile {
    /// RFC 5280 conformance checks on every certificate of the path, anchor included.
    #[default]
    Strict,
    /// rustls-webpki's checks and RFC 5280's MUSTs only, for legacy private PKIs.
    Webpki,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;
    use crate::schema::Source;

    fn error_of(json: &str) -> String {
        let rejection = Policy::from_json(json).unwrap_err();
        assert_eq!(rejection.code(), Code::InvalidPolicy);
        rejection.message().to_owned()
    }

    #[test]
    fn attached_bytes_take_the_place_their_number_names() {
        let mut policy = Policy::from_json(
            r#"{"trust":{"anchors":[{"attached":1},"PEM"],"intermediates":{"attached":0}},
                "revocation":{"crls":[{"attached":2}]}}"#,
        )
        .unwrap();
        policy
            .attach(vec![b"int".to_vec(), b"root".to_vec(), b"crl".to_vec()])
            .unwrap();
        let inline = |sources: &Option<Sources>| -> Vec<Vec<u8>> {
            sources
                .iter()
                .flat_map(|s| &s.0)
                .map(|source| match source {
                    Source::Inline { bytes, .. } => bytes.clone(),
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        assert_eq!(
            inline(&policy.trust.anchors),
            [b"root".to_vec(), b"PEM".to_vec()]
        );
        assert_eq!(inline(&policy.trust.intermediates), [b"int".to_vec()]);
        assert_eq!(
            inline(&policy.revocation.as_ref().unwrap().crls),
            [b"crl".to_vec()]
        );

        // A number with nothing attached, or named twice, is refused by its path.
        let mut missing = Policy::from_json(r#"{"trust":{"anchors":[{"attached":3}]}}"#).unwrap();
        let message = missing
            .attach(vec![b"a".to_vec()])
            .unwrap_err()
            .message()
            .to_owned();
        assert!(
            message.starts_with("trust.anchors[0]: {\"attached\": 3}"),
            "{message}"
        );
        let mut twice =
            Policy::from_json(r#"{"trust":{"anchors":[{"attached":0},{"attached":0}]}}"#).unwrap();
        let message = twice
            .attach(vec![b"a".to_vec()])
            .unwrap_err()
            .message()
            .to_owned();
        assert!(message.starts_with("trust.anchors[1]:"), "{message}");
    }

    #[test]
    fn unknown_keys_are_named() {
        assert!(error_of(r#"{"trust":{"anchors":"x"},"alow":[]}"#).contains("alow"));
        let nested = error_of(r#"{"trust":{"anchors":"x"},"allow":[{"dsn":"a"}]}"#);
        assert!(nested.starts_with("allow[0]"), "{nested}");
    }

    #[test]
    fn bad_patterns_name_their_path() {
        let message = error_of(
            r#"{"trust":{"anchors":"x"},"allow":[{"dns":"a.com"},{"dns":"b.com"},{"ip":["10.0.0.0/33"]}]}"#,
        );
        assert_eq!(
            message,
            r#"allow[2].ip[0]: "10.0.0.0/33" is not a CIDR block"#
        );
    }

    #[test]
    fn null_never_stands_for_an_absent_key() {
        for key in ["allow", "revocation"] {
            let message = error_of(&format!(r#"{{"trust":{{"anchors":"x"}},"{key}":null}}"#));
            assert!(
                message.starts_with(&format!("{key}: null is not a value here")),
                "{message}"
            );
        }
        assert!(
            error_of(r#"{"trust":{"anchors":"x","intermediates":null}}"#)
                .starts_with("trust.intermediates: null")
        );
        assert!(
            error_of(r#"{"trust":{"anchors":"x"},"revocation":{"crls":null}}"#)
                .starts_with("revocation.crls: null")
        );
        assert!(error_of(r#"{"trust":{"anchors":"x"},"deny":null}"#).starts_with("deny: "));
    }

    #[test]
    fn usage_accepts_one_or_both() {
        let policy =
            Policy::from_json(r#"{"trust":{"anchors":"x"},"usage":["client","server"]}"#).unwrap();
        assert!(policy.usage.client && policy.usage.server);
        assert!(error_of(r#"{"trust":{"anchors":"x"},"usage":"peer"}"#).starts_with("usage: "));
    }

    #[test]
    fn der_sources_may_be_byte_arrays() {
        let policy = Policy::from_json(r#"{"trust":{"anchors":[48,3,2,1,0]}}"#).unwrap();
        assert_eq!(
            policy.trust.anchors.unwrap().0,
            vec![Source::inline(vec![48, 3, 2, 1, 0])]
        );
        let policy = Policy::from_json(r#"{"trust":{"anchors":[[48,0],"pem"]}}"#).unwrap();
        assert_eq!(policy.trust.anchors.unwrap().0.len(), 2);
    }

    #[test]
    fn sources_may_be_file_dir_or_bundle_objects() {
        let policy = Policy::from_json(
            r#"{"trust":{"anchors":[{"file":"ca.pem"},{"dir":"cas"},{"spiffe_bundle":{"keys":[]}}],
                "intermediates":{"file":"int.pem"}}}"#,
        )
        .unwrap();
        assert_eq!(
            policy.trust.anchors.unwrap().0,
            vec![
                Source::File("ca.pem".into()),
                Source::Dir("cas".into()),
                Source::inline(br#"{"keys":[]}"#.to_vec())
            ]
        );
        assert_eq!(
            policy.trust.intermediates.unwrap().0,
            vec![Source::File("int.pem".into())]
        );
        assert!(error_of(r#"{"trust":{"anchors":{"path":"ca.pem"}}}"#)
            .starts_with("trust.anchors: unknown field `path`"));
        assert!(
            error_of(r#"{"trust":{"anchors":{"file":"a","dir":"b"}}}"#).contains("exactly one key")
        );
        assert!(error_of(r#"{"trust":{"anchors":{"file":""}}}"#).contains("an empty path"));
    }
}
