//! certgate for WebAssembly hosts (browsers, edge runtimes, Node), built with wasm-bindgen.
//!
//! This crate is the raw layer: it converts JS values into what the core takes and
//! core's answers back into plain JS values, nothing else. The package's public API
//! (`Verifier`, `inspect`, `CertgateError`, `CODES`, see `js/certgate.js` and
//! `js/index.d.ts`) is a thin wrapper around it that turns rejections into
//! `CertgateError`s.
//!
//! Conventions of the raw layer:
//! - A decision is an *outcome*: `{ok, code, message, certIndex, identity, generation}` with the
//!   identity as a plain object carrying exactly the canonical keys (docs/identity.md).
//!   [`RawVerifier::check`] returns it; the constructor, [`RawVerifier::update_crls`]
//!   and [`inspect`] throw it (`ok: false`) when core rejects.
//! - The wrapper validates arguments (a wrong type is a `TypeError` there); this layer
//!   still refuses what it cannot convert: a `TypeError` for an item that is neither a
//!   string nor a `Uint8Array`, a `RangeError` for a time that is not whole unix seconds.
//! - The core never reads the clock here (wasm32 has none): the time is always passed
//!   in, by default `Date.now()` taken by the wrapper.

use certgate::{Code, Rejection};
use certgate_js::Outcome;
use js_sys::{Array, RangeError, TypeError, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `[name, value]` string pairs from JS; anything else is a `TypeError`.
fn header_pairs(headers: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let not_pairs = || {
        JsValue::from(TypeError::new(
            "headers must be an array of [name, value] string pairs",
        ))
    };
    let list = headers.dyn_ref::<Array>().ok_or_else(not_pairs)?;
    list.iter()
        .map(|pair| {
            let pair = pair.dyn_into::<Array>().map_err(|_| not_pairs())?;
            match (
                pair.length(),
                pair.get(0).as_string(),
                pair.get(1).as_string(),
            ) {
                (2, Some(name), Some(value)) => Ok((name, value)),
                _ => Err(not_pairs()),
            }
        })
        .collect()
}

/// A compiled policy: the core's `Verifier`, owned by the JS `Verifier` wrapper.
#[wasm_bindgen]
pub struct RawVerifier {
    inner: certgate::Verifier,
}

#[wasm_bindgen]
impl RawVerifier {
    /// Compiles a policy given as JSON text and the byte strings its `{"attached": N}`
    /// sources name (the wrapper serializes policy objects, handing each `Uint8Array`
    /// over beside the text). Throws an `INVALID_POLICY` outcome.
    #[wasm_bindgen(constructor)]
    pub fn new(policy_json: &str, attachments: &JsValue) -> Result<RawVerifier, JsValue> {
        let policy = parse_policy(policy_json, items(attachments, "attachments")?);
        match policy.and_then(certgate::Verifier::new) {
            Ok(inner) => Ok(RawVerifier { inner }),
            Err(rejection) => Err(rejected(&rejection)),
        }
    }

    /// Decides on `chain` (one item or an array, leaf first) at unix time `at` and
    /// returns the outcome; never throws for a rejection.
    pub fn check(&self, chain: &JsValue, at: f64) -> Result<JsValue, JsValue> {
        let at = certgate_js::unix_seconds(at)
            .map_err(|message| JsValue::from(RangeError::new(&message)))?;
        let chain = items(chain, "chain")?;
        to_js(&Outcome::of(&self.inner.verify_shared(&chain, Some(at))).to_json())
    }

    /// Decides on a certificate a proxy forwarded: `headers` is an array of `[name,
    /// value]` string pairs (the wrapper builds it), `peer` the connection's remote
    /// address, at unix time `at`; returns the outcome.
    #[wasm_bindgen(js_name = checkForwarded)]
    pub fn check_forwarded(
        &self,
        headers: &JsValue,
        peer: &str,
        at: f64,
    ) -> Result<JsValue, JsValue> {
        let at = certgate_js::unix_seconds(at)
            .map_err(|message| JsValue::from(RangeError::new(&message)))?;
        let headers = header_pairs(headers)?;
        to_js(&Outcome::of(&self.inner.verify_forwarded(&headers, peer, Some(at))).to_json())
    }

    /// The format of the policy's `forwarded` section, or `undefined` without one.
    #[wasm_bindgen(js_name = forwardedFormat)]
    pub fn forwarded_format(&self) -> Option<String> {
        self.inner
            .forwarded_format()
            .map(|format| format.as_str().to_owned())
    }

    /// Replaces one trust domain's SPIFFE bundle atomically; returns
    /// `{authorities, refreshHint, sequence}`, or throws an outcome (the old bundle stays).
    #[wasm_bindgen(js_name = updateSpiffeBundle)]
    pub fn update_spiffe_bundle(
        &self,
        trust_domain: &str,
        bundle: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let bundle = item(bundle, "bundle")?;
        match self.inner.update_spiffe_bundle(trust_domain, &bundle) {
            Ok(update) => to_js(
                &serde_json::json!({
                    "authorities": update.authorities,
                    "refreshHint": update.refresh_hint,
                    "sequence": update.sequence,
                })
                .to_string(),
            ),
            Err(rejection) => Err(rejected(&rejection)),
        }
    }

    /// Replaces the whole policy (JSON text) atomically, one generation on. Throws an
    /// `INVALID_POLICY` outcome; the policy in force then stays.
    pub fn reload(&self, policy_json: &str, attachments: &JsValue) -> Result<(), JsValue> {
        parse_policy(policy_json, items(attachments, "attachments")?)
            .and_then(|policy| self.inner.reload(policy))
            .map_err(|rejection| rejected(&rejection))
    }

    /// The generation in force: 0, plus one per reload, CRL update and bundle update.
    pub fn generation(&self) -> f64 {
        // Exact up to 2^53 swaps.
        self.inner.generation() as f64
    }

    /// The policy's mode: `"enforce"` or `"audit"`.
    pub fn mode(&self) -> String {
        self.inner.mode().as_str().to_owned()
    }

    /// The counters and the CRLs in force (`certgate::Stats` as a plain object).
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_js(&serde_json::to_string(&self.inner.stats()).unwrap_or_else(|_| "{}".to_owned()))
    }

    /// What the policy load and the latest CRL update left out: `[{source, message}]`.
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        to_js(&serde_json::to_string(&self.inner.warnings()).unwrap_or_else(|_| "[]".to_owned()))
    }

    /// Replaces the CRL set atomically (one item or an array; each PEM or DER).
    /// Throws an outcome when core refuses the set; the old set then stays.
    #[wasm_bindgen(js_name = updateCrls)]
    pub fn update_crls(&self, crls: &JsValue) -> Result<(), JsValue> {
        let crls = items(crls, "crls")?;
        self.inner
            .update_crls(&crls)
            .map_err(|rejection| rejected(&rejection))
    }

    /// Replaces the OCSP responses atomically (one item or an array; each DER, or PEM
    /// `OCSP RESPONSE` text). Throws an outcome when core refuses them; the old ones stay.
    #[wasm_bindgen(js_name = updateOcsp)]
    pub fn update_ocsp(&self, responses: &JsValue) -> Result<(), JsValue> {
        let responses = items(responses, "responses")?;
        self.inner
            .update_ocsp(&responses)
            .map_err(|rejection| rejected(&rejection))
    }
}

