//! OCSP (RFC 6960): responses the caller supplies — stapled, pre-fetched, or fetched by
//! the Node and Python bindings — decoded with x509-ocsp and checked against the path
//! certgate built: the CertID (SHA-1 or SHA-256 hashes of the issuer's name and key, and
//! the serial), the signature (by the issuer, or by a delegated responder the issuer
//! certified with id-kp-OCSPSigning), and thisUpdate / nextUpdate against the
//! verification time. Each signature is verified once per key and remembered. Which
//! source decides for a certificate, an OCSP response or a CRL, is revocation.rs's call.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use der::{Decode as _, Encode as _};
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, ResponderId};
use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::error::{invalid_policy, Rejection, Warning};
use crate::input::{decode, items_within_limit, source_within_limit, Expect, MAX_SOURCE_ITEMS};
use crate::x509::{
    der_fits, format_time, rfc4514, serial_bytes, signed_parts, spki_parts, verify_signature,
};

const ID_PKIX_OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
const ID_SHA1: &str = "1.3.14.3.2.26";
const ID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const ID_PKIX_OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";
/// Keys remembered per response as having verified it (a response verifies under one
/// key; the bound only keeps a misconfigured pool from growing it).
const MAX_REMEMBERED_KEYS: usize = 8;

/// The OCSP responses in force, indexed by certificate serial. Swapped whole on update.
#[derive(Debug, Default)]
pub(crate) struct OcspSet {
    statuses: Vec<SingleStatus>,
    by_serial: HashMap<Vec<u8>, Vec<usize>>,
    warnings: Vec<Warning>,
}

/// What the responses say about one certificate, as its revocation check needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// A verified response, current at the verification time, that says good.
    Good,
    /// A verified, current response that says revoked.
    Revoked {
        revocation: Revocation,
        /// Who signed it, for the message: "its issuer" or the delegated responder.
        responder: String,
    },
    /// No usable response, and why (for the message when the status stays unknown).
    Missing(String),
    /// A response for this certificate whose signature or signer fails the checks, and
    /// no valid one: refused whatever `unknown_status` says.
    Refused(String),
}

/// An OCSP request a binding sends to fetch a missing response
/// ([`crate::Verifier::ocsp_queries`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OcspQuery {
    /// The responder, from the certificate's authorityInfoAccess (`http://` or `https://`).
    pub url: String,
    /// The DER `OCSPRequest`, to POST with `Content-Type: application/ocsp-request`.
    pub request: Vec<u8>,
}

/// A revoked status: when, and the reason the responder gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Revocation {
    pub(crate) time: i64,
    pub(crate) reason: Option<String>,
}

/// The certificate whose status is wanted, and its issuer on the built path.
pub(crate) struct Subject<'a> {
    /// Serial without the DER sign byte.
    pub(crate) serial: &'a [u8],
    /// The issuer's subject name (DER) and SubjectPublicKeyInfo (DER).
    pub(crate) issuer_name: &'a [u8],
    pub(crate) issuer_spki: &'a [u8],
    /// Where the issuer's SHA-1 digests are kept between verifications (with the facts
    /// of a policy CA, so a pooled intermediate's are computed once).
    pub(crate) issuer_sha1: &'a IssuerSha1,
}

/// The SHA-1 of a CA's subject name and of its public key bits (`None` when the key does
/// not parse), as SHA-1 CertIDs and responder IDs by key name it.
pub(crate) type IssuerSha1 = std::sync::OnceLock<(Vec<u8>, Option<Vec<u8>>)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum HashAlgorithm {
    Sha1,
    Sha256,
}

impl HashAlgorithm {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        let algorithm = match self {
            HashAlgorithm::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            HashAlgorithm::Sha256 => &ring::digest::SHA256,
        };
        ring::digest::digest(algorithm, data).as_ref().to_vec()
    }
}

impl SingleStatus {
    /// The CertID it answers for.
    fn cert_id(&self) -> (&[u8], HashAlgorithm, &[u8], &[u8]) {
        (
            &self.serial,
            self.hash,
            &self.issuer_name_hash,
            &self.issuer_key_hash,
        )
    }
}

/// The issuer's name and key hashed as CertIDs and responder IDs name them, each hash
/// computed once per answer and only when a response asks for it.
struct IssuerDigests<'a> {
    name: &'a [u8],
    spki: &'a [u8],
    sha1: &'a IssuerSha1,
    sha256: std::cell::OnceCell<(Vec<u8>, Option<Vec<u8>>)>,
}

