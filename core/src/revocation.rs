//! certgate's own CRL checking, as RFC 5280 §6.3 and OpenSSL do it for CRLs as CAs
//! really publish them: scoped CRLs (issuing distribution point), delta CRLs applied on
//! top of their base, CRLs without a CRL number or without nextUpdate. Each CRL is
//! parsed once and its signature verified once per issuer key (then cached); revoked
//! serials are kept as one sorted, packed array, so a lookup is a binary search.
//!
//! A CRL that is well formed but cannot be used (an unknown critical extension, an
//! indirect or reason-partitioned CRL, a delta without its base) is left out and
//! reported as a [`Warning`]: the certificates it would have covered then have an
//! unknown status, which `unknown_status` decides. Only malformed DER refuses a load.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::RwLock;

use x509_parser::der_parser::asn1_rs::{Any, FromDer as _, Tag};
use x509_parser::extensions::{DistributionPointName, IssuingDistributionPoint, ParsedExtension};
use x509_parser::prelude::{ASN1Time, GeneralName, X509Extension, X509Name};
use x509_parser::revocation_list::RevokedCertificate;

use x509_parser::prelude::X509Certificate;

use crate::error::{invalid_policy, Code, Rejection, Warning};
pub(crate) use crate::identity::Consulted;
use crate::input::{decode, items_within_limit, source_within_limit, Expect};
use crate::ocsp::{Answer, IssuerSha1, OcspSet, Subject};
use crate::policy::{Decision, Depth, Prefer, RevocationPolicy};
use crate::x509::{
    element_contents, format_time, oid_is, rfc4514, serial_bytes, signed_parts, split_element,
    verify_signature, SignedParts,
};

/// How the policy wants revocation checked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RevocationRules {
    pub(crate) depth: Depth,
    pub(crate) unknown_status: Decision,
    pub(crate) expired_crl: Decision,
    /// Whether the policy has a `revocation.ocsp` section (its responses may be none yet).
    pub(crate) ocsp: bool,
    pub(crate) prefer: Prefer,
}

impl From<&RevocationPolicy> for RevocationRules {
    fn from(policy: &RevocationPolicy) -> Self {
        RevocationRules {
            depth: policy.depth,
            unknown_status: policy.unknown_status,
            expired_crl: policy.expired_crl,
            ocsp: policy.ocsp.is_some(),
            prefer: policy
                .ocsp
                .as_ref()
                .map(|ocsp| ocsp.prefer)
                .unwrap_or_default(),
        }
    }
}

/// What revocation checking needs to know about one certificate of a path.
#[derive(Clone, Debug)]
pub(crate) struct CertFacts {
    /// RFC 4514 subject, for messages: built on first use (most verifications refuse
    /// nothing and name no certificate).
    label: std::sync::OnceLock<String>,
    /// Raw DER of the subject and issuer names (compared bytewise, as webpki does).
    pub(crate) subject: Vec<u8>,
    pub(crate) issuer: Vec<u8>,
    /// Serial without the DER sign byte.
    pub(crate) serial: Vec<u8>,
    pub(crate) is_ca: bool,
    /// False when a keyUsage extension is present without cRLSign.
    pub(crate) may_sign_crls: bool,
    /// False when a keyUsage extension is present without keyCertSign.
    pub(crate) may_sign_certificates: bool,
    /// The trust domains of the SPIFFE IDs among its URI SANs (a SPIRE CA names its own).
    pub(crate) spiffe_domains: Vec<String>,
    /// Full SubjectPublicKeyInfo DER.
    pub(crate) spki: Vec<u8>,
    /// URIs of the cRLDistributionPoints' full names (for issuing-distribution-point scope).
    pub(crate) crl_distribution_uris: Vec<String>,
    /// The OCSP responders of its authorityInfoAccess (id-ad-ocsp URIs), for fetching.
    pub(crate) ocsp_urls: Vec<String>,
    /// As an issuer: its SHA-1 digests for OCSP, computed on first use.
    pub(crate) ocsp_sha1: IssuerSha1,
}

impl CertFacts {
    /// The subject, RFC 4514.
    pub(crate) fn label(&self) -> &str {
        self.label.get_or_init(
            || match x509_parser::prelude::X509Name::from_der(&self.subject) {
                Ok((_, name)) => rfc4514(&name),
                Err(_) => format!("subject {}", hex::encode(&self.subject)),
            },
        )
    }

