//! The native half of the `certgate` npm package: a thin napi-rs layer over the
//! `certgate` core.
//!
//! Every entry point returns an *outcome* instead of throwing for a rejection: the JSON
//! text of `{ ok, code, message, certIndex, identity }` (docs/decision.md, `check`), which the
//! JavaScript wrapper parses with `JSON.parse` — measured cheaper than building the
//! identity object through Node-API calls. The wrapper (`lib/`) turns inputs into arrays
//! of PEM strings / bytes before calling here, and failed outcomes into `CertgateError`
//! where the API throws. Nothing in this crate matches, parses certificates or decides:
//! that is the core's job.

use std::sync::Arc;

use certgate::{Code, Rejection, Verifier};
use certgate_js::Outcome;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Uint8ArraySlice};
use napi::{Env, Error, Result, ScopedTask, Status};
use napi_derive::napi;

/// One chain, CRL or certificate item as JavaScript hands it over: bytes or PEM text.
/// Bytes come first: napi-rs tries the variants in order, and a TLS server's peer chain
/// is DER, so the common case is taken without building a type-mismatch error.
type Source<'a> = Either<Uint8ArraySlice<'a>, String>;

/// The most certificates a chain may hold (`certgate::MAX_CHAIN_CERTIFICATES`); the
/// wrapper stops walking `issuerCertificate` links one past it.
#[napi]
pub const MAX_CHAIN_CERTIFICATES: u32 = certgate::MAX_CHAIN_CERTIFICATES as u32;

/// Every code of docs/errors.md, in number order (`certgate::Code::ALL`).
#[napi]
pub fn codes() -> Vec<&'static str> {
    Code::ALL.iter().map(|code| code.as_str()).collect()
}

/// A compiled policy shared with the libuv pool (`certgate::Verifier` is `Send + Sync`).
#[napi]
pub struct NativeVerifier {
    inner: Arc<Verifier>,
}

/// Compiles a policy given as JSON text. Returns the verifier, or the JSON of a failed
/// outcome (`INVALID_POLICY`) describing why the policy was refused.
#[napi(ts_args_type = "policyJson: string, attachments: Array<Uint8Array>")]
pub fn compile(
    policy_json: String,
    attachments: Vec<Uint8ArraySlice<'_>>,
) -> Either<NativeVerifier, String> {
    let attachments = owned(&attachments);
    compiled(certgate::catch_panic(|| {
        parse_policy(&policy_json, attachments).and_then(Verifier::new)
    }))
}

/// The policy in `policy_json` with the byte strings its `{"attached": N}` sources name.
fn parse_policy(
    policy_json: &str,
    attachments: Vec<Vec<u8>>,
) -> std::result::Result<certgate::Policy, Rejection> {
    let mut policy = certgate::Policy::from_json(policy_json)?;
    policy.attach(attachments)?;
    Ok(policy)
}

