//! The building blocks of the policy schema that carry no policy meaning of their own:
//! one value or a list of values, where certificates and CRLs come from (inline, a file,
//! a folder, a SPIFFE bundle), IP blocks, and optional keys that refuse `null`. A leaf
//! module.

use std::fmt;
use std::marker::PhantomData;
use std::net::IpAddr;

use ipnet::IpNet;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// Largest value of a rule (a pattern, an address, a hash, a subject attribute's
/// value), in bytes.
pub const MAX_PATTERN_BYTES: usize = 4096;

/// An optional key that, when present, must hold a value: `null` is refused rather than
/// read as "absent", because for `allow` absent means "allow every valid chain" and a
/// `null` computed by a caller's code must never grant that by accident.
pub(crate) fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(de::Error::custom(
            "null is not a value here: leave the key out to mean its default",
        )),
    }
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
    /// `{"attached": N}`: the `N`th byte string handed over beside the policy
    /// ([`crate::Policy::attach`]), as the bindings pass DER instead of spelling it as
    /// a JSON array of numbers.
    Attached(usize),
}

impl Source {
    pub(crate) fn inline(bytes: Vec<u8>) -> Source {
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
    const KEYS: &[&str] = &["file", "dir", "spiffe_bundle", "attached"];
    let Some(key) = map.next_key::<String>()? else {
        return Err(de::Error::custom(
            "an empty object; expected {\"file\": ...}, {\"dir\": ...} or {\"spiffe_bundle\": ...}",
        ));
    };
    let source = match key.as_str() {
        "file" => Source::File(map.next_value::<NonEmptyPath>()?.0),
        "dir" => Source::Dir(map.next_value::<NonEmptyPath>()?.0),
        "attached" => Source::Attached(map.next_value::<usize>()?),
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
/// The text of one rule value (a pattern, an address, a hash, a subject attribute's
/// value), refused past [`MAX_PATTERN_BYTES`] before it is parsed, indexed or quoted in
/// a message.
pub(crate) struct PatternText(pub(crate) String);

impl<'de> Deserialize<'de> for PatternText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.len() > MAX_PATTERN_BYTES {
            return Err(de::Error::custom(format!(
                "a value of {} bytes is over the limit of {MAX_PATTERN_BYTES} bytes",
                text.len()
            )));
        }
        Ok(PatternText(text))
    }
}

/// An IP address (matches itself) or a CIDR block, v4 or v6.
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "PatternText")]
pub(crate) struct IpBlock(pub(crate) IpNet);

impl TryFrom<PatternText> for IpBlock {
    type Error = String;

    fn try_from(PatternText(text): PatternText) -> Result<Self, String> {
        if text.contains('/') {
            let net: IpNet = text
                .parse()
                .map_err(|_| format!("{text:?} is not a CIDR block"))?;
            if net.trunc() != net {
                return Err(format!(
                    "{text:?} has host bits set; did you mean \"{}\"?",
                    net.trunc()
                ));
            }
            Ok(IpBlock(net))
        } else {
            let addr: IpAddr = text
                .parse()
                .map_err(|_| format!("{text:?} is not an IP address"))?;
            Ok(IpBlock(IpNet::from(addr)))
        }
    }
}

impl IpBlock {
    /// Whether `address` is in the block.
    pub(crate) fn contains(&self, address: &IpAddr) -> bool {
        self.0.contains(address)
    }
}
