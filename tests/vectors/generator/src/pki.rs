//! Certificate specifications, issuing them with rcgen, CRLs, and file output.
//!
//! A [`CertSpec`] states every identity-relevant value explicitly (subject in encoding
//! order, serial, validity, key type, SANs, key usages, EKUs, basic constraints). The
//! certificate is produced from it with rcgen, the expected [`Identity`] is computed
//! from it, and then the DER is read back to assert the two agree.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use der::asn1::{BitString, Ia5StringRef, PrintableStringRef, Utf8StringRef};
use der::oid::ObjectIdentifier;
use der::pem::LineEnding;
use der::{Decode, Encode, Tag, Tagged};
use pkcs8::PrivateKeyInfo;
use rcgen::string::{Ia5String, PrintableString};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, DnValue, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, NameConstraints, PublicKeyData, RevocationReason, RevokedCertParams, SanType,
    SerialNumber,
};
use time::OffsetDateTime;
use x509_cert::name::Name;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::identity::{self, Identity, PublicKey, Sans, SubjectFields};
use crate::Result;

/// A subject attribute type the vectors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    /// commonName (2.5.4.3)
    Cn,
    /// localityName (2.5.4.7)
    L,
    /// stateOrProvinceName (2.5.4.8)
    St,
    /// organizationName (2.5.4.10)
    O,
    /// organizationalUnitName (2.5.4.11)
    Ou,
    /// countryName (2.5.4.6)
    C,
    /// streetAddress (2.5.4.9)
    Street,
    /// domainComponent (0.9.2342.19200300.100.1.25)
    Dc,
    /// userId (0.9.2342.19200300.100.1.1)
    Uid,
    /// serialNumber (2.5.4.5)
    SerialNumber,
    /// emailAddress (1.2.840.113549.1.9.1)
    EmailAddress,
}

const ALL_ATTRS: [Attr; 11] = [
    Attr::Cn,
    Attr::L,
    Attr::St,
    Attr::O,
    Attr::Ou,
    Attr::C,
    Attr::Street,
    Attr::Dc,
    Attr::Uid,
    Attr::SerialNumber,
    Attr::EmailAddress,
];

impl Attr {
    /// The short name used in RFC 4514 strings and in `subject_fields`.
    pub fn short(self) -> &'static str {
        match self {
            Attr::Cn => "CN",
            Attr::L => "L",
            Attr::St => "ST",
            Attr::O => "O",
            Attr::Ou => "OU",
            Attr::C => "C",
            Attr::Street => "STREET",
            Attr::Dc => "DC",
            Attr::Uid => "UID",
            Attr::SerialNumber => "serialNumber",
            Attr::EmailAddress => "emailAddress",
        }
    }

    fn oid(self) -> &'static [u64] {
        match self {
            Attr::Cn => &[2, 5, 4, 3],
            Attr::L => &[2, 5, 4, 7],
            Attr::St => &[2, 5, 4, 8],
            Attr::O => &[2, 5, 4, 10],
            Attr::Ou => &[2, 5, 4, 11],
            Attr::C => &[2, 5, 4, 6],
            Attr::Street => &[2, 5, 4, 9],
            Attr::Dc => &[0, 9, 2342, 19200300, 100, 1, 25],
            Attr::Uid => &[0, 9, 2342, 19200300, 100, 1, 1],
            Attr::SerialNumber => &[2, 5, 4, 5],
            Attr::EmailAddress => &[1, 2, 840, 113549, 1, 9, 1],
        }
    }

    fn dotted(self) -> String {
        let arcs: Vec<String> = self.oid().iter().map(u64::to_string).collect();
        arcs.join(".")
    }

    fn from_oid(oid: &ObjectIdentifier) -> Option<Attr> {
        let dotted = oid.to_string();
        ALL_ATTRS.into_iter().find(|a| a.dotted() == dotted)
    }

    /// rcgen's key for this attribute. rcgen keeps one value per [`DnType`], but its
    /// built-in types and a `CustomDnType` carrying the same OID are distinct keys that
    /// encode identically, so a second value of a built-in type is pushed that way.
    fn dn_type(self, repeated: bool) -> Result<DnType> {
        let builtin = match self {
            Attr::Cn => Some(DnType::CommonName),
            Attr::L => Some(DnType::LocalityName),
            Attr::St => Some(DnType::StateOrProvinceName),
            Attr::O => Some(DnType::OrganizationName),
            Attr::Ou => Some(DnType::OrganizationalUnitName),
            Attr::C => Some(DnType::CountryName),
            _ => None,
        };
        let custom = DnType::CustomDnType(self.oid().to_vec());
        match (builtin, repeated) {
            (Some(b), false) => Ok(b),
            (Some(_), true) | (None, false) => Ok(custom),
            (None, true) => Err(format!("cannot encode two {} values", self.short()).into()),
        }
    }

    /// The ASN.1 string type RFC 5280 / RFC 4519 prescribe for the attribute.
    fn string_tag(self) -> Tag {
        match self {
            Attr::C | Attr::SerialNumber => Tag::PrintableString,
            Attr::Dc | Attr::EmailAddress => Tag::Ia5String,
            _ => Tag::Utf8String,
        }
    }

    /// The value as rcgen should encode it (see [`Attr::string_tag`]).
    fn dn_value(self, value: &str) -> Result<DnValue> {
        Ok(match self.string_tag() {
            Tag::PrintableString => DnValue::PrintableString(PrintableString::try_from(value)?),
            Tag::Ia5String => DnValue::Ia5String(Ia5String::try_from(value)?),
            _ => DnValue::Utf8String(value.to_owned()),
        })
    }
}

/// A distinguished name in encoding order (first element = first RDN in the DER).
pub type Dn = Vec<(Attr, String)>;

/// Builds a [`Dn`] from string slices.
pub fn dn(attrs: &[(Attr, &str)]) -> Dn {
    attrs.iter().map(|(a, v)| (*a, (*v).to_owned())).collect()
}

/// The RFC 4514 string of a DN: RDNs in reverse encoding order, `,`-joined.
pub fn rfc4514(dn: &Dn) -> Result<String> {
    let mut parts = Vec::new();
    for (attr, value) in dn.iter().rev() {
        let needs_escape = value.is_empty()
            || value.starts_with([' ', '#'])
            || value.ends_with(' ')
            || value.contains([',', '+', '"', '\\', '<', '>', ';', '=']);
        if needs_escape {
            return Err(format!("{value:?} would need RFC 4514 escaping; pick another").into());
        }
        parts.push(format!("{}={value}", attr.short()));
    }
    Ok(parts.join(","))
}

fn subject_fields(dn: &Dn) -> SubjectFields {
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    for (attr, value) in dn {
        match fields.iter_mut().find(|(k, _)| k == attr.short()) {
            Some((_, values)) => values.push(value.clone()),
            None => fields.push((attr.short().to_owned(), vec![value.clone()])),
        }
    }
    SubjectFields(fields)
}

/// One subject alternative name.
#[derive(Debug, Clone)]
pub enum San {
    /// dNSName
    Dns(String),
    /// uniformResourceIdentifier
    Uri(String),
    /// rfc822Name
    Email(String),
    /// iPAddress
    Ip(IpAddr),
}

