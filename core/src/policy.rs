//! The one policy schema (docs/policy.md): deserialized by serde, unknown keys rejected,
//! every pattern validated while deserializing so errors name their path.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::{invalid_policy, Rejection};
use crate::matchers::Rule;

/// Default for `max_chain_length`: certificates in the built path, leaf and anchor included.
pub const DEFAULT_MAX_CHAIN_LENGTH: usize = 8;

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
}

impl Policy {
    /// Parses a policy from JSON text. Errors are `INVALID_POLICY` with the offending path,
    /// e.g. `allow[2].ip[0]: "10.0.0.0/33" is not a CIDR block`.
    pub fn from_json(json: &str) -> Result<Policy, Rejection> {
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

/// An optional key that, when present, must hold a value: `null` is refused rather than
/// read as "absent", because for `allow` absent means "allow every valid chain" and a
/// `null` computed by a caller's code must never grant that by accident.
fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(de::Error::custom(
            "null is not a value here: leave the key out to mean its default",
        )),
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

/// Where certificates or CRLs come from: one source, or a list of them. Each source is
/// PEM text, DER bytes (a JSON array of numbers, or the host's native bytes), or an
/// object: `{"file": PATH}`, `{"dir": PATH}` or `{"spiffe_bundle": BUNDLE}`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sources(pub(crate) Vec<Source>);

/// One source of certificates or CRLs in a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// The content itself: PEM text, DER, a PKCS#7 bundle or (for anchors) a SPIFFE
    /// bundle. `origin`, for content read from a file, names it in messages
    /// (`trust.anchors[1] (cas/b.pem)`).
    Inline {
        bytes: Vec<u8>,
        origin: Option<String>,
    },
    /// `{"file": PATH}`, read by the file loader (feature `fs`).
    File(String),
    /// `{"dir": PATH}`: the loader reads every matching file in it, in name order.
    Dir(String),
}

impl Source {
    fn inline(bytes: Vec<u8>) -> Source {
        Source::Inline {
            bytes,
            origin: None,
        }
    }
}

impl<'de> Deserialize<'de> for Sources {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SourcesVisitor;
        impl<'de> Visitor<'de> for SourcesVisitor {
            type Value = Sources;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a PEM string, DER bytes, {\"file\": ...}, {\"dir\": ...}, \
                     {\"spiffe_bundle\": ...}, or a list of these",
                )
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Sources, E> {
                Ok(Sources(vec![Source::inline(text.as_bytes().to_vec())]))
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Sources, E> {
                Ok(Sources(vec![Source::inline(bytes.to_vec())]))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Sources, A::Error> {
                Ok(Sources(vec![source_object(map)?]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Sources, A::Error> {
                // Either a list of sources, or one DER blob spelled as numbers.
                let mut items = Vec::new();
                let mut bytes = Vec::new();
                while let Some(element) = seq.next_element::<SourceElement>()? {
                    match element {
                        SourceElement::Source(source) => items.push(source),
                        SourceElement::Byte(byte) => bytes.push(byte),
                    }
                }
                match (items.is_empty(), bytes.is_empty()) {
                    (_, true) => Ok(Sources(items)),
                    (true, false) => Ok(Sources(vec![Source::inline(bytes)])),
                    (false, false) => Err(de::Error::custom(
                        "mixes numbers and PEM/DER items; give DER as one byte array per item",
                    )),
                }
            }
        }
        deserializer.deserialize_any(SourcesVisitor)
    }
}

/// `{"file": PATH}`, `{"dir": PATH}` or `{"spiffe_bundle": BUNDLE}` (the JWK set as an
/// object, or its JSON text): exactly one key.
fn source_object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Source, A::Error> {
    const KEYS: &[&str] = &["file", "dir", "spiffe_bundle"];
    let Some(key) = map.next_key::<String>()? else {
        return Err(de::Error::custom(
            "an empty object; expected {\"file\": ...}, {\"dir\": ...} or {\"spiffe_bundle\": ...}",
        ));
    };
    let source = match key.as_str() {
        "file" => Source::File(map.next_value::<NonEmptyPath>()?.0),
        "dir" => Source::Dir(map.next_value::<NonEmptyPath>()?.0),
        "spiffe_bundle" => {
            let bundle: serde_json::Value = map.next_value()?;
            let text = match bundle {
                serde_json::Value::String(text) => text,
                serde_json::Value::Object(_) => bundle.to_string(),
                _ => {
                    return Err(de::Error::custom(
                        "spiffe_bundle must be the bundle's JSON object or its text",
                    ))
                }
            };
            Source::inline(text.into_bytes())
        }
        other => return Err(de::Error::unknown_field(other, KEYS)),
    };
    if let Some(extra) = map.next_key::<String>()? {
        return Err(de::Error::custom(format!(
            "{extra:?} beside {key:?}: a source object has exactly one key"
        )));
    }
    Ok(source)
}

/// A file or folder path that is not empty.
struct NonEmptyPath(String);

impl<'de> Deserialize<'de> for NonEmptyPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let path = String::deserialize(deserializer)?;
        if path.is_empty() {
            return Err(de::Error::custom("an empty path"));
        }
        Ok(NonEmptyPath(path))
    }
}

enum SourceElement {
    Source(Source),
    Byte(u8),
}

impl<'de> Deserialize<'de> for SourceElement {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ElementVisitor;
        impl<'de> Visitor<'de> for ElementVisitor {
            type Value = SourceElement;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a PEM string, DER bytes or a source object")
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<SourceElement, E> {
                u8::try_from(value)
                    .map(SourceElement::Byte)
                    .map_err(|_| E::custom(format!("{value} is not a byte")))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<SourceElement, E> {
                u8::try_from(value)
                    .map(SourceElement::Byte)
                    .map_err(|_| E::custom(format!("{value} is not a byte")))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<SourceElement, E> {
                Ok(SourceElement::Source(Source::inline(
                    text.as_bytes().to_vec(),
                )))
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<SourceElement, E> {
                Ok(SourceElement::Source(Source::inline(bytes.to_vec())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SourceElement, A::Error> {
                source_object(map).map(SourceElement::Source)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SourceElement, A::Error> {
                let mut bytes = Vec::new();
                while let Some(byte) = seq.next_element::<u8>()? {
                    bytes.push(byte);
                }
                Ok(SourceElement::Source(Source::inline(bytes)))
            }
        }
        deserializer.deserialize_any(ElementVisitor)
    }
}

/// A value or a list of values (a list matches when ANY value matches). Unlike an
/// untagged enum, it keeps each element's own error message and path.
#[derive(Clone, Debug)]
pub(crate) struct OneOrMany<T>(pub(crate) Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a non-empty list of values")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::new(text)).map(|v| OneOrMany(vec![v]))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|v| OneOrMany(vec![v]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut values = Vec::new();
                while let Some(value) = seq.next_element()? {
                    values.push(value);
                }
                if values.is_empty() {
                    return Err(de::Error::custom("an empty list can never match"));
                }
                Ok(OneOrMany(values))
            }
        }
        deserializer.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    fn error_of(json: &str) -> String {
        let rejection = Policy::from_json(json).unwrap_err();
        assert_eq!(rejection.code(), Code::InvalidPolicy);
        rejection.message().to_owned()
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