    pub(crate) fn of(cert: &X509Certificate<'_>) -> CertFacts {
        use x509_parser::extensions::{DistributionPointName, ParsedExtension};
        use x509_parser::prelude::GeneralName;
        let mut crl_distribution_uris = Vec::new();
        let mut ocsp_urls = Vec::new();
        for ext in cert.extensions() {
            if let ParsedExtension::AuthorityInfoAccess(access) = ext.parsed_extension() {
                for description in &access.accessdescs {
                    if let (true, GeneralName::URI(uri)) = (
                        oid_is(&description.access_method, "1.3.6.1.5.5.7.48.1"),
                        &description.access_location,
                    ) {
                        ocsp_urls.push((*uri).to_owned());
                    }
                }
            }
            if let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() {
                for point in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point
                    {
                        for name in names {
                            if let GeneralName::URI(uri) = name {
                                crl_distribution_uris.push((*uri).to_owned());
                            }
                        }
                    }
                }
            }
        }
        CertFacts {
            label: std::sync::OnceLock::new(),
            subject: cert.subject().as_raw().to_vec(),
            issuer: cert.issuer().as_raw().to_vec(),
            serial: serial_bytes(cert.raw_serial()).to_vec(),
            is_ca: cert.is_ca(),
            may_sign_crls: match cert.key_usage() {
                Ok(Some(usage)) => usage.value.crl_sign(),
                Ok(None) => true,
                Err(_) => false,
            },
            may_sign_certificates: match cert.key_usage() {
                Ok(Some(usage)) => usage.value.key_cert_sign(),
                Ok(None) => true,
                Err(_) => false,
            },
            spiffe_domains: match cert.subject_alternative_name() {
                Ok(Some(san)) => {
                    let uris: Vec<String> = san
                        .value
                        .general_names
                        .iter()
                        .filter_map(|name| match name {
                            GeneralName::URI(uri) => Some((*uri).to_owned()),
                            _ => None,
                        })
                        .collect();
                    crate::spiffe::claimed_trust_domains(&uris)
                        .into_iter()
                        .map(str::to_owned)
                        .collect()
                }
                _ => Vec::new(),
            },
            spki: cert.public_key().raw.to_vec(),
            crl_distribution_uris,
            ocsp_urls,
            ocsp_sha1: IssuerSha1::new(),
        }
    }
}

/// An immutable set of loaded CRLs, indexed by issuer name. Swapped whole on update.
#[derive(Debug, Default)]
pub(crate) struct CrlSet {
    crls: Vec<Crl>,
    by_issuer: HashMap<Vec<u8>, Vec<usize>>,
    warnings: Vec<Warning>,
}

/// One CRL of the set in force, as `Verifier::stats` lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CrlSummary {
    /// Where it came from (`revocation.crls[0] (crl.pem)`, `crls[1]`).
    pub source: String,
    /// The issuer, RFC 4514.
    pub issuer: String,
    /// The CRL number in decimal (hex beyond 64 bits), if it has one.
    pub number: Option<String>,
    /// Whether it is a delta CRL.
    pub delta: bool,
    /// Revoked serials it lists.
    pub entries: usize,
    /// thisUpdate, unix seconds.
    pub this_update: i64,
    /// nextUpdate, unix seconds, if it has one.
    pub next_update: Option<i64>,
}

/// What a revocation check of an admitted path used and lacked.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// The complete CRLs it used.
    pub(crate) consulted: Vec<Consulted>,
    /// Whether a certificate had no OCSP answer where one would have decided.
    pub(crate) ocsp_unanswered: bool,
}

/// One certificate of a built path, and where it sits in the input (for `cert_index`).
pub(crate) struct PathMember<'a> {
    pub(crate) facts: &'a CertFacts,
    pub(crate) input_index: Option<usize>,
}