impl<'a> IssuerDigests<'a> {
    fn of(subject: &Subject<'a>) -> IssuerDigests<'a> {
        IssuerDigests {
            name: subject.issuer_name,
            spki: subject.issuer_spki,
            sha1: subject.issuer_sha1,
            sha256: std::cell::OnceCell::new(),
        }
    }

    /// (name hash, key hash) with `hash`; no key hash when the issuer's key does not
    /// parse (then no CertID names it).
    fn get(&self, hash: HashAlgorithm) -> &(Vec<u8>, Option<Vec<u8>>) {
        let compute = || {
            let key_bits = spki_parts(self.spki).map(|(_, bits)| bits);
            (
                hash.digest(self.name),
                key_bits.map(|bits| hash.digest(bits)),
            )
        };
        match hash {
            HashAlgorithm::Sha1 => self.sha1.get_or_init(compute),
            HashAlgorithm::Sha256 => self.sha256.get_or_init(compute),
        }
    }
}

/// One SingleResponse, with the signed response it came in.
#[derive(Clone, Debug)]
struct SingleStatus {
    /// The certificate's serial, without the DER sign byte.
    serial: Vec<u8>,
    hash: HashAlgorithm,
    issuer_name_hash: Vec<u8>,
    issuer_key_hash: Vec<u8>,
    status: Status,
    this_update: i64,
    next_update: Option<i64>,
    response: Arc<SignedResponse>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Status {
    Good,
    Revoked(Revocation),
    Unknown,
}

/// A BasicOCSPResponse: what its signature covers, and who may have made it.
#[derive(Debug)]
struct SignedResponse {
    source: String,
    tbs: Vec<u8>,
    algorithm: Vec<u8>,
    signature: Vec<u8>,
    responder: Responder,
    delegates: Vec<Delegate>,
    /// (delegate index or `None` for the response itself, SPKI) pairs whose signature
    /// check succeeded.
    verified: RwLock<Vec<(Option<usize>, Vec<u8>)>>,
}

#[derive(Debug)]
enum Responder {
    Name(Vec<u8>),
    /// SHA-1 of the responder's public key bits.
    KeyHash(Vec<u8>),
}

/// A certificate carried in the response, a candidate delegated responder.
#[derive(Debug)]
struct Delegate {
    label: String,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    spki: Vec<u8>,
    key_hash: Vec<u8>,
    serial: Vec<u8>,
    tbs: Vec<u8>,
    algorithm: Vec<u8>,
    signature: Vec<u8>,
    ocsp_signing: bool,
    nocheck: bool,
    not_before: i64,
    not_after: i64,
}

impl OcspSet {
    /// Parses every response of `sources`, each `(where, bytes)`. Malformed input refuses
    /// the whole load; a well-formed response certgate cannot use (not successful, not
    /// a basic response, an unknown CertID hash) is left out with a warning.
    pub(crate) fn load<'s>(
        sources: impl IntoIterator<Item = (String, &'s [u8])>,
    ) -> Result<OcspSet, Rejection> {
        let mut set = OcspSet::default();
        let mut count = 0;
        for (source, bytes) in sources {
            source_within_limit(&source, bytes)?;
            let decoded = decode(bytes, Expect::OcspResponses)
                .map_err(|e| invalid_policy(format!("{source}: {e}")))?;
            count += decoded.ders.len();
            items_within_limit(&source, count, "OCSP responses")?;
            let several = decoded.ders.len() > 1;
            for (position, der) in decoded.ders.iter().enumerate() {
                let source = match several {
                    true => format!("{source} (response #{position})"),
                    false => source.clone(),
                };
                set.add(der, source)?;
            }
        }
        set.index();
        Ok(set)
    }

