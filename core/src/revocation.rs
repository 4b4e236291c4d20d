//! certgate's own CRL checking: each CRL is parsed once, its signature verified once
//! per issuer key (then cached), and revoked serials kept as one sorted, packed
//! array so a lookup is a binary search.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::RwLock;

use x509_parser::der_parser::asn1_rs::Any;
use x509_parser::extensions::{DistributionPointName, IssuingDistributionPoint, ParsedExtension};
use x509_parser::prelude::{ASN1Time, FromDer, GeneralName, X509Extension, X509Name};

use crate::chain::{looks_like_pem, CertFacts, SIGNATURE_ALGORITHMS};
use crate::error::{invalid_policy, Code, Rejection};
use crate::identity::{rfc4514, serial_bytes};
use crate::policy::{Decision, Depth, RevocationPolicy};

/// How the policy wants revocation checked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RevocationRules {
    pub(crate) depth: Depth,
    pub(crate) unknown_status: Decision,
    pub(crate) expired_crl: Decision,
}

impl From<&RevocationPolicy> for RevocationRules {
    fn from(policy: &RevocationPolicy) -> Self {
        RevocationRules {
            depth: policy.depth,
            unknown_status: policy.unknown_status,
            expired_crl: policy.expired_crl,
        }
    }
}

/// An immutable set of loaded CRLs, indexed by issuer name. Swapped whole on update.
#[derive(Debug, Default)]
pub(crate) struct CrlSet {
    crls: Vec<Crl>,
    by_issuer: HashMap<Vec<u8>, Vec<usize>>,
}

/// One certificate of a built path, and where it sits in the input (for `cert_index`).
pub(crate) struct PathMember<'a> {
    pub(crate) facts: &'a CertFacts,
    pub(crate) input_index: Option<usize>,
}

impl CrlSet {
    /// Parses and checks every CRL (PEM text may hold several). `known_issuers` are the
    /// policy's anchors and intermediates: signatures by them are verified now.
    pub(crate) fn load<S: AsRef<[u8]>>(
        sources: &[S],
        known_issuers: &[&CertFacts],
        path: &str,
    ) -> Result<CrlSet, Rejection> {
        let mut set = CrlSet::default();
        for (index, source) in sources.iter().enumerate() {
            let where_ = format!("{path}[{index}]");
            for der in
                crl_ders(source.as_ref()).map_err(|e| invalid_policy(format!("{where_}: {e}")))?
            {
                let crl = Crl::parse(&der).map_err(|e| invalid_policy(format!("{where_}: {e}")))?;
                for issuer in known_issuers.iter().filter(|i| i.subject == crl.issuer) {
                    crl.signed_by(issuer);
                }
                set.by_issuer
                    .entry(crl.issuer.clone())
                    .or_default()
                    .push(set.crls.len());
                set.crls.push(crl);
            }
        }
        Ok(set)
    }

    /// Checks the members of a path (leaf first, anchor last) per `rules` at time `now`.
    pub(crate) fn check(
        &self,
        path: &[PathMember<'_>],
        rules: RevocationRules,
        now: i64,
    ) -> Result<(), Rejection> {
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
                    cert.label
                );
                match member.input_index {
                    Some(index) => Rejection::at_cert(code, index, message),
                    None => Rejection::new(code, message),
                }
            };
            let newest = self
                .by_issuer
                .get(&cert.issuer)
                .into_iter()
                .flatten()
                .map(|&i| &self.crls[i])
                .filter(|crl| crl.covers(cert) && crl.signed_by(issuer))
                .max_by(|a, b| {
                    (!a.expired_at(now), a.number.len(), &a.number).cmp(&(
                        !b.expired_at(now),
                        b.number.len(),
                        &b.number,
                    ))
                });
            let Some(crl) = newest else {
                if rules.unknown_status == Decision::Deny {
                    return Err(reject(
                        Code::RevocationUnknown,
                        format!(
                            "has unknown revocation status: no valid CRL from its issuer {} covers it",
                            issuer.label
                        ),
                    ));
                }
                continue;
            };
            if crl.expired_at(now) && rules.expired_crl == Decision::Deny {
                return Err(reject(
                    Code::CrlExpired,
                    format!(
                        "cannot be checked: the CRL of {} expired at {} (nextUpdate)",
                        crl.issuer_label,
                        crate::verifier::format_time(crl.next_update)
                    ),
                ));
            }
            if crl.revoked.contains(&cert.serial) {
                return Err(reject(
                    Code::Revoked,
                    format!(
                        "is revoked: serial {} is on the CRL of {}",
                        hex::encode(&cert.serial),
                        crl.issuer_label
                    ),
                ));
            }
        }
        Ok(())
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