impl CrlSet {
    /// Parses and checks every CRL of `sources`, each `(where, bytes)`: PEM text may hold
    /// several CRLs. `known_issuers` are the policy's anchors and intermediates:
    /// signatures by them are verified now. Malformed input refuses the whole load;
    /// a CRL that cannot be used is left out with a warning.
    pub(crate) fn load<'s>(
        sources: impl IntoIterator<Item = (String, Cow<'s, [u8]>)>,
        known_issuers: &[&CertFacts],
    ) -> Result<CrlSet, Rejection> {
        let mut set = CrlSet::default();
        let mut count = 0;
        for (source, bytes) in sources {
            source_within_limit(&source, &bytes)?;
            let decoded = decode(&bytes, Expect::Crls)
                .map_err(|e| invalid_policy(format!("{source}: {e}")))?;
            count += decoded.ders.len();
            items_within_limit(&source, count, "CRLs")?;
            let several = decoded.ders.len() > 1;
            // A DER CRL given as it is goes on as the source's own bytes: moved, when the
            // caller handed them over, into the copy a CRL keeps until its signature is
            // verified.
            let whole = !several
                && matches!(decoded.ders.first(), Some(Cow::Borrowed(der)) if der.len() == bytes.len());
            let ders: Vec<Cow<'_, [u8]>> = if whole {
                drop(decoded);
                vec![bytes]
            } else {
                decoded
                    .ders
                    .into_iter()
                    .map(|der| Cow::Owned(der.into_owned()))
                    .collect()
            };
            for (position, der) in ders.into_iter().enumerate() {
                let source = match several {
                    true => format!("{source} (CRL #{position})"),
                    false => source.clone(),
                };
                let crl = match Crl::parse(der, source, known_issuers).map_err(invalid_policy)? {
                    Parsed::Usable(crl) => *crl,
                    Parsed::Unusable(warning) => {
                        set.warnings.push(warning);
                        continue;
                    }
                };
                if let Some(reason) = crl.refused_by_known_issuers(known_issuers) {
                    set.warnings.push(Warning::new(
                        &crl.source,
                        format!("left out: the CRL of {} {reason}", crl.issuer_label),
                    ));
                    continue;
                }
                set.crls.push(crl);
            }
        }
        set.leave_out_orphan_deltas();
        for (index, crl) in set.crls.iter().enumerate() {
            set.by_issuer
                .entry(crl.issuer.clone())
                .or_default()
                .push(index);
        }
        Ok(set)
    }

    /// A delta CRL is used only on top of a complete CRL of the same issuer whose number
    /// is at least the delta's BaseCRLNumber (RFC 5280 §5.2.4); without one it is left out.
    fn leave_out_orphan_deltas(&mut self) {
        let crls = std::mem::take(&mut self.crls);
        let (deltas, complete): (Vec<Crl>, Vec<Crl>) =
            crls.into_iter().partition(|crl| crl.delta_base.is_some());
        for delta in deltas {
            let base = delta.delta_base.as_deref().unwrap_or_default();
            let has_base = complete.iter().any(|crl| {
                crl.issuer == delta.issuer
                    && crl
                        .number
                        .as_deref()
                        .is_some_and(|number| compare_numbers(number, base).is_ge())
            });
            if has_base {
                self.crls.push(delta);
            } else {
                self.warnings.push(Warning::new(
                    &delta.source,
                    format!(
                        "left out: a delta CRL of {} on base CRL number {}, and no complete CRL \
                         of that issuer with that number or a higher one is loaded",
                        delta.issuer_label,
                        number_text(base)
                    ),
                ));
            }
        }
        self.crls.extend(complete);
    }

    /// What loading left out, and why.
    pub(crate) fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Checks the members of a path (leaf first, anchor last) per `rules` at time `now`,
    /// (the complete CRLs it used are in the result, with whether OCSP left a certificate
    /// unanswered where an answer would have decided),
    /// with these CRLs and the OCSP responses `ocsp` (whose times get `skew` seconds of
    /// tolerance); returns the complete CRLs it used. For each certificate the preferred
    /// source decides when it answers, else the other; a current OCSP response answers,
    /// as does a current CRL; an OCSP response that fails its signature checks refuses.
    pub(crate) fn check(
        &self,
        ocsp: &OcspSet,
        path: &[PathMember<'_>],
        rules: RevocationRules,
        now: i64,
        skew: i64,
    ) -> Result<Checked, Rejection> {
        let mut consulted = Vec::new();
        let mut ocsp_unanswered = false;
        let checked = match rules.depth {
            Depth::Leaf => 1,
            Depth::Chain => path.len() - 1,
        };
        for position in 0..checked {
            let member = &path[position];
            let cert = member.facts;
            let issuer = path[position + 1].facts;
            let reject = |code: Code, reason: String| {
                let message = format!(
                    "certificate {} ({}) {reason}",
                    describe_position(member.input_index, position),
                    cert.label()
                );
                match member.input_index {
                    Some(index) => Rejection::at_cert(code, index, message),
                    None => Rejection::new(code, message),
                }
            };
            let candidates = || {
                self.by_issuer
                    .get(&cert.issuer)
                    .into_iter()
                    .flatten()
                    .map(|&i| &self.crls[i])
                    .filter(|crl| crl.covers(cert) && crl.signed_by(issuer))
            };
            let base = candidates()
                .filter(|crl| crl.delta_base.is_none())
                .max_by(|a, b| a.freshness(now).cmp(&b.freshness(now)));
            // OCSP is consulted under a `revocation.ocsp` section, or once responses were
            // pushed with update_ocsp into a policy without one.
            let ocsp_answer = (rules.ocsp || !ocsp.is_empty()).then(|| {
                let subject = Subject {
                    serial: &cert.serial,
                    issuer_name: &cert.issuer,
                    issuer_spki: &issuer.spki,
                    issuer_sha1: &issuer.ocsp_sha1,
                };
                ocsp.answer(&subject, now, skew, &|serial| self.lists(serial, issuer))
            });
            let crl_is_current = base.is_some_and(|base| !base.expired_at(now));
            let ocsp_decides = rules.prefer == Prefer::Ocsp || !crl_is_current;
            ocsp_unanswered |= ocsp_decides && matches!(ocsp_answer, Some(Answer::Missing(_)));
            match &ocsp_answer {
                Some(Answer::Refused(why)) => {
                    return Err(reject(Code::RevocationUnknown, why.clone()))
                }
                Some(Answer::Good) if ocsp_decides => continue,
                Some(Answer::Revoked {
                    revocation,
                    responder,
                }) if ocsp_decides => {
                    return Err(reject(
                        Code::Revoked,
                        format!(
                            "is revoked: the OCSP response of {responder} says revoked at {}{}",
                            format_time(revocation.time),
                            revocation
                                .reason
                                .as_ref()
                                .map(|reason| format!(" ({reason})"))
                                .unwrap_or_default()
                        ),
                    ));
                }
                _ => {}
            }
            let Some(base) = base else {
                if rules.unknown_status == Decision::Deny {
                    let ocsp_note = match ocsp_answer {
                        Some(Answer::Missing(note)) => format!(", and {note}"),
                        _ => String::new(),
                    };
                    return Err(reject(
                        Code::RevocationUnknown,
                        format!(
                            "has unknown revocation status: no usable CRL from its issuer {} covers it{ocsp_note}",
                            issuer.label()
                        ),
                    ));
                }
                continue;
            };
            consulted.push(Consulted {
                position,
                next_update: base.next_update,
            });
            if base.expired_at(now) && rules.expired_crl == Decision::Deny {
                let reason = match base.next_update {
                    Some(next_update) => format!(
                        "cannot be checked: the CRL of {} expired at {} (nextUpdate)",
                        base.issuer_label,
                        format_time(next_update)
                    ),
                    None => format!(
                        "cannot be checked: the CRL of {} has no nextUpdate, so it is treated as \
                         stale (expired_crl decides)",
                        base.issuer_label
                    ),
                };
                return Err(reject(Code::CrlExpired, reason));
            }
            // The newest current delta on top of this base, if any.
            let delta = base.number.as_deref().and_then(|base_number| {
                candidates()
                    .filter(|delta| {
                        !delta.expired_at(now)
                            && delta
                                .delta_base
                                .as_deref()
                                .is_some_and(|b| compare_numbers(b, base_number).is_le())
                            && delta
                                .number
                                .as_deref()
                                .is_some_and(|n| compare_numbers(n, base_number).is_gt())
                    })
                    .max_by(|a, b| a.freshness(now).cmp(&b.freshness(now)))
            });
            let revoked_by = match delta {
                Some(delta) if delta.removed.contains(&cert.serial) => None,
                Some(delta) if delta.revoked.contains(&cert.serial) => Some(delta),
                _ => base.revoked.contains(&cert.serial).then_some(base),
            };
            if let Some(crl) = revoked_by {
                return Err(reject(
                    Code::Revoked,
                    format!(
                        "is revoked: serial {} is on the {}CRL of {}",
                        hex::encode(&cert.serial),
                        if crl.delta_base.is_some() {
                            "delta "
                        } else {
                            ""
                        },
                        crl.issuer_label
                    ),
                ));
            }
        }
        Ok(Checked {
            consulted,
            ocsp_unanswered,
        })
    }

    /// Whether a CRL of `issuer`, signed by it, lists `serial` (for a delegated OCSP
    /// responder certificate; any scope counts, so a listing is never missed).
    fn lists(&self, serial: &[u8], issuer: &CertFacts) -> bool {
        self.by_issuer
            .get(&issuer.subject)
            .into_iter()
            .flatten()
            .map(|&i| &self.crls[i])
            .any(|crl| crl.revoked.contains(serial) && crl.signed_by(issuer))
    }

    /// Each CRL of the set, for [`crate::Verifier::stats`].
    pub(crate) fn summaries(&self) -> Vec<CrlSummary> {
        self.crls
            .iter()
            .map(|crl| CrlSummary {
                source: crl.source.clone(),
                issuer: crl.issuer_label.clone(),
                number: crl.number.as_deref().map(number_text),
                delta: crl.delta_base.is_some(),
                entries: crl.revoked.len(),
                this_update: crl.this_update,
                next_update: crl.next_update,
            })
            .collect()
    }

    /// The verification times around `now` (first, last; inclusive) over which no CRL
    /// of the set turns from current to stale, or back.
    pub(crate) fn steady_around(&self, now: i64) -> (i64, i64) {
        self.crls.iter().filter_map(|crl| crl.next_update).fold(
            (i64::MIN, i64::MAX),
            |(from, until), next_update| {
                if next_update >= now {
                    (from, until.min(next_update))
                } else {
                    (from.max(next_update.saturating_add(1)), until)
                }
            },
        )
    }

    /// Total revoked serials across the set (for diagnostics and tests).
    pub(crate) fn revoked_count(&self) -> usize {
        self.crls.iter().map(|crl| crl.revoked.len()).sum()
    }
}