impl San {
    /// A dNSName.
    pub fn dns(s: &str) -> San {
        San::Dns(s.to_owned())
    }
    /// A URI.
    pub fn uri(s: &str) -> San {
        San::Uri(s.to_owned())
    }
    /// An rfc822Name.
    pub fn email(s: &str) -> San {
        San::Email(s.to_owned())
    }
    /// An iPAddress; panics on a typo in the literal.
    pub fn ip(s: &str) -> San {
        San::Ip(s.parse().expect("IP literal in the generator"))
    }

    fn to_rcgen(&self) -> Result<SanType> {
        Ok(match self {
            San::Dns(s) => SanType::DnsName(Ia5String::try_from(s.as_str())?),
            San::Uri(s) => SanType::URI(Ia5String::try_from(s.as_str())?),
            San::Email(s) => SanType::Rfc822Name(Ia5String::try_from(s.as_str())?),
            San::Ip(ip) => SanType::IpAddress(*ip),
        })
    }
}

/// The subject key type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA on P-256.
    P256,
    /// ECDSA on P-384.
    P384,
    /// RSA with a 2048-bit modulus (generated with the `openssl` CLI).
    Rsa2048,
    /// Ed25519.
    Ed25519,
    /// RSA with a 1024-bit modulus (too weak for certgate; `openssl`, subject key only).
    Rsa1024,
    /// ECDSA on P-192 (too weak for certgate; `openssl`, subject key only).
    P192,
    /// DSA with a 2048-bit prime (not accepted by certgate; `openssl`, subject key only).
    Dsa2048,
}

/// A certificate's subject key: a key rcgen can sign with, or one only the `openssl`
/// CLI can make (kept as its SubjectPublicKeyInfo and PKCS#8 PEM).
pub enum SubjectKey {
    /// A key rcgen (ring) signs with.
    Pair(KeyPair),
    /// A key rcgen cannot handle: the certificate is made for `stand_in` and then given
    /// this SubjectPublicKeyInfo and signed again (see [`Issued::signed_by`]).
    Foreign {
        /// SubjectPublicKeyInfo DER.
        spki: Vec<u8>,
        /// The private key, PKCS#8 PEM.
        pem: String,
        /// The P-256 key rcgen builds the certificate for first.
        stand_in: KeyPair,
    },
}

impl SubjectKey {
    /// The SubjectPublicKeyInfo DER.
    pub fn spki(&self) -> Vec<u8> {
        match self {
            SubjectKey::Pair(pair) => pair.subject_public_key_info(),
            SubjectKey::Foreign { spki, .. } => spki.clone(),
        }
    }

    /// The key rcgen builds the certificate for (a foreign key's stand-in).
    fn signing(&self) -> &KeyPair {
        match self {
            SubjectKey::Pair(pair) | SubjectKey::Foreign { stand_in: pair, .. } => pair,
        }
    }

    /// The key rcgen signs with; a foreign key never signs here (a generator bug).
    pub fn pair(&self) -> &KeyPair {
        match self {
            SubjectKey::Pair(pair) => pair,
            SubjectKey::Foreign { .. } => panic!("a key only openssl makes cannot sign with rcgen"),
        }
    }
}

impl KeyKind {
    fn generate(self) -> Result<SubjectKey> {
        let foreign = |args: &[&str]| -> Result<SubjectKey> {
            let pem = String::from_utf8(openssl(args)?)?;
            let spki = openssl_public_key(&pem)?;
            let stand_in = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
            Ok(SubjectKey::Foreign {
                spki,
                pem,
                stand_in,
            })
        };
        Ok(match self {
            KeyKind::Rsa1024 => {
                return foreign(&[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:1024",
                ])
            }
            KeyKind::P192 => {
                return foreign(&[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-192",
                ])
            }
            KeyKind::Dsa2048 => {
                // DSA keys need domain parameters first.
                let dir = TempDir::new()?;
                let params = dir.path().join("dsa-params.pem");
                let params = params.to_str().ok_or("non-UTF-8 temp path")?;
                openssl(&[
                    "genpkey",
                    "-genparam",
                    "-algorithm",
                    "DSA",
                    "-pkeyopt",
                    "dsa_paramgen_bits:2048",
                    "-out",
                    params,
                ])?;
                return foreign(&["genpkey", "-paramfile", params]);
            }
            _ => SubjectKey::Pair(self.generate_pair()?),
        })
    }

    fn generate_pair(self) -> Result<KeyPair> {
        Ok(match self {
            KeyKind::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?,
            KeyKind::P384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)?,
            KeyKind::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519)?,
            KeyKind::Rsa2048 => {
                // ring cannot generate RSA keys; this is a generation tool, so use the CLI.
                let pem = openssl(&[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                ])?;
                KeyPair::from_pem(&String::from_utf8(pem)?)?
            }
            KeyKind::Rsa1024 | KeyKind::P192 | KeyKind::Dsa2048 => {
                return Err("a weak key is a foreign key".into())
            }
        })
    }

    fn public_key(self) -> PublicKey {
        let (algorithm, curve, bits) = match self {
            KeyKind::P256 => ("EC", Some("P-256"), None),
            KeyKind::P384 => ("EC", Some("P-384"), None),
            KeyKind::Rsa2048 => ("RSA", None, Some(2048)),
            KeyKind::Ed25519 => ("Ed25519", None, None),
            KeyKind::Rsa1024 => ("RSA", None, Some(1024)),
            KeyKind::P192 => ("EC", Some("1.2.840.10045.3.1.1"), None),
            KeyKind::Dsa2048 => ("1.2.840.10040.4.1", None, None),
        };
        PublicKey {
            algorithm,
            curve,
            bits,
        }
    }
}

/// The basicConstraints extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basic {
    /// No extension (is_ca false).
    Absent,
    /// The extension with cA FALSE.
    NotCa,
    /// cA TRUE, with an optional pathLenConstraint.
    Ca(Option<u8>),
}

/// Everything that determines a certificate's identity.
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// Subject DN in encoding order.
    pub subject: Dn,
    /// Serial number bytes (big-endian, positive).
    pub serial: Vec<u8>,
    /// notBefore, unix seconds.
    pub not_before: i64,
    /// notAfter, unix seconds.
    pub not_after: i64,
    /// Subject key type.
    pub key: KeyKind,
    /// SANs in certificate order.
    pub sans: Vec<San>,
    /// keyUsage bits (any order; the identity lists them in bit order).
    pub key_usage: Vec<KeyUsagePurpose>,
    /// extendedKeyUsage in certificate order.
    pub eku: Vec<ExtendedKeyUsagePurpose>,
    /// basicConstraints.
    pub basic: Basic,
    /// Permitted dNSName subtrees of a nameConstraints extension.
    pub permitted_dns: Vec<String>,
    /// Departures from the extensions rcgen writes (profile vectors).
    pub deviations: Deviations,
}