/// PEM text may hold several CRLs; anything else is one DER CRL (borrowed, not copied).
fn crl_ders(source: &[u8]) -> Result<Vec<Cow<'_, [u8]>>, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateRevocationListDer;
    if !looks_like_pem(source) {
        return Ok(vec![Cow::Borrowed(source)]);
    }
    let ders: Vec<Cow<'_, [u8]>> = CertificateRevocationListDer::pem_slice_iter(source)
        .map(|crl| crl.map(|der| Cow::Owned(der.as_ref().to_vec())))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("bad PEM: {e}"))?;
    if ders.is_empty() {
        return Err("PEM text holds no X509 CRL block".to_owned());
    }
    Ok(ders)
}

#[derive(Debug)]
struct Crl {
    issuer: Vec<u8>,
    issuer_label: String,
    /// CRL number, big-endian without sign byte; compared by (length, bytes).
    number: Vec<u8>,
    next_update: i64,
    scope: Scope,
    revoked: SerialSet,
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

#[derive(Debug)]
struct SignedCopy {
    tbs: Vec<u8>,
    algorithm: Vec<u8>,
    signature: Vec<u8>,
}

/// How many refusing issuer keys one CRL remembers.
const MAX_REFUSED_KEYS: usize = 8;

impl SignatureCheck {
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
const OID_ISSUING_DISTRIBUTION_POINT: &str = "2.5.29.28";
const OID_AUTHORITY_KEY_ID: &str = "2.5.29.35";

impl Crl {
    /// Parses and checks one DER CRL. webpki validates the structure and walks the
    /// entries without allocating; x509-parser reads the header fields and extensions.
    /// (x509-parser's own CRL type would parse all entries eagerly: ~3× slower at 100k.)
    fn parse(der: &[u8]) -> Result<Crl, String> {
        let entries = webpki::BorrowedCertRevocationList::from_der(der).map_err(crl_error)?;
        let signed = signed_parts(der)?;
        let header = CrlHeader::parse(signed.tbs)?;
        let mut serials = Vec::new();
        for entry in &entries {
            serials.push(serial_bytes(entry.map_err(crl_error)?.serial_number));
        }
        Ok(Crl {
            issuer: header.issuer,
            issuer_label: header.issuer_label,
            number: header.number,
            next_update: header.next_update,
            scope: header.scope,
            revoked: SerialSet::new(serials),
            signature: RwLock::new(SignatureCheck {
                unverified: Some(SignedCopy {
                    tbs: signed.tbs.to_vec(),
                    algorithm: signed.algorithm.to_vec(),
                    signature: signed.signature.to_vec(),
                }),
                verified_by: None,
                refused_by: Vec::new(),
            }),
        })
    }