pub(crate) fn describe_position(input_index: Option<usize>, path_position: usize) -> String {
    match input_index {
        Some(index) => format!("#{index}"),
        None if path_position == 0 => "leaf".to_owned(),
        None => format!("at path position {path_position} (from the policy)"),
    }
}

/// Compares CRL numbers (big-endian, no sign byte) by value.
fn compare_numbers(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let trim = |n: &[u8]| {
        let zeros = n.iter().take_while(|b| **b == 0).count();
        n[zeros..].to_vec()
    };
    let (a, b) = (trim(a), trim(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

fn number_text(number: &[u8]) -> String {
    match number.len() {
        0..=8 => {
            let mut bytes = [0u8; 8];
            bytes[8 - number.len()..].copy_from_slice(number);
            u64::from_be_bytes(bytes).to_string()
        }
        _ => format!("0x{}", hex::encode(number)),
    }
}

/// The result of parsing one CRL: usable, or well formed but unusable (and why).
enum Parsed {
    Usable(Box<Crl>),
    Unusable(Warning),
}

#[derive(Debug)]
struct Crl {
    /// Where it came from (`revocation.crls[2]`), for warnings.
    source: String,
    issuer: Vec<u8>,
    issuer_label: String,
    /// CRL number, big-endian without sign byte; absent on CRLs that omit it.
    number: Option<Vec<u8>>,
    this_update: i64,
    /// `None` when the CRL has no nextUpdate: it is then always treated as stale.
    next_update: Option<i64>,
    scope: Scope,
    /// For a delta CRL, its BaseCRLNumber.
    delta_base: Option<Vec<u8>>,
    revoked: SerialSet,
    /// Entries with reason removeFromCRL (delta CRLs: released from hold).
    removed: SerialSet,
    signature: RwLock<SignatureCheck>,
}

/// Where the check of a CRL's signature stands. The signed bytes are kept only until
/// one issuer key verifies them: a signature verifies under one key, so after that
/// every other key is answered "no" without the ~3 MB of a 100k-entry CRL in memory.
#[derive(Debug)]
struct SignatureCheck {
    /// TBSCertList, algorithm and signature; `None` once verified.
    unverified: Option<SignedCopy>,
    /// The issuer SPKI that verified the signature.
    verified_by: Option<Vec<u8>>,
    /// SPKIs that did not verify it (bounded, so no peer can grow it without end).
    refused_by: Vec<Vec<u8>>,
}

/// The whole signed CRL, kept (moved when the caller owned it, never copied twice) with
/// where its TBSCertList, algorithm and signature lie.
#[derive(Debug)]
struct SignedCopy {
    der: Vec<u8>,
    tbs: Range<usize>,
    algorithm: Range<usize>,
    signature: Range<usize>,
}

impl SignedCopy {
    fn keep(der: Cow<'_, [u8]>, signed: [Range<usize>; 3]) -> SignedCopy {
        let [tbs, algorithm, signature] = signed;
        SignedCopy {
            der: der.into_owned(),
            tbs,
            algorithm,
            signature,
        }
    }

    fn verifies_with(&self, spki: &[u8]) -> bool {
        verify_signature(
            spki,
            &self.der[self.algorithm.clone()],
            &self.der[self.tbs.clone()],
            &self.der[self.signature.clone()],
        )
    }
}

/// Where `part`, a slice of `whole`, lies in it.
fn range_in(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    start..start + part.len()
}

/// How many refusing issuer keys one CRL remembers.
const MAX_REFUSED_KEYS: usize = 8;

impl SignatureCheck {
    /// The check of a CRL's signature after trying the policy's CAs of its issuer name
    /// (`issuer`) that may sign CRLs: verified by one, or still open (the caller then
    /// keeps the signed bytes for the CA a path brings).
    fn of(signed: &SignedParts<'_>, issuer: &[u8], known_issuers: &[&CertFacts]) -> SignatureCheck {
        let mut check = SignatureCheck {
            unverified: None,
            verified_by: None,
            refused_by: Vec::new(),
        };
        for ca in known_issuers
            .iter()
            .filter(|ca| ca.may_sign_crls && ca.subject == issuer)
        {
            if verify_signature(&ca.spki, signed.algorithm, signed.tbs, signed.signature) {
                check.verified_by = Some(ca.spki.clone());
                return check;
            }
            if check.refused_by.len() < MAX_REFUSED_KEYS {
                check.refused_by.push(ca.spki.clone());
            }
        }
        check
    }

    /// `Some(answer)` when `spki` was already decided.
    fn known(&self, spki: &[u8]) -> Option<bool> {
        match &self.verified_by {
            Some(verified) => Some(verified == spki),
            None if self.refused_by.iter().any(|key| key == spki) => Some(false),
            None => None,
        }
    }
}

/// The issuing-distribution-point scope of a CRL (RFC 5280 §5.2.5).
#[derive(Debug, Default)]
struct Scope {
    only_user_certs: bool,
    only_ca_certs: bool,
    /// Full-name URIs; when present, the certificate must name one in its cRLDistributionPoints.
    distribution_uris: Option<Vec<String>>,
}

const OID_CRL_NUMBER: &str = "2.5.29.20";
const OID_DELTA_CRL_INDICATOR: &str = "2.5.29.27";
const OID_ISSUING_DISTRIBUTION_POINT: &str = "2.5.29.28";
const OID_AUTHORITY_KEY_ID: &str = "2.5.29.35";
const OID_FRESHEST_CRL: &str = "2.5.29.46";
const OID_AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";
/// CRL entry extensions (RFC 5280 §5.3).
const OID_REASON_CODE: &str = "2.5.29.21";
const OID_HOLD_INSTRUCTION: &str = "2.5.29.23";
const OID_INVALIDITY_DATE: &str = "2.5.29.24";
const OID_CERTIFICATE_ISSUER: &str = "2.5.29.29";
/// CRLReason removeFromCRL: the serial leaves hold (delta CRLs only).
const REMOVE_FROM_CRL: u8 = 8;

impl Crl {
    /// Parses one DER CRL with x509-parser's element parsers. The revoked entries are
    /// read one at a time, straight into the packed serial set, never collected as
    /// parsed entries (x509-parser's whole-CRL type would hold all 100k of them).
    /// `Err` is malformed DER; `Ok(Unusable)` a well-formed CRL certgate cannot use.
    /// The signature is checked right away with each of `known_issuers` (the policy's
    /// CAs) of the CRL's issuer name: once one verifies it, the signed bytes are never
    /// copied, which keeps a large CRL's peak memory near its own size.
    fn parse(
        der: Cow<'_, [u8]>,
        source: String,
        known_issuers: &[&CertFacts],
    ) -> Result<Parsed, String> {
        let malformed = |what: String| format!("{source}: not a valid X.509 CRL: {what}");
        let signed = signed_parts(&der).map_err(malformed)?;
        let header = CrlHeader::parse(signed.tbs, signed.algorithm).map_err(malformed)?;
        let unusable = |reason: String| {
            Ok(Parsed::Unusable(Warning::new(
                &source,
                format!("left out: the CRL of {} {reason}", header.issuer_label),
            )))
        };
        if let Some(reason) = header.unusable {
            return unusable(reason);
        }
        let mut revoked = SerialSetBuilder::default();
        let mut removed = SerialSetBuilder::default();
        let mut entries = header.entries;
        while !entries.is_empty() {
            let (rest, entry) = RevokedCertificate::from_der(entries)
                .map_err(|e| malformed(format!("bad revoked entry ({e})")))?;
            entries = rest;
            let pushed = match entry_status(&entry) {
                Ok(true) => removed.push(serial_bytes(entry.raw_serial())),
                Ok(false) => revoked.push(serial_bytes(entry.raw_serial())),
                Err(reason) => Err(reason),
            };
            if let Err(reason) = pushed {
                return unusable(reason);
            }
        }
        let check = SignatureCheck::of(&signed, &header.issuer, known_issuers);
        let ranges = [
            range_in(&der, signed.tbs),
            range_in(&der, signed.algorithm),
            range_in(&der, signed.signature),
        ];
        let mut crl = Crl {
            source,
            issuer: header.issuer,
            issuer_label: header.issuer_label,
            number: header.number,
            this_update: header.this_update,
            next_update: header.next_update,
            scope: header.scope,
            delta_base: header.delta_base,
            // The packed sets first, so their builders are gone before a copy is made.
            revoked: revoked.build(),
            removed: removed.build(),
            signature: RwLock::new(check),
        };
        // The borrows of `der` end here: owned bytes are moved, not copied again.
        let check = crl
            .signature
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if check.verified_by.is_none() {
            check.unverified = Some(SignedCopy::keep(der, ranges));
        }
        Ok(Parsed::Usable(Box::new(crl)))
    }

    /// Checks the signature against the policy's CAs of the CRL's issuer name, now. `Some`
    /// says why none of them vouches for it (it is then left out); `None` when one signed
    /// it, or when no policy CA has that name (a CA the peer sends is checked on use).
    fn refused_by_known_issuers(&self, known_issuers: &[&CertFacts]) -> Option<String> {
        let named: Vec<&CertFacts> = known_issuers
            .iter()
            .copied()
            .filter(|issuer| issuer.subject == self.issuer)
            .collect();
        if named.is_empty() || named.iter().any(|issuer| self.signed_by(issuer)) {
            return None;
        }
        Some(if named.iter().all(|issuer| !issuer.may_sign_crls) {
            "is signed by a CA whose keyUsage lacks cRLSign".to_owned()
        } else {
            "has a signature that no key of that CA in the policy verifies".to_owned()
        })
    }

    /// A CRL without nextUpdate has no promised freshness: it counts as stale.
    fn expired_at(&self, now: i64) -> bool {
        self.next_update.is_none_or(|next_update| next_update < now)
    }

    /// Orders CRLs of one issuer: current before stale, then the higher CRL number
    /// (or, when either lacks one, the later thisUpdate).
    fn freshness(&self, now: i64) -> impl Ord + '_ {
        (
            !self.expired_at(now),
            Newness {
                number: self.number.as_deref(),
                this_update: self.this_update,
            },
        )
    }

    /// Whether this CRL's scope (issuing distribution point) includes `cert`.
    fn covers(&self, cert: &CertFacts) -> bool {
        if (self.scope.only_user_certs && cert.is_ca) || (self.scope.only_ca_certs && !cert.is_ca) {
            return false;
        }
        match &self.scope.distribution_uris {
            None => true,
            Some(uris) => cert
                .crl_distribution_uris
                .iter()
                .any(|uri| uris.contains(uri)),
        }
    }

    /// Whether `issuer` may sign CRLs and signed this one. Each issuer key is checked once.
    fn signed_by(&self, issuer: &CertFacts) -> bool {
        if !issuer.may_sign_crls || issuer.subject != self.issuer {
            return false;
        }
        let read = |lock: &RwLock<SignatureCheck>| {
            lock.read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .known(&issuer.spki)
        };
        if let Some(answer) = read(&self.signature) {
            return answer;
        }
        let mut check = self
            .signature
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Another thread may have decided while this one waited for the lock.
        if let Some(answer) = check.known(&issuer.spki) {
            return answer;
        }
        let valid = check
            .unverified
            .as_ref()
            .is_some_and(|signed| signed.verifies_with(&issuer.spki));
        if valid {
            check.verified_by = Some(issuer.spki.clone());
            check.unverified = None;
            check.refused_by = Vec::new();
        } else if check.refused_by.len() < MAX_REFUSED_KEYS {
            check.refused_by.push(issuer.spki.clone());
        }
        valid
    }
}

/// Which of two CRLs of one issuer is newer: by CRL number when both have one,
/// else by thisUpdate.
#[derive(PartialEq, Eq)]
struct Newness<'a> {
    number: Option<&'a [u8]>,
    this_update: i64,
}

impl PartialOrd for Newness<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Newness<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self.number, other.number) {
            (Some(a), Some(b)) => compare_numbers(a, b),
            _ => self.this_update.cmp(&other.this_update),
        }
    }
}

