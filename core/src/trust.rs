//! Trust anchors, and which of them may vouch for a given leaf.
//!
//! In SPIFFE the trust domain of a leaf's SPIFFE ID decides which authorities may
//! vouch for it (SPIFFE Trust Domain and Bundle §3, Federation §7.3): pooling every
//! domain's CAs would let any federated CA impersonate every workload of every other
//! domain. So a leaf that claims a trust domain is validated against that domain's
//! authorities only:
//! - with `trust.spiffe_bundles`, the bundle of that domain, and nothing else;
//! - with plain `trust.anchors`, the anchors bound to that domain by their own SPIFFE
//!   ID (as SPIRE's CAs carry `spiffe://<domain>`), plus the anchors that name no
//!   domain, but only while the policy's SPIFFE rules name a single trust domain.
//!
//! A leaf that claims no trust domain is validated against `trust.anchors`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustls_pki_types::{Der, TrustAnchor};

use crate::constraints::{Names, OwnConstraints};
use crate::error::{invalid_policy, Code, Rejection, Warning};
use crate::policy::{Profile, Usage};
use crate::profile::{is_self_issued, path_len_constraint, Breach, Conformance, Role};
use crate::revocation::CertFacts;
use crate::x509::{parse_certificate, sha256_hex};

/// A certificate from the policy (anchor or pooled intermediate), pre-digested.
#[derive(Debug)]
pub(crate) struct PolicyCert {
    pub(crate) der: rustls_pki_types::CertificateDer<'static>,
    pub(crate) facts: CertFacts,
    pub(crate) fingerprint: String,
    pub(crate) path_facts: PathFacts,
}

/// What the profile and name-constraint checks of a path read of one certificate.
#[derive(Debug, Default)]
pub(crate) struct PathFacts {
    pub(crate) conformance: Conformance,
    /// The name constraints certgate evaluates for the certificates below it.
    pub(crate) constraints: OwnConstraints,
    pub(crate) names: Names,
    pub(crate) self_issued: bool,
    pub(crate) path_len: Option<u32>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
}

impl PathFacts {
    /// Reads `cert` in `role`; `constraints` are the subtrees certgate evaluates (an
    /// anchor's are split off before webpki sees them, an intermediate's read here).
    pub(crate) fn of(
        cert: &x509_parser::prelude::X509Certificate<'_>,
        role: Role,
        reading: Reading,
        constraints: Option<Result<OwnConstraints, String>>,
    ) -> PathFacts {
        let (usage, strict, with_names) = match reading {
            Reading::Policy => (Usage::default(), true, true),
            Reading::Peer(usage, profile) => (usage, profile == Profile::Strict, false),
        };
        let mut conformance = Conformance::of(cert, role, usage, strict);
        let constraints = match constraints {
            Some(Ok(constraints)) => constraints,
            Some(Err(why)) => {
                conformance.add_strict(Breach {
                    code: Code::NameConstraintViolation,
                    rule: format!("its {why} (RFC 5280 §4.2.1.10)"),
                });
                OwnConstraints::default()
            }
            None => OwnConstraints::default(),
        };
        let validity = cert.validity();
        PathFacts {
            conformance,
            constraints,
            names: if with_names {
                Names::of(cert)
            } else {
                Names::default()
            },
            self_issued: is_self_issued(cert),
            path_len: path_len_constraint(cert),
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
        }
    }
}

/// Whose certificate [`PathFacts::of`] reads, which decides how much it reads.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reading {
    /// A policy certificate, read once at load: every rule (the profile is chosen when
    /// it is used) and its names.
    Policy,
    /// A certificate the peer sent, read on every verification: the rules of the
    /// verifier's profile for its usage; names only when a constraint asks (later).
    Peer(Usage, Profile),
}

/// The value (DER) of a certificate's nameConstraints extension, if it has one.
pub(crate) fn name_constraints_value<'a>(
    cert: &x509_parser::prelude::X509Certificate<'a>,
) -> Option<&'a [u8]> {
    cert.extensions()
        .iter()
        .find(|extension| {
            crate::x509::oid_is(&extension.oid, crate::constraints::NAME_CONSTRAINTS_OID)
        })
        .map(|extension| extension.value)
}

