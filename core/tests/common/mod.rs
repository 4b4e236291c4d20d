//! A small rcgen PKI for core's topic tests, benchmarks and the rustls handshake test:
//! root → intermediate → leaves, with CRLs, all valid around `AT`.
#![allow(dead_code)] // each test target uses a different part

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer,
    CrlIssuingDistributionPoint, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SanType, SerialNumber,
};
use time::{Duration, OffsetDateTime};

/// The fixed verification time: 2026-06-01T00:00:00Z.
pub const AT: u64 = 1_780_272_000;

pub fn at() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(AT as i64).unwrap()
}

/// A CA that can issue certificates and CRLs, all valid around `center`.
pub struct Ca {
    pub issuer: CertifiedIssuer<'static, KeyPair>,
    pub center: OffsetDateTime,
}

impl Ca {
    pub fn root(name: &str) -> Ca {
        Ca::root_around(name, at())
    }

    pub fn root_around(name: &str, center: OffsetDateTime) -> Ca {
        let params = ca_params(name, center);
        Ca {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
            center,
        }
    }

    pub fn intermediate(&self, name: &str) -> Ca {
        let mut params = ca_params(name, self.center);
        params.use_authority_key_identifier_extension = true;
        Ca {
            issuer: CertifiedIssuer::signed_by(params, KeyPair::generate().unwrap(), &self.issuer)
                .unwrap(),
            center: self.center,
        }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    pub fn der(&self) -> Vec<u8> {
        self.issuer.der().to_vec()
    }

    /// Issues a client leaf with the given serial and SANs.
    pub fn leaf(&self, serial: u64, sans: Vec<SanType>) -> Leaf {
        let mut params = CertificateParams::default();
        params.distinguished_name = name(&format!("leaf-{serial}"));
        params.serial_number = Some(SerialNumber::from(serial));
        params.subject_alt_names = sans;
        params.not_before = self.center - Duration::days(30);
        params.not_after = self.center + Duration::days(30);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.sign_leaf(params)
    }

    /// Signs a leaf, with the authorityKeyIdentifier every CA-issued certificate carries.
    pub fn sign_leaf(&self, mut params: CertificateParams) -> Leaf {
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            der: cert.der().to_vec(),
            pem: cert.pem(),
            key_der: key.serialize_der(),
        }
    }

    /// A CRL revoking `serials`, valid until `next_update`.
    pub fn crl_until(
        &self,
        serials: impl IntoIterator<Item = Vec<u8>>,
        next_update: OffsetDateTime,
    ) -> Vec<u8> {
        self.crl_with(serials, 1, next_update, None)
    }

    /// A CRL with every parameter chosen: revoked serials, CRL number, nextUpdate, scope.
    pub fn crl_with(
        &self,
        serials: impl IntoIterator<Item = Vec<u8>>,
        number: u64,
        next_update: OffsetDateTime,
        scope: Option<CrlIssuingDistributionPoint>,
    ) -> Vec<u8> {
        let params = CertificateRevocationListParams {
            this_update: next_update - Duration::days(60),
            next_update,
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: scope,
            revoked_certs: serials
                .into_iter()
                .map(|serial| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&serial),
                    revocation_time: self.center - Duration::days(1),
                    reason_code: None,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        params.signed_by(&self.issuer).unwrap().der().to_vec()
    }

    pub fn crl(&self, serials: impl IntoIterator<Item = Vec<u8>>) -> Vec<u8> {
        self.crl_until(serials, self.center + Duration::days(7))
    }
}

fn ca_params(name: &str, center: OffsetDateTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = self::name(name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = center - Duration::days(365);
    params.not_after = center + Duration::days(365);
    params
}

/// `O=Certgate Test` then `CN=common_name`, in that encoding order.
pub fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "Certgate Test");
    name.push(DnType::CommonName, common_name);
    name
}

/// An issued leaf certificate and its PKCS#8 key.
pub struct Leaf {
    /// Certificate DER.
    pub der: Vec<u8>,
    pub pem: String,
    pub key_der: Vec<u8>,
}

/// The usual test PKI: root → intermediate, a SPIFFE leaf (serial 1) and a revoked leaf (serial 2).
pub struct Pki {
    pub root: Ca,
    pub intermediate: Ca,
    pub good: Leaf,
    pub revoked: Leaf,
}

pub const GOOD_SPIFFE_ID: &str = "spiffe://example.org/ns/prod/sa/payments";

impl Pki {
    pub fn new() -> Pki {
        Pki::around(at())
    }

    pub fn around(center: OffsetDateTime) -> Pki {
        let root = Ca::root_around("Certgate Test Root", center);
        let intermediate = root.intermediate("Certgate Test Issuing CA");
        let spiffe = |id: &str| vec![SanType::URI(id.try_into().unwrap())];
        let good = intermediate.leaf(1, spiffe(GOOD_SPIFFE_ID));
        let revoked = intermediate.leaf(2, spiffe("spiffe://example.org/ns/prod/sa/revoked"));
        Pki {
            root,
            intermediate,
            good,
            revoked,
        }
    }

    /// Root CRL (empty) and intermediate CRL (revoking serial 2), PEM.
    pub fn crls_pem(&self) -> Vec<String> {
        vec![
            pem("X509 CRL", &self.root.crl([])),
            pem("X509 CRL", &self.intermediate.crl([vec![2]])),
        ]
    }

    /// A policy trusting the root, pooling the intermediate, checking CRLs, allowing `allow`.
    pub fn policy(&self, allow: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "trust": { "anchors": self.root.pem(), "intermediates": self.intermediate.pem() },
            "revocation": { "crls": self.crls_pem() },
            "allow": allow,
        })
    }
}

/// PEM-encodes `der` with `label`.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}