/// Whether an entry releases its serial (removeFromCRL) rather than revoking it; `Err`
/// when an entry extension makes the CRL unusable (RFC 5280 §5.3: a critical entry
/// extension that cannot be processed forbids using the CRL).
fn entry_status(entry: &RevokedCertificate<'_>) -> Result<bool, String> {
    let mut removed = false;
    for ext in entry.extensions() {
        // Compared without building the OID's text: a CRL has an extension per entry.
        let is = |dotted: &str| oid_is(&ext.oid, dotted);
        if is(OID_REASON_CODE) {
            if let ParsedExtension::ReasonCode(code) = ext.parsed_extension() {
                removed = code.0 == REMOVE_FROM_CRL;
            }
        } else if is(OID_CERTIFICATE_ISSUER) {
            return Err(
                "is an indirect CRL (an entry names another certificate issuer), which \
                 certgate does not support"
                    .to_owned(),
            );
        } else if ext.critical && !is(OID_HOLD_INSTRUCTION) && !is(OID_INVALIDITY_DATE) {
            return Err(format!(
                "has an entry with the unsupported critical extension {} (RFC 5280 §5.3 \
                 forbids using such a CRL)",
                ext.oid.to_id_string()
            ));
        }
    }
    Ok(removed)
}

/// What certgate needs from a TBSCertList, with its revoked entries still unparsed.
struct CrlHeader<'a> {
    issuer: Vec<u8>,
    issuer_label: String,
    number: Option<Vec<u8>>,
    this_update: i64,
    next_update: Option<i64>,
    scope: Scope,
    delta_base: Option<Vec<u8>>,
    /// The contents of revokedCertificates (empty when absent).
    entries: &'a [u8],
    /// Why the CRL cannot be used, if it cannot.
    unusable: Option<String>,
}