impl PolicyCert {
    /// Parses a certificate of the policy in `role` (anchor or pooled intermediate);
    /// errors are `INVALID_POLICY` at `path`. Returns also the value of its
    /// nameConstraints extension.
    fn parse(
        der: &rustls_pki_types::CertificateDer<'_>,
        path: &str,
        role: Role,
        constraints: impl FnOnce(Option<&[u8]>) -> Option<Result<OwnConstraints, String>>,
    ) -> Result<PolicyCert, Rejection> {
        let cert = parse_certificate(der, 0)
            .map_err(|e| invalid_policy(format!("{path}: {}", e.message())))?;
        let constraints = constraints(name_constraints_value(&cert));
        Ok(PolicyCert {
            der: der.clone().into_owned(),
            facts: CertFacts::of(&cert),
            fingerprint: sha256_hex(der),
            path_facts: PathFacts::of(&cert, role, Reading::Policy, constraints),
        })
    }

    /// A pooled intermediate of the policy; errors are `INVALID_POLICY` at `path`.
    pub(crate) fn intermediate(
        der: &rustls_pki_types::CertificateDer<'_>,
        path: &str,
    ) -> Result<PolicyCert, Rejection> {
        PolicyCert::parse(der, path, Role::Intermediate, |value| {
            value.map(OwnConstraints::of_extension)
        })
    }
}

/// One trust anchor: webpki's view of it and what certgate knows about it.
#[derive(Debug)]
pub(crate) struct Anchor {
    trust_anchor: TrustAnchor<'static>,
    pub(crate) cert: PolicyCert,
    /// The one trust domain its own SPIFFE ID names, if it names exactly one.
    bound_to: Option<String>,
}

impl Anchor {
    /// Reads a trust anchor at `path` (for messages).
    pub(crate) fn new(
        der: &rustls_pki_types::CertificateDer<'_>,
        path: &str,
    ) -> Result<Anchor, Rejection> {
        let mut trust_anchor = webpki::anchor_from_trusted_cert(der)
            .map_err(|e| invalid_policy(format!("{path}: not a usable trust anchor ({e:?})")))?
            .to_owned();
        // webpki gets the subtrees it evaluates; certgate keeps the rfc822Name,
        // directoryName and URI ones, which webpki would refuse every path under.
        let mut for_webpki = None;
        let cert = PolicyCert::parse(der, path, Role::Anchor, |value| {
            value.map(|value| {
                crate::constraints::split(value).map(|split| {
                    for_webpki = Some(split.for_webpki);
                    split.own
                })
            })
        })?;
        if let Some(for_webpki) = for_webpki {
            trust_anchor.name_constraints = for_webpki.map(Der::from);
        }
        let bound_to = match cert.facts.spiffe_domains.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        };
        Ok(Anchor {
            trust_anchor,
            cert,
            bound_to,
        })
    }

    /// webpki's trust anchor, borrowed.
    pub(crate) fn view(&self) -> TrustAnchor<'_> {
        let anchor = &self.trust_anchor;
        TrustAnchor {
            subject: Der::from(anchor.subject.as_ref()),
            subject_public_key_info: Der::from(anchor.subject_public_key_info.as_ref()),
            name_constraints: anchor
                .name_constraints
                .as_ref()
                .map(|constraints| Der::from(constraints.as_ref())),
        }
    }
}

/// The authorities of one federated trust domain (`trust.spiffe_bundles`).
#[derive(Clone, Debug, Default)]
pub(crate) struct DomainBundle {
    pub(crate) anchors: Vec<Arc<Anchor>>,
    /// `spiffe_sequence` of the bundle in force, when it had one.
    pub(crate) sequence: Option<u64>,
    /// Set for a domain fetched from an endpoint that has not answered yet.
    pub(crate) awaiting_endpoint: bool,
}

/// Every trust anchor of a verifier. Immutable; a bundle update swaps in a new store.
#[derive(Clone, Debug)]
pub(crate) struct TrustStore {
    /// `trust.anchors`.
    pub(crate) anchors: Vec<Arc<Anchor>>,
    /// `trust.spiffe_bundles`, when the policy has it (even with no domain fetched yet).
    pub(crate) domains: Option<BTreeMap<String, DomainBundle>>,
    /// Whether the policy's SPIFFE rules name at most one trust domain (and no
    /// wildcard one): only then may anchors that name no domain vouch for SPIFFE leaves.
    pub(crate) single_domain_rules: bool,
}

