//! The Verifier: the compiled policy in force, swapped whole on a reload, a CRL update
//! or a SPIFFE bundle update, and the counters of what it decided.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::cache::{DecisionCache, SignatureCache};
use crate::compiled::BundleEndpoint;
use crate::compiled::{clamp, verification_time, BundleUpdate, Compiled};
use crate::error::{Code, Rejection, Warning};
use crate::forwarded::Format;
use crate::identity::{ExpiryWarningCode, Identity};
use crate::ocsp::OcspQuery;
use crate::policy::{is_fetchable_url, CrlFetchPolicy, Mode, Policy};

/// The CRLs a binding downloads and keeps fresh (`revocation.fetch`), each answer handed
/// to [`Verifier::update_crls`] together with the others.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CrlFetch {
    /// Every URL to fetch: the policy's `urls`, then (with `from_distribution_points`)
    /// the `http(s)` CRL distribution points of the anchors and pooled intermediates.
    pub urls: Vec<String>,
    /// The policy's ceiling on the time between two fetches of one CRL, if it sets one.
    pub refresh_seconds: Option<u32>,
}

/// What a verifier has decided since it was made, and what it holds now
/// ([`Verifier::stats`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// Verifications by outcome: `"OK"` and every code of [`Code::ALL`]. A chain that an
    /// audit-mode policy admitted counts under the code it would have been refused with.
    pub verifications: BTreeMap<&'static str, u64>,
    /// How many of those an audit-mode policy admitted although it would have refused them.
    pub audit_admitted: u64,
    /// Expiry warnings given, by code (every [`ExpiryWarningCode`]).
    pub warnings: BTreeMap<&'static str, u64>,
    /// Successful [`Verifier::reload`]s (and reloads from the policy file).
    pub reloads: u64,
    /// The generation in force ([`Verifier::generation`]).
    pub generation: u64,
    /// CRL downloads that failed, as the bindings report them
    /// ([`Verifier::record_crl_fetch_failure`]).
    pub crl_fetch_failures: u64,
    /// The CRLs in force.
    pub crls: Vec<crate::revocation::CrlSummary>,
    /// The decision cache, when the policy has `cache`.
    pub cache: Option<CacheStats>,
}

/// What the decision cache did ([`Stats::cache`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CacheStats {
    /// Decisions held now.
    pub entries: usize,
    /// The most it holds (`cache.entries`).
    pub capacity: usize,
    /// Verifications answered from the cache.
    pub hits: u64,
    /// Verifications decided from scratch while the cache was on.
    pub misses: u64,
    /// Decisions dropped, least recently used first, to make room.
    pub evictions: u64,
}

/// Lock-free counters: one relaxed atomic add per verification (a counter is read only
/// by `stats`, nothing orders other memory by it).
struct Counters {
    /// `[OK, Code::ALL...]`.
    outcomes: [AtomicU64; Code::ALL.len() + 1],
    warnings: [AtomicU64; ExpiryWarningCode::ALL.len()],
    audit_admitted: AtomicU64,
    reloads: AtomicU64,
    crl_fetch_failures: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    cache_evictions: AtomicU64,
}

impl Counters {
    fn new() -> Counters {
        Counters {
            outcomes: std::array::from_fn(|_| AtomicU64::new(0)),
            warnings: std::array::from_fn(|_| AtomicU64::new(0)),
            audit_admitted: AtomicU64::new(0),
            reloads: AtomicU64::new(0),
            crl_fetch_failures: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            cache_misses: AtomicU64::new(0),
            cache_evictions: AtomicU64::new(0),
        }
    }

    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn count_code(&self, code: Code) {
        if let Some(position) = Code::ALL.iter().position(|known| *known == code) {
            Counters::add(&self.outcomes[position + 1]);
        }
    }

