//! The JS-facing layer that certgate's Node addon (`bindings-node`) and its WebAssembly
//! build (`bindings-wasm`) share: the outcome of a decision in the shape every JS caller
//! sees (`{ ok, code, message, certIndex, identity, generation }`, the shape of `check`), and the
//! verification time as JS hands it over. The JavaScript half of this layer is
//! `portable.js` and the TypeScript declarations `types.d.ts`, beside this crate.

use std::borrow::Borrow;

use certgate::{Identity, Rejection};
use serde::Serialize;

/// `{ ok, code, message, certIndex, identity, generation }`: a decision as JS sees it.
/// `generation` is the policy generation that decided (`null` for an inspection and for
/// refused policies and updates).
#[derive(Serialize)]
pub struct Outcome<'a> {
    ok: bool,
    code: Option<&'static str>,
    message: Option<&'a str>,
    #[serde(rename = "certIndex")]
    cert_index: Option<usize>,
    identity: Option<&'a Identity>,
    generation: Option<u64>,
}

impl<'a> Outcome<'a> {
    /// The outcome of a verification or an inspection (the identity owned or shared).
    pub fn of<I: Borrow<Identity>>(result: &'a Result<I, Rejection>) -> Outcome<'a> {
        match result {
            Ok(identity) => {
                let identity = identity.borrow();
                Outcome {
                    ok: true,
                    code: None,
                    message: None,
                    cert_index: None,
                    identity: Some(identity),
                    generation: identity.verification.as_ref().map(|v| v.generation),
                }
            }
            Err(rejection) => Outcome::failure(rejection),
        }
    }

    /// The outcome of a refusal (also of a refused policy or update).
    pub fn failure(rejection: &'a Rejection) -> Outcome<'a> {
        Outcome {
            ok: false,
            code: Some(rejection.code().as_str()),
            message: Some(rejection.message()),
            cert_index: rejection.cert_index(),
            identity: None,
            generation: rejection.generation(),
        }
    }

    /// The JSON text, parsed on the JS side (one crossing instead of building the
    /// object property by property). Serializing strings, numbers and the core's
    /// Identity cannot fail; should it ever, the result is still a refusal.
    pub fn to_json(&self) -> String {
        // An admission's text is about 1 KiB: one allocation instead of growing from 128.
        let mut text = Vec::with_capacity(if self.ok { 1536 } else { 256 });
        serde_json::to_writer(&mut text, self)
            .map_err(|error| error.to_string())
            .and_then(|()| String::from_utf8(text).map_err(|error| error.to_string()))
            .unwrap_or_else(|error| {
                format!(
                    r#"{{"ok":false,"code":"INTERNAL","message":{},"certIndex":null,"identity":null,"generation":null}}"#,
                    serde_json::Value::from(format!("cannot serialize the outcome: {error}"))
                )
            })
    }
}

/// The verification time JS passes (unix seconds, already converted from a `Date` by
/// `portable.js`), checked against the core's one range.
pub fn unix_seconds(seconds: f64) -> Result<u64, String> {
    certgate::unix_seconds(seconds).ok_or_else(|| {
        format!(
            "at: {seconds} is not a verification time (unix seconds from 0 to {})",
            certgate::MAX_UNIX_SECONDS
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use certgate::Code;

    #[test]
    fn outcomes_have_the_check_shape() {
        let rejected: Result<Identity, Rejection> =
            Err(Rejection::at_cert(Code::Revoked, 1, "on the CRL"));
        let json: serde_json::Value =
            serde_json::from_str(&Outcome::of(&rejected).to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "ok": false, "code": "REVOKED", "message": "on the CRL", "certIndex": 1,
                "identity": null, "generation": null
            })
        );
        let garbage = certgate::inspect(b"not a certificate");
        let json: serde_json::Value =
            serde_json::from_str(&Outcome::of(&garbage).to_json()).unwrap();
        assert_eq!(json["code"], "MALFORMED_CERTIFICATE");
        assert_eq!(json["identity"], serde_json::Value::Null);
    }

    #[test]
    fn times_outside_the_range_are_refused() {
        assert_eq!(unix_seconds(1_780_272_000.9), Ok(1_780_272_000));
        assert_eq!(unix_seconds(0.0), Ok(0));
        for bad in [-1.0, f64::NAN, f64::INFINITY, 9_007_199_254_740_992.0] {
            assert!(unix_seconds(bad).is_err(), "{bad}");
        }
    }
}