/// How a certificate departs from what rcgen writes, to break one profile rule. The
/// identity-relevant fields stay in [`CertSpec`] (basicConstraints' cA, the SANs).
#[derive(Debug, Clone, Default)]
pub struct Deviations {
    /// No authorityKeyIdentifier (rcgen writes one in every issued certificate).
    pub no_aki: bool,
    /// The authorityKeyIdentifier marked critical.
    pub critical_aki: bool,
    /// subjectKeyIdentifier: `None` as rcgen writes it (CAs only), `Some(None)` absent,
    /// `Some(Some(critical))` present with that criticality.
    pub ski: Option<Option<bool>>,
    /// basicConstraints: `None` as rcgen writes it, `Some(None)` absent,
    /// `Some(Some(critical))` present with that criticality.
    pub basic: Option<Option<bool>>,
    /// The subjectAltName (dNSNames only) with this criticality instead of rcgen's.
    pub san_critical: Option<bool>,
    /// The extKeyUsage with this criticality instead of rcgen's (non-critical).
    pub eku_critical: Option<bool>,
    /// More extensions: OID arcs, criticality, DER value.
    pub extra: Vec<(Vec<u64>, bool, Vec<u8>)>,
}

impl CertSpec {
    /// An end-entity spec: P-256, digitalSignature, clientAuth, no SANs, no basicConstraints.
    pub fn leaf(subject: Dn, serial: &[u8], not_before: i64, not_after: i64) -> CertSpec {
        CertSpec {
            subject,
            serial: serial.to_vec(),
            not_before,
            not_after,
            key: KeyKind::P256,
            sans: Vec::new(),
            key_usage: vec![KeyUsagePurpose::DigitalSignature],
            eku: vec![ExtendedKeyUsagePurpose::ClientAuth],
            basic: Basic::Absent,
            permitted_dns: Vec::new(),
            deviations: Deviations::default(),
        }
    }

    /// A CA spec: P-256, keyCertSign + cRLSign, cA TRUE without a path length.
    pub fn ca(subject: Dn, serial: &[u8], not_before: i64, not_after: i64) -> CertSpec {
        CertSpec {
            key_usage: vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            eku: Vec::new(),
            basic: Basic::Ca(None),
            ..CertSpec::leaf(subject, serial, not_before, not_after)
        }
    }

    /// Sets the SANs.
    pub fn sans(mut self, sans: Vec<San>) -> Self {
        self.sans = sans;
        self
    }

    /// Sets the key type.
    pub fn key(mut self, key: KeyKind) -> Self {
        self.key = key;
        self
    }

    /// Sets the extended key usages.
    pub fn eku(mut self, eku: Vec<ExtendedKeyUsagePurpose>) -> Self {
        self.eku = eku;
        self
    }

    /// Sets the key usages.
    pub fn key_usage(mut self, key_usage: Vec<KeyUsagePurpose>) -> Self {
        self.key_usage = key_usage;
        self
    }

    /// Sets basicConstraints.
    pub fn basic(mut self, basic: Basic) -> Self {
        self.basic = basic;
        self
    }

    /// Adds a permitted dNSName subtree.
    pub fn permit_dns(mut self, name: &str) -> Self {
        self.permitted_dns.push(name.to_owned());
        self
    }

    /// Sets the departures from rcgen's extensions.
    pub fn deviate(mut self, deviations: Deviations) -> Self {
        self.deviations = deviations;
        self
    }

    /// rcgen's parameters for this spec; `key` is the subject key, `issuer` the signer
    /// (None: self-signed).
    fn params(&self, key: &SubjectKey, issuer: Option<&Issued>) -> Result<CertificateParams> {
        let has_issuer = issuer.is_some();
        let mut params = CertificateParams::default();
        params.not_before = OffsetDateTime::from_unix_timestamp(self.not_before)?;
        params.not_after = OffsetDateTime::from_unix_timestamp(self.not_after)?;
        params.serial_number = Some(SerialNumber::from_slice(&self.serial));
        let mut name = DistinguishedName::new();
        let mut seen = Vec::new();
        for (attr, value) in &self.subject {
            let repeated = seen.contains(attr);
            if seen.iter().filter(|a| *a == attr).count() > 1 {
                return Err(format!("at most two {} values per DN", attr.short()).into());
            }
            seen.push(*attr);
            name.push(attr.dn_type(repeated)?, attr.dn_value(value)?);
        }
        params.distinguished_name = name;
        params.subject_alt_names = self.sans.iter().map(San::to_rcgen).collect::<Result<_>>()?;
        params.is_ca = match self.basic {
            Basic::Absent => IsCa::NoCa,
            Basic::NotCa => IsCa::ExplicitNoCa,
            Basic::Ca(None) => IsCa::Ca(BasicConstraints::Unconstrained),
            Basic::Ca(Some(n)) => IsCa::Ca(BasicConstraints::Constrained(n)),
        };
        params.key_usages = self.key_usage.clone();
        params.extended_key_usages = self.eku.clone();
        if !self.permitted_dns.is_empty() {
            params.name_constraints = Some(NameConstraints {
                permitted_subtrees: self
                    .permitted_dns
                    .iter()
                    .map(|d| GeneralSubtree::DnsName(d.clone()))
                    .collect(),
                excluded_subtrees: Vec::new(),
            });
        }
        params.use_authority_key_identifier_extension = has_issuer;
        params.key_identifier_method = KeyIdMethod::Sha256;
        self.apply_deviations(&mut params, key, issuer)?;
        Ok(params)
    }

