//! What `certgate pki` signs, made with rcgen: the two CAs, leaves and CRLs, each to
//! RFC 5280 and certgate's strict profile (docs/profile.md).

use clap::ValueEnum;
use rcgen::string::Ia5String;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, CertificateRevocationListParams,
    CertifiedIssuer, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod,
    KeyPair, KeyUsagePurpose, RevocationReason, RevokedCertParams, SanType, SerialNumber,
    PKCS_ECDSA_P256_SHA256, PKCS_ED25519,
};
use ring::rand::{SecureRandom as _, SystemRandom};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::error::UsageError;

/// The organization both CAs name.
const ORGANIZATION: &str = "Certgate Dev PKI";
/// How long the root CA is valid.
const ROOT_DAYS: i64 = 3650;
/// How long the issuing CA is valid: leaves cannot outlive it.
const INTERMEDIATE_DAYS: i64 = 1825;
/// How long before "now" certificates and CRLs start, so that a peer whose clock is a
/// little behind the signer's accepts them from the start.
pub(crate) const BACKDATE: Duration = Duration::hours(1);

/// The key type of a leaf (`--key`). The CAs' keys are always ECDSA P-256.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum KeyType {
    /// ECDSA on P-256 with SHA-256.
    Ec,
    /// RSA, 2048 bits.
    Rsa,
    /// Ed25519.
    Ed25519,
}

impl KeyType {
    /// The key as people name it: `ECDSA P-256`.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            KeyType::Ec => "ECDSA P-256",
            KeyType::Rsa => "RSA 2048",
            KeyType::Ed25519 => "Ed25519",
        }
    }

    /// A new key of this type.
    pub(crate) fn generate(self) -> Result<KeyPair, UsageError> {
        let key = match self {
            KeyType::Ec => {
                KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())
            }
            KeyType::Ed25519 => ed25519_key(),
            KeyType::Rsa => rsa_key(),
        };
        key.map_err(|e| UsageError(format!("cannot generate a {} key: {e}", self.describe())))
    }
}

/// An Ed25519 key in PKCS#8 version 1. ring writes version 2 (RFC 5958, the public key
/// included), which OpenSSL 3.0, and so curl, cannot read; version 1 holds the same
/// private key. (The `pkcs8` crate, as the `rsa` crate re-exports it, re-encodes it.)
fn ed25519_key() -> Result<KeyPair, String> {
    use rsa::pkcs8::der::Encode as _;
    let v2 = KeyPair::generate_for(&PKCS_ED25519).map_err(|e| e.to_string())?;
    let mut info =
        rsa::pkcs8::PrivateKeyInfo::try_from(v2.serialized_der()).map_err(|e| e.to_string())?;
    info.public_key = None;
    let v1 = info.to_der().map_err(|e| e.to_string())?;
    KeyPair::try_from(v1.as_slice()).map_err(|e| e.to_string())
}

/// ring, rcgen's backend here, cannot generate RSA keys (rcgen's other backend,
/// aws-lc-rs, can, but needs a C toolchain the WebAssembly build does not have). So the
/// `rsa` crate generates the key, and rcgen loads it through ring as PKCS#8 like any
/// other: everything after generation, signing included, is ring's.
fn rsa_key() -> Result<KeyPair, String> {
    use rsa::pkcs8::EncodePrivateKey as _;
    let key =
        rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).map_err(|e| e.to_string())?;
    let pkcs8 = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    KeyPair::try_from(pkcs8.as_bytes()).map_err(|e| e.to_string())
}

/// A serial number of 16 random octets (RFC 5280 §4.1.2.2: positive, at most 20
/// octets; CA/Browser Forum: at least 64 random bits). The first octet is 01xxxxxx:
/// with the top bit clear the INTEGER is positive without a sign octet, and with the
/// next one set it never shrinks to fewer octets, so every serial has 32 hex digits.
fn random_serial() -> Result<SerialNumber, UsageError> {
    let mut octets = [0u8; 16];
    random(&mut octets)?;
    octets[0] = (octets[0] & 0x3f) | 0x40;
    Ok(SerialNumber::from_slice(&octets))
}

/// Fills `octets` from the system's random number generator.
fn random(octets: &mut [u8]) -> Result<(), UsageError> {
    SystemRandom::new()
        .fill(octets)
        .map_err(|_| UsageError("the system's random number generator failed".to_owned()))
}

/// A name of the CAs: `CN=common_name,O=Certgate Dev PKI`.
fn ca_name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, ORGANIZATION);
    name.push(DnType::CommonName, common_name);
    name
}

/// The parameters of a CA valid from `now` for `days`: critical basicConstraints with
/// cA (and `path_len`), keyCertSign and cRLSign, key identifiers, and the trust domain's
/// SPIFFE ID, since X509-SVID §3 says a signing certificate should itself be an SVID of
/// its trust domain (without a path). certgate then binds the anchor to that domain
/// (docs/spiffe.md).
fn ca_params(
    common_name: &str,
    trust_domain: &str,
    now: OffsetDateTime,
    days: i64,
    path_len: Option<u8>,
) -> Result<CertificateParams, UsageError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = ca_name(common_name);
    params.serial_number = Some(random_serial()?);
    params.not_before = now - BACKDATE;
    params.not_after = now + Duration::days(days);
    params.is_ca = IsCa::Ca(path_len.map_or(BasicConstraints::Unconstrained, |length| {
        BasicConstraints::Constrained(length)
    }));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.subject_alt_names = vec![SanType::URI(ia5(
        &format!("spiffe://{trust_domain}"),
        "a URI",
    )?)];
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