    fn add(&mut self, der: &[u8], source: String) -> Result<(), Rejection> {
        let malformed = |why: String| invalid_policy(format!("{source}: {why}"));
        der_fits(der).map_err(|e| malformed(format!("not an OCSP response: {e}")))?;
        let response = OcspResponse::from_der(der)
            .map_err(|e| malformed(format!("not an OCSP response ({e})")))?;
        let mut leave_out = |why: String| self.warnings.push(Warning::new(&source, why));
        if response.response_status != OcspResponseStatus::Successful {
            leave_out(format!(
                "left out: the responder answered {:?}, with no certificate status",
                response.response_status
            ));
            return Ok(());
        }
        let bytes = response
            .response_bytes
            .ok_or_else(|| malformed("a successful OCSP response without a response".into()))?;
        if bytes.response_type.to_string() != ID_PKIX_OCSP_BASIC {
            leave_out(format!(
                "left out: a response of type {}, not id-pkix-ocsp-basic",
                bytes.response_type
            ));
            return Ok(());
        }
        let basic_der = bytes.response.as_bytes();
        der_fits(basic_der).map_err(|e| malformed(format!("not a BasicOCSPResponse: {e}")))?;
        let basic = BasicOcspResponse::from_der(basic_der)
            .map_err(|e| malformed(format!("not a BasicOCSPResponse ({e})")))?;
        let signed = signed_parts(basic_der).map_err(&malformed)?;
        let responder = match &basic.tbs_response_data.responder_id {
            ResponderId::ByName(name) => Responder::Name(
                name.to_der()
                    .map_err(|e| malformed(format!("bad responder name ({e})")))?,
            ),
            ResponderId::ByKey(hash) => Responder::KeyHash(hash.as_bytes().to_vec()),
        };
        let mut delegates = Vec::new();
        for cert in basic.certs.iter().flatten() {
            let cert_der = cert
                .to_der()
                .map_err(|e| malformed(format!("bad certificate in the response ({e})")))?;
            delegates.push(Delegate::parse(&cert_der).map_err(&malformed)?);
        }
        let response = Arc::new(SignedResponse {
            source: source.clone(),
            tbs: signed.tbs.to_vec(),
            algorithm: signed.algorithm.to_vec(),
            signature: signed.signature.to_vec(),
            responder,
            delegates,
            verified: RwLock::new(Vec::new()),
        });
        for single in &basic.tbs_response_data.responses {
            let cert_id = &single.cert_id;
            let hash = match cert_id.hash_algorithm.oid.to_string().as_str() {
                ID_SHA1 => HashAlgorithm::Sha1,
                ID_SHA256 => HashAlgorithm::Sha256,
                other => {
                    self.warnings.push(Warning::new(
                        &source,
                        format!(
                            "left out: a status whose CertID is hashed with {other}, not SHA-1 \
                            or SHA-256"
                        ),
                    ));
                    continue;
                }
            };
            let status = match &single.cert_status {
                CertStatus::Good(_) => Status::Good,
                CertStatus::Unknown(_) => Status::Unknown,
                CertStatus::Revoked(info) => Status::Revoked(Revocation {
                    time: seconds(&info.revocation_time),
                    reason: info.revocation_reason.map(|reason| reason_name(&reason)),
                }),
            };
            self.statuses.push(SingleStatus {
                serial: serial_bytes(cert_id.serial_number.as_bytes()).to_vec(),
                hash,
                issuer_name_hash: cert_id.issuer_name_hash.as_bytes().to_vec(),
                issuer_key_hash: cert_id.issuer_key_hash.as_bytes().to_vec(),
                status,
                this_update: seconds(&single.this_update),
                next_update: single.next_update.as_ref().map(seconds),
                response: Arc::clone(&response),
            });
        }
        Ok(())
    }

    /// These responses and `newer` together, as a fetch adds to them: for each CertID the
    /// status with the latest thisUpdate is kept (`newer`'s on a tie), so an older
    /// response replayed on the wire cannot displace a newer one; responses past their
    /// nextUpdate at `now` are dropped, and beyond [`MAX_SOURCE_ITEMS`] statuses those
    /// that expire first go. The warnings are `newer`'s.
    pub(crate) fn merged(&self, newer: OcspSet, now: i64) -> OcspSet {
        let current = |status: &&SingleStatus| status.next_update.is_some_and(|next| next >= now);
        let mut statuses = newer.statuses;
        statuses.extend(self.statuses.iter().filter(current).cloned());
        // Stable: among equal CertIDs and times, `newer`'s (first) stays first.
        statuses.sort_by(|a, b| {
            a.cert_id()
                .cmp(&b.cert_id())
                .then(b.this_update.cmp(&a.this_update))
        });
        statuses.dedup_by(|later, kept| later.cert_id() == kept.cert_id());
        if statuses.len() > MAX_SOURCE_ITEMS {
            statuses.sort_by_key(|status| std::cmp::Reverse(status.next_update));
            statuses.truncate(MAX_SOURCE_ITEMS);
        }
        let mut set = OcspSet {
            statuses,
            by_serial: HashMap::new(),
            warnings: newer.warnings,
        };
        set.index();
        set
    }

    fn index(&mut self) {
        self.by_serial.clear();
        for (index, status) in self.statuses.iter().enumerate() {
            self.by_serial
                .entry(status.serial.clone())
                .or_default()
                .push(index);
        }
    }

