//! Turns a `CaseSpec` into certificates and CRLs with rcgen.
//!
//! Every key is Ed25519, derived from (seed, case, role), and Ed25519 signatures are
//! deterministic, so a case's files are the same bytes on every run and every machine.
//! Removing a mutation from a spec changes only what that mutation changed.

use rcgen::{
    CertificateParams, CertificateRevocationListParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use ring::digest;
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use time::OffsetDateTime;

use crate::der;
use crate::spec::{
    CaBasic, CaKu, CaseSpec, CrlTime, EkuKind, LeafBasic, LeafKu, Level, Mutation, NcKind, Rng,
    ValidityKind,
};

/// The verification time of every case: 2026-06-01T00:00:00Z.
pub const AT: i64 = 1_780_272_000;
const DAY: i64 = 86_400;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A built case: PEM text for each file the two verifiers read.
pub struct Built {
    /// The leaf (what the peer presents first).
    pub leaf: String,
    /// What the peer sends after the leaf, in the order it sends it.
    pub untrusted: Vec<String>,
    /// The trust anchor.
    pub root: String,
    /// One PEM CRL per CA that publishes one (empty when the case has no CRLs).
    pub crls: Vec<String>,
}

/// Everything that goes into one certificate; the mutations edit it before signing.
#[derive(Clone)]
struct Profile {
    cn: String,
    key_role: String,
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    /// basicConstraints: (critical, cA, pathLen); None: no extension.
    basic: Option<(bool, bool, Option<u8>)>,
    key_usage: Vec<KeyUsagePurpose>,
    eku: EkuKind,
    /// subjectKeyIdentifier criticality; None: none.
    ski: Option<bool>,
    aki: Aki,
    /// (permitted, excluded, critical).
    nc: Option<(Vec<String>, Vec<String>, bool)>,
    dns: Vec<String>,
    uris: Vec<String>,
    unknown: Option<bool>,
    /// A second instance of an extension: Some(true) keyUsage, Some(false) an unknown one.
    duplicate: Option<bool>,
    policies_critical: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aki {
    Absent,
    Correct { critical: bool },
    Wrong,
}

/// A key and the certificate parameters it was issued with (an issuer for the next).
struct Signed {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

/// Derives 32 bytes from the case and a role name.
fn derive(spec: &CaseSpec, role: &str) -> [u8; 32] {
    let input = format!("certgate-differential/{}/{}/{role}", spec.seed, spec.case);
    let d = digest::digest(&digest::SHA256, input.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

fn key_for(spec: &CaseSpec, role: &str) -> Result<KeyPair, Error> {
    let seed = derive(spec, &format!("key/{role}"));
    let pair = Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|e| format!("{e}"))?;
    let pkcs8 = der::ed25519_pkcs8(&seed, pair.public_key().as_ref());
    Ok(KeyPair::try_from(pkcs8.as_slice())?)
}

/// A positive serial of 8 octets, from the case and a role name.
fn serial_for(spec: &CaseSpec, role: &str) -> Vec<u8> {
    let mut s = derive(spec, &format!("serial/{role}"))[..8].to_vec();
    s[0] = (s[0] & 0x7f) | 0x10;
    if spec.mutations.contains(&Mutation::HighBitSerials) {
        s[0] |= 0x80;
    }
    s
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Certgate Differential");
    dn.push(DnType::CommonName, cn);
    dn
}

/// The CN of the certificate at `level` (the rules read it back from messages).
pub fn level_cn(spec: &CaseSpec, level: Level) -> String {
    if level == 0 {
        "Diff Leaf".to_owned()
    } else if level == spec.root() {
        "Diff Root".to_owned()
    } else {
        format!("Diff CA {level}")
    }
}

fn ca_profile(spec: &CaseSpec, level: Level) -> Profile {
    let root = level == spec.root();
    Profile {
        cn: level_cn(spec, level),
        key_role: format!("level{level}"),
        serial: serial_for(spec, &format!("level{level}")),
        not_before: AT - if root { 400 * DAY } else { 200 * DAY },
        not_after: AT + if root { 3650 * DAY } else { 1000 * DAY },
        basic: Some((true, true, None)),
        key_usage: vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
        eku: EkuKind::Absent,
        ski: Some(false),
        aki: if root {
            Aki::Absent
        } else {
            Aki::Correct { critical: false }
        },
        nc: None,
        dns: Vec::new(),
        uris: Vec::new(),
        unknown: None,
        duplicate: None,
        policies_critical: false,
    }
}

fn leaf_profile(spec: &CaseSpec) -> Profile {
    Profile {
        cn: level_cn(spec, 0),
        key_role: "level0".to_owned(),
        serial: serial_for(spec, "level0"),
        not_before: AT - 30 * DAY,
        not_after: AT + 90 * DAY,
        basic: None,
        key_usage: vec![KeyUsagePurpose::DigitalSignature],
        eku: EkuKind::ClientAuth,
        ski: None,
        aki: Aki::Correct { critical: false },
        nc: None,
        dns: vec!["client.example.com".to_owned()],
        uris: vec!["https://client.example.com/id".to_owned()],
        unknown: None,
        duplicate: None,
        policies_critical: false,
    }
}

/// Applies one mutation to the profiles of the main path (index = level).
fn mutate(spec: &CaseSpec, profiles: &mut [Profile], m: &Mutation) {
    let root = spec.root();
    match *m {
        Mutation::Validity { level, validity } => {
            let p = &mut profiles[level];
            match validity {
                ValidityKind::Expired => {
                    p.not_before = AT - 500 * DAY;
                    p.not_after = AT - DAY;
                }
                ValidityKind::NotYetValid => p.not_before = AT + DAY,
                ValidityKind::NotAfterIsAt => p.not_after = AT,
                ValidityKind::NotAfterJustBefore => p.not_after = AT - 1,
                ValidityKind::NotBeforeIsAt => p.not_before = AT,
                ValidityKind::NotBeforeJustAfter => p.not_before = AT + 1,
            }
        }
        Mutation::Eku { level, eku } => profiles[level].eku = eku,
        Mutation::LeafKeyUsage { ku } => {
            profiles[0].key_usage = match ku {
                LeafKu::Absent => vec![],
                LeafKu::KeyEnciphermentOnly => vec![KeyUsagePurpose::KeyEncipherment],
                LeafKu::KeyAgreementOnly => vec![KeyUsagePurpose::KeyAgreement],
                LeafKu::WithKeyCertSign => vec![
                    KeyUsagePurpose::DigitalSignature,
                    KeyUsagePurpose::KeyCertSign,
                ],
            }
        }
        Mutation::CaKeyUsage { level, ku } => {
            profiles[level].key_usage = match ku {
                CaKu::NoKeyCertSign => {
                    vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign]
                }
                CaKu::Absent => vec![],
                CaKu::NoCrlSign => vec![KeyUsagePurpose::KeyCertSign],
            }
        }
        Mutation::CaBasic { level, basic } => {
            profiles[level].basic = match basic {
                CaBasic::NotCa => Some((true, false, None)),
                CaBasic::Absent => None,
                CaBasic::NonCritical => Some((false, true, None)),
            }
        }
        Mutation::LeafBasic { basic } => match basic {
            LeafBasic::CaTrue => profiles[0].basic = Some((true, true, None)),
            LeafBasic::PathLenOnly => profiles[0].basic = Some((true, false, Some(0))),
            LeafBasic::CaFalse => profiles[0].basic = Some((true, false, None)),
        },
        Mutation::PathLen { level, len } => {
            if let Some((critical, ca, _)) = profiles[level].basic {
                profiles[level].basic = Some((critical, ca, Some(len)));
            }
        }
        Mutation::NameConstraints {
            level,
            nc,
            critical,
        } => {
            let (permitted, excluded) = match nc {
                NcKind::PermitMatch => (vec!["example.com"], vec![]),
                NcKind::PermitMiss => (vec!["example.org"], vec![]),
                NcKind::ExcludeMatch => (vec![], vec!["example.com"]),
                NcKind::ExcludeMiss => (vec![], vec!["example.org"]),
            };
            let own = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect();
            profiles[level].nc = Some((own(permitted), own(excluded), critical));
        }
        Mutation::NameConstraintsInLeaf => {
            profiles[0].nc = Some((vec!["example.com".to_owned()], vec![], true));
        }
        Mutation::CnHostnameOutsideConstraint { level } => {
            profiles[level].nc = Some((vec!["example.com".to_owned()], vec![], true));
            profiles[0].cn = "host.example.net".to_owned();
            profiles[0].dns.clear();
        }
        Mutation::NoAki { level } => profiles[level].aki = Aki::Absent,
        Mutation::AkiMismatch { level } => profiles[level].aki = Aki::Wrong,
        Mutation::AkiCritical { level } => profiles[level].aki = Aki::Correct { critical: true },
        Mutation::NoSki { level } => profiles[level].ski = None,
        Mutation::SkiCritical { level } => profiles[level].ski = Some(true),
        Mutation::RootAki { matching } => {
            profiles[root].aki = if matching {
                Aki::Correct { critical: false }
            } else {
                Aki::Wrong
            }
        }
        Mutation::LeafSki => profiles[0].ski = Some(false),
        Mutation::UnknownExtension { level, critical } => profiles[level].unknown = Some(critical),
        Mutation::CriticalPolicies { level } => profiles[level].policies_critical = true,
        Mutation::FarFutureNotAfter { level } => profiles[level].not_after = 2_840_140_800,
        Mutation::DuplicateExtension { level, known } => profiles[level].duplicate = Some(known),
        // Decided at CRL and chain assembly.
        Mutation::Revoked { .. }
        | Mutation::CrlTime { .. }
        | Mutation::MissingCrl { .. }
        | Mutation::Shuffle
        | Mutation::IncludeRoot
        | Mutation::ExtraUnrelated { .. }
        | Mutation::DecoySameName { .. }
        | Mutation::ExpiredTwin { .. }
        | Mutation::ValidTwin { .. }
        | Mutation::ForgedCrl { .. }
        | Mutation::HighBitSerials => {}
    }
}

/// The keyUsage bits (bit 0, digitalSignature, first) as RFC 5280 numbers them.
fn key_usage_bits(usages: &[KeyUsagePurpose]) -> Vec<u8> {
    usages
        .iter()
        .map(|usage| match usage {
            KeyUsagePurpose::DigitalSignature => 0,
            KeyUsagePurpose::ContentCommitment => 1,
            KeyUsagePurpose::KeyEncipherment => 2,
            KeyUsagePurpose::DataEncipherment => 3,
            KeyUsagePurpose::KeyAgreement => 4,
            KeyUsagePurpose::KeyCertSign => 5,
            KeyUsagePurpose::CrlSign => 6,
            KeyUsagePurpose::EncipherOnly => 7,
            KeyUsagePurpose::DecipherOnly => 8,
        })
        .collect()
}

fn time(unix: i64) -> Result<OffsetDateTime, Error> {
    Ok(OffsetDateTime::from_unix_timestamp(unix)?)
}

/// Signs `p` with `issuer` (None: self-signed with its own key).
fn sign(spec: &CaseSpec, p: &Profile, issuer: Option<&Signed>) -> Result<Signed, Error> {
    let key = key_for(spec, &p.key_role)?;
    let mut params = CertificateParams::default();
    params.not_before = time(p.not_before)?;
    params.not_after = time(p.not_after)?;
    params.serial_number = Some(SerialNumber::from_slice(&p.serial));
    params.distinguished_name = name(&p.cn);
    params.key_identifier_method = KeyIdMethod::Sha256;
    params.is_ca = IsCa::NoCa;
    params.use_authority_key_identifier_extension = false;
    params.key_usages = p.key_usage.clone();
    params.extended_key_usages = match p.eku {
        EkuKind::Absent => vec![],
        EkuKind::ClientAuth => vec![ExtendedKeyUsagePurpose::ClientAuth],
        EkuKind::ServerAuthOnly => vec![ExtendedKeyUsagePurpose::ServerAuth],
        EkuKind::AnyOnly => vec![ExtendedKeyUsagePurpose::Any],
        EkuKind::AnyAndClientAuth => vec![
            ExtendedKeyUsagePurpose::Any,
            ExtendedKeyUsagePurpose::ClientAuth,
        ],
        EkuKind::ClientAndServerAuth => vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ],
    };
    for dns in &p.dns {
        params
            .subject_alt_names
            .push(SanType::DnsName(dns.as_str().try_into()?));
    }
    for uri in &p.uris {
        params
            .subject_alt_names
            .push(SanType::URI(uri.as_str().try_into()?));
    }
    let own_id = params.key_identifier(&key);
    let issuer_id = match issuer {
        Some(issuer) => issuer.params.key_identifier(&issuer.key),
        None => own_id.clone(),
    };
    let mut custom = |oid: &[u64], critical: bool, value: Vec<u8>| {
        let mut ext = CustomExtension::from_oid_content(oid, value);
        ext.set_criticality(critical);
        params.custom_extensions.push(ext);
    };
    if let Some((critical, ca, path_len)) = p.basic {
        custom(
            &[2, 5, 29, 19],
            critical,
            der::basic_constraints(ca, path_len),
        );
    }
    if let Some(critical) = p.ski {
        custom(
            &[2, 5, 29, 14],
            critical,
            der::subject_key_identifier(&own_id),
        );
    }
    match p.aki {
        Aki::Absent => {}
        Aki::Correct { critical } => custom(
            &[2, 5, 29, 35],
            critical,
            der::authority_key_identifier(&issuer_id),
        ),
        Aki::Wrong => {
            let wrong = derive(spec, &format!("wrong-aki/{}", p.key_role))[..20].to_vec();
            custom(
                &[2, 5, 29, 35],
                false,
                der::authority_key_identifier(&wrong),
            );
        }
    }
    if let Some((permitted, excluded, critical)) = &p.nc {
        custom(
            &[2, 5, 29, 30],
            *critical,
            der::name_constraints(permitted, excluded),
        );
    }
    if p.policies_critical {
        custom(&[2, 5, 29, 32], true, der::any_policy());
    }
    if let Some(critical) = p.unknown {
        // A private-enterprise OID no verifier knows; the value is a NULL.
        custom(
            &[1, 3, 6, 1, 4, 1, 55738, 99, 1],
            critical,
            vec![0x05, 0x00],
        );
    }
    match p.duplicate {
        // rcgen writes the first keyUsage; this is its copy.
        Some(true) if !p.key_usage.is_empty() => {
            let bits = key_usage_bits(&p.key_usage);
            custom(&[2, 5, 29, 15], true, der::key_usage(&bits));
        }
        Some(_) => {
            for _ in 0..2 {
                custom(&[1, 3, 6, 1, 4, 1, 55738, 99, 2], false, vec![0x05, 0x00]);
            }
        }
        None => {}
    }
    let cert = match issuer {
        Some(issuer) => {
            let rcgen_issuer = rcgen::Issuer::from_params(&issuer.params, &issuer.key);
            params.signed_by(&key, &rcgen_issuer)?
        }
        None => params.self_signed(&key)?,
    };
    Ok(Signed {
        pem: cert.pem(),
        params,
        key,
    })
}

/// A CRL of `issuer` listing `revoked`, with this/next update per the mutations.
fn crl(
    issuer: &Signed,
    revoked: &[Vec<u8>],
    time_kind: Option<CrlTime>,
    number: u8,
) -> Result<String, Error> {
    let (this_update, next_update) = match time_kind {
        None => (AT - DAY, AT + 7 * DAY),
        Some(CrlTime::Expired) => (AT - 8 * DAY, AT - DAY),
        Some(CrlTime::NotYetValid) => (AT + DAY, AT + 8 * DAY),
        Some(CrlTime::NextUpdateIsAt) => (AT - 7 * DAY, AT),
        Some(CrlTime::ThisUpdateIsAt) => (AT, AT + 7 * DAY),
    };
    let params = CertificateRevocationListParams {
        this_update: time(this_update)?,
        next_update: time(next_update)?,
        crl_number: SerialNumber::from_slice(&[number]),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|serial| {
                Ok(rcgen::RevokedCertParams {
                    serial_number: SerialNumber::from_slice(serial),
                    revocation_time: time(AT - 2 * DAY)?,
                    reason_code: None,
                    invalidity_date: None,
                })
            })
            .collect::<Result<_, Error>>()?,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    // rcgen refuses to sign a CRL for an issuer whose keyUsage lacks cRLSign; the point
    // of that mutation is to see the verifiers refuse it, so hide the key usage here.
    let mut issuer_params = issuer.params.clone();
    issuer_params.key_usages.clear();
    let rcgen_issuer = rcgen::Issuer::from_params(&issuer_params, &issuer.key);
    Ok(params.signed_by(&rcgen_issuer)?.pem()?)
}

/// Builds the case.
pub fn build(spec: &CaseSpec) -> Result<Built, Error> {
    let root = spec.root();
    let mut profiles: Vec<Profile> = std::iter::once(leaf_profile(spec))
        .chain((1..=root).map(|level| ca_profile(spec, level)))
        .collect();
    for m in &spec.mutations {
        mutate(spec, &mut profiles, m);
    }
    // Sign from the root down: signed[level].
    let mut signed: Vec<Option<Signed>> = (0..=root).map(|_| None).collect();
    signed[root] = Some(sign(spec, &profiles[root], None)?);
    for level in (0..root).rev() {
        let issuer = signed[level + 1].as_ref();
        signed[level] = Some(sign(spec, &profiles[level], issuer)?);
    }
    let signed: Vec<Signed> = signed.into_iter().map(Option::unwrap).collect();

    let mut extras = Vec::new();
    for m in &spec.mutations {
        match *m {
            Mutation::DecoySameName { level } => {
                let mut p = profiles[level].clone();
                p.key_role = format!("decoy{level}");
                p.serial = serial_for(spec, &format!("decoy{level}"));
                extras.push(sign(spec, &p, Some(&signed[level + 1]))?.pem);
            }
            Mutation::ExpiredTwin { level } => {
                let mut p = profiles[level].clone();
                p.serial = serial_for(spec, &format!("twin{level}"));
                p.not_before = AT - 900 * DAY;
                p.not_after = AT - 100 * DAY;
                extras.push(sign(spec, &p, Some(&signed[level + 1]))?.pem);
            }
            Mutation::ValidTwin { level } => {
                // A conforming CA certificate for the same name and key.
                let mut p = ca_profile(spec, level);
                p.serial = serial_for(spec, &format!("valid-twin{level}"));
                extras.push(sign(spec, &p, Some(&signed[level + 1]))?.pem);
            }
            Mutation::ExtraUnrelated { count } => {
                let mut other_root = ca_profile(spec, root);
                other_root.cn = "Unrelated Root".to_owned();
                other_root.key_role = "unrelated-root".to_owned();
                other_root.serial = serial_for(spec, "unrelated-root");
                let other_root = sign(spec, &other_root, None)?;
                for i in 0..count {
                    let mut p = if i == 0 {
                        ca_profile(spec, 1)
                    } else {
                        leaf_profile(spec)
                    };
                    p.cn = format!("Unrelated {i}");
                    p.key_role = format!("unrelated{i}");
                    p.serial = serial_for(spec, &format!("unrelated{i}"));
                    extras.push(sign(spec, &p, Some(&other_root))?.pem);
                }
                extras.push(other_root.pem);
            }
            _ => {}
        }
    }

    let mut untrusted: Vec<String> = signed[1..root].iter().map(|s| s.pem.clone()).collect();
    untrusted.extend(extras);
    if spec.mutations.contains(&Mutation::IncludeRoot) {
        untrusted.push(signed[root].pem.clone());
    }
    if spec.mutations.contains(&Mutation::Shuffle) {
        let mut rng = Rng::new(u64::from_be_bytes(
            derive(spec, "shuffle")[..8].try_into().expect("8 bytes"),
        ));
        rng.shuffle(&mut untrusted);
    }

    let mut crls = Vec::new();
    if spec.crls {
        for (issuer, signer) in signed.iter().enumerate().skip(1) {
            if spec.mutations.contains(&Mutation::MissingCrl { issuer }) {
                continue;
            }
            // Two serials of nobody, so no CRL is empty.
            let mut revoked = vec![
                serial_for(spec, &format!("filler-a{issuer}")),
                serial_for(spec, &format!("filler-b{issuer}")),
            ];
            let subject = issuer - 1;
            if spec
                .mutations
                .contains(&Mutation::Revoked { level: subject })
            {
                revoked.push(profiles[subject].serial.clone());
            }
            if issuer == root && spec.mutations.contains(&Mutation::Revoked { level: root }) {
                revoked.push(profiles[root].serial.clone());
            }
            let time_kind = spec.mutations.iter().find_map(|m| match *m {
                Mutation::CrlTime { issuer: i, time } if i == issuer => Some(time),
                _ => None,
            });
            crls.push(crl(signer, &revoked, time_kind, 1)?);
        }
        for m in &spec.mutations {
            if let Mutation::ForgedCrl { issuer } = *m {
                // Same issuer name, another key: a newer CRL revoking the real subject.
                let mut forger = profiles[issuer].clone();
                forger.key_role = format!("forger{issuer}");
                let forger = sign(spec, &forger, None)?;
                let revoked = vec![profiles[issuer - 1].serial.clone()];
                crls.push(crl(&forger, &revoked, None, 2)?);
            }
        }
    }

    Ok(Built {
        leaf: signed[0].pem.clone(),
        untrusted,
        root: signed[root].pem.clone(),
        crls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_number_reproduces_the_same_bytes() {
        for case in 0..40 {
            let spec = CaseSpec::draw(7, case);
            let (a, b) = (build(&spec).unwrap(), build(&spec).unwrap());
            assert_eq!(a.leaf, b.leaf);
            assert_eq!(a.untrusted, b.untrusted);
            assert_eq!(a.root, b.root);
            assert_eq!(a.crls, b.crls);
        }
    }

    #[test]
    fn removing_a_mutation_keeps_the_keys() {
        let spec = (0..)
            .map(|case| CaseSpec::draw(7, case))
            .find(|spec| !spec.mutations.is_empty())
            .unwrap();
        let plain = CaseSpec {
            mutations: Vec::new(),
            ..spec.clone()
        };
        let key = |pem: &str| {
            let der = pem_body(pem);
            // The SubjectPublicKeyInfo of an Ed25519 key ends the TBS's fixed part; its
            // 32 key bytes follow this prefix.
            let prefix = [
                0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
            ];
            let at = der.windows(prefix.len()).position(|w| w == prefix).unwrap();
            der[at..at + prefix.len() + 32].to_vec()
        };
        assert_eq!(
            key(&build(&spec).unwrap().root),
            key(&build(&plain).unwrap().root)
        );
    }

    fn pem_body(pem: &str) -> Vec<u8> {
        let text: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64_decode(&text)
    }

    fn base64_decode(text: &str) -> Vec<u8> {
        let value = |c: u8| -> u32 {
            match c {
                b'A'..=b'Z' => (c - b'A') as u32,
                b'a'..=b'z' => (c - b'a' + 26) as u32,
                b'0'..=b'9' => (c - b'0' + 52) as u32,
                b'+' => 62,
                _ => 63,
            }
        };
        let bytes: Vec<u8> = text.bytes().filter(|c| *c != b'=').collect();
        let mut out = Vec::new();
        for chunk in bytes.chunks(4) {
            let mut n = 0u32;
            for (i, c) in chunk.iter().enumerate() {
                n |= value(*c) << (18 - 6 * i);
            }
            out.extend(&n.to_be_bytes()[1..chunk.len()]);
        }
        out
    }
}