/// Copies of byte strings borrowed from JS, for the core to keep.
fn owned(slices: &[Uint8ArraySlice<'_>]) -> Vec<Vec<u8>> {
    slices.iter().map(|slice| slice.as_ref().to_vec()).collect()
}

/// Compiles the policy in a JSON file, reading the files it references (relative to
/// the policy's folder). Returns the verifier, or the JSON of a failed outcome.
#[napi]
pub fn compile_file(path: String) -> Either<NativeVerifier, String> {
    compiled(certgate::catch_panic(|| Verifier::from_file(&path)))
}

fn compiled(result: std::result::Result<Verifier, Rejection>) -> Either<NativeVerifier, String> {
    match result {
        Ok(verifier) => Either::A(NativeVerifier {
            inner: Arc::new(verifier),
        }),
        Err(rejection) => Either::B(Outcome::failure(&rejection).to_json()),
    }
}

#[napi]
impl NativeVerifier {
    /// Verifies `chain` (leaf first) at unix time `at` (`null` = now); the outcome's JSON.
    #[napi(ts_args_type = "chain: Array<string | Uint8Array>, at?: number | null")]
    pub fn check(&self, chain: Vec<Source<'_>>, at: Option<f64>) -> Result<String> {
        let at = unix_time(at)?;
        let chain = chain_bytes(&chain);
        let result = certgate::catch_panic(|| self.inner.verify_shared(&chain, at));
        Ok(Outcome::of(&result).to_json())
    }

    /// Like `check`, on the libuv thread pool: the inputs are copied, the event loop stays
    /// free. With `planOcsp`, when the decision lacked an OCSP answer a fetch could give
    /// (`revocation.ocsp.fetch`), the JSON is `{"ocspQueries": [{url, request}]}`
    /// instead: the requests to POST (each request a DER OCSPRequest as byte values).
    #[napi(
        ts_args_type = "chain: Array<string | Uint8Array>, at?: number | null, planOcsp?: boolean",
        ts_return_type = "Promise<string>"
    )]
    pub fn check_async(
        &self,
        chain: Vec<Source<'_>>,
        at: Option<f64>,
        plan_ocsp: Option<bool>,
    ) -> Result<AsyncTask<Check>> {
        Ok(AsyncTask::new(Check {
            verifier: Arc::clone(&self.inner),
            chain: chain_bytes(&chain)
                .iter()
                .map(|item| item.to_vec())
                .collect(),
            at: unix_time(at)?,
            plan_ocsp: plan_ocsp.unwrap_or(false),
        }))
    }

    /// Decides on a certificate a proxy forwarded: `headers` as `[name, value]` pairs (in
    /// order), `peer` the connection's remote address; the outcome's JSON.
    #[napi(ts_args_type = "headers: Array<[string, string]>, peer: string, at?: number | null")]
    pub fn check_forwarded(
        &self,
        headers: Vec<(String, String)>,
        peer: String,
        at: Option<f64>,
    ) -> Result<String> {
        let at = unix_time(at)?;
        let result = certgate::catch_panic(|| self.inner.verify_forwarded(&headers, &peer, at));
        Ok(Outcome::of(&result).to_json())
    }

    /// The format of the policy's `forwarded` section, or `null` without one.
    #[napi]
    pub fn forwarded_format(&self) -> Option<&'static str> {
        self.inner.forwarded_format().map(|format| format.as_str())
    }

    /// Swaps in a new CRL set atomically; returns `null`, or the JSON of a failed outcome
    /// (and the old set stays).
    #[napi(ts_args_type = "crls: Array<string | Uint8Array>")]
    pub fn update_crls(&self, crls: Vec<Source<'_>>) -> Option<String> {
        self.update_sources(&crls, |verifier, crls| verifier.update_crls(crls))
    }

    /// Whether the policy asks for OCSP responses to be fetched (`revocation.ocsp.fetch`).
    #[napi]
    pub fn ocsp_fetch(&self) -> bool {
        self.inner.ocsp_fetch()
    }

    /// Adds fetched OCSP responses atomically; returns `null`, or the JSON of a failed
    /// outcome (and the responses in force stay).
    #[napi(ts_args_type = "responses: Array<Uint8Array>")]
    pub fn add_ocsp(&self, responses: Vec<Source<'_>>) -> Option<String> {
        self.update_sources(&responses, |verifier, responses| {
            verifier.add_ocsp(responses)
        })
    }

    /// Swaps in new OCSP responses atomically; returns `null`, or the JSON of a failed
    /// outcome (and the old responses stay).
    #[napi(ts_args_type = "responses: Array<string | Uint8Array>")]
    pub fn update_ocsp(&self, responses: Vec<Source<'_>>) -> Option<String> {
        self.update_sources(&responses, |verifier, responses| {
            verifier.update_ocsp(responses)
        })
    }

    /// Replaces the whole policy (JSON text) atomically; returns `null`, or the JSON of a
    /// failed outcome (and the policy in force stays).
    #[napi(ts_args_type = "policyJson: string, attachments: Array<Uint8Array>")]
    pub fn reload(
        &self,
        policy_json: String,
        attachments: Vec<Uint8ArraySlice<'_>>,
    ) -> Option<String> {
        let attachments = owned(&attachments);
        certgate::catch_panic(|| {
            parse_policy(&policy_json, attachments).and_then(|policy| self.inner.reload(policy))
        })
        .err()
        .map(|rejection| Outcome::failure(&rejection).to_json())
    }

    /// Reads the policy file (and every file it references) again, all or nothing;
    /// returns `null`, or the JSON of a failed outcome.
    #[napi]
    pub fn reload_from_file(&self) -> Option<String> {
        certgate::catch_panic(|| self.inner.reload_from_file())
            .err()
            .map(|rejection| Outcome::failure(&rejection).to_json())
    }

    /// The policy file and every file and folder it references (empty without a file).
    #[napi]
    pub fn watched_paths(&self) -> Vec<String> {
        self.inner
            .watched_paths()
            .iter()
            .map(|path| path.to_string_lossy().into_owned())
            .collect()
    }

    /// The generation in force: 0, plus one per reload, CRL update and bundle update.
    #[napi]
    pub fn generation(&self) -> i64 {
        i64::try_from(self.inner.generation()).unwrap_or(i64::MAX)
    }

    /// The policy's mode: `"enforce"` or `"audit"`.
    #[napi]
    pub fn mode(&self) -> &'static str {
        self.inner.mode().as_str()
    }

    /// The counters and the CRLs in force: JSON of `certgate::Stats`.
    #[napi]
    pub fn stats(&self) -> String {
        serde_json::to_string(&self.inner.stats()).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The CRLs to download (`revocation.fetch`): JSON of `{ urls, refresh_seconds }`, or
    /// `null` without a fetch section.
    #[napi]
    pub fn crl_fetch(&self) -> Option<String> {
        self.inner.crl_fetch().map(|fetch| {
            serde_json::json!({ "urls": fetch.urls, "refreshSeconds": fetch.refresh_seconds })
                .to_string()
        })
    }

    /// Counts a failed CRL download in the stats.
    #[napi]
    pub fn record_crl_fetch_failure(&self) {
        self.inner.record_crl_fetch_failure();
    }

    /// What the policy load and the latest CRL update left out: JSON of
    /// `[{ source, message }]`.
    #[napi]
    pub fn warnings(&self) -> String {
        serde_json::to_string(&self.inner.warnings()).unwrap_or_else(|_| "[]".to_owned())
    }

    /// The SPIFFE bundle endpoints the policy names, for `BundleRefresher` to poll.
    #[napi]
    pub fn bundle_endpoints(&self) -> Vec<BundleEndpoint> {
        self.inner
            .spiffe_bundle_endpoints()
            .into_iter()
            .map(|endpoint| BundleEndpoint {
                trust_domain: endpoint.trust_domain,
                url: endpoint.url,
                refresh_seconds: endpoint.refresh_seconds,
                server_ca_certificates: buffers(endpoint.server_ca_certificates),
            })
            .collect()
    }

    /// Swaps in a new bundle for one trust domain of `trust.spiffe_bundles`; returns the
    /// JSON of `{ ok: true, authorities, refreshHint, sequence }`, or of a failed outcome
    /// (and the old bundle stays).
    #[napi(ts_args_type = "trustDomain: string, bundle: string | Uint8Array")]
    pub fn update_spiffe_bundle(&self, trust_domain: String, bundle: Source<'_>) -> String {
        let bytes = source_bytes(&bundle);
        match certgate::catch_panic(|| self.inner.update_spiffe_bundle(&trust_domain, bytes)) {
            Ok(update) => serde_json::json!({
                "ok": true,
                "authorities": update.authorities,
                "refreshHint": update.refresh_hint,
                "sequence": update.sequence,
            })
            .to_string(),
            Err(rejection) => Outcome::failure(&rejection).to_json(),
        }
    }

    /// The policy's trust anchor certificates, DER.
    #[napi]
    pub fn anchors(&self) -> Vec<Buffer> {
        buffers(self.inner.anchor_certificates())
    }

    /// The policy's pooled intermediates (`trust.intermediates`), DER.
    #[napi]
    pub fn intermediates(&self) -> Vec<Buffer> {
        buffers(self.inner.intermediate_certificates())
    }
}