    fn record(&self, result: Result<&Identity, &Rejection>) {
        match result {
            Ok(identity) => {
                let Some(verification) = &identity.verification else {
                    return;
                };
                match &verification.audit {
                    Some(audit) => {
                        self.count_code(audit.code);
                        Counters::add(&self.audit_admitted);
                    }
                    None => Counters::add(&self.outcomes[0]),
                }
                for warning in &verification.warnings {
                    if let Some(position) = ExpiryWarningCode::ALL
                        .iter()
                        .position(|code| *code == warning.code)
                    {
                        Counters::add(&self.warnings[position]);
                    }
                }
            }
            Err(rejection) => self.count_code(rejection.code()),
        }
    }
}

/// A compiled policy that decides (docs/decision.md).
///
/// A `Verifier` is `Send + Sync`: share it between threads. [`Verifier::reload`],
/// [`Verifier::update_crls`] and [`Verifier::update_spiffe_bundle`] swap the policy in
/// force atomically: a verification running meanwhile sees the old one or the new one,
/// never a mix, and reports which by its generation.
pub struct Verifier {
    current: ArcSwap<Compiled>,
    counters: Counters,
    /// Signature checks that succeeded; facts about keys, so they outlive every reload.
    signatures: SignatureCache,
    #[cfg(feature = "fs")]
    pub(crate) policy_file: Option<PolicyFile>,
}

/// Where a verifier made by `Verifier::from_file` (feature `fs`) reads its policy again.
#[cfg(feature = "fs")]
pub(crate) struct PolicyFile {
    pub(crate) path: std::path::PathBuf,
    /// The policy file and every file and folder it references, as last read.
    pub(crate) watched: std::sync::Mutex<Vec<std::path::PathBuf>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.current.load().fmt(f)
    }
}

impl Verifier {
    /// Compiles a policy: parses anchors, SPIFFE bundles, the intermediates pool and
    /// CRLs, checks them. Errors are `INVALID_POLICY` naming the offending path, e.g.
    /// `trust.anchors[1]`. CRLs that are well formed but unusable are left out and
    /// reported by [`Verifier::warnings`].
    pub fn new(policy: Policy) -> Result<Verifier, Rejection> {
        Ok(Verifier::of(Compiled::new(policy, 0)?))
    }

    pub(crate) fn of(compiled: Compiled) -> Verifier {
        Verifier {
            current: ArcSwap::from_pointee(compiled),
            counters: Counters::new(),
            signatures: SignatureCache::new(),
            #[cfg(feature = "fs")]
            policy_file: None,
        }
    }

    /// Compiles a policy given as JSON text.
    pub fn from_json(json: &str) -> Result<Verifier, Rejection> {
        Verifier::new(Policy::from_json(json)?)
    }

    /// Swaps in the result of `change` applied to the policy in force; should another
    /// swap get in between, `change` runs again on top of it (so no update is lost).
    fn swap<T>(
        &self,
        change: impl Fn(&Compiled) -> Result<(Compiled, T), Rejection>,
    ) -> Result<T, Rejection> {
        loop {
            let current = self.current.load_full();
            let (next, result) = change(&current)?;
            let previous = self.current.compare_and_swap(&current, Arc::new(next));
            if Arc::ptr_eq(&previous, &current) {
                return Ok(result);
            }
        }
    }

    /// Replaces the whole policy with `policy`, atomically and one generation on. On
    /// error (`INVALID_POLICY`, naming the problem) the policy in force stays. CRLs and
    /// SPIFFE bundles come from the new policy, not from earlier updates.
    pub fn reload(&self, policy: Policy) -> Result<(), Rejection> {
        let compiled = Compiled::new(policy, 0)?;
        self.swap(|current| Ok((compiled.as_generation(current.generation + 1), ())))?;
        Counters::add(&self.counters.reloads);
        Ok(())
    }

    /// Replaces the CRL set atomically with `crls` (each PEM — possibly several CRLs —,
    /// DER, or a PKCS#7 bundle), one generation on. On error the old set stays;
    /// malformed input is an error, while a CRL that cannot be used is left out and
    /// reported by [`Verifier::warnings`]. The policy must have a `revocation` section.
    pub fn update_crls<C: AsRef<[u8]>>(&self, crls: &[C]) -> Result<(), Rejection> {
        self.swap(|current| Ok((current.with_crls(crls)?, ())))
    }

