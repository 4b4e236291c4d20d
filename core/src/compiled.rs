//! A compiled policy and its decision (docs/decision.md). Immutable: the public
//! [`Verifier`](crate::Verifier) holds the one in force and swaps in a new one on a
//! reload, a CRL update or a SPIFFE bundle update.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, VerifiedPath};
use x509_parser::prelude::X509Certificate;

use std::collections::{BTreeMap, BTreeSet};

use crate::cache::{DecisionCache, SignatureCache};
use crate::constraints::{normalised_rdns, Names, OwnConstraints};
use crate::error::{invalid_policy, unattached, Code, Rejection, Warning};
use crate::forwarded::ForwardedRules;
use crate::identity::{ExpiryWarning, ExpiryWarningCode, Identity, Validity, Verification};
use crate::input::{decode, decode_chain, items_within_limit, source_within_limit, Expect};
use crate::matchers::{Rule, RuleList};
use crate::ocsp::{self, Answer, OcspQuery, OcspSet, Subject};
use crate::path::{code_for, UsageValidator};
use crate::policy::CrlFetchPolicy;
use crate::policy::{BundleSpec, Depth, Mode, Policy, Profile, Usage};
use crate::profile::{critical_extension_webpki_refuses, key_rule, Role};
use crate::revocation::{CertFacts, Checked, CrlSet, PathMember, RevocationRules};
use crate::schema::{Source, Sources};
use crate::spiffe;
use crate::trust::{
    name_constraints_value, Anchor, DomainBundle, PathFacts, PolicyCert, Reading, TrustStore,
};
use crate::x509::{format_time, parse_certificate, rfc4514, sha256_hex, SIGNATURE_ALGORITHMS};

/// A compiled policy. Anchors, intermediates, CRLs and patterns are parsed once here;
/// a verification re-parses no configuration. Cloning shares the parsed parts.
#[derive(Clone)]
pub(crate) struct Compiled {
    pub(crate) trust: Arc<TrustStore>,
    pub(crate) endpoints: Vec<BundleEndpoint>,
    pool: Arc<Vec<CertificateDer<'static>>>,
    pool_certs: Arc<Vec<PolicyCert>>,
    pub(crate) usage: Usage,
    pub(crate) revocation: Option<RevocationRules>,
    pub(crate) crls: Arc<CrlSet>,
    pub(crate) ocsp: Arc<OcspSet>,
    /// `revocation.ocsp.fetch`.
    pub(crate) ocsp_fetch: bool,
    allow: Option<RuleList>,
    deny: RuleList,
    max_chain_length: usize,
    clock_skew_seconds: u64,
    profile: Profile,
    pub(crate) forwarded: Option<ForwardedRules>,
    pub(crate) mode: Mode,
    warn_before_expiry_seconds: Option<u64>,
    pub(crate) crl_fetch: Option<CrlFetchPolicy>,
    /// The decisions on admitted chains (`cache`), shared by the generations a CRL or
    /// bundle update derives from this policy: each entry names its generation.
    pub(crate) decisions: Option<Arc<DecisionCache>>,
    /// Counts the swaps since the verifier was made: each outcome reports it.
    pub(crate) generation: u64,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let trust = &self.trust;
        f.debug_struct("Verifier")
            .field("anchors", &trust.anchors.len())
            .field(
                "spiffe_bundles",
                &trust
                    .domains
                    .as_ref()
                    .map(|domains| domains.keys().collect::<Vec<_>>()),
            )
            .field("intermediates", &self.pool.len())
            .field("usage", &self.usage)
            .field("revocation", &self.revocation)
            .field("revoked_serials", &self.crls.revoked_count())
            .field("allow_rules", &self.allow.as_ref().map(RuleList::len))
            .field("deny_rules", &self.deny.len())
            .field("max_chain_length", &self.max_chain_length)
            .field("clock_skew_seconds", &self.clock_skew_seconds)
            .field("profile", &self.profile)
            .field("mode", &self.mode)
            .field("generation", &self.generation)
            .finish()
    }
}

/// The latest verification time certgate takes, in unix seconds: 2^53 − 1, the largest
/// whole number every host (JavaScript's doubles included) holds exactly.
pub const MAX_UNIX_SECONDS: u64 = (1 << 53) - 1;

/// A verification time given as a number of unix seconds (fractions dropped), if it is
/// one: finite, from 0 to [`MAX_UNIX_SECONDS`]. The bindings take `at` through this.
pub fn unix_seconds(seconds: f64) -> Option<u64> {
    // In range and finite: the cast is exact after floor().
    (seconds.is_finite() && (0.0..=MAX_UNIX_SECONDS as f64).contains(&seconds))
        .then(|| seconds.floor() as u64)
}

/// A SPIFFE bundle endpoint the policy names (`trust.spiffe_bundles.<domain>.endpoint`):
/// what a binding needs to poll it and hand each answer to
/// [`crate::Verifier::update_spiffe_bundle`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BundleEndpoint {
    /// The trust domain whose bundle the endpoint serves.
    pub trust_domain: String,
    /// The `https://` URL (SPIFFE Federation `https_web` profile).
    pub url: String,
    /// The policy's upper bound on the refresh interval, if it sets one.
    pub refresh_seconds: Option<u32>,
    /// CAs (DER) that authenticate the endpoint's HTTPS server; empty: the system's.
    pub server_ca_certificates: Vec<Vec<u8>>,
}

/// What [`crate::Verifier::update_spiffe_bundle`] took in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BundleUpdate {
    /// X509-SVID authorities now in force for the trust domain.
    pub authorities: usize,
    /// The bundle's `spiffe_refresh_hint`, seconds.
    pub refresh_hint: Option<u64>,
    /// The bundle's `spiffe_sequence`.
    pub sequence: Option<u64>,
}

/// Where a certificate of a built path came from.
#[derive(Clone, Copy, Debug)]
enum Origin {
    Peer(usize),
    Pool(usize),
    /// Index into the anchors that could vouch for this leaf.
    Anchor(usize),
}