/// Parses one certificate (DER, or the first of a PEM text) without verifying it; the outcome's JSON.
#[napi(ts_args_type = "cert: string | Uint8Array")]
pub fn inspect(cert: Source<'_>) -> String {
    let bytes = source_bytes(&cert);
    Outcome::of(&certgate::catch_panic(|| certgate::inspect(bytes))).to_json()
}

/// A SPIFFE bundle endpoint of the policy (`trust.spiffe_bundles.<domain>.endpoint`).
#[napi(object)]
pub struct BundleEndpoint {
    /// The trust domain whose bundle it serves.
    pub trust_domain: String,
    /// The https URL.
    pub url: String,
    /// The policy's upper bound on the refresh interval, seconds.
    pub refresh_seconds: Option<u32>,
    /// CAs (DER) that authenticate the endpoint's server; empty: Node's default roots.
    pub server_ca_certificates: Vec<Buffer>,
}

/// A verification run by `checkAsync` on the libuv pool.
pub struct Check {
    verifier: Arc<Verifier>,
    chain: Vec<Vec<u8>>,
    at: Option<u64>,
    plan_ocsp: bool,
}

impl ScopedTask<'_> for Check {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> Result<String> {
        if !self.plan_ocsp {
            return Ok(Outcome::of(&certgate::catch_panic(|| {
                self.verifier.verify(&self.chain, self.at)
            }))
            .to_json());
        }
        let planned =
            certgate::catch_panic(|| Ok(self.verifier.verify_planning_ocsp(&self.chain, self.at)));
        Ok(match planned {
            Ok((_, queries)) if !queries.is_empty() => {
                let queries: Vec<serde_json::Value> = queries
                    .into_iter()
                    .map(|query| serde_json::json!({ "url": query.url, "request": query.request }))
                    .collect();
                serde_json::json!({ "ocspQueries": queries }).to_string()
            }
            Ok((result, _)) => Outcome::of(&result).to_json(),
            Err(panic) => Outcome::failure(&panic).to_json(),
        })
    }

    fn resolve(&mut self, _env: &Env, output: String) -> Result<String> {
        Ok(output)
    }
}