    /// Whether no status is loaded.
    pub(crate) fn is_empty(&self) -> bool {
        self.statuses.is_empty()
    }

    /// What loading left out, and why.
    pub(crate) fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The status of `subject` at `now`, give or take `skew` seconds on the response's
    /// thisUpdate / nextUpdate and on a delegated responder's validity. `revoked_by_crl`
    /// tells whether the issuer's CRLs revoke a serial: a delegated responder certificate
    /// without id-pkix-ocsp-nocheck is checked with it (RFC 6960 §4.2.2.2.1).
    pub(crate) fn answer(
        &self,
        subject: &Subject<'_>,
        now: i64,
        skew: i64,
        revoked_by_crl: &dyn Fn(&[u8]) -> bool,
    ) -> Answer {
        let serial_hex = || hex::encode(subject.serial);
        let Some(indexes) = self.by_serial.get(subject.serial) else {
            return Answer::Missing(format!("no OCSP response for serial {}", serial_hex()));
        };
        let digests = IssuerDigests::of(subject);
        let mut notes: Vec<(u8, String)> = Vec::new();
        let mut refusal = None;
        let mut best: Option<&SingleStatus> = None;
        for status in indexes.iter().map(|&i| &self.statuses[i]) {
            let source = &status.response.source;
            let (name_hash, key_hash) = digests.get(status.hash);
            let names_issuer = status.issuer_name_hash == *name_hash
                && key_hash.as_ref() == Some(&status.issuer_key_hash);
            if !names_issuer {
                notes.push((
                    0,
                    format!(
                        "the OCSP response {source} for serial {} names another issuer (its \
                         CertID's issuer hashes do not match)",
                        serial_hex()
                    ),
                ));
                continue;
            }
            if let Err(why) =
                status
                    .response
                    .check_signer(subject, &digests, now, skew, revoked_by_crl)
            {
                refusal.get_or_insert(format!("the OCSP response {source} {why}"));
                continue;
            }
            if status.this_update > now.saturating_add(skew) {
                notes.push((
                    1,
                    format!(
                        "the OCSP response {source} is not valid before {} (thisUpdate)",
                        format_time(status.this_update)
                    ),
                ));
                continue;
            }
            match status.next_update {
                None => {
                    notes.push((
                        2,
                        format!(
                            "the OCSP response {source} has no nextUpdate, so it counts as \
                            expired"
                        ),
                    ));
                    continue;
                }
                Some(next_update) if next_update.saturating_add(skew) < now => {
                    notes.push((
                        2,
                        format!(
                            "the OCSP response {source} expired at {} (nextUpdate)",
                            format_time(next_update)
                        ),
                    ));
                    continue;
                }
                Some(_) => {}
            }
            if status.status == Status::Unknown {
                notes.push((3, format!("the OCSP response {source} says unknown")));
                continue;
            }
            if best.is_none_or(|best| status.this_update > best.this_update) {
                best = Some(status);
            }
        }
        if let Some(status) = best {
            return match &status.status {
                Status::Revoked(revocation) => Answer::Revoked {
                    revocation: revocation.clone(),
                    responder: status.response.signer_label(subject, &digests),
                },
                _ => Answer::Good,
            };
        }
        if let Some(refusal) = refusal {
            return Answer::Refused(refusal);
        }
        // The most telling reason: unknown, then expired, then not yet valid, then
        // another issuer's response.
        notes.sort_by_key(|(rank, _)| std::cmp::Reverse(*rank));
        Answer::Missing(
            notes
                .into_iter()
                .next()
                .map(|(_, note)| note)
                .unwrap_or_default(),
        )
    }