impl Compiled {
    /// Compiles a policy: parses anchors, SPIFFE bundles, the intermediates pool and
    /// CRLs, checks them. Errors are `INVALID_POLICY` naming the offending path, e.g.
    /// `trust.anchors[1]`. CRLs that are well formed but unusable are left out with a
    /// warning.
    pub(crate) fn new(mut policy: Policy, generation: u64) -> Result<Compiled, Rejection> {
        let mut anchors = Vec::new();
        if let Some(sources) = &policy.trust.anchors {
            anchors = anchors_of(sources, "trust.anchors")?.0;
            if anchors.is_empty() {
                return Err(invalid_policy("trust.anchors: no certificate given"));
            }
        }
        let mut endpoints = Vec::new();
        let domains = match &policy.trust.spiffe_bundles {
            None => None,
            Some(bundles) if bundles.is_empty() => {
                return Err(invalid_policy(
                    "trust.spiffe_bundles: name at least one trust domain, or leave the key out",
                ))
            }
            Some(bundles) => {
                let mut domains = BTreeMap::new();
                for (name, spec) in bundles {
                    let path = format!("trust.spiffe_bundles.{}", name.0);
                    let bundle = match spec {
                        BundleSpec::Authorities(sources) => {
                            let (anchors, sequence) = anchors_of(sources, &path)?;
                            if anchors.is_empty() {
                                return Err(invalid_policy(format!(
                                    "{path}: no certificate given"
                                )));
                            }
                            DomainBundle {
                                anchors,
                                sequence,
                                awaiting_endpoint: false,
                            }
                        }
                        BundleSpec::Endpoint(endpoint) => {
                            let server_ca_certificates = match &endpoint.endpoint_ca {
                                Some(sources) => policy_certs(
                                    sources,
                                    &format!("{path}.endpoint_ca"),
                                    Expect::Anchors,
                                )?
                                .into_iter()
                                .map(|(der, _)| der.to_vec())
                                .collect(),
                                None => Vec::new(),
                            };
                            endpoints.push(BundleEndpoint {
                                trust_domain: name.0.clone(),
                                url: endpoint.endpoint.0.clone(),
                                refresh_seconds: endpoint.refresh_seconds.map(|r| r.0),
                                server_ca_certificates,
                            });
                            let (anchors, sequence) = match &endpoint.bundle {
                                Some(sources) => anchors_of(sources, &format!("{path}.bundle"))?,
                                None => (Vec::new(), None),
                            };
                            DomainBundle {
                                awaiting_endpoint: anchors.is_empty(),
                                anchors,
                                sequence,
                            }
                        }
                    };
                    domains.insert(name.0.clone(), bundle);
                }
                Some(domains)
            }
        };
        if policy.trust.anchors.is_none() && domains.is_none() {
            return Err(invalid_policy(
                "trust: give anchors, spiffe_bundles, or both (no certificate would be trusted)",
            ));
        }
        let mut pool = Vec::new();
        let mut pool_certs = Vec::new();
        if let Some(intermediates) = &policy.trust.intermediates {
            for (der, path) in
                policy_certs(intermediates, "trust.intermediates", Expect::Certificates)?
            {
                pool_certs.push(PolicyCert::intermediate(&der, &path)?);
                pool.push(der);
            }
        }
        let rules = policy.allow.iter().flatten().chain(&policy.deny);
        let single_domain_rules = single_spiffe_domain(rules);
        let revocation = policy.revocation.as_ref().map(RevocationRules::from);
        let crl_fetch = policy
            .revocation
            .as_ref()
            .and_then(|r| r.fetch.as_ref())
            .cloned();
        let mut compiled = Compiled {
            trust: Arc::new(TrustStore {
                anchors,
                domains,
                single_domain_rules,
            }),
            endpoints,
            pool: Arc::new(pool),
            pool_certs: Arc::new(pool_certs),
            usage: policy.usage,
            revocation,
            crls: Arc::new(CrlSet::default()),
            ocsp: Arc::new(OcspSet::default()),
            ocsp_fetch: policy
                .revocation
                .as_ref()
                .and_then(|r| r.ocsp.as_ref())
                .is_some_and(|ocsp| ocsp.fetch),
            allow: policy
                .allow
                .map(|rules| RuleList::new(rules, "allow"))
                .transpose()?,
            deny: RuleList::new(policy.deny, "deny")?,
            max_chain_length: policy.max_chain_length.0,
            clock_skew_seconds: u64::from(policy.clock_skew_seconds),
            profile: policy.profile,
            forwarded: policy.forwarded.as_ref().map(ForwardedRules::from),
            mode: policy.mode,
            warn_before_expiry_seconds: policy.warn_before_expiry_seconds,
            crl_fetch,
            decisions: policy
                .cache
                .map(|cache| Arc::new(DecisionCache::new(cache.entries.0))),
            generation,
        };
        // The CRLs' bytes are taken from the policy, so a large one is moved, not copied.
        if let Some(crls) = policy.revocation.as_mut().and_then(|r| r.crls.take()) {
            let mut sources = Vec::with_capacity(crls.0.len());
            for (index, source) in crls.0.into_iter().enumerate() {
                let (path, bytes) = owned_source(source, &format!("revocation.crls[{index}]"))?;
                sources.push((path, Cow::Owned(bytes)));
            }
            compiled.crls = Arc::new(compiled.load_crls(sources)?);
        }
        let ocsp = policy.revocation.as_ref().and_then(|r| r.ocsp.as_ref());
        if let Some(responses) = ocsp.and_then(|ocsp| ocsp.responses.as_ref()) {
            let mut sources = Vec::with_capacity(responses.0.len());
            for (index, source) in responses.0.iter().enumerate() {
                sources.push(inline_source(
                    source,
                    &format!("revocation.ocsp.responses[{index}]"),
                )?);
            }
            compiled.ocsp = Arc::new(OcspSet::load(sources)?);
        }
        Ok(compiled)
    }

    /// The same policy as generation `generation`.
    pub(crate) fn as_generation(&self, generation: u64) -> Compiled {
        Compiled {
            generation,
            ..self.clone()
        }
    }

    /// This policy with `crls` as its CRL set (each PEM — possibly several CRLs —, DER,
    /// or a PKCS#7 bundle), one generation on. Malformed input is an error; a CRL that
    /// cannot be used is left out with a warning. The policy must have a `revocation`
    /// section.
    pub(crate) fn with_crls<C: AsRef<[u8]>>(&self, crls: &[C]) -> Result<Compiled, Rejection> {
        self.revocation_section("crls", "CRLs")?;
        let sources = crls
            .iter()
            .enumerate()
            .map(|(index, crl)| (format!("crls[{index}]"), Cow::Borrowed(crl.as_ref())));
        Ok(Compiled {
            crls: Arc::new(self.load_crls(sources)?),
            generation: self.generation + 1,
            ..self.clone()
        })
    }

    /// This policy with `responses` as its OCSP responses (each DER, or PEM `OCSP
    /// RESPONSE` blocks), one generation on. The policy must have a `revocation` section.
    pub(crate) fn with_ocsp<R: AsRef<[u8]>>(&self, responses: &[R]) -> Result<Compiled, Rejection> {
        self.with_ocsp_from(responses, "responses", |loaded| loaded)
    }

    /// This policy with `responses` added to its OCSP responses (a fetch), those past
    /// their nextUpdate at `now` dropped, one generation on.
    pub(crate) fn with_more_ocsp<R: AsRef<[u8]>>(
        &self,
        responses: &[R],
        now: i64,
    ) -> Result<Compiled, Rejection> {
        self.with_ocsp_from(responses, "fetched", |loaded| self.ocsp.merged(loaded, now))
    }