/// `text` as the IA5String (ASCII) that DNS, email and URI SANs are; `what` names the
/// option it came from in the error.
pub(crate) fn ia5(text: &str, what: &str) -> Result<Ia5String, UsageError> {
    if text.is_empty() {
        return Err(UsageError(format!("{what} may not be empty")));
    }
    Ia5String::try_from(text).map_err(|_| UsageError(format!("{what} {text:?} is not ASCII")))
}

/// The root and issuing CAs of a new PKI: the root valid for `ROOT_DAYS`, the issuing CA
/// (pathLenConstraint 0: it signs leaves only) for `INTERMEDIATE_DAYS`. Their common
/// names end in six random hex digits, so that two development PKIs never have CAs of
/// the same name (a verifier given both would try one's certificates with the other's
/// key, and report a bad signature rather than an unknown issuer).
pub(crate) fn new_cas(
    trust_domain: &str,
    now: OffsetDateTime,
) -> Result<[CertifiedIssuer<'static, KeyPair>; 2], UsageError> {
    let mut octets = [0u8; 3];
    random(&mut octets)?;
    let id = hex::encode(octets);
    let failed = |e: rcgen::Error| UsageError(format!("cannot sign a CA certificate: {e}"));
    let root_params = ca_params(
        &format!("Certgate Dev Root {id}"),
        trust_domain,
        now,
        ROOT_DAYS,
        None,
    )?;
    let root =
        CertifiedIssuer::self_signed(root_params, KeyType::Ec.generate()?).map_err(failed)?;
    let intermediate_params = ca_params(
        &format!("Certgate Dev Issuing CA {id}"),
        trust_domain,
        now,
        INTERMEDIATE_DAYS,
        Some(0),
    )?;
    let intermediate =
        CertifiedIssuer::signed_by(intermediate_params, KeyType::Ec.generate()?, &root)
            .map_err(failed)?;
    Ok([root, intermediate])
}

/// What a leaf names and may be used for.
pub(crate) struct LeafSpec {
    /// The subject's common name.
    pub(crate) common_name: String,
    pub(crate) sans: Vec<SanType>,
    pub(crate) usages: Vec<ExtendedKeyUsagePurpose>,
    /// notAfter.
    pub(crate) not_after: OffsetDateTime,
}

/// A leaf for `key`, signed by `issuer`: subject `CN=common_name`, a random serial,
/// digitalSignature (what a TLS client or server signs the handshake with), basicConstraints
/// cA false (which also makes rcgen write the subjectKeyIdentifier RFC 5280 §4.2.1.2 asks of
/// leaves) and the authorityKeyIdentifier.
pub(crate) fn new_leaf(
    spec: LeafSpec,
    key: &KeyPair,
    issuer: &Issuer<'_, KeyPair>,
    now: OffsetDateTime,
) -> Result<Certificate, UsageError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, spec.common_name);
    params.serial_number = Some(random_serial()?);
    params.not_before = now - BACKDATE;
    params.not_after = spec.not_after;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = spec.usages;
    params.subject_alt_names = spec.sans;
    params.use_authority_key_identifier_extension = true;
    params
        .signed_by(key, issuer)
        .map_err(|e| UsageError(format!("cannot sign the certificate: {e}")))
}

/// Why a certificate was revoked (`--reason`): the RFC 5280 §5.3.1 reasons that apply to
/// a leaf for good (certificateHold is left out: `pki` never un-revokes).
#[derive(Clone, Copy, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Reason {
    /// No reason given: the CRL entry then has no reasonCode, as RFC 5280 §5.3.1 advises.
    Unspecified,
    /// The private key was disclosed or lost.
    KeyCompromise,
    /// The subject's name or other information changed.
    AffiliationChanged,
    /// A new certificate replaces it.
    Superseded,
    /// It is no longer needed.
    CessationOfOperation,
    /// A privilege it granted was withdrawn.
    PrivilegeWithdrawn,
}

impl Reason {
    /// The name `--reason` takes and the index records: `key-compromise`.
    pub(crate) fn name(self) -> String {
        self.to_possible_value()
            .map_or_else(String::new, |value| value.get_name().to_owned())
    }

    fn code(self) -> Option<RevocationReason> {
        match self {
            Reason::Unspecified => None,
            Reason::KeyCompromise => Some(RevocationReason::KeyCompromise),
            Reason::AffiliationChanged => Some(RevocationReason::AffiliationChanged),
            Reason::Superseded => Some(RevocationReason::Superseded),
            Reason::CessationOfOperation => Some(RevocationReason::CessationOfOperation),
            Reason::PrivilegeWithdrawn => Some(RevocationReason::PrivilegeWithdrawn),
        }
    }
}

/// One entry of a CRL.
pub(crate) struct RevokedEntry {
    /// The serial number's octets.
    pub(crate) serial: Vec<u8>,
    /// When it was revoked.
    pub(crate) at: OffsetDateTime,
    pub(crate) reason: Reason,
}

/// A CRL of `issuer`, PEM, listing `revoked`, valid from `this_update` to `next_update`.
/// Its authorityKeyIdentifier is derived the way rcgen derived the CA's
/// subjectKeyIdentifier (SHA-256 of the key, truncated), so that the two match.
pub(crate) fn sign_crl(
    issuer: &Issuer<'_, KeyPair>,
    number: u64,
    revoked: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
) -> Result<String, UsageError> {
    let params = CertificateRevocationListParams {
        this_update,
        next_update,
        crl_number: SerialNumber::from(number),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|entry| RevokedCertParams {
                serial_number: SerialNumber::from_slice(&entry.serial),
                revocation_time: entry.at,
                reason_code: entry.reason.code(),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let crl = params
        .signed_by(issuer)
        .map_err(|e| UsageError(format!("cannot sign the CRL: {e}")))?;
    crl.pem()
        .map_err(|e| UsageError(format!("cannot encode the CRL: {e}")))
}