    /// The verification times around `now` (first, last; inclusive) over which no
    /// response, and no delegated responder certificate, turns valid or stale.
    pub(crate) fn steady_around(&self, now: i64, skew: i64) -> (i64, i64) {
        let mut window = (i64::MIN, i64::MAX);
        let mut at = |change: i64| {
            if change <= now {
                window.0 = window.0.max(change);
            } else {
                window.1 = window.1.min(change - 1);
            }
        };
        for status in &self.statuses {
            at(status.this_update.saturating_sub(skew));
            if let Some(next_update) = status.next_update {
                at(next_update.saturating_add(skew).saturating_add(1));
            }
            for delegate in &status.response.delegates {
                at(delegate.not_before.saturating_sub(skew));
                at(delegate.not_after.saturating_add(skew).saturating_add(1));
            }
        }
        window
    }
}

impl SignedResponse {
    /// The delegate the responder ID names, if the responder is not the issuer itself.
    fn delegate(
        &self,
        subject: &Subject<'_>,
        digests: &IssuerDigests<'_>,
    ) -> Result<Option<(usize, &Delegate)>, String> {
        let is_issuer = match &self.responder {
            Responder::Name(name) => name == subject.issuer_name,
            Responder::KeyHash(hash) => digests.get(HashAlgorithm::Sha1).1.as_ref() == Some(hash),
        };
        if is_issuer {
            return Ok(None);
        }
        self.delegates
            .iter()
            .enumerate()
            .find(|(_, delegate)| match &self.responder {
                Responder::Name(name) => *name == delegate.subject,
                Responder::KeyHash(hash) => *hash == delegate.key_hash,
            })
            .map(Some)
            .ok_or_else(|| {
                "is signed by a responder that is neither the certificate's issuer nor a \
                certificate carried in the response"
                    .to_owned()
            })
    }

    /// "its issuer", or the delegated responder's subject.
    fn signer_label(&self, subject: &Subject<'_>, digests: &IssuerDigests<'_>) -> String {
        match self.delegate(subject, digests) {
            Ok(Some((_, delegate))) => format!("the delegated responder {}", delegate.label),
            _ => "its issuer".to_owned(),
        }
    }

    /// Checks that the issuer signed the response, or certified the delegated responder
    /// that did (OCSP-signing EKU, valid at `now`, not revoked unless nocheck).
    fn check_signer(
        &self,
        subject: &Subject<'_>,
        digests: &IssuerDigests<'_>,
        now: i64,
        skew: i64,
        revoked_by_crl: &dyn Fn(&[u8]) -> bool,
    ) -> Result<(), String> {
        let signer_spki = match self.delegate(subject, digests)? {
            None => subject.issuer_spki,
            Some((index, delegate)) => {
                let label = &delegate.label;
                if delegate.issuer != subject.issuer_name
                    || !self.verified_by(Some(index), subject.issuer_spki, || {
                        verify_signature(
                            subject.issuer_spki,
                            &delegate.algorithm,
                            &delegate.tbs,
                            &delegate.signature,
                        )
                    })
                {
                    return Err(format!(
                        "is signed by the delegated responder {label}, whose certificate the \
                        certificate's issuer did not sign"
                    ));
                }
                if !delegate.ocsp_signing {
                    return Err(format!(
                        "is signed by the delegated responder {label}, whose certificate lacks \
                        the OCSP-signing extended key usage (id-kp-OCSPSigning)"
                    ));
                }
                if delegate.not_before.saturating_sub(skew) > now
                    || delegate.not_after.saturating_add(skew) < now
                {
                    return Err(format!(
                        "is signed by the delegated responder {label}, whose certificate is not \
                        valid at {} (valid {} to {})",
                        format_time(now),
                        format_time(delegate.not_before),
                        format_time(delegate.not_after)
                    ));
                }
                if !delegate.nocheck && revoked_by_crl(&delegate.serial) {
                    return Err(format!(
                        "is signed by the delegated responder {label}, whose certificate is \
                        revoked on its issuer's CRL"
                    ));
                }
                &delegate.spki
            }
        };
        if self.verified_by(None, signer_spki, || {
            verify_signature(signer_spki, &self.algorithm, &self.tbs, &self.signature)
        }) {
            Ok(())
        } else {
            Err("has a signature that does not verify".to_owned())
        }
    }

    /// Whether `spki` verified the response (`None`) or a delegate's certificate: from
    /// memory, or by `verify` once, remembering a success.
    fn verified_by(&self, what: Option<usize>, spki: &[u8], verify: impl FnOnce() -> bool) -> bool {
        let known = |verified: &Vec<(Option<usize>, Vec<u8>)>| {
            verified
                .iter()
                .any(|(which, key)| *which == what && key == spki)
        };
        if known(&self.verified.read().unwrap_or_else(PoisonError::into_inner)) {
            return true;
        }
        if !verify() {
            return false;
        }
        let mut verified = self
            .verified
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if verified.len() < MAX_REMEMBERED_KEYS && !known(&verified) {
            verified.push((what, spki.to_vec()));
        }
        true
    }
}

impl Delegate {
    fn parse(der: &[u8]) -> Result<Delegate, String> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| format!("a certificate in the response does not parse ({e})"))?;
        let signed = signed_parts(der)?;
        let spki = cert.public_key().raw.to_vec();
        let key_hash = spki_parts(&spki)
            .map(|(_, bits)| HashAlgorithm::Sha1.digest(bits))
            .unwrap_or_default();
        let ocsp_signing = match cert.extended_key_usage() {
            Ok(Some(eku)) => eku.value.ocsp_signing,
            _ => false,
        };
        let nocheck = cert
            .extensions()
            .iter()
            .any(|ext| ext.oid.to_id_string() == ID_PKIX_OCSP_NOCHECK);
        Ok(Delegate {
            label: rfc4514(cert.subject()),
            subject: cert.subject().as_raw().to_vec(),
            issuer: cert.issuer().as_raw().to_vec(),
            key_hash,
            serial: serial_bytes(cert.raw_serial()).to_vec(),
            tbs: signed.tbs.to_vec(),
            algorithm: signed.algorithm.to_vec(),
            signature: signed.signature.to_vec(),
            ocsp_signing,
            nocheck,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            spki,
        })
    }
}