    /// Rewrites the extensions the deviations name as custom extensions.
    fn apply_deviations(
        &self,
        params: &mut CertificateParams,
        key: &SubjectKey,
        issuer: Option<&Issued>,
    ) -> Result<()> {
        use x509_cert::ext::pkix::{
            AuthorityKeyIdentifier, BasicConstraints as Bc, SubjectAltName, SubjectKeyIdentifier,
        };
        let d = &self.deviations;
        let mut extensions = Vec::new();
        let mut custom = |oid: &[u64], critical: bool, value: Vec<u8>| {
            let mut extension = rcgen::CustomExtension::from_oid_content(oid, value);
            extension.set_criticality(critical);
            extensions.push(extension);
        };
        if d.no_aki || d.critical_aki {
            params.use_authority_key_identifier_extension = false;
        }
        if d.critical_aki {
            let issuer = issuer.ok_or("a critical AKI needs an issuer")?;
            let id = issuer.params.key_identifier(issuer.key.pair());
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(der::asn1::OctetString::new(id)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            custom(&[2, 5, 29, 35], true, aki.to_der()?);
        }
        if d.ski.is_some() || d.basic.is_some() {
            // rcgen writes subjectKeyIdentifier and basicConstraints together (CAs) or not
            // at all: write both here instead.
            let is_ca = matches!(self.basic, Basic::Ca(_));
            let ski = d.ski.unwrap_or(if is_ca { Some(false) } else { None });
            if let Some(critical) = ski {
                let id = params.key_identifier(key.signing());
                let value = SubjectKeyIdentifier(der::asn1::OctetString::new(id)?).to_der()?;
                custom(&[2, 5, 29, 14], critical, value);
            }
            let basic = d.basic.unwrap_or(Some(true));
            if let (Some(critical), false) = (basic, self.basic == Basic::Absent) {
                let value = Bc {
                    ca: is_ca,
                    path_len_constraint: match self.basic {
                        Basic::Ca(length) => length,
                        _ => None,
                    },
                }
                .to_der()?;
                custom(&[2, 5, 29, 19], critical, value);
            }
            params.is_ca = IsCa::NoCa;
        }
        if let Some(critical) = d.san_critical {
            let names = self
                .sans
                .iter()
                .map(|san| match san {
                    San::Dns(name) => Ok(x509_cert::ext::pkix::name::GeneralName::DnsName(
                        der::asn1::Ia5String::new(name)?,
                    )),
                    _ => Err("san_critical takes dNSNames only".into()),
                })
                .collect::<Result<Vec<_>>>()?;
            custom(&[2, 5, 29, 17], critical, SubjectAltName(names).to_der()?);
            params.subject_alt_names.clear();
        }
        if let Some(critical) = d.eku_critical {
            let purposes = self
                .eku
                .iter()
                .map(|purpose| match purpose {
                    ExtendedKeyUsagePurpose::ClientAuth => {
                        Ok(ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2"))
                    }
                    ExtendedKeyUsagePurpose::ServerAuth => {
                        Ok(ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1"))
                    }
                    ExtendedKeyUsagePurpose::Any => Ok(ObjectIdentifier::new_unwrap("2.5.29.37.0")),
                    other => Err(format!("eku_critical does not know {other:?}")),
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let value = x509_cert::ext::pkix::ExtendedKeyUsage(purposes).to_der()?;
            custom(&[2, 5, 29, 37], critical, value);
            params.extended_key_usages.clear();
        }
        for (oid, critical, value) in &d.extra {
            custom(oid, *critical, value.clone());
        }
        params.custom_extensions.extend(extensions);
        Ok(())
    }
}

/// A generated certificate with its key and the spec it was made from.
pub struct Issued {
    /// What the certificate says.
    pub spec: CertSpec,
    /// The issuer's subject (equal to `spec.subject` when self-signed).
    pub issuer_subject: Dn,
    /// The certificate DER (possibly altered after signing; see [`Issued::corrupt_signature`]).
    pub der: Vec<u8>,
    /// The subject's key.
    pub key: SubjectKey,
    params: CertificateParams,
}

impl Issued {
    /// Generates a key and a self-signed certificate.
    pub fn self_signed(spec: CertSpec) -> Result<Issued> {
        let key = spec.key.generate()?;
        let params = spec.params(&key, None)?;
        let der = params.self_signed(key.pair())?.der().to_vec();
        let issued = Issued {
            issuer_subject: spec.subject.clone(),
            spec,
            der,
            key,
            params,
        };
        issued.check_encoding()?;
        Ok(issued)
    }

    /// Generates a key and a certificate signed by `issuer`.
    pub fn signed_by(spec: CertSpec, issuer: &Issued) -> Result<Issued> {
        let key = spec.key.generate()?;
        Issued::certify(spec, key, issuer, None)
    }

    /// A certificate for an existing `key` signed by `issuer` (a key rollover certifies
    /// a CA's key again).
    pub fn signed_by_with_key(spec: CertSpec, key: SubjectKey, issuer: &Issued) -> Result<Issued> {
        Issued::certify(spec, key, issuer, None)
    }

    /// A certificate signed by `issuer`'s key that names `issuer_name` as its issuer
    /// instead of the issuer's subject (a name that matches only after normalisation).
    pub fn signed_by_as(spec: CertSpec, issuer: &Issued, issuer_name: Dn) -> Result<Issued> {
        let key = spec.key.generate()?;
        Issued::certify(spec, key, issuer, Some(issuer_name))
    }

    fn certify(
        spec: CertSpec,
        key: SubjectKey,
        issuer: &Issued,
        issuer_name: Option<Dn>,
    ) -> Result<Issued> {
        let params = spec.params(&key, Some(issuer))?;
        let renamed;
        let signer = match &issuer_name {
            None => issuer.issuer(),
            Some(name) => {
                let mut params = issuer.params.clone();
                params.distinguished_name = CertSpec {
                    subject: name.clone(),
                    ..issuer.spec.clone()
                }
                .params(&issuer.key, None)?
                .distinguished_name;
                renamed = params;
                Issuer::from_params(&renamed, issuer.key.pair())
            }
        };
        let mut der = params.signed_by(key.signing(), &signer)?.der().to_vec();
        if let SubjectKey::Foreign { spki, .. } = &key {
            let mut cert = decode_cert(&der)?;
            cert.tbs_certificate.subject_public_key_info =
                x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(spki)?;
            der = sign_tbs(cert, issuer, "-sha256")?;
        }
        let issued = Issued {
            issuer_subject: issuer_name.unwrap_or_else(|| issuer.spec.subject.clone()),
            spec,
            der,
            key,
            params,
        };
        issued.check_encoding()?;
        Ok(issued)
    }

    /// A copy of this certificate's key (for a key rollover).
    pub fn key_copy(&self) -> Result<SubjectKey> {
        Ok(SubjectKey::Pair(KeyPair::from_pem(&self.key_pem()?)?))
    }

    /// This certificate as an rcgen issuer (for certificates and CRLs).
    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, self.key.pair())
    }

    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
    }

    /// The private key as PKCS#8 PEM (version 1 layout, which every TLS stack reads).
    pub fn key_pem(&self) -> Result<String> {
        match &self.key {
            SubjectKey::Pair(pair) => {
                Ok(pem_encode("PRIVATE KEY", &pkcs8_v1(pair.serialized_der())?))
            }
            SubjectKey::Foreign { pem, .. } => Ok(pem.clone()),
        }
    }

    /// Lowercase hex SHA-256 of the certificate DER.
    pub fn fingerprint(&self) -> String {
        identity::sha256_hex(&self.der)
    }

    /// The expected `inspect` identity, computed from the spec.
    pub fn identity(&self) -> Result<Identity> {
        let spec = &self.spec;
        let mut san = Sans {
            dns: Vec::new(),
            uri: Vec::new(),
            email: Vec::new(),
            ip: Vec::new(),
        };
        for entry in &spec.sans {
            match entry {
                San::Dns(s) => san.dns.push(s.clone()),
                San::Uri(s) => san.uri.push(s.clone()),
                San::Email(s) => san.email.push(s.clone()),
                San::Ip(ip) => san.ip.push(ip.to_string()),
            }
        }
        let mut key_usage: Vec<(u8, &'static str)> =
            spec.key_usage.iter().map(|k| key_usage_bit(*k)).collect();
        key_usage.sort_unstable();
        key_usage.dedup();
        let usage_names: Vec<&str> = key_usage.iter().map(|(_, name)| *name).collect();
        let spiffe_id =
            identity::svid_leaf_id(&san.uri, matches!(spec.basic, Basic::Ca(_)), &usage_names);
        Ok(Identity {
            subject: rfc4514(&spec.subject)?,
            subject_fields: subject_fields(&spec.subject),
            issuer: rfc4514(&self.issuer_subject)?,
            serial: serial_hex(&spec.serial),
            fingerprint_sha256: self.fingerprint(),
            spki_sha256: identity::sha256_hex(&self.key.spki()),
            not_before: spec.not_before,
            not_after: spec.not_after,
            san,
            spiffe_id,
            public_key: spec.key.public_key(),
            key_usage: key_usage.into_iter().map(|(_, name)| name).collect(),
            extended_key_usage: spec.eku.iter().map(eku_name).collect(),
            is_ca: matches!(spec.basic, Basic::Ca(_)),
        })
    }

    /// Reads the DER back and checks subject, issuer (attribute types, string types and
    /// values), serial and SPKI against the spec.
    fn check_encoding(&self) -> Result<()> {
        let cert = decode_cert(&self.der)?;
        let tbs = &cert.tbs_certificate;
        let expect_dn = |dn: &Dn| -> Vec<(Attr, Tag, String)> {
            dn.iter()
                .map(|(a, v)| (*a, a.string_tag(), v.clone()))
                .collect()
        };
        if read_name(&tbs.subject)? != expect_dn(&self.spec.subject) {
            return Err(format!("subject of {:?} encoded unexpectedly", self.spec.subject).into());
        }
        if read_name(&tbs.issuer)? != expect_dn(&self.issuer_subject) {
            return Err(format!("issuer of {:?} encoded unexpectedly", self.spec.subject).into());
        }
        let mut serial = tbs.serial_number.as_bytes();
        if serial.len() > 1 && serial[0] == 0 {
            serial = &serial[1..];
        }
        if hex::encode(serial) != serial_hex(&self.spec.serial) {
            return Err(format!("serial of {:?} encoded unexpectedly", self.spec.subject).into());
        }
        if tbs.subject_public_key_info.to_der()? != self.key.spki() {
            return Err(format!("SPKI of {:?} encoded unexpectedly", self.spec.subject).into());
        }
        Ok(())
    }

    /// Whether this CA may sign X509-SVIDs (X509-SVID §4.1, §4.3): cA true, and keyCertSign
    /// when it has a keyUsage extension.
    pub fn may_sign_svids(&self) -> bool {
        matches!(self.spec.basic, Basic::Ca(_))
            && (self.spec.key_usage.is_empty()
                || self.spec.key_usage.contains(&KeyUsagePurpose::KeyCertSign))
    }

    /// Whether `issuer`'s P-256 key verifies this certificate's ECDSA-SHA256 signature.
    pub fn signature_verifies(&self, issuer: &Issued) -> Result<bool> {
        let cert = decode_cert(&self.der)?;
        let sig = cert
            .signature
            .as_bytes()
            .ok_or("signature BIT STRING has unused bits")?;
        let key = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_ASN1,
            issuer.key.pair().public_key_raw(),
        );
        Ok(key.verify(&cert.tbs_certificate.to_der()?, sig).is_ok())
    }

    /// Flips one bit in the last byte of the signature value (the last byte of the DER).
    pub fn corrupt_signature(&mut self) -> Result<()> {
        let mut cert = decode_cert(&self.der)?;
        let mut sig = cert.signature.raw_bytes().to_vec();
        *sig.last_mut().ok_or("empty signature")? ^= 0x01;
        cert.signature = BitString::from_bytes(&sig)?;
        self.der = cert.to_der()?;
        self.check_encoding()
    }

    /// Rewrites the signature algorithm from ecdsa-with-SHA256 to ecdsa-with-SHA512 (in the
    /// TBSCertificate and in the outer signatureAlgorithm) and signs the new TBSCertificate
    /// with `issuer`'s key using SHA-512 via the `openssl` CLI, so the result is a correctly
    /// signed certificate whose algorithm webpki with ring does not implement.
    pub fn resign_ecdsa_sha512(&mut self, issuer: &Issued) -> Result<()> {
        let algorithm = |oid| AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        };
        let mut cert = decode_cert(&self.der)?;
        let sha256 = algorithm(ECDSA_WITH_SHA256);
        if cert.tbs_certificate.signature != sha256 || cert.signature_algorithm != sha256 {
            return Err("expected a certificate signed with ecdsa-with-SHA256".into());
        }
        cert.tbs_certificate.signature = algorithm(ECDSA_WITH_SHA512);
        cert.signature_algorithm = algorithm(ECDSA_WITH_SHA512);
        self.der = sign_tbs(cert, issuer, "-sha512")?;
        self.check_encoding()
    }
}

/// Signs `cert`'s TBSCertificate again with `issuer`'s key (digest flag as `openssl
/// dgst` takes it) and returns the certificate DER.
fn sign_tbs(mut cert: Certificate, issuer: &Issued, digest: &str) -> Result<Vec<u8>> {
    let tbs = cert.tbs_certificate.to_der()?;
    let signature = openssl_sign(&issuer.key_pem()?, &tbs, digest)?;
    cert.signature = BitString::from_bytes(&signature)?;
    Ok(cert.to_der()?)
}

/// ecdsa-with-SHA256 (RFC 5758).
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA512 (RFC 5758).
const ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");

/// Decodes a DER certificate with `x509-cert` and insists that re-encoding it gives back
/// the same bytes, so re-encoded parts (the TBSCertificate for signing, an altered
/// certificate) differ from rcgen's output only where they are meant to.
fn decode_cert(der: &[u8]) -> Result<Certificate> {
    let cert = Certificate::from_der(der)?;
    if cert.to_der()? != der {
        return Err("the certificate does not re-encode to the same DER".into());
    }
    Ok(cert)
}

/// Reads a Name as (attribute, string type, value) per RDN, in encoding order. Every RDN
/// must hold exactly one attribute of a type the vectors use.
fn read_name(name: &Name) -> Result<Vec<(Attr, Tag, String)>> {
    let mut out = Vec::new();
    for rdn in &name.0 {
        let [atv] = rdn.0.as_slice() else {
            return Err("unexpected multi-valued RDN".into());
        };
        let attr = Attr::from_oid(&atv.oid).ok_or(format!("unexpected attribute {}", atv.oid))?;
        let tag = atv.value.tag();
        let text = match tag {
            Tag::Utf8String => atv.value.decode_as::<Utf8StringRef<'_>>()?.to_string(),
            Tag::PrintableString => atv.value.decode_as::<PrintableStringRef<'_>>()?.to_string(),
            Tag::Ia5String => atv.value.decode_as::<Ia5StringRef<'_>>()?.to_string(),
            other => return Err(format!("unexpected string type {other} for {attr:?}").into()),
        };
        out.push((attr, tag, text));
    }
    Ok(out)
}

/// Rewrites a PKCS#8 v2 (RFC 5958 OneAsymmetricKey) private key as a v1 PrivateKeyInfo by
/// dropping the optional public key. ring writes Ed25519 keys as v2, which OpenSSL 3.0
/// refuses to load; v1 keys pass through unchanged.
fn pkcs8_v1(der: &[u8]) -> Result<Vec<u8>> {
    let info = PrivateKeyInfo::try_from(der)?;
    if info.public_key.is_none() {
        return Ok(der.to_vec());
    }
    let v1 = PrivateKeyInfo {
        public_key: None,
        ..info
    };
    Ok(v1.to_der()?)
}

fn key_usage_bit(ku: KeyUsagePurpose) -> (u8, &'static str) {
    match ku {
        KeyUsagePurpose::DigitalSignature => (0, "digitalSignature"),
        KeyUsagePurpose::ContentCommitment => (1, "nonRepudiation"),
        KeyUsagePurpose::KeyEncipherment => (2, "keyEncipherment"),
        KeyUsagePurpose::DataEncipherment => (3, "dataEncipherment"),
        KeyUsagePurpose::KeyAgreement => (4, "keyAgreement"),
        KeyUsagePurpose::KeyCertSign => (5, "keyCertSign"),
        KeyUsagePurpose::CrlSign => (6, "cRLSign"),
        KeyUsagePurpose::EncipherOnly => (7, "encipherOnly"),
        KeyUsagePurpose::DecipherOnly => (8, "decipherOnly"),
    }
}

fn eku_name(eku: &ExtendedKeyUsagePurpose) -> String {
    match eku {
        ExtendedKeyUsagePurpose::ServerAuth => "serverAuth".to_owned(),
        ExtendedKeyUsagePurpose::ClientAuth => "clientAuth".to_owned(),
        ExtendedKeyUsagePurpose::CodeSigning => "codeSigning".to_owned(),
        ExtendedKeyUsagePurpose::EmailProtection => "emailProtection".to_owned(),
        ExtendedKeyUsagePurpose::TimeStamping => "timeStamping".to_owned(),
        ExtendedKeyUsagePurpose::OcspSigning => "OCSPSigning".to_owned(),
        ExtendedKeyUsagePurpose::Any => "anyExtendedKeyUsage".to_owned(),
        ExtendedKeyUsagePurpose::Other(oid) => {
            let arcs: Vec<String> = oid.iter().map(u64::to_string).collect();
            arcs.join(".")
        }
    }
}

/// Lowercase hex of a positive serial's minimal big-endian bytes (no sign byte).
fn serial_hex(serial: &[u8]) -> String {
    let start = serial
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(serial.len().saturating_sub(1));
    hex::encode(&serial[start..])
}

/// A revoked entry for [`crl`].
pub struct Revoked<'a> {
    /// The revoked certificate.
    pub cert: &'a Issued,
    /// revocationDate, unix seconds.
    pub at: i64,
    /// reasonCode.
    pub reason: RevocationReason,
}