/// Parses one certificate (DER bytes or PEM text; the first certificate of a PEM
/// bundle) into its identity object, with no verification. Throws an outcome.
#[wasm_bindgen]
pub fn inspect(cert: &JsValue) -> Result<JsValue, JsValue> {
    let bytes = item(cert, "cert")?;
    match certgate::inspect(&bytes) {
        Ok(identity) => to_js(&identity.to_json()),
        Err(rejection) => Err(rejected(&rejection)),
    }
}

/// Every code string, in number order (core's `Code::ALL`).
#[wasm_bindgen]
pub fn codes() -> Vec<String> {
    Code::ALL
        .iter()
        .map(|code| code.as_str().to_owned())
        .collect()
}

/// One JSON crossing instead of a property-by-property build: plain objects, exact keys.
fn to_js(json: &str) -> Result<JsValue, JsValue> {
    JSON::parse(json)
}

/// A rejection as the value to throw (the wrapper makes a `CertgateError` of it).
fn rejected(rejection: &Rejection) -> JsValue {
    to_js(&Outcome::failure(rejection).to_json()).unwrap_or_else(|error| error)
}

/// One item, or an array of items (chains, CRL sets).
fn items(value: &JsValue, name: &str) -> Result<Vec<Vec<u8>>, JsValue> {
    if !Array::is_array(value) {
        return Ok(vec![item(value, name)?]);
    }
    value
        .unchecked_ref::<Array>()
        .iter()
        .enumerate()
        .map(|(index, element)| item(&element, &format!("{name}[{index}]")))
        .collect()
}

/// The policy in `policy_json` with the byte strings its `{"attached": N}` sources name.
fn parse_policy(
    policy_json: &str,
    attachments: Vec<Vec<u8>>,
) -> Result<certgate::Policy, Rejection> {
    let mut policy = certgate::Policy::from_json(policy_json)?;
    policy.attach(attachments)?;
    Ok(policy)
}

/// One certificate or CRL: PEM text, or DER / PEM bytes (a Node `Buffer` is a `Uint8Array`).
fn item(value: &JsValue, name: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    Err(TypeError::new(&format!(
        "{name} must be a PEM string or a Uint8Array of DER or PEM bytes"
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_core_in_number_order() {
        let names = codes();
        assert_eq!(names.len(), Code::ALL.len());
        for (name, code) in names.iter().zip(Code::ALL) {
            assert_eq!(Code::from_name(name), Some(code));
        }
    }
}