impl NativeVerifier {
    /// Hands `sources` to an update of the core verifier (CRLs, OCSP responses): `null`,
    /// or the JSON of the failed outcome.
    fn update_sources(
        &self,
        sources: &[Source<'_>],
        update: impl Fn(&Verifier, &[&[u8]]) -> std::result::Result<(), Rejection>,
    ) -> Option<String> {
        let bytes = chain_bytes(sources);
        certgate::catch_panic(|| update(&self.inner, &bytes))
            .err()
            .map(|rejection| Outcome::failure(&rejection).to_json())
    }
}

/// The bytes of each source.
fn chain_bytes<'a>(sources: &'a [Source<'_>]) -> Vec<&'a [u8]> {
    sources.iter().map(source_bytes).collect()
}

/// A source's bytes: binary as is, PEM text as its UTF-8 bytes.
fn source_bytes<'a>(source: &'a Source<'_>) -> &'a [u8] {
    match source {
        Either::A(bytes) => bytes,
        Either::B(text) => text.as_bytes(),
    }
}

/// `at` in unix seconds; the wrapper has already turned a `Date` into seconds.
fn unix_time(at: Option<f64>) -> Result<Option<u64>> {
    at.map(certgate_js::unix_seconds)
        .transpose()
        .map_err(|message| Error::new(Status::InvalidArg, message))
}

/// DER certificates as Node Buffers.
fn buffers(ders: Vec<Vec<u8>>) -> Vec<Buffer> {
    ders.into_iter().map(Buffer::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_time_refuses_what_is_not_a_time() {
        assert_eq!(unix_time(None).unwrap(), None);
        assert_eq!(
            unix_time(Some(1_780_272_000.9)).unwrap(),
            Some(1_780_272_000)
        );
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert!(unix_time(Some(bad)).is_err());
        }
    }

    #[test]
    fn codes_are_the_core_list() {
        let expected: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(codes(), expected);
    }
}