impl<'a> CrlHeader<'a> {
    /// Reads TBSCertList ::= SEQUENCE { version OPTIONAL, signature, issuer, thisUpdate,
    /// nextUpdate OPTIONAL, revokedCertificates OPTIONAL, [0] crlExtensions OPTIONAL }.
    fn parse(tbs: &'a [u8], outer_algorithm: &[u8]) -> Result<CrlHeader<'a>, String> {
        let (mut fields, _) = element_contents(tbs)?;
        let next_tag = |input: &[u8]| Any::from_der(input).ok().map(|(_, any)| any.tag());
        if next_tag(fields) == Some(Tag::Integer) {
            fields = split_element(fields)?.1;
        }
        let (algorithm, rest) = element_contents(fields)?;
        if algorithm != outer_algorithm {
            return Err("its inner and outer signature algorithms differ".to_owned());
        }
        let (issuer_der, rest) = split_element(rest)?;
        let (_, issuer) =
            X509Name::from_der(issuer_der).map_err(|e| format!("bad issuer ({e})"))?;
        let (rest, this_update) =
            ASN1Time::from_der(rest).map_err(|e| format!("bad thisUpdate ({e})"))?;
        let mut rest = rest;
        let mut next_update = None;
        if matches!(next_tag(rest), Some(Tag::UtcTime | Tag::GeneralizedTime)) {
            let (after, time) =
                ASN1Time::from_der(rest).map_err(|e| format!("bad nextUpdate ({e})"))?;
            next_update = Some(time.timestamp());
            rest = after;
        }
        let mut entries: &[u8] = &[];
        if next_tag(rest) == Some(Tag::Sequence) {
            (entries, rest) = element_contents(rest)?;
        }
        let mut header = CrlHeader {
            issuer: issuer.as_raw().to_vec(),
            issuer_label: rfc4514(&issuer),
            number: None,
            this_update: this_update.timestamp(),
            next_update,
            scope: Scope::default(),
            delta_base: None,
            entries,
            unusable: None,
        };
        if rest.is_empty() {
            return Ok(header);
        }
        let (extensions_der, rest) = element_contents(rest)?;
        if !rest.is_empty() {
            return Err("unexpected fields after the extensions".to_owned());
        }
        let (mut extensions, _) = element_contents(extensions_der)?;
        while !extensions.is_empty() {
            let (after, ext) =
                X509Extension::from_der(extensions).map_err(|e| format!("bad extension ({e})"))?;
            extensions = after;
            if let Err(reason) = header.read_extension(&ext) {
                header.unusable.get_or_insert(reason);
            }
        }
        Ok(header)
    }

    /// Takes in one CRL extension; `Err` says why it makes the CRL unusable.
    fn read_extension(&mut self, ext: &X509Extension<'_>) -> Result<(), String> {
        let oid = ext.oid.to_id_string();
        match (oid.as_str(), ext.parsed_extension()) {
            (OID_CRL_NUMBER, ParsedExtension::CRLNumber(value)) => {
                self.number = Some(value.to_bytes_be());
            }
            (OID_DELTA_CRL_INDICATOR, _) => match Any::from_der(ext.value) {
                Ok(([], base)) if base.tag() == Tag::Integer => {
                    self.delta_base = Some(serial_bytes(base.data).to_vec());
                }
                _ => return Err("has a malformed delta CRL indicator".to_owned()),
            },
            (OID_ISSUING_DISTRIBUTION_POINT, ParsedExtension::IssuingDistributionPoint(idp)) => {
                self.scope = Scope::of(idp)?;
            }
            (OID_AUTHORITY_KEY_ID | OID_FRESHEST_CRL | OID_AUTHORITY_INFO_ACCESS, _) => {}
            (_, ParsedExtension::ParseError { error }) if ext.critical => {
                return Err(format!(
                    "has a malformed critical extension {oid} ({error})"
                ))
            }
            _ if ext.critical => {
                return Err(format!(
                    "has the unsupported critical extension {oid} (RFC 5280 §5.2 forbids using \
                     such a CRL)"
                ))
            }
            _ => {}
        }
        Ok(())
    }
}

impl Scope {
    fn of(idp: &IssuingDistributionPoint<'_>) -> Result<Scope, String> {
        if idp.only_some_reasons.is_some() {
            return Err(
                "is partitioned by revocation reason, which certgate does not support".into(),
            );
        }
        if idp.indirect_crl {
            return Err("is an indirect CRL, which certgate does not support".into());
        }
        if idp.only_contains_attribute_certs {
            return Err("covers attribute certificates only".into());
        }
        let distribution_uris = match &idp.distribution_point {
            None => None,
            Some(DistributionPointName::FullName(names)) => Some(
                names
                    .iter()
                    .filter_map(|name| match name {
                        GeneralName::URI(uri) => Some((*uri).to_owned()),
                        _ => None,
                    })
                    .collect(),
            ),
            Some(DistributionPointName::NameRelativeToCRLIssuer(_)) => {
                return Err(
                    "names its distribution point relative to the CRL issuer, which certgate \
                     does not support"
                        .into(),
                )
            }
        };
        Ok(Scope {
            only_user_certs: idp.only_contains_user_certs,
            only_ca_certs: idp.only_contains_ca_certs,
            distribution_uris,
        })
    }
}

/// Revoked serials as the CRL listed them, each a length byte and the serial's bytes,
/// packed end to end, with where each starts sorted by serial value: ~serial length + 5
/// bytes each, and a lookup is a binary search. Built in place (only the start offsets
/// are sorted), so loading a large CRL needs no second buffer of its serials.
#[derive(Debug, Default)]
struct SerialSet {
    bytes: Vec<u8>,
    /// Offset in `bytes` of each distinct serial's length byte, in serial order.
    starts: Vec<u32>,
}

/// The longest serial a [`SerialSet`] holds; RFC 5280 §4.1.2.2 allows 20 octets.
const MAX_SERIAL_BYTES: usize = u8::MAX as usize;

/// Collects serials as they are parsed (one buffer, no allocation per entry), then
/// sorts their offsets into a [`SerialSet`].
#[derive(Default)]
struct SerialSetBuilder {
    set: SerialSet,
}

impl SerialSetBuilder {
    /// Adds `serial`; `Err` when it is longer than [`MAX_SERIAL_BYTES`].
    fn push(&mut self, serial: &[u8]) -> Result<(), String> {
        let length = u8::try_from(serial.len()).map_err(|_| {
            format!(
                "lists a serial number of {} bytes (RFC 5280 allows 20; certgate reads up to \
                 {MAX_SERIAL_BYTES})",
                serial.len()
            )
        })?;
        // CRLs are far below 4 GiB, so offsets fit in u32.
        self.set.starts.push(self.set.bytes.len() as u32);
        self.set.bytes.push(length);
        self.set.bytes.extend_from_slice(serial);
        Ok(())
    }