    /// Replaces the OCSP responses atomically with `responses` (each a DER
    /// `OCSPResponse`, or PEM `OCSP RESPONSE` blocks), one generation on: pre-fetched
    /// or stapled responses, as `revocation.ocsp.responses` holds them. On error the old
    /// responses stay; a response that cannot be used is left out and reported by
    /// [`Verifier::warnings`]. The policy must have a `revocation` section.
    pub fn update_ocsp<R: AsRef<[u8]>>(&self, responses: &[R]) -> Result<(), Rejection> {
        self.swap(|current| Ok((current.with_ocsp(responses)?, ())))
    }

    /// Adds fetched OCSP responses to those in force atomically, one generation on;
    /// responses past their nextUpdate are dropped meanwhile, and at most
    /// [`crate::MAX_SOURCE_ITEMS`] statuses are kept (those that expire first go). On
    /// error (a malformed response) nothing changes. The policy must have a `revocation`
    /// section.
    pub fn add_ocsp<R: AsRef<[u8]>>(&self, responses: &[R]) -> Result<(), Rejection> {
        let now = clamp(verification_time(None));
        self.swap(|current| Ok((current.with_more_ocsp(responses, now)?, ())))
    }

    /// Whether the policy asks the binding to fetch OCSP responses
    /// (`revocation.ocsp.fetch`).
    pub fn ocsp_fetch(&self) -> bool {
        self.current.load().ocsp_fetch
    }