/// A signed CRL (with CRL number and authority key identifier) as PEM.
pub fn crl(
    issuer: &Issued,
    this_update: i64,
    next_update: i64,
    number: u64,
    revoked: &[Revoked<'_>],
) -> Result<String> {
    let revoked_certs = revoked
        .iter()
        .map(|r| {
            Ok(RevokedCertParams {
                serial_number: SerialNumber::from_slice(&r.cert.spec.serial),
                revocation_time: OffsetDateTime::from_unix_timestamp(r.at)?,
                reason_code: Some(r.reason),
                invalidity_date: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let der = crl_der(issuer, this_update, next_update, number, revoked_certs)?;
    Ok(pem_encode("X509 CRL", &der))
}

/// What an OCSP response says about one certificate.
pub enum OcspStatus {
    Good,
    /// Revoked at this time with reasonCode keyCompromise.
    Revoked(i64),
    Unknown,
}

/// One OCSP response: the status of `cert` (issued by `issuer`) signed by `signer` —
/// the issuer itself, or a delegated responder carried in the response — for
/// thisUpdate … nextUpdate.
pub struct OcspSpec<'a> {
    pub cert: &'a Issued,
    /// Whose name and key the CertID hashes (the certificate's issuer, unless a vector
    /// wants a CertID that names another CA).
    pub issuer: &'a Issued,
    pub signer: &'a Issued,
    pub status: OcspStatus,
    pub this_update: i64,
    pub next_update: Option<i64>,
    /// CertID hashed with SHA-256 instead of SHA-1; the responder named by key hash
    /// instead of by name.
    pub sha256: bool,
    pub by_key: bool,
    /// Flip a bit of the signature.
    pub corrupt: bool,
}

/// A DER OCSPResponse (RFC 6960) built with x509-ocsp's types (never by hand) and signed
/// with `signer`'s key by the `openssl` CLI (ECDSA P-256 SHA-256).
pub fn ocsp_response(spec: &OcspSpec<'_>) -> Result<Vec<u8>> {
    use x509_ocsp::{
        BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspResponse,
        OcspResponseStatus, ResponderId, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
    };
    let time = |seconds: i64| -> Result<OcspGeneralizedTime> {
        Ok(OcspGeneralizedTime(
            der::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(
                u64::try_from(seconds)?,
            ))?,
        ))
    };
    let key_bits = |issued: &Issued| -> Result<Vec<u8>> {
        let cert = Certificate::from_der(&issued.der)?;
        Ok(cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
            .to_vec())
    };
    let (hash_oid, digest) = match spec.sha256 {
        true => ("2.16.840.1.101.3.4.2.1", &ring::digest::SHA256),
        false => ("1.3.14.3.2.26", &ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
    };
    let hash =
        |data: &[u8]| der::asn1::OctetString::new(ring::digest::digest(digest, data).as_ref());
    let issuer_cert = Certificate::from_der(&spec.issuer.der)?;
    let cert = Certificate::from_der(&spec.cert.der)?;
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new(hash_oid)?,
            parameters: Some(der::asn1::Null.into()),
        },
        issuer_name_hash: hash(&issuer_cert.tbs_certificate.subject.to_der()?)?,
        issuer_key_hash: hash(&key_bits(spec.issuer)?)?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    };
    let cert_status = match spec.status {
        OcspStatus::Good => CertStatus::good(),
        OcspStatus::Unknown => CertStatus::unknown(),
        OcspStatus::Revoked(at) => CertStatus::Revoked(RevokedInfo {
            revocation_time: time(at)?,
            revocation_reason: Some(x509_cert::ext::pkix::CrlReason::KeyCompromise),
        }),
    };
    let signer_cert = Certificate::from_der(&spec.signer.der)?;
    let responder_id = match spec.by_key {
        true => ResponderId::ByKey(der::asn1::OctetString::new(
            ring::digest::digest(
                &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
                &key_bits(spec.signer)?,
            )
            .as_ref(),
        )?),
        false => ResponderId::ByName(signer_cert.tbs_certificate.subject.clone()),
    };
    let tbs_response_data = ResponseData {
        version: Default::default(),
        responder_id,
        produced_at: time(spec.this_update)?,
        responses: vec![SingleResponse {
            cert_id,
            cert_status,
            this_update: time(spec.this_update)?,
            next_update: spec.next_update.map(time).transpose()?,
            single_extensions: None,
        }],
        response_extensions: None,
    };
    let mut signature = openssl_sign(
        &spec.signer.key_pem()?,
        &tbs_response_data.to_der()?,
        "-sha256",
    )?;
    if spec.corrupt {
        let last = signature.len() - 1;
        signature[last] ^= 1;
    }
    let delegated = spec.signer.der != spec.issuer.der;
    let basic = BasicOcspResponse {
        tbs_response_data,
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new("1.2.840.10045.4.3.2")?,
            parameters: None,
        },
        signature: BitString::from_bytes(&signature)?,
        certs: delegated.then(|| vec![signer_cert]),
    };
    let response = OcspResponse {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(ResponseBytes {
            response_type: ObjectIdentifier::new("1.3.6.1.5.5.7.48.1.1")?,
            response: der::asn1::OctetString::new(basic.to_der()?)?,
        }),
    };
    Ok(response.to_der()?)
}

/// An OCSPResponse without a response: the responder's "try later".
pub fn ocsp_try_later() -> Result<Vec<u8>> {
    let response = x509_ocsp::OcspResponse {
        response_status: x509_ocsp::OcspResponseStatus::TryLater,
        response_bytes: None,
    };
    Ok(response.to_der()?)
}

/// How [`edit_crl`] alters a CRL that rcgen signed.
#[derive(Default)]
pub struct CrlEdit {
    /// Drop the CRL number extension.
    pub drop_number: bool,
    /// Drop the nextUpdate field.
    pub drop_next_update: bool,
    /// An issuing distribution point without a distribution point name:
    /// `Some(true)` onlyContainsCACerts (an ARL), `Some(false)` onlyContainsUserCerts.
    pub scope_ca_only: Option<bool>,
    /// Make it a delta CRL on this base CRL number (deltaCRLIndicator, critical).
    pub delta_base: Option<u64>,
    /// Add this critical CRL extension (an OID certgate does not know).
    pub unknown_critical: Option<&'static str>,
    /// Add this critical entry extension to every revoked entry.
    pub unknown_critical_entry: Option<&'static str>,
}

/// Alters a CRL made by rcgen with `x509-cert` (never by hand) and signs it again with
/// `issuer`'s key (ECDSA P-256 SHA-256, by the `openssl` CLI), so it is a correctly
/// signed CRL of a shape rcgen cannot make.
pub fn edit_crl(der: &[u8], issuer: &Issued, edit: &CrlEdit) -> Result<Vec<u8>> {
    use x509_cert::crl::CertificateList;
    use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
    use x509_cert::ext::Extension;
    let extension = |oid: &str, critical: bool, value: Vec<u8>| -> Result<Extension> {
        Ok(Extension {
            extn_id: ObjectIdentifier::new(oid)?,
            critical,
            extn_value: der::asn1::OctetString::new(value)?,
        })
    };
    let null = der::asn1::Null.to_der()?;
    let mut crl = CertificateList::from_der(der)?;
    let tbs = &mut crl.tbs_cert_list;
    let mut extensions = tbs.crl_extensions.take().unwrap_or_default();
    if edit.drop_number {
        extensions.retain(|ext| ext.extn_id != ObjectIdentifier::new_unwrap("2.5.29.20"));
    }
    if edit.drop_next_update {
        tbs.next_update = None;
    }
    if let Some(ca_only) = edit.scope_ca_only {
        let idp = IssuingDistributionPoint {
            distribution_point: None,
            only_contains_user_certs: !ca_only,
            only_contains_ca_certs: ca_only,
            only_some_reasons: None,
            indirect_crl: false,
            only_contains_attribute_certs: false,
        };
        extensions.push(extension("2.5.29.28", true, idp.to_der()?)?);
    }
    if let Some(base) = edit.delta_base {
        extensions.push(extension("2.5.29.27", true, base.to_der()?)?);
    }
    if let Some(oid) = edit.unknown_critical {
        extensions.push(extension(oid, true, null.clone())?);
    }
    if let Some(oid) = edit.unknown_critical_entry {
        for entry in tbs.revoked_certificates.iter_mut().flatten() {
            entry
                .crl_entry_extensions
                .get_or_insert_with(Vec::new)
                .push(extension(oid, true, null.clone())?);
        }
    }
    tbs.crl_extensions = (!extensions.is_empty()).then_some(extensions);
    let signature = openssl_sign(&issuer.key_pem()?, &tbs.to_der()?, "-sha256")?;
    crl.signature = BitString::from_bytes(&signature)?;
    Ok(crl.to_der()?)
}

/// What `openssl x509 -text` (or `openssl crl -text`) writes for a PEM certificate (or
/// CRL): the human-readable dump, then the PEM block, as `openssl ca` files look.
pub fn openssl_text(kind: &str, pem: &str) -> Result<String> {
    let dir = TempDir::new()?;
    let path = dir.path().join("in.pem");
    std::fs::write(&path, pem)?;
    let path = path.to_str().ok_or("non-UTF-8 temp path")?;
    Ok(String::from_utf8(openssl(&[kind, "-in", path, "-text"])?)?)
}

/// A PKCS#7 certificate bundle of `pems` made by `openssl crl2pkcs7 -nocrl`, as PEM
/// (`-----BEGIN PKCS7-----`) or DER.
pub fn openssl_pkcs7(pems: &[String], der: bool) -> Result<Vec<u8>> {
    let dir = TempDir::new()?;
    let mut args = vec!["crl2pkcs7".to_owned(), "-nocrl".to_owned()];
    for (index, pem) in pems.iter().enumerate() {
        let path = dir.path().join(format!("{index}.pem"));
        std::fs::write(&path, pem)?;
        args.push("-certfile".to_owned());
        args.push(path.to_str().ok_or("non-UTF-8 temp path")?.to_owned());
    }
    if der {
        args.extend(["-outform".to_owned(), "DER".to_owned()]);
    }
    openssl(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A PKCS#12 key store (`openssl pkcs12 -export`) holding `leaf`, its key and `chain`,
/// with the password `certgate`.
pub fn openssl_pkcs12(leaf: &Issued, chain: &[&Issued]) -> Result<Vec<u8>> {
    let dir = TempDir::new()?;
    let file = |name: &str, text: String| -> Result<String> {
        let path = dir.path().join(name);
        std::fs::write(&path, text)?;
        Ok(path.to_str().ok_or("non-UTF-8 temp path")?.to_owned())
    };
    let cert = file("leaf.pem", leaf.pem())?;
    let key = file("leaf.key", leaf.key_pem()?)?;
    let certfile = file("chain.pem", chain.iter().map(|c| c.pem()).collect())?;
    openssl(&[
        "pkcs12",
        "-export",
        "-in",
        &cert,
        "-inkey",
        &key,
        "-certfile",
        &certfile,
        "-passout",
        "pass:certgate",
    ])
}

/// A signed CRL (with CRL number and authority key identifier) listing `revoked_certs`, as DER.
pub fn crl_der(
    issuer: &Issued,
    this_update: i64,
    next_update: i64,
    number: u64,
    revoked_certs: Vec<RevokedCertParams>,
) -> Result<Vec<u8>> {
    let params = CertificateRevocationListParams {
        this_update: OffsetDateTime::from_unix_timestamp(this_update)?,
        next_update: OffsetDateTime::from_unix_timestamp(next_update)?,
        crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Ok(params.signed_by(&issuer.issuer())?.der().to_vec())
}

/// PEM-encodes DER with the given label (RFC 7468: 64 base64 characters a line, LF).
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let mut pem = der::pem::encode_string(label, LineEnding::LF, der)
        .expect("PEM-encoding with a fixed, valid label cannot fail");
    // pem-rfc7468 ends the document at the post-encapsulation boundary; files and
    // bundles want each block to end with a newline.
    if !pem.ends_with('\n') {
        pem.push('\n');
    }
    pem
}

/// Decodes one PEM block; returns its label and DER.
pub fn pem_decode(pem: &str) -> Result<(String, Vec<u8>)> {
    let (label, der) = der::pem::decode_vec(pem.as_bytes()).map_err(der::Error::from)?;
    Ok((label.to_owned(), der))
}

/// Runs the `openssl` CLI and returns its standard output.
fn openssl(args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("openssl").args(args).output().map_err(|e| {
        format!("cannot run openssl (needed for RSA keys and SHA-512 signing): {e}")
    })?;
    if !out.status.success() {
        return Err(format!(
            "openssl {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(out.stdout)
}

/// The SubjectPublicKeyInfo DER of the PKCS#8 key `key_pem`.
fn openssl_public_key(key_pem: &str) -> Result<Vec<u8>> {
    let dir = TempDir::new()?;
    let key_path = dir.path().join("key.pem");
    std::fs::write(&key_path, key_pem)?;
    let key = key_path.to_str().ok_or("non-UTF-8 temp path")?;
    openssl(&["pkey", "-in", key, "-pubout", "-outform", "DER"])
}

/// Signs `data` with the PKCS#8 key `key_pem` and digest flag `digest` (e.g. `-sha512`).
fn openssl_sign(key_pem: &str, data: &[u8], digest: &str) -> Result<Vec<u8>> {
    let dir = TempDir::new()?;
    let key_path = dir.path().join("key.pem");
    let data_path = dir.path().join("data.der");
    std::fs::write(&key_path, key_pem)?;
    std::fs::write(&data_path, data)?;
    let path_str = |p: &Path| p.to_str().map(str::to_owned).ok_or("non-UTF-8 temp path");
    openssl(&[
        "dgst",
        digest,
        "-sign",
        &path_str(&key_path)?,
        &path_str(&data_path)?,
    ])
}

/// A private temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "certgate-vectors-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a leftover throwaway test key in /tmp is harmless.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `contents` (text or DER) to `dir/name`.
pub fn write_file(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, contents).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4514_reverses_encoding_order() {
        let name = dn(&[(Attr::C, "US"), (Attr::O, "y"), (Attr::Cn, "x")]);
        assert_eq!(rfc4514(&name).unwrap(), "CN=x,O=y,C=US");
        assert!(rfc4514(&dn(&[(Attr::Cn, "a,b")])).is_err());
    }

    #[test]
    fn serial_hex_drops_leading_zeros() {
        assert_eq!(serial_hex(&[0x00, 0x8a, 0x01]), "8a01");
        assert_eq!(serial_hex(&[0x10, 0x01]), "1001");
        assert_eq!(serial_hex(&[0x00]), "00");
    }

    #[test]
    fn repeated_attribute_is_encoded_twice() {
        let spec = CertSpec::leaf(
            dn(&[
                (Attr::Ou, "Payments"),
                (Attr::Ou, "Platform"),
                (Attr::Cn, "x"),
            ]),
            &[1],
            0,
            1_000_000,
        );
        let cert = Issued::self_signed(spec).unwrap();
        let id = cert.identity().unwrap();
        assert_eq!(id.subject, "CN=x,OU=Platform,OU=Payments");
        assert_eq!(
            id.subject_fields.0[0],
            (
                "OU".to_owned(),
                vec!["Payments".to_owned(), "Platform".to_owned()]
            )
        );
    }

    #[test]
    fn ed25519_keys_are_written_as_pkcs8_v1_and_still_load() {
        let spec =
            CertSpec::leaf(dn(&[(Attr::Cn, "ed")]), &[1], 0, 1_000_000).key(KeyKind::Ed25519);
        let cert = Issued::self_signed(spec).unwrap();
        let pem = cert.key_pem().unwrap();
        let reloaded = KeyPair::from_pem(&pem).unwrap();
        assert_eq!(reloaded.public_key_raw(), cert.key.pair().public_key_raw());
        let (label, der) = pem_decode(&pem).unwrap();
        assert_eq!(label, "PRIVATE KEY");
        let info = PrivateKeyInfo::try_from(der.as_slice()).unwrap();
        assert_eq!(info.version(), pkcs8::Version::V1);
        assert!(info.public_key.is_none());
        // ring's own Ed25519 key is v2 (it carries the public key).
        let original = PrivateKeyInfo::try_from(cert.key.pair().serialized_der()).unwrap();
        assert_eq!(original.version(), pkcs8::Version::V2);
        assert_eq!(original.private_key, info.private_key);
    }

    #[test]
    fn pem_blocks_have_64_column_lines_and_a_final_newline() {
        let der: Vec<u8> = (0..=255u8).collect();
        let pem = pem_encode("CERTIFICATE", &der);
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.ends_with("\n-----END CERTIFICATE-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert!(!pem.contains('\r'));
        assert_eq!(pem_decode(&pem).unwrap(), ("CERTIFICATE".to_owned(), der));
    }

    #[test]
    fn committed_pki_re_encodes_identically() {
        // The PEM writer, x509-cert's round trip and the PKCS#8 rewrite reproduce every
        // committed file exactly (they were first written by a hand-rolled DER/PEM writer).
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pki");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let (label, der) = pem_decode(&text).unwrap();
            assert_eq!(pem_encode(&label, &der), text, "{}", path.display());
            match label.as_str() {
                "CERTIFICATE" => drop(decode_cert(&der).unwrap()),
                "PRIVATE KEY" => {
                    let info = PrivateKeyInfo::try_from(der.as_slice()).unwrap();
                    assert_eq!(info.version(), pkcs8::Version::V1, "{}", path.display());
                    assert_eq!(pkcs8_v1(&der).unwrap(), der);
                }
                "X509 CRL" => {}
                other => panic!("unexpected PEM label {other}"),
            }
            seen += 1;
        }
        assert!(seen > 50);
    }

    #[test]
    fn sha512_resigning_changes_both_algorithms_and_verifies() {
        let ca =
            Issued::self_signed(CertSpec::ca(dn(&[(Attr::Cn, "ca")]), &[1], 0, 1_000_000)).unwrap();
        let mut leaf = Issued::signed_by(
            CertSpec::leaf(dn(&[(Attr::Cn, "leaf")]), &[2], 0, 1_000_000),
            &ca,
        )
        .unwrap();
        let before = decode_cert(&leaf.der).unwrap();
        leaf.resign_ecdsa_sha512(&ca).unwrap();
        let after = decode_cert(&leaf.der).unwrap();
        assert_eq!(after.signature_algorithm.oid, ECDSA_WITH_SHA512);
        assert_eq!(after.tbs_certificate.signature.oid, ECDSA_WITH_SHA512);
        assert_eq!(
            after.tbs_certificate.subject,
            before.tbs_certificate.subject
        );
        assert_eq!(
            after.tbs_certificate.extensions,
            before.tbs_certificate.extensions
        );
        // ring has no P-256 with SHA-512; let OpenSSL check the new signature.
        let dir = TempDir::new().unwrap();
        let (ca_path, leaf_path) = (dir.path().join("ca.pem"), dir.path().join("leaf.pem"));
        std::fs::write(&ca_path, ca.pem()).unwrap();
        std::fs::write(&leaf_path, leaf.pem()).unwrap();
        let out = openssl(&[
            "verify",
            "-no_check_time",
            "-CAfile",
            ca_path.to_str().unwrap(),
            leaf_path.to_str().unwrap(),
        ])
        .unwrap();
        assert!(String::from_utf8(out).unwrap().contains(": OK"));
    }

    #[test]
    fn corrupted_signature_no_longer_verifies() {
        let ca =
            Issued::self_signed(CertSpec::ca(dn(&[(Attr::Cn, "ca")]), &[1], 0, 1_000_000)).unwrap();
        let mut leaf = Issued::signed_by(
            CertSpec::leaf(dn(&[(Attr::Cn, "leaf")]), &[2], 0, 1_000_000),
            &ca,
        )
        .unwrap();
        assert!(leaf.signature_verifies(&ca).unwrap());
        leaf.corrupt_signature().unwrap();
        assert!(!leaf.signature_verifies(&ca).unwrap());
    }
}