    fn build(self) -> SerialSet {
        let SerialSet {
            mut bytes,
            mut starts,
        } = self.set;
        let serial = |&start: &u32| serial_at(&bytes, start);
        starts.sort_unstable_by(|a, b| serial(a).cmp(serial(b)));
        starts.dedup_by(|a, b| serial(a) == serial(b));
        bytes.shrink_to_fit();
        starts.shrink_to_fit();
        SerialSet { bytes, starts }
    }
}

/// The serial whose length byte is at `start`.
fn serial_at(bytes: &[u8], start: u32) -> &[u8] {
    let start = start as usize;
    let length = usize::from(bytes[start]);
    &bytes[start + 1..start + 1 + length]
}

impl SerialSet {
    fn contains(&self, serial: &[u8]) -> bool {
        self.starts
            .binary_search_by(|&start| serial_at(&self.bytes, start).cmp(serial))
            .is_ok()
    }

    fn len(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_set_finds_exactly_its_members() {
        let serials: Vec<Vec<u8>> = (0u32..1000)
            .map(|n| (n * 7).to_be_bytes().to_vec())
            .collect();
        let mut builder = SerialSetBuilder::default();
        for serial in serials.iter().rev() {
            builder.push(serial).unwrap();
        }
        builder.push(&serials[3]).unwrap();
        assert!(builder.push(&[1; MAX_SERIAL_BYTES + 1]).is_err());
        let set = builder.build();
        assert_eq!(set.len(), 1000);
        for n in 0u32..7000 {
            assert_eq!(set.contains(&n.to_be_bytes()), n % 7 == 0, "{n}");
        }
        assert!(!set.contains(&[]));
    }

    #[test]
    fn crl_numbers_compare_by_value() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_numbers(&[0, 5], &[5]), Equal);
        assert_eq!(compare_numbers(&[1, 0], &[0xff]), Greater);
        assert_eq!(compare_numbers(&[], &[0]), Equal);
        assert_eq!(number_text(&[1, 0]), "256");
    }
}