/// A DER OCSPRequest for `subject`'s status: one SHA-1 CertID (the hash every responder
/// reads, RFC 5019), unsigned, without a nonce (so a responder may answer from its cache).
pub(crate) fn request(subject: &Subject<'_>) -> Result<Vec<u8>, String> {
    use der::asn1::OctetString;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::AlgorithmIdentifierOwned;
    use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest};
    let key_bits = spki_parts(subject.issuer_spki)
        .map(|(_, bits)| bits)
        .ok_or("the issuer's public key does not parse")?;
    let hash =
        |data: &[u8]| OctetString::new(HashAlgorithm::Sha1.digest(data)).map_err(|e| e.to_string());
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: der::asn1::ObjectIdentifier::new_unwrap(ID_SHA1),
            parameters: Some(der::asn1::Null.into()),
        },
        issuer_name_hash: hash(subject.issuer_name)?,
        issuer_key_hash: hash(key_bits)?,
        serial_number: SerialNumber::new(subject.serial).map_err(|e| e.to_string())?,
    };
    OcspRequest {
        tbs_request: TbsRequest {
            version: x509_ocsp::Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(|e| e.to_string())
}

fn seconds(time: &x509_ocsp::OcspGeneralizedTime) -> i64 {
    i64::try_from(time.0.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// A CRLReason as RFC 5280 spells it: `keyCompromise`.
fn reason_name(reason: &impl std::fmt::Debug) -> String {
    let name = format!("{reason:?}");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status of one CertID, current for 100 s from `this_update`.
    fn status(this_update: i64, status: Status) -> SingleStatus {
        SingleStatus {
            serial: vec![1],
            hash: HashAlgorithm::Sha1,
            issuer_name_hash: vec![2],
            issuer_key_hash: vec![3],
            status,
            this_update,
            next_update: Some(this_update + 100),
            response: Arc::new(SignedResponse {
                source: format!("fetched at {this_update}"),
                tbs: Vec::new(),
                algorithm: Vec::new(),
                signature: Vec::new(),
                responder: Responder::KeyHash(Vec::new()),
                delegates: Vec::new(),
                verified: RwLock::new(Vec::new()),
            }),
        }
    }

    fn set(statuses: Vec<SingleStatus>) -> OcspSet {
        let mut set = OcspSet {
            statuses,
            ..OcspSet::default()
        };
        set.index();
        set
    }

    #[test]
    fn a_fetch_keeps_the_latest_status_of_each_cert_id() {
        let revoked = Status::Revoked(Revocation {
            time: 5,
            reason: None,
        });
        let held = set(vec![status(50, revoked.clone())]);
        // An older good response (a replay on plain HTTP) does not displace it.
        let merged = held.merged(set(vec![status(10, Status::Good)]), 0);
        assert_eq!(merged.statuses.len(), 1);
        assert_eq!(merged.statuses[0].status, revoked);
        // A newer one does, and so does one of the same time.
        let merged = held.merged(set(vec![status(60, Status::Good)]), 0);
        assert_eq!(merged.statuses.len(), 1);
        assert_eq!(merged.statuses[0].status, Status::Good);
        let merged = held.merged(set(vec![status(50, Status::Unknown)]), 0);
        assert_eq!(merged.statuses[0].status, Status::Unknown);
        // Past its nextUpdate a held status is dropped.
        assert!(held.merged(set(Vec::new()), 151).statuses.is_empty());
        assert_eq!(held.merged(set(Vec::new()), 150).by_serial[&vec![1]], [0]);
    }
}