    /// The OCSP requests that would decide for `chain` at `at` (default: now) and that
    /// no current response in force answers: one per certificate revocation checks that
    /// names an http(s) responder. A binding POSTs each and hands the answers to
    /// [`Verifier::add_ocsp`]. A chain that does not decode is refused as `verify` would.
    pub fn ocsp_queries<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        at: Option<u64>,
    ) -> Result<Vec<OcspQuery>, Rejection> {
        let now = clamp(verification_time(at));
        self.current.load().ocsp_queries(chain, now)
    }

    /// Replaces the authorities of one trust domain of `trust.spiffe_bundles`
    /// atomically with `bundle`: a SPIFFE bundle (JSON), or any form anchors take; one
    /// generation on. A bundle whose `spiffe_sequence` is lower than the one in force is
    /// refused, as is anything that does not parse; on error the old authorities stay.
    pub fn update_spiffe_bundle(
        &self,
        trust_domain: &str,
        bundle: &[u8],
    ) -> Result<BundleUpdate, Rejection> {
        self.swap(|current| current.with_spiffe_bundle(trust_domain, bundle))
    }

    /// Counts the policy swaps since the verifier was made: every reload, CRL update and
    /// SPIFFE bundle update adds one. Each outcome reports the generation that decided
    /// ([`crate::Verification::generation`], [`Rejection::generation`]).
    pub fn generation(&self) -> u64 {
        self.current.load().generation
    }

    /// The policy's `mode`.
    pub fn mode(&self) -> Mode {
        self.current.load().mode
    }

    /// What the policy load and the latest CRL update left out, and why: CRLs that are
    /// well formed but cannot be used (RFC 5280 forbids using a CRL with an unknown
    /// critical extension, for example). The certificates such a CRL would have covered
    /// have an unknown revocation status, which `unknown_status` decides.
    pub fn warnings(&self) -> Vec<Warning> {
        self.current.load().warnings()
    }

    /// The certificates (DER) of every trust anchor, `trust.anchors` and the SPIFFE
    /// bundles in force, e.g. for a TLS server's list of acceptable CAs.
    pub fn anchor_certificates(&self) -> Vec<Vec<u8>> {
        self.current.load().anchor_certificates()
    }

    /// The policy's `usage`, as its names (`["client"]`, `["server"]` or both): which
    /// role of peer this verifier can admit.
    pub fn usage(&self) -> Vec<&'static str> {
        let usage = self.current.load().usage;
        [("client", usage.client), ("server", usage.server)]
            .into_iter()
            .filter_map(|(name, admitted)| admitted.then_some(name))
            .collect()
    }

    /// The certificates (DER) of `trust.intermediates`, e.g. so that a TLS stack which
    /// checks a chain itself before certgate can complete a peer's partial chain.
    pub fn intermediate_certificates(&self) -> Vec<Vec<u8>> {
        self.current.load().intermediate_certificates()
    }

    /// Subjects (DER name contents) of every trust anchor, e.g. for TLS CA hints.
    pub fn anchor_subjects(&self) -> Vec<Vec<u8>> {
        self.current.load().anchor_subjects()
    }

    /// The SPIFFE bundle endpoints the policy names, for a binding to poll.
    pub fn spiffe_bundle_endpoints(&self) -> Vec<BundleEndpoint> {
        self.current.load().endpoints.clone()
    }

    /// The CRLs the policy asks the binding to download (`revocation.fetch`), if any.
    pub fn crl_fetch(&self) -> Option<CrlFetch> {
        let compiled = self.current.load();
        let policy: &CrlFetchPolicy = compiled.crl_fetch.as_ref()?;
        let mut urls = policy.urls.clone();
        if policy.from_distribution_points {
            for facts in compiled.policy_cert_facts() {
                for url in &facts.crl_distribution_uris {
                    if is_fetchable_url(url) && !urls.contains(url) {
                        urls.push(url.clone());
                    }
                }
            }
        }
        Some(CrlFetch {
            urls,
            refresh_seconds: policy.refresh_seconds.map(|r| r.0),
        })
    }

    /// Counts a CRL download that failed (the bindings call it), for [`Verifier::stats`].
    pub fn record_crl_fetch_failure(&self) {
        Counters::add(&self.counters.crl_fetch_failures);
    }

    /// Number of revoked serials across the current CRL set.
    pub fn revoked_serial_count(&self) -> usize {
        self.current.load().crls.revoked_count()
    }

    /// The counters: verifications by outcome, expiry warnings by code, reloads, the
    /// generation, failed CRL downloads, and the CRLs in force.
    pub fn stats(&self) -> Stats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let counters = &self.counters;
        let verifications = std::iter::once("OK")
            .chain(Code::ALL.iter().map(|code| code.as_str()))
            .zip(counters.outcomes.iter().map(read))
            .collect();
        let warnings = ExpiryWarningCode::ALL
            .iter()
            .map(|code| code.as_str())
            .zip(counters.warnings.iter().map(read))
            .collect();
        let compiled = self.current.load();
        Stats {
            verifications,
            audit_admitted: read(&counters.audit_admitted),
            warnings,
            reloads: read(&counters.reloads),
            generation: compiled.generation,
            crl_fetch_failures: read(&counters.crl_fetch_failures),
            crls: compiled.crls.summaries(),
            cache: compiled.decisions.as_ref().map(|decisions| CacheStats {
                entries: decisions.len(),
                capacity: decisions.capacity(),
                hits: read(&counters.cache_hits),
                misses: read(&counters.cache_misses),
                evictions: read(&counters.cache_evictions),
            }),
        }
    }

    /// Decides whether `chain` (leaf first, then any intermediates the peer sent; each
    /// item DER or PEM, a PEM item may hold several certificates) may in at unix time
    /// `at` (default: now), and returns the peer's Identity. With `cache` in the policy, a
    /// chain admitted before under the same generation, and still within the validity of
    /// its path and CRLs, is answered from the cache (docs/operations.md#caches).
    pub fn verify<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        at: Option<u64>,
    ) -> Result<Identity, Rejection> {
        self.verify_shared(chain, at).map(Arc::unwrap_or_clone)
    }

    /// [`Verifier::verify`], with the identity shared rather than copied: a
    /// decision-cache hit hands out the identity the cache holds (copied only when its
    /// expiry warnings are not those of the first decision). For callers that only read
    /// the identity, such as a binding converting it for its host.
    pub fn verify_shared<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        at: Option<u64>,
    ) -> Result<Arc<Identity>, Rejection> {
        let compiled = self.current.load();
        let now = verification_time(at);
        let Some(decisions) = &compiled.decisions else {
            let result = compiled.verify(chain, now, &self.signatures);
            return self.counted(compiled.generation, result).map(Arc::new);
        };
        let key = DecisionCache::key(chain);
        let hit = decisions.get(&key, compiled.generation, clamp(now), |validity| {
            compiled.expiry_warnings(validity, clamp(now))
        });
        if let Some(identity) = hit {
            Counters::add(&self.counters.cache_hits);
            self.counters.record(Ok(&identity));
            return Ok(identity);
        }
        Counters::add(&self.counters.cache_misses);
        let mut result = compiled.verify(chain, now, &self.signatures);
        // Only enforced admissions have a validity: refusals and audit admissions are
        // decided afresh every time.
        let validity = result
            .as_mut()
            .ok()
            .and_then(|identity| identity.verification.as_mut())
            .and_then(|verification| verification.validity.take());
        let result = self.counted(compiled.generation, result).map(Arc::new);
        if let (Ok(identity), Some(validity)) = (&result, validity) {
            if decisions.put(key, compiled.generation, Arc::clone(identity), validity) {
                Counters::add(&self.counters.cache_evictions);
            }
        }
        result
    }

    /// [`Verifier::verify`], and the OCSP requests to fetch when the policy says
    /// `revocation.ocsp.fetch` and the decision lacked an OCSP answer that would have
    /// decided: a refusal for unknown status, or an admission where a certificate had
    /// none (by the CRLs, or with `unknown_status: allow`). Otherwise no requests, and
    /// no planning cost: a verification whose responses are in force pays nothing more.
    /// A binding fetches them, hands the answers to [`Verifier::add_ocsp`] and verifies
    /// again.
    pub fn verify_planning_ocsp<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        at: Option<u64>,
    ) -> (Result<Identity, Rejection>, Vec<OcspQuery>) {
        let result = self.verify(chain, at);
        let unanswered = match &result {
            Ok(identity) => identity
                .verification
                .as_ref()
                .is_some_and(|verification| verification.ocsp_unanswered),
            Err(rejection) => rejection.code() == Code::RevocationUnknown,
        };
        let queries = match unanswered && self.ocsp_fetch() {
            true => self.ocsp_queries(chain, at).unwrap_or_default(),
            false => Vec::new(),
        };
        (result, queries)
    }

    /// Decides on a client certificate that a TLS-terminating proxy forwarded in an HTTP
    /// header, as the policy's `forwarded` section says (docs/forwarded.md). `headers`
    /// are the request's headers (names in any case, in order); `peer` is the address of
    /// the connection the request came on: the socket's remote address, never
    /// `X-Forwarded-For`. A peer outside `forwarded.trusted_proxies` is refused as
    /// `UNTRUSTED_FORWARDER`, whatever it sent (audit mode too); a trusted proxy that
    /// forwarded no certificate as `EMPTY_CHAIN`. Then the decision of
    /// [`Verifier::verify`]; the identity's `forwarded` says how the certificate came.
    /// Without a `forwarded` section the call is refused (`INVALID_POLICY`): headers are
    /// never read then.
    pub fn verify_forwarded<N: AsRef<str>, V: AsRef<[u8]>>(
        &self,
        headers: &[(N, V)],
        peer: &str,
        at: Option<u64>,
    ) -> Result<Identity, Rejection> {
        let compiled = self.current.load();
        let result =
            compiled.verify_forwarded(headers, peer, verification_time(at), &self.signatures);
        self.counted(compiled.generation, result)
    }

    /// The outcome, counted and stamped with the generation that decided it.
    fn counted(
        &self,
        generation: u64,
        mut result: Result<Identity, Rejection>,
    ) -> Result<Identity, Rejection> {
        match &mut result {
            Ok(identity) => {
                if let Some(verification) = identity.verification.as_mut() {
                    verification.generation = generation;
                    verification.validity = None;
                }
            }
            Err(rejection) => rejection.set_generation(generation),
        }
        self.counters.record(result.as_ref());
        result
    }

    /// The format of the policy's `forwarded` section, when it has one: the bindings'
    /// middlewares then read the certificate from headers instead of the TLS socket.
    pub fn forwarded_format(&self) -> Option<Format> {
        self.current
            .load()
            .forwarded
            .as_ref()
            .map(|rules| rules.format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_is_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Verifier>();
    }
}