    fn expired_at(&self, now: i64) -> bool {
        self.next_update < now
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
        let valid = check.unverified.as_ref().is_some_and(|signed| {
            verify_signature(
                &issuer.spki,
                &signed.algorithm,
                &signed.tbs,
                &signed.signature,
            )
        });
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

/// The signed parts of a CRL.
struct SignedParts<'a> {
    /// The whole TBSCertList element.
    tbs: &'a [u8],
    /// The contents of the signature AlgorithmIdentifier.
    algorithm: &'a [u8],
    /// The signature bits.
    signature: &'a [u8],
}

fn signed_parts(der: &[u8]) -> Result<SignedParts<'_>, String> {
    let (contents, _) = element_contents(der)?;
    let (tbs, rest) = split_element(contents)?;
    let (algorithm, rest) = element_contents(rest)?;
    let (signature_bits, _) = element_contents(rest)?;
    match signature_bits.split_first() {
        Some((0, signature)) => Ok(SignedParts {
            tbs,
            algorithm,
            signature,
        }),
        _ => Err("bad CRL signature encoding".to_owned()),
    }
}

/// The first DER element of `input` (header included), and what follows it.
fn split_element(input: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (rest, _) = Any::from_der(input).map_err(|e| format!("bad CRL structure ({e})"))?;
    Ok((&input[..input.len() - rest.len()], rest))
}

/// The contents of the first DER element of `input`, and what follows it.
fn element_contents(input: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (rest, any) = Any::from_der(input).map_err(|e| format!("bad CRL structure ({e})"))?;
    Ok((any.data, rest))
}

/// What certgate needs from a TBSCertList besides the entries.
struct CrlHeader {
    issuer: Vec<u8>,
    issuer_label: String,
    number: Vec<u8>,
    next_update: i64,
    scope: Scope,
}

impl CrlHeader {
    /// Reads TBSCertList ::= SEQUENCE { version, signature, issuer, thisUpdate,
    /// nextUpdate, revokedCertificates OPTIONAL, [0] crlExtensions }. webpki has already
    /// checked this shape (v2, nextUpdate and extensions present), so only the fields
    /// certgate keeps are read; the revoked list is skipped, not parsed.
    fn parse(tbs: &[u8]) -> Result<CrlHeader, String> {
        let (fields, _) = element_contents(tbs)?;
        let (_version, rest) = split_element(fields)?;
        let (_signature, rest) = split_element(rest)?;
        let (issuer_der, rest) = split_element(rest)?;
        let (_this_update, rest) = split_element(rest)?;
        let (next_update_der, mut rest) = split_element(rest)?;
        let (_, issuer) =
            X509Name::from_der(issuer_der).map_err(|e| format!("bad issuer ({e})"))?;
        let (_, next_update) =
            ASN1Time::from_der(next_update_der).map_err(|e| format!("bad nextUpdate ({e})"))?;
        let mut extensions_der = None;
        while !rest.is_empty() {
            let (element, after) = split_element(rest)?;
            if element.first() == Some(&0xa0) {
                extensions_der = Some(element_contents(element)?.0);
            }
            rest = after;
        }
        let mut number = None;
        let mut scope = Scope::default();
        let (mut extensions, _) = element_contents(extensions_der.unwrap_or_default())?;
        while !extensions.is_empty() {
            let (after, ext) =
                X509Extension::from_der(extensions).map_err(|e| format!("bad extension ({e})"))?;
            extensions = after;
            let oid = ext.oid.to_id_string();
            match (oid.as_str(), ext.parsed_extension()) {
                (OID_CRL_NUMBER, ParsedExtension::CRLNumber(value)) => {
                    if ext.critical {
                        return Err("its CRL number extension is marked critical".to_owned());
                    }
                    number = Some(value.to_bytes_be());
                }
                (
                    OID_ISSUING_DISTRIBUTION_POINT,
                    ParsedExtension::IssuingDistributionPoint(idp),
                ) => {
                    scope = Scope::of(idp)?;
                }
                (OID_AUTHORITY_KEY_ID, _) => {}
                (_, ParsedExtension::ParseError { error }) => {
                    return Err(format!("bad extension {oid}: {error}"))
                }
                _ if ext.critical => return Err(format!("unsupported critical extension {oid}")),
                _ => {}
            }
        }
        Ok(CrlHeader {
            issuer: issuer.as_raw().to_vec(),
            issuer_label: rfc4514(&issuer),
            number: number.ok_or("it has no CRL number (RFC 5280 §5.2.3 requires one)")?,
            next_update: next_update.timestamp(),
            scope,
        })
    }
}

impl Scope {
    fn of(idp: &IssuingDistributionPoint<'_>) -> Result<Scope, String> {
        if idp.only_some_reasons.is_some() || idp.indirect_crl || idp.only_contains_attribute_certs
        {
            return Err(
                "its issuing distribution point uses reason partitions, indirect CRLs \
                        or attribute certificates, which are not supported"
                    .to_owned(),
            );
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
                    "a distribution point relative to the CRL issuer is not supported".to_owned(),
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

/// Why webpki refused a CRL, in words.
fn crl_error(error: webpki::Error) -> String {
    match error {
        webpki::Error::UnsupportedDeltaCrl => "delta CRLs are not supported".to_owned(),
        webpki::Error::UnsupportedIndirectCrl => {
            "indirect CRLs (certificateIssuer entries) are not supported".to_owned()
        }
        webpki::Error::UnsupportedCrlVersion => "only version 2 CRLs are supported".to_owned(),
        webpki::Error::UnsupportedCriticalExtension => {
            "it has an unsupported critical extension".to_owned()
        }
        webpki::Error::InvalidCrlNumber => "its CRL number is invalid".to_owned(),
        other => format!("not a valid X.509 CRL ({other:?})"),
    }
}

/// Verifies `signature` over `message` with the key in `spki` (full SPKI DER), choosing
/// webpki's algorithm by the signature's and the key's AlgorithmIdentifier.
fn verify_signature(
    spki: &[u8],
    signature_algorithm: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Ok((_, spki_seq)) = Any::from_der(spki) else {
        return false;
    };
    let Ok((key_rest, key_algorithm)) = Any::from_der(spki_seq.data) else {
        return false;
    };
    let Ok((_, key_bits)) = Any::from_der(key_rest) else {
        return false;
    };
    // BIT STRING contents: one unused-bits byte (always 0 for keys), then the key.
    let Some((0, public_key)) = key_bits.data.split_first() else {
        return false;
    };
    SIGNATURE_ALGORITHMS
        .iter()
        .filter(|alg| {
            alg.public_key_alg_id().as_ref() == key_algorithm.data
                && alg.signature_alg_id().as_ref() == signature_algorithm
        })
        .any(|alg| alg.verify_signature(public_key, message, signature).is_ok())
}

/// Revoked serials, sorted and packed end to end: ~serial length + 4 bytes each.
#[derive(Debug, Default)]
struct SerialSet {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl SerialSet {
    fn new(mut serials: Vec<&[u8]>) -> SerialSet {
        serials.sort_unstable();
        serials.dedup();
        let mut set = SerialSet {
            bytes: Vec::with_capacity(serials.iter().map(|s| s.len()).sum()),
            ends: Vec::with_capacity(serials.len()),
        };
        for serial in serials {
            set.bytes.extend_from_slice(serial);
            // CRLs are far below 4 GiB, so offsets fit in u32.
            set.ends.push(set.bytes.len() as u32);
        }
        set
    }

    fn get(&self, index: usize) -> &[u8] {
        let start = if index == 0 {
            0
        } else {
            self.ends[index - 1] as usize
        };
        &self.bytes[start..self.ends[index] as usize]
    }

    fn contains(&self, serial: &[u8]) -> bool {
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.get(mid).cmp(serial) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    fn len(&self) -> usize {
        self.ends.len()
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
        let set = SerialSet::new(serials.iter().map(|s| s.as_slice()).collect());
        assert_eq!(set.len(), 1000);
        for n in 0u32..7000 {
            assert_eq!(set.contains(&n.to_be_bytes()), n % 7 == 0, "{n}");
        }
        assert!(!set.contains(&[]));
    }
}