    /// Loads `responses` (paths `{name}[N]` in messages), and makes the OCSP set of the
    /// next generation from them with `set`.
    fn with_ocsp_from<R: AsRef<[u8]>>(
        &self,
        responses: &[R],
        name: &str,
        set: impl FnOnce(OcspSet) -> OcspSet,
    ) -> Result<Compiled, Rejection> {
        self.revocation_section("responses", "OCSP responses")?;
        let sources = responses
            .iter()
            .enumerate()
            .map(|(index, response)| (format!("{name}[{index}]"), response.as_ref()));
        Ok(Compiled {
            ocsp: Arc::new(set(OcspSet::load(sources)?)),
            generation: self.generation + 1,
            ..self.clone()
        })
    }

    /// The OCSP requests that would answer for `chain` at `now` and that no current
    /// response in force answers yet: for each certificate revocation checks (per
    /// `depth`) that names an http responder in its authorityInfoAccess, with its issuer
    /// found by name among the chain, `trust.intermediates` and the anchors.
    pub(crate) fn ocsp_queries<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        now: i64,
    ) -> Result<Vec<OcspQuery>, Rejection> {
        let Some(rules) = self.revocation else {
            return Ok(Vec::new());
        };
        let ders = decode_chain(chain)?;
        let mut peer = Vec::with_capacity(ders.len());
        for (index, der) in ders.iter().enumerate() {
            peer.push(CertFacts::of(&parse_certificate(der, index)?));
        }
        let anchors: Vec<&CertFacts> = self.trust.all().map(|a| &a.cert.facts).collect();
        let issuers: Vec<&CertFacts> = peer[1..]
            .iter()
            .chain(self.pool_certs.iter().map(|c| &c.facts))
            .chain(anchors.iter().copied())
            .collect();
        let checked = match rules.depth {
            Depth::Leaf => 1,
            Depth::Chain => self.max_chain_length,
        };
        let skew = clamp(self.clock_skew_seconds);
        let mut queries = Vec::new();
        let mut current = &peer[0];
        for _ in 0..checked {
            let Some(issuer) = issuers
                .iter()
                .copied()
                .find(|issuer| issuer.subject == current.issuer && !std::ptr::eq(*issuer, current))
            else {
                break;
            };
            let subject = Subject {
                serial: &current.serial,
                issuer_name: &current.issuer,
                issuer_spki: &issuer.spki,
                issuer_sha1: &issuer.ocsp_sha1,
            };
            let answered = matches!(
                self.ocsp.answer(&subject, now, skew, &|_| false),
                Answer::Good | Answer::Revoked { .. }
            );
            let url = current
                .ocsp_urls
                .iter()
                .find(|url| url.starts_with("http://") || url.starts_with("https://"));
            if let (false, Some(url)) = (answered, url) {
                queries.push(OcspQuery {
                    url: url.clone(),
                    request: ocsp::request(&subject).map_err(|e| {
                        Rejection::new(
                            Code::Internal,
                            format!(
                                "cannot encode the OCSP request for {}: {e}",
                                current.label()
                            ),
                        )
                    })?,
                });
            }
            if anchors.iter().any(|anchor| std::ptr::eq(*anchor, issuer)) {
                break;
            }
            current = issuer;
        }
        Ok(queries)
    }

    /// Refuses an update of `what` (named `path` in the message) when the policy has no
    /// `revocation` section to check it.
    fn revocation_section(&self, path: &str, what: &str) -> Result<(), Rejection> {
        match self.revocation {
            Some(_) => Ok(()),
            None => Err(invalid_policy(format!(
                "{path}: the policy has no \"revocation\" section, so {what} would not be checked"
            ))),
        }
    }

    /// What the policy load and the latest CRL and OCSP updates left out, and why.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut warnings = self.trust.warnings();
        warnings.extend_from_slice(self.crls.warnings());
        warnings.extend_from_slice(self.ocsp.warnings());
        warnings
    }

    /// The certificates (DER) of every trust anchor in force.
    pub(crate) fn anchor_certificates(&self) -> Vec<Vec<u8>> {
        self.trust
            .all()
            .map(|anchor| anchor.cert.der.to_vec())
            .collect()
    }

    /// The certificates (DER) of `trust.intermediates`.
    pub(crate) fn intermediate_certificates(&self) -> Vec<Vec<u8>> {
        self.pool.iter().map(|der| der.to_vec()).collect()
    }

    /// Subjects (DER name contents) of every trust anchor in force.
    pub(crate) fn anchor_subjects(&self) -> Vec<Vec<u8>> {
        self.trust
            .all()
            .map(|anchor| anchor.view().subject.as_ref().to_vec())
            .collect()
    }

    /// Every certificate (anchors, pooled intermediates) whose CRL the set may hold:
    /// the CRL distribution points of these are where `from_distribution_points` fetches.
    pub(crate) fn policy_cert_facts(&self) -> impl Iterator<Item = &CertFacts> {
        self.trust
            .all()
            .map(|anchor| &anchor.cert.facts)
            .chain(self.pool_certs.iter().map(|c| &c.facts))
    }

    /// This policy with the authorities of one trust domain of `trust.spiffe_bundles`
    /// replaced by `bundle` (SPIFFE bundle JSON, or any form anchors take), one
    /// generation on. A bundle whose `spiffe_sequence` is lower than the one in force is
    /// refused, as is anything that does not parse.
    pub(crate) fn with_spiffe_bundle(
        &self,
        trust_domain: &str,
        bundle: &[u8],
    ) -> Result<(Compiled, BundleUpdate), Rejection> {
        let path = format!("trust.spiffe_bundles.{trust_domain}");
        source_within_limit(&path, bundle)?;
        let decoded =
            decode(bundle, Expect::Anchors).map_err(|e| invalid_policy(format!("{path}: {e}")))?;
        items_within_limit(&path, decoded.ders.len(), "certificates")?;
        let meta = decoded.bundle.unwrap_or_default();
        let mut anchors = Vec::with_capacity(decoded.ders.len());
        for der in &decoded.ders {
            anchors.push(Arc::new(Anchor::new(
                &CertificateDer::from(der.as_ref()),
                &path,
            )?));
        }
        let Some(domains) = &self.trust.domains else {
            return Err(invalid_policy(format!(
                "{path}: the policy has no trust.spiffe_bundles"
            )));
        };
        let Some(in_force) = domains.get(trust_domain) else {
            return Err(invalid_policy(format!(
                "{path}: the policy names no such trust domain"
            )));
        };
        if let (Some(old), Some(new)) = (in_force.sequence, meta.sequence) {
            if new < old {
                return Err(invalid_policy(format!(
                    "{path}: spiffe_sequence {new} is older than the bundle in force ({old})"
                )));
            }
        }
        let update = BundleUpdate {
            authorities: anchors.len(),
            refresh_hint: meta.refresh_hint,
            sequence: meta.sequence,
        };
        let mut trust = TrustStore::clone(&self.trust);
        if let Some(domains) = trust.domains.as_mut() {
            domains.insert(
                trust_domain.to_owned(),
                DomainBundle {
                    anchors,
                    sequence: meta.sequence,
                    awaiting_endpoint: false,
                },
            );
        }
        let compiled = Compiled {
            trust: Arc::new(trust),
            generation: self.generation + 1,
            ..self.clone()
        };
        Ok((compiled, update))
    }

    fn load_crls<'s>(
        &self,
        sources: impl IntoIterator<Item = (String, Cow<'s, [u8]>)>,
    ) -> Result<CrlSet, Rejection> {
        let known: Vec<&CertFacts> = self.policy_cert_facts().collect();
        CrlSet::load(sources, &known)
    }

    /// Decides whether `chain` (leaf first, then any intermediates the peer sent; each
    /// item DER or PEM, a PEM item may hold several certificates) may in at unix time
    /// `at` (default: now), and returns the peer's Identity. In audit mode a chain that
    /// decodes is admitted whatever the decision, with the refusal in `audit`.
    pub(crate) fn verify<C: AsRef<[u8]>>(
        &self,
        chain: &[C],
        now: u64,
        signatures: &SignatureCache,
    ) -> Result<Identity, Rejection> {
        let ders = decode_chain(chain)?;
        let parsed = ders
            .iter()
            .enumerate()
            .map(|(index, der)| parse_certificate(der, index))
            .collect::<Result<Vec<_>, _>>()?;
        let mut identity = Identity::of(&parsed[0], &ders[0]).map_err(|r| {
            Rejection::at_cert(r.code(), 0, format!("certificate #0: {}", r.message()))
        })?;
        let verification = match self.judge(&ders, &parsed, &mut identity, now, signatures) {
            Ok(verification) => verification,
            Err(rejection) if self.mode == Mode::Audit => Verification {
                chain_fingerprints: Vec::new(),
                matched_rule: None,
                forwarded: None,
                // An unknown status an OCSP fetch could settle.
                ocsp_unanswered: rejection.code() == Code::RevocationUnknown,
                audit: Some(rejection.into()),
                warnings: Vec::new(),
                generation: self.generation,
                validity: None,
            },
            Err(rejection) => return Err(rejection),
        };
        identity.verification = Some(verification);
        Ok(identity)
    }

    /// The decision on a decoded chain: path, revocation, deny, allow; then the expiry
    /// warnings of the admitted path.
    fn judge(
        &self,
        ders: &[CertificateDer<'_>],
        parsed: &[X509Certificate<'_>],
        identity: &mut Identity,
        now: u64,
        signatures: &SignatureCache,
    ) -> Result<Verification, Rejection> {
        let claimed = spiffe::claimed_trust_domains(&identity.san.uri);
        let anchors = self.trust.candidates(&claimed).map_err(|why| {
            Rejection::new(
                Code::UnknownIssuer,
                format!(
                    "no path from certificate #0 ({}) to a trust anchor: {why}",
                    identity.subject
                ),
            )
        })?;
        let (members, checked) =
            self.validate_path(ders, parsed, identity, &anchors, now, signatures)?;
        if identity.spiffe_id.is_some() {
            if let Some(violation) = self.svid_signer_violation(&members, parsed, &anchors) {
                identity.spiffe_id = None;
                identity.svid_violation = Some(violation);
            }
        }
        let chain_fingerprints = members
            .iter()
            .map(|origin| match *origin {
                // The leaf's is the identity's own fingerprint, already computed.
                Origin::Peer(0) => identity.fingerprint_sha256.clone(),
                Origin::Peer(index) => sha256_hex(&ders[index]),
                Origin::Pool(index) => self.pool_certs[index].fingerprint.clone(),
                Origin::Anchor(index) => anchors[index].cert.fingerprint.clone(),
            })
            .collect();
        let peer = || format!("certificate #0 ({})", identity.subject);
        if let Some(index) = self.deny.first_match(identity) {
            return Err(Rejection::at_cert(
                Code::NotAuthorized,
                0,
                format!("{} is refused by deny[{index}]", peer()),
            ));
        }
        let matched_rule = match &self.allow {
            None => None,
            Some(rules) => match rules.first_match(identity) {
                Some(index) => Some(index),
                None => {
                    return Err(Rejection::at_cert(
                        Code::NotAuthorized,
                        0,
                        format!(
                            "{} matches no allow rule (SAN dns={:?} uri={:?} email={:?} ip={:?}){}",
                            peer(),
                            identity.san.dns,
                            identity.san.uri,
                            identity.san.email,
                            identity.san.ip,
                            identity
                                .svid_violation
                                .as_ref()
                                .map(|why| format!("; it has no SPIFFE identity: {why}"))
                                .unwrap_or_default()
                        ),
                    ))
                }
            },
        };
        // The same path decides the same while every certificate of it is valid and no
        // CRL turns stale (or current again, for an earlier `at`).
        let validity_of = |origin: Origin| match origin {
            Origin::Peer(index) => {
                let validity = parsed[index].validity();
                (
                    validity.not_before.timestamp(),
                    validity.not_after.timestamp(),
                )
            }
            Origin::Pool(index) => {
                let facts = &self.pool_certs[index].path_facts;
                (facts.not_before, facts.not_after)
            }
            Origin::Anchor(index) => {
                let facts = &anchors[index].cert.path_facts;
                (facts.not_before, facts.not_after)
            }
        };
        let spans: Vec<(i64, i64)> = members.iter().map(|&origin| validity_of(origin)).collect();
        let (crls_from, crls_until) = self.crls.steady_around(clamp(now));
        let skew = clamp(self.clock_skew_seconds);
        let (ocsp_from, ocsp_until) = self.ocsp.steady_around(clamp(now), skew);
        let validity = Validity {
            from: spans
                .iter()
                .map(|span| span.0)
                .fold(crls_from.max(ocsp_from), i64::max),
            until: spans
                .iter()
                .map(|span| span.1)
                .fold(crls_until.min(ocsp_until), i64::min),
            not_after: spans.iter().map(|span| span.1).collect(),
            consulted: checked.consulted,
        };
        Ok(Verification {
            chain_fingerprints,
            matched_rule,
            forwarded: None,
            audit: None,
            warnings: self.expiry_warnings(&validity, clamp(now)),
            generation: self.generation,
            validity: Some(validity),
            ocsp_unanswered: checked.ocsp_unanswered,
        })
    }

    /// What on an admitted path runs out within `warn_before_expiry_seconds` of `now`:
    /// certificates by notAfter, then the CRLs the decision used by nextUpdate.
    pub(crate) fn expiry_warnings(&self, validity: &Validity, now: i64) -> Vec<ExpiryWarning> {
        let Some(window) = self.warn_before_expiry_seconds else {
            return Vec::new();
        };
        let window = i64::try_from(window).unwrap_or(i64::MAX);
        let soon = |deadline: i64| {
            let left = deadline.saturating_sub(now);
            (left <= window).then_some(left)
        };
        let certificates =
            validity
                .not_after
                .iter()
                .enumerate()
                .filter_map(|(position, &not_after)| {
                    soon(not_after).map(|seconds_left| ExpiryWarning {
                        code: match position {
                            0 => ExpiryWarningCode::LeafExpiresSoon,
                            _ => ExpiryWarningCode::ChainExpiresSoon,
                        },
                        cert_index: position,
                        seconds_left,
                    })
                });
        let crls = validity.consulted.iter().filter_map(|crl| {
            soon(crl.next_update?).map(|seconds_left| ExpiryWarning {
                code: ExpiryWarningCode::CrlStaleSoon,
                cert_index: crl.position,
                seconds_left,
            })
        });
        certificates.chain(crls).collect()
    }

    /// Decides on a client certificate that a TLS-terminating proxy forwarded in an HTTP
    /// header ([`crate::Verifier::verify_forwarded`]).
    pub(crate) fn verify_forwarded<N: AsRef<str>, V: AsRef<[u8]>>(
        &self,
        headers: &[(N, V)],
        peer: &str,
        now: u64,
        signatures: &SignatureCache,
    ) -> Result<Identity, Rejection> {
        let rules = self.forwarded.as_ref().ok_or_else(|| {
            invalid_policy(
                "the policy has no \"forwarded\" section, so certgate reads no forwarded \
                 certificate (docs/forwarded.md)",
            )
        })?;
        let received = rules.receive(headers, peer)?;
        let mut identity = self.verify(&received.ders, now, signatures)?;
        if let Some(verification) = identity.verification.as_mut() {
            verification.forwarded = Some(received.forwarded);
        }
        Ok(identity)
    }

    /// Why a certificate above an SVID leaf on its path may not sign SVIDs (X509-SVID
    /// §4.1, §4.3), if one may not: the leaf then has no SPIFFE identity.
    fn svid_signer_violation(
        &self,
        members: &[Origin],
        parsed: &[X509Certificate<'_>],
        anchors: &[&Anchor],
    ) -> Option<String> {
        members.iter().skip(1).find_map(|origin| {
            let peer_facts;
            let (facts, position) = match *origin {
                Origin::Peer(index) => {
                    peer_facts = CertFacts::of(&parsed[index]);
                    (&peer_facts, format!("#{index}"))
                }
                Origin::Pool(index) => (&self.pool_certs[index].facts, "from the pool".to_owned()),
                Origin::Anchor(index) => {
                    (&anchors[index].cert.facts, "(the trust anchor)".to_owned())
                }
            };
            spiffe::signing_violation(facts.is_ca, facts.may_sign_certificates).map(|why| {
                format!(
                    "its issuing certificate {position} ({}) may not sign X509-SVIDs: {why}",
                    facts.label()
                )
            })
        })
    }

    /// Builds and checks a path (webpki) to one of `anchors`, then revocation and length
    /// on that path. Returns where each certificate of the path came from, leaf first,
    /// and the CRLs the revocation check used.
    fn validate_path(
        &self,
        ders: &[CertificateDer<'_>],
        parsed: &[X509Certificate<'_>],
        identity: &Identity,
        anchors: &[&Anchor],
        now: u64,
        signatures: &SignatureCache,
    ) -> Result<(Vec<Origin>, Checked), Rejection> {
        let trust_anchors: Vec<TrustAnchor<'_>> = anchors.iter().map(|a| a.view()).collect();
        let remembering = signatures.algorithms(SIGNATURE_ALGORITHMS);
        let algorithms: Vec<&dyn SignatureVerificationAlgorithm> = remembering
            .iter()
            .map(|algorithm| algorithm as &dyn SignatureVerificationAlgorithm)
            .collect();
        let leaf = EndEntityCert::try_from(&ders[0])
            .map_err(|e| self.explain(&e, parsed, identity, anchors, now))?;
        // Candidates: what the peer sent first, then the policy's pool; borrowed, not copied.
        let mut intermediates: Vec<CertificateDer<'_>> =
            Vec::with_capacity(ders.len() + self.pool.len());
        let mut origins = Vec::with_capacity(ders.len() + self.pool.len());
        for (index, der) in ders.iter().enumerate().skip(1) {
            intermediates.push(CertificateDer::from(der.as_ref()));
            origins.push(Origin::Peer(index));
        }
        for (index, der) in self.pool.iter().enumerate() {
            intermediates.push(CertificateDer::from(der.as_ref()));
            origins.push(Origin::Pool(index));
        }
        let peer_facts: Vec<CertFacts> = match self.revocation {
            Some(_) => parsed.iter().map(CertFacts::of).collect(),
            None => Vec::new(),
        };
        let peer_path: Vec<PathFacts> = parsed
            .iter()
            .enumerate()
            .map(|(index, cert)| {
                let role = if index == 0 {
                    Role::Leaf
                } else {
                    Role::Intermediate
                };
                let constraints = name_constraints_value(cert).map(OwnConstraints::of_extension);
                PathFacts::of(
                    cert,
                    role,
                    Reading::Peer(self.usage, self.profile),
                    constraints,
                )
            })
            .collect();
        let (crls, ocsp) = (&self.crls, &self.ocsp);
        let checked: RefCell<Checked> = RefCell::new(Checked::default());
        // The first candidate path's refusal is kept: webpki tries the certificates the
        // peer sent first, and a later detour (through a copy of the anchor the peer also
        // sent, say) would only hide the reason.
        let refused: RefCell<Option<Rejection>> = RefCell::new(None);
        let refuse = |rejection: Rejection| {
            refused.borrow_mut().get_or_insert(rejection);
        };
        let check_path = |path: &VerifiedPath<'_>| -> Result<(), webpki::Error> {
            let members = match path_origins(path, &trust_anchors, &intermediates, &origins) {
                Ok(members) => members,
                Err(rejection) => {
                    refuse(rejection);
                    return Err(webpki::Error::UnknownIssuer);
                }
            };
            if members.len() > self.max_chain_length {
                refuse(Rejection::new(
                    Code::CaConstraintViolation,
                    format!(
                        "the path from certificate #0 ({}) to a trust anchor has {} certificates; \
                         max_chain_length is {}",
                        identity.subject,
                        members.len(),
                        self.max_chain_length
                    ),
                ));
                return Err(webpki::Error::MaximumPathDepthExceeded);
            }
            if let Err(rejection) =
                self.check_conformance(&members, &peer_path, parsed, anchors, now)
            {
                refuse(rejection);
                return Err(webpki::Error::UnknownIssuer);
            }
            if let Some(rules) = self.revocation {
                let path_members: Vec<PathMember<'_>> = members
                    .iter()
                    .map(|origin| match *origin {
                        Origin::Peer(index) => PathMember {
                            facts: &peer_facts[index],
                            input_index: Some(index),
                        },
                        Origin::Pool(index) => PathMember {
                            facts: &self.pool_certs[index].facts,
                            input_index: None,
                        },
                        Origin::Anchor(index) => PathMember {
                            facts: &anchors[index].cert.facts,
                            input_index: None,
                        },
                    })
                    .collect();
                let skew = clamp(self.clock_skew_seconds);
                match crls.check(ocsp, &path_members, rules, clamp(now), skew) {
                    Ok(used) => *checked.borrow_mut() = used,
                    Err(rejection) => {
                        refuse(rejection);
                        return Err(webpki::Error::CertRevoked);
                    }
                }
            }
            Ok(())
        };
        let build = |time: u64| {
            *refused.borrow_mut() = None;
            let usage = UsageValidator(self.usage);
            leaf.verify_for_usage(
                &algorithms,
                &trust_anchors,
                &intermediates,
                UnixTime::since_unix_epoch(std::time::Duration::from_secs(time)),
                usage,
                None,
                Some(&check_path),
            )
        };
        let mut result = build(now);
        // Clock skew widens certificate validity only: retry at the shifted time.
        if self.clock_skew_seconds > 0 {
            result = match result {
                Err(webpki::Error::CertExpired { .. }) => {
                    build(now.saturating_sub(self.clock_skew_seconds))
                }
                Err(webpki::Error::CertNotValidYet { .. }) => {
                    build(now.saturating_add(self.clock_skew_seconds))
                }
                other => other,
            };
        }
        match result {
            Ok(path) => Ok((
                path_origins(&path, &trust_anchors, &intermediates, &origins)?,
                checked.into_inner(),
            )),
            Err(error) => Err(match refused.into_inner() {
                Some(rejection) => rejection,
                None => self.explain(&error, parsed, identity, anchors, now),
            }),
        }
    }

    /// The profile rules and the name constraints certgate evaluates itself, on a path
    /// webpki built (leaf first): the first certificate that breaks one refuses the path.
    fn check_conformance(
        &self,
        members: &[Origin],
        peer: &[PathFacts],
        parsed: &[X509Certificate<'_>],
        anchors: &[&Anchor],
        now: u64,
    ) -> Result<(), Rejection> {
        let facts = |origin: Origin| match origin {
            Origin::Peer(index) => &peer[index],
            Origin::Pool(index) => &self.pool_certs[index].path_facts,
            Origin::Anchor(index) => &anchors[index].cert.path_facts,
        };
        let label = |origin: Origin| match origin {
            Origin::Peer(index) => {
                format!(
                    "certificate #{index} ({})",
                    rfc4514(parsed[index].subject())
                )
            }
            Origin::Pool(index) => format!(
                "the pooled intermediate {} (trust.intermediates)",
                self.pool_certs[index].facts.label()
            ),
            Origin::Anchor(index) => {
                format!("the trust anchor {}", anchors[index].cert.facts.label())
            }
        };
        let refuse = |origin: Origin, code: Code, why: String| match origin {
            Origin::Peer(index) => {
                Rejection::at_cert(code, index, format!("{} {why}", label(origin)))
            }
            _ => Rejection::new(
                code,
                format!("{} on the path of certificate #0 {why}", label(origin)),
            ),
        };
        let strict = self.profile == Profile::Strict;
        const RELAX: &str = "; \"profile\": \"webpki\" does not apply this rule";
        for &origin in members {
            if let Some((breach, strict_only)) = facts(origin).conformance.breach(self.profile) {
                let relax = if strict_only { RELAX } else { "" };
                return Err(refuse(
                    origin,
                    breach.code,
                    format!("is refused: {}{relax}", breach.rule),
                ));
            }
        }
        let (Some(&anchor), Some(below)) = (members.last(), members.len().checked_sub(1)) else {
            return Ok(());
        };
        if strict {
            let anchor_facts = facts(anchor);
            let skew = i64::try_from(self.clock_skew_seconds).unwrap_or(i64::MAX);
            let now = clamp(now);
            if anchor_facts.not_after.saturating_add(skew) < now {
                return Err(refuse(
                    anchor,
                    Code::Expired,
                    format!(
                        "expired at {} (verification time {}){RELAX}",
                        format_time(anchor_facts.not_after),
                        format_time(now)
                    ),
                ));
            }
            if anchor_facts.not_before.saturating_sub(skew) > now {
                return Err(refuse(
                    anchor,
                    Code::NotYetValid,
                    format!(
                        "is not valid before {} (verification time {}){RELAX}",
                        format_time(anchor_facts.not_before),
                        format_time(now)
                    ),
                ));
            }
            if let Some(limit) = anchor_facts.path_len {
                // RFC 5280 §4.2.1.9: self-issued intermediates do not count.
                let counted = members[1..below]
                    .iter()
                    .filter(|origin| !facts(**origin).self_issued)
                    .count();
                if counted > usize::try_from(limit).unwrap_or(usize::MAX) {
                    return Err(refuse(
                        anchor,
                        Code::CaConstraintViolation,
                        format!(
                            "allows {limit} intermediate(s) below it (pathLenConstraint), and the \
                         path has {counted}{RELAX}"
                        ),
                    ));
                }
            }
        }
        for (position, &ca) in members.iter().enumerate().skip(1) {
            let constraints = &facts(ca).constraints;
            if constraints.is_empty() {
                continue;
            }
            for (below_position, &subject) in members[..position].iter().enumerate() {
                // RFC 5280 §6.1.3 (b): not applied to self-issued intermediates.
                if below_position > 0 && facts(subject).self_issued {
                    continue;
                }
                let peer_names;
                let names = match subject {
                    Origin::Peer(index) => {
                        peer_names = Names::of(&parsed[index]);
                        &peer_names
                    }
                    _ => &facts(subject).names,
                };
                if let Some(why) = constraints.violation(names) {
                    return Err(refuse(
                        subject,
                        Code::NameConstraintViolation,
                        format!("is outside the name constraints of {}: {why}", label(ca)),
                    ));
                }
            }
        }
        Ok(())
    }

    /// When webpki refused a path for a rule it cannot apply (a critical extension it
    /// does not process, a key too weak for ring, a name-constraint form it does not
    /// evaluate below an intermediate), the rejection that says so.
    fn explain_webpki_limit(
        &self,
        error: &webpki::Error,
        parsed: &[X509Certificate<'_>],
        anchors: &[&Anchor],
    ) -> Option<Rejection> {
        use webpki::Error as E;
        let label = |index: usize| {
            format!(
                "certificate #{index} ({})",
                rfc4514(parsed[index].subject())
            )
        };
        let parsed_pool = || {
            self.pool_certs.iter().filter_map(|cert| {
                parse_certificate(&cert.der, 0)
                    .ok()
                    .map(|parsed| (cert, parsed))
            })
        };
        #[allow(deprecated)] // the unit variants are still what some paths return
        match error {
            E::UnsupportedCriticalExtension => {
                if let Some((index, breach)) =
                    parsed.iter().enumerate().find_map(|(index, cert)| {
                        critical_extension_webpki_refuses(cert).map(|breach| (index, breach))
                    })
                {
                    return Some(Rejection::at_cert(
                        breach.code,
                        index,
                        format!("{} {}", label(index), breach.rule),
                    ));
                }
                parsed_pool().find_map(|(cert, parsed)| {
                    critical_extension_webpki_refuses(&parsed).map(|breach| {
                        Rejection::new(
                            breach.code,
                            format!(
                                "the pooled intermediate {} {}",
                                cert.facts.label(),
                                breach.rule
                            ),
                        )
                    })
                })
            }
            E::InvalidSignatureForPublicKey
            | E::UnsupportedSignatureAlgorithmForPublicKey
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
                let issuers: Vec<&[u8]> =
                    parsed.iter().map(|cert| cert.issuer().as_raw()).collect();
                if let Some((index, rule)) = parsed
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find_map(|(index, cert)| key_rule(cert).map(|rule| (index, rule)))
                {
                    return Some(Rejection::at_cert(
                        Code::UnsupportedAlgorithm,
                        index,
                        format!(
                            "{} cannot vouch for the certificates below it: {rule}",
                            label(index)
                        ),
                    ));
                }
                let candidates = anchors
                    .iter()
                    .map(|anchor| &anchor.cert)
                    .chain(self.pool_certs.iter())
                    .filter(|cert| issuers.contains(&cert.facts.subject.as_slice()));
                candidates.into_iter().find_map(|cert| {
                    let parsed = parse_certificate(&cert.der, 0).ok()?;
                    key_rule(&parsed).map(|rule| {
                        Rejection::new(
                            Code::UnsupportedAlgorithm,
                            format!(
                                "{} of the policy cannot vouch for the certificates below it: {rule}",
                                cert.facts.label()
                            ),
                        )
                    })
                })
            }
            E::NameConstraintViolation => {
                let why = "constrains rfc822Name, directoryName or URI names, which certgate's \
                           path builder (rustls-webpki) does not evaluate below an intermediate: \
                           it refuses every name of such a form (every subject, for \
                           directoryName). certgate evaluates these forms itself for a trust \
                           anchor: to use this CA, list it in trust.anchors";
                if let Some(index) = (1..parsed.len()).find(|index| {
                    name_constraints_value(&parsed[*index])
                        .and_then(|value| OwnConstraints::of_extension(value).ok())
                        .is_some_and(|constraints| !constraints.is_empty())
                }) {
                    return Some(Rejection::at_cert(
                        Code::NameConstraintViolation,
                        index,
                        format!("{} {why}", label(index)),
                    ));
                }
                self.pool_certs
                    .iter()
                    .find(|cert| !cert.path_facts.constraints.is_empty())
                    .map(|cert| {
                        Rejection::new(
                            Code::NameConstraintViolation,
                            format!("the pooled intermediate {} {why}", cert.facts.label()),
                        )
                    })
            }
            _ => None,
        }
    }

    /// When a certificate's issuer name equals a candidate issuer's subject only after
    /// RFC 5280 §7.1 normalisation (letter case, string type, white space), a sentence
    /// saying so: webpki compares names byte for byte.
    fn normalised_issuer_hint(
        &self,
        parsed: &[X509Certificate<'_>],
        anchors: &[&Anchor],
    ) -> Option<String> {
        use x509_parser::prelude::{FromDer, X509Name};
        let subjects: Vec<(String, Vec<u8>)> = parsed
            .iter()
            .map(|cert| (rfc4514(cert.subject()), cert.subject().as_raw().to_vec()))
            .chain(
                anchors
                    .iter()
                    .map(|anchor| &anchor.cert)
                    .chain(self.pool_certs.iter())
                    .map(|cert| (cert.facts.label().to_owned(), cert.facts.subject.clone())),
            )
            .collect();
        parsed.iter().enumerate().find_map(|(index, cert)| {
            let issuer = cert.issuer();
            if subjects
                .iter()
                .any(|(_, raw)| raw.as_slice() == issuer.as_raw())
            {
                return None;
            }
            let wanted = normalised_rdns(issuer);
            subjects.iter().find_map(|(label, raw)| {
                let (_, name) = X509Name::from_der(raw).ok()?;
                (normalised_rdns(&name) == wanted).then(|| {
                    format!(
                        "; certificate #{index}'s issuer name matches the subject of {label} only \
                         after normalisation (letter case, string type or white space differ), \
                         and certgate's path builder (rustls-webpki) compares names byte for \
                         byte, as most verifiers do: reissue one of them with the same encoding"
                    )
                })
            })
        })
    }

    /// A rejection for a webpki error, naming the certificate where it can be told.
    fn explain(
        &self,
        error: &webpki::Error,
        parsed: &[X509Certificate<'_>],
        identity: &Identity,
        anchors: &[&Anchor],
        now: u64,
    ) -> Rejection {
        if let Some(rejection) = self.explain_webpki_limit(error, parsed, anchors) {
            return rejection;
        }
        let code = code_for(error);
        let label = |index: usize| {
            format!(
                "certificate #{index} ({})",
                rfc4514(parsed[index].subject())
            )
        };
        let skew = self.clock_skew_seconds as i64;
        let now = clamp(now);
        match code {
            Code::Expired | Code::NotYetValid => {
                let expired = code == Code::Expired;
                let culprit = parsed.iter().position(|cert| {
                    let validity = cert.validity();
                    if expired {
                        validity.not_after.timestamp() + skew < now
                    } else {
                        validity.not_before.timestamp() - skew > now
                    }
                });
                let at = format_time(now);
                match culprit {
                    Some(index) => {
                        let validity = parsed[index].validity();
                        let reason = if expired {
                            format!("expired at {}", format_time(validity.not_after.timestamp()))
                        } else {
                            format!("is not valid before {}", format_time(validity.not_before.timestamp()))
                        };
                        Rejection::at_cert(code, index, format!("{} {reason} (verification time {at})", label(index)))
                    }
                    None => Rejection::new(
                        code,
                        format!("a certificate from the policy on the path of {} is outside its validity at {at}", label(0)),
                    ),
                }
            }
            Code::InvalidUsage => {
                let wanted = match (self.usage.client, self.usage.server) {
                    (true, true) => "clientAuth or serverAuth",
                    (true, false) => "clientAuth",
                    _ => "serverAuth",
                };
                Rejection::at_cert(
                    code,
                    0,
                    format!(
                        "{} does not allow {wanted} (its extended key usage: {:?})",
                        label(0),
                        identity.extended_key_usage
                    ),
                )
            }
            Code::UnknownIssuer => {
                let (to, among) = match spiffe::claimed_trust_domains(&identity.san.uri)
                    .into_iter()
                    .next()
                {
                    Some(domain) => (
                        format!("an authority of its trust domain {domain}"),
                        format!("not an authority of {domain}"),
                    ),
                    None => ("a trust anchor".to_owned(), "not an anchor".to_owned()),
                };
                Rejection::new(
                    code,
                    format!(
                        "no path from {} to {to}: its issuer {} is {among}, and no \
                         intermediate sent or pooled links it to one{}",
                        label(0),
                        identity.issuer,
                        self.normalised_issuer_hint(parsed, anchors)
                            .unwrap_or_default()
                    ),
                )
            }
            Code::CaConstraintViolation if matches!(error, webpki::Error::CaUsedAsEndEntity) => {
                Rejection::at_cert(
                    code,
                    0,
                    format!("{} is a CA certificate used as a leaf", label(0)),
                )
            }
            _ => Rejection::new(code, format!("path from {} rejected: {error:?}", label(0))),
        }
    }
}

/// Where each certificate of `path` came from, leaf first, anchor last. webpki only
/// returns certificates it was given, so every lookup succeeds; should one ever
/// fail, the path is refused as `INTERNAL`, never attributed to a default.
fn path_origins(
    path: &VerifiedPath<'_>,
    anchors: &[TrustAnchor<'_>],
    intermediates: &[CertificateDer<'_>],
    origins: &[Origin],
) -> Result<Vec<Origin>, Rejection> {
    let lost = |what: &str| {
        Rejection::new(
            Code::Internal,
            format!("internal error in certgate (please report it): {what} of the built path is not among its inputs"),
        )
    };
    let mut members = vec![Origin::Peer(0)];
    for cert in path.intermediate_certificates() {
        // Compare bytes, not pointers: when the peer sent a copy of a pooled
        // intermediate, the peer's copy (listed first) gives the cert_index.
        let der = cert.der();
        let position = intermediates
            .iter()
            .position(|candidate| candidate.as_ref() == der.as_ref())
            .ok_or_else(|| lost("an intermediate"))?;
        members.push(origins[position]);
    }
    let anchor = anchors
        .iter()
        .position(|anchor| std::ptr::eq(anchor, path.anchor()))
        .ok_or_else(|| lost("the trust anchor"))?;
    members.push(Origin::Anchor(anchor));
    Ok(members)
}

/// Every certificate of a policy source list, with its path for messages.
fn policy_certs(
    sources: &Sources,
    path: &str,
    expect: Expect,
) -> Result<Vec<(CertificateDer<'static>, String)>, Rejection> {
    let mut certs = Vec::new();
    for (index, source) in sources.0.iter().enumerate() {
        let (item_path, bytes) = inline_source(source, &format!("{path}[{index}]"))?;
        let decoded =
            decode(bytes, expect).map_err(|e| invalid_policy(format!("{item_path}: {e}")))?;
        items_within_limit(path, certs.len() + decoded.ders.len(), "certificates")?;
        certs.extend(
            decoded
                .ders
                .into_iter()
                .map(|der| (CertificateDer::from(der.into_owned()), item_path.clone())),
        );
    }
    Ok(certs)
}

/// The trust anchors of a source list, and the `spiffe_sequence` of a SPIFFE bundle
/// among them.
fn anchors_of(sources: &Sources, path: &str) -> Result<(Vec<Arc<Anchor>>, Option<u64>), Rejection> {
    let mut anchors = Vec::new();
    let mut sequence = None;
    for (index, source) in sources.0.iter().enumerate() {
        let (item_path, bytes) = inline_source(source, &format!("{path}[{index}]"))?;
        let decoded = decode(bytes, Expect::Anchors)
            .map_err(|e| invalid_policy(format!("{item_path}: {e}")))?;
        items_within_limit(path, anchors.len() + decoded.ders.len(), "certificates")?;
        sequence = sequence.or(decoded.bundle.and_then(|meta| meta.sequence));
        for der in &decoded.ders {
            anchors.push(Arc::new(Anchor::new(
                &CertificateDer::from(der.as_ref()),
                &item_path,
            )?));
        }
    }
    Ok((anchors, sequence))
}

/// Whether the SPIFFE rules of a policy name at most one trust domain, and none by a
/// wildcard: then an anchor that names no trust domain can only mean that one.
fn single_spiffe_domain<'r>(rules: impl Iterator<Item = &'r Rule>) -> bool {
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for domain in rules.flat_map(Rule::spiffe_domains) {
        match domain {
            Some(domain) => {
                named.insert(domain);
            }
            None => return false,
        }
    }
    named.len() <= 1
}

/// The bytes of a source and its path for messages (naming the file it was read
/// from); a file reference that was never read is refused.
fn inline_source<'s>(source: &'s Source, path: &str) -> Result<(String, &'s [u8]), Rejection> {
    match source {
        Source::Inline { bytes, origin } => {
            let path = origin.clone().unwrap_or_else(|| path.to_owned());
            source_within_limit(&path, bytes)?;
            Ok((path, bytes))
        }
        Source::File(file) | Source::Dir(file) => Err(invalid_policy(format!(
            "{path}: {file:?} is a file reference, which only a policy loaded from a file \
             resolves (Verifier::from_file, `certgate verify --policy`, fromFile / from_file)"
        ))),
        Source::Attached(index) => Err(unattached(path, *index)),
    }
}

/// [`inline_source`] for a source the caller gives up: its bytes, moved.
fn owned_source(source: Source, path: &str) -> Result<(String, Vec<u8>), Rejection> {
    let (path, _) = inline_source(&source, path)?;
    match source {
        Source::Inline { bytes, .. } => Ok((path, bytes)),
        _ => Err(Rejection::new(
            Code::Internal,
            format!("{path}: a source that inline_source accepted is not inline"),
        )),
    }
}

/// The verification time: `at`, or now. Every host converts `at` into this range; C's
/// int64 saturates here (any time beyond it is equally far past every certificate).
pub(crate) fn verification_time(at: Option<u64>) -> u64 {
    at.unwrap_or_else(|| UnixTime::now().as_secs())
        .min(MAX_UNIX_SECONDS)
}

pub(crate) fn clamp(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}