impl TrustStore {
    /// Every anchor, plain and federated (for CRL issuers and TLS CA hints).
    pub(crate) fn all(&self) -> impl Iterator<Item = &Arc<Anchor>> {
        self.anchors.iter().chain(
            self.domains
                .iter()
                .flat_map(|domains| domains.values())
                .flat_map(|bundle| &bundle.anchors),
        )
    }

    /// The anchors that may vouch for a leaf claiming the trust domains `claimed`
    /// (those of its SPIFFE IDs), or why there are none.
    pub(crate) fn candidates(&self, claimed: &BTreeSet<&str>) -> Result<Vec<&Anchor>, String> {
        let domain = match claimed.len() {
            0 => {
                if self.anchors.is_empty() {
                    return Err(
                        "it names no SPIFFE trust domain, and the policy trusts only \
                                SPIFFE bundles (trust.anchors is empty)"
                            .to_owned(),
                    );
                }
                return Ok(self.anchors.iter().map(Arc::as_ref).collect());
            }
            1 => claimed.iter().next().copied().unwrap_or_default(),
            _ => {
                let names: Vec<&str> = claimed.iter().copied().collect();
                return Err(format!(
                    "it names SPIFFE IDs of several trust domains ({}), so no single \
                     domain's authorities can vouch for it",
                    names.join(", ")
                ));
            }
        };
        if let Some(domains) = &self.domains {
            let known: Vec<&str> = domains.keys().map(String::as_str).collect();
            return match domains.get(domain) {
                None => Err(format!(
                    "trust.spiffe_bundles has no bundle for its trust domain {domain} (it has: {})",
                    known.join(", ")
                )),
                Some(bundle) if bundle.anchors.is_empty() => Err(if bundle.awaiting_endpoint {
                    format!("the bundle of its trust domain {domain} has not been fetched yet")
                } else {
                    format!("the bundle of its trust domain {domain} holds no X509-SVID authority")
                }),
                Some(bundle) => Ok(bundle.anchors.iter().map(Arc::as_ref).collect()),
            };
        }
        let vouching: Vec<&Anchor> = self
            .anchors
            .iter()
            .map(Arc::as_ref)
            .filter(|anchor| match &anchor.bound_to {
                Some(bound) => bound == domain,
                None => self.single_domain_rules,
            })
            .collect();
        if vouching.is_empty() {
            return Err(format!(
                "no trust anchor may vouch for its trust domain {domain}: none names it in \
                 its own SPIFFE ID{}",
                if self.single_domain_rules {
                    ""
                } else {
                    ", and anchors that name no trust domain vouch only while the policy's \
                     SPIFFE rules name a single one (name each domain's CAs in \
                     trust.spiffe_bundles)"
                }
            ));
        }
        Ok(vouching)
    }

    /// What the trust configuration should tell its author.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        for (domain, bundle) in self.domains.iter().flatten() {
            for anchor in &bundle.anchors {
                if let Some(other) = anchor.bound_to.as_ref().filter(|bound| *bound != domain) {
                    warnings.push(Warning::new(
                        &format!("trust.spiffe_bundles.{domain}"),
                        format!(
                            "{} names trust domain {other} in its own SPIFFE ID; it vouches \
                             for {domain} here because the policy says so",
                            anchor.cert.facts.label()
                        ),
                    ));
                }
            }
        }
        let unbound: Vec<&str> = self
            .anchors
            .iter()
            .filter(|anchor| anchor.bound_to.is_none())
            .map(|anchor| anchor.cert.facts.label())
            .collect();
        if self.domains.is_none() && unbound.len() > 1 && self.single_domain_rules {
            warnings.push(Warning::new(
                "trust.anchors",
                format!(
                    "{} CAs name no SPIFFE trust domain ({}); each of them may vouch for a \
                     SPIFFE ID of any trust domain. If they belong to different trust \
                     domains, name them per domain in trust.spiffe_bundles",
                    unbound.len(),
                    unbound.join("; ")
                ),
            ));
        }
        warnings
    }
}
