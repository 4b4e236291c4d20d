//! What a case is: a seeded draw of the PKI's shape and its deliberate mutations.
//! `CaseSpec::draw(seed, case)` depends on nothing else, so a case number (with its seed)
//! reproduces the same spec, and `build` turns it into the same bytes.

use serde::Serialize;

/// SplitMix64: small, seedable, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A permutation of `items` (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A certificate of the main path, by level: 0 is the leaf, 1 its issuer, …, `cas + 1`
/// the root (the trust anchor). OpenSSL's error depth is this level.
pub type Level = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ValidityKind {
    /// notAfter a day before `at`.
    Expired,
    /// notBefore a day after `at`.
    NotYetValid,
    /// notAfter == `at` (valid: RFC 5280 §4.1.2.5, "inclusive").
    NotAfterIsAt,
    /// notAfter == `at` − 1 s.
    NotAfterJustBefore,
    /// notBefore == `at` (valid).
    NotBeforeIsAt,
    /// notBefore == `at` + 1 s.
    NotBeforeJustAfter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EkuKind {
    Absent,
    ClientAuth,
    ServerAuthOnly,
    AnyOnly,
    AnyAndClientAuth,
    ClientAndServerAuth,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LeafKu {
    /// No keyUsage extension.
    Absent,
    /// keyEncipherment only.
    KeyEnciphermentOnly,
    /// keyAgreement only (OpenSSL's sslclient purpose takes it instead of digitalSignature).
    KeyAgreementOnly,
    /// digitalSignature and keyCertSign in a non-CA.
    WithKeyCertSign,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CaKu {
    /// digitalSignature and cRLSign, no keyCertSign.
    NoKeyCertSign,
    /// No keyUsage extension.
    Absent,
    /// keyCertSign only (the CA's CRLs cannot be used).
    NoCrlSign,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CaBasic {
    /// basicConstraints present with cA FALSE.
    NotCa,
    /// No basicConstraints extension.
    Absent,
    /// basicConstraints cA TRUE, not critical.
    NonCritical,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LeafBasic {
    /// basicConstraints cA TRUE on the leaf (its keyUsage stays digitalSignature).
    CaTrue,
    /// basicConstraints with a pathLenConstraint but cA FALSE.
    PathLenOnly,
    /// basicConstraints present, cA FALSE (benign).
    CaFalse,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum NcKind {
    /// permitted `example.com`: the leaf's `client.example.com` is inside.
    PermitMatch,
    /// permitted `example.org`: the leaf's name is outside.
    PermitMiss,
    /// excluded `example.com`: the leaf's name is excluded.
    ExcludeMatch,
    /// excluded `example.org`: the leaf's name is not excluded.
    ExcludeMiss,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CrlTime {
    /// nextUpdate a day before `at`.
    Expired,
    /// thisUpdate a day after `at`.
    NotYetValid,
    /// nextUpdate == `at`.
    NextUpdateIsAt,
    /// thisUpdate == `at`.
    ThisUpdateIsAt,
}

/// One deliberate departure from a conforming PKI. `level` is the certificate it
/// changes; for CRL mutations, the level of the CA whose CRL it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum Mutation {
    Validity {
        level: Level,
        validity: ValidityKind,
    },
    Eku {
        level: Level,
        eku: EkuKind,
    },
    LeafKeyUsage {
        ku: LeafKu,
    },
    CaKeyUsage {
        level: Level,
        ku: CaKu,
    },
    CaBasic {
        level: Level,
        basic: CaBasic,
    },
    LeafBasic {
        basic: LeafBasic,
    },
    /// pathLenConstraint `len` on a CA or the root.
    PathLen {
        level: Level,
        len: u8,
    },
    NameConstraints {
        level: Level,
        nc: NcKind,
        critical: bool,
    },
    /// A (critical) nameConstraints extension in the leaf.
    NameConstraintsInLeaf,
    /// permitted `example.com` at `level`; the leaf's CN is the host name
    /// `host.example.net` and it has no dNSName (OpenSSL checks the CN then).
    CnHostnameOutsideConstraint {
        level: Level,
    },
    NoAki {
        level: Level,
    },
    /// An authorityKeyIdentifier that names another key.
    AkiMismatch {
        level: Level,
    },
    AkiCritical {
        level: Level,
    },
    NoSki {
        level: Level,
    },
    SkiCritical {
        level: Level,
    },
    /// The self-signed root carries an authorityKeyIdentifier (equal to its SKI, or not).
    RootAki {
        matching: bool,
    },
    /// The leaf carries a subjectKeyIdentifier (benign).
    LeafSki,
    UnknownExtension {
        level: Level,
        critical: bool,
    },
    /// certificatePolicies (anyPolicy), critical.
    CriticalPolicies {
        level: Level,
    },
    /// The certificate at `level` is on its issuer's CRL (the root: on its own).
    Revoked {
        level: Level,
    },
    CrlTime {
        issuer: Level,
        time: CrlTime,
    },
    /// The CA at `issuer` publishes no CRL.
    MissingCrl {
        issuer: Level,
    },
    /// The peer's certificates after the leaf come in a random order.
    Shuffle,
    /// The peer also sends the root.
    IncludeRoot,
    /// The peer also sends `count` certificates of an unrelated PKI.
    ExtraUnrelated {
        count: u8,
    },
    /// The peer also sends a CA with the same subject as `level`, another key, issued by
    /// the same issuer.
    DecoySameName {
        level: Level,
    },
    /// The peer also sends an expired older certificate of the CA at `level` (same name
    /// and key, another serial).
    ExpiredTwin {
        level: Level,
    },
    /// The peer also sends another valid certificate of the CA at `level` (same name and
    /// key, another serial): with an expired or otherwise refused CA at that level, a
    /// second path exists.
    ValidTwin {
        level: Level,
    },
    /// Beside the CA's real CRL, a CRL with the same issuer name, signed by another key,
    /// newer (CRL number 2) and listing the certificate below that CA: it must be ignored.
    ForgedCrl {
        issuer: Level,
    },
    /// Every serial has its top bit set (DER adds a 00 sign octet).
    HighBitSerials,
    /// The certificate at `level` expires in 2060 (GeneralizedTime).
    FarFutureNotAfter {
        level: Level,
    },
    /// The certificate at `level` has the same extension twice: a non-critical unknown
    /// one, or (`known`) its keyUsage.
    DuplicateExtension {
        level: Level,
        known: bool,
    },
}

impl Mutation {
    /// The name of the mutation without its parameters, for the coverage table.
    pub fn family(&self) -> String {
        let v = serde_json::to_value(self).expect("a mutation serializes");
        let kind = v["kind"].as_str().unwrap_or("?").to_owned();
        let detail = match self {
            Mutation::Validity { validity, .. } => format!("{validity:?}"),
            Mutation::Eku { eku, .. } => format!("{eku:?}"),
            Mutation::LeafKeyUsage { ku } => format!("{ku:?}"),
            Mutation::CaKeyUsage { ku, .. } => format!("{ku:?}"),
            Mutation::CaBasic { basic, .. } => format!("{basic:?}"),
            Mutation::LeafBasic { basic } => format!("{basic:?}"),
            Mutation::NameConstraints { nc, critical, .. } => {
                format!("{nc:?}{}", if *critical { "" } else { ",noncritical" })
            }
            Mutation::UnknownExtension { critical, .. } => {
                (if *critical { "critical" } else { "noncritical" }).to_owned()
            }
            Mutation::DuplicateExtension { known, .. } => {
                (if *known { "keyUsage" } else { "unknown" }).to_owned()
            }
            Mutation::RootAki { matching } => {
                (if *matching { "matching" } else { "mismatching" }).to_owned()
            }
            Mutation::CrlTime { time, .. } => format!("{time:?}"),
            _ => String::new(),
        };
        if detail.is_empty() {
            kind
        } else {
            format!("{kind}({detail})")
        }
    }

    /// The certificate level the mutation is about (for CRLs: the issuer's), if one.
    pub fn level(&self) -> Option<Level> {
        match *self {
            Mutation::Validity { level, .. }
            | Mutation::Eku { level, .. }
            | Mutation::CaKeyUsage { level, .. }
            | Mutation::CaBasic { level, .. }
            | Mutation::PathLen { level, .. }
            | Mutation::NameConstraints { level, .. }
            | Mutation::CnHostnameOutsideConstraint { level }
            | Mutation::NoAki { level }
            | Mutation::AkiMismatch { level }
            | Mutation::AkiCritical { level }
            | Mutation::NoSki { level }
            | Mutation::SkiCritical { level }
            | Mutation::UnknownExtension { level, .. }
            | Mutation::CriticalPolicies { level }
            | Mutation::Revoked { level }
            | Mutation::DecoySameName { level }
            | Mutation::ExpiredTwin { level }
            | Mutation::ValidTwin { level }
            | Mutation::FarFutureNotAfter { level }
            | Mutation::DuplicateExtension { level, .. } => Some(level),
            Mutation::CrlTime { issuer, .. }
            | Mutation::MissingCrl { issuer }
            | Mutation::ForgedCrl { issuer } => Some(issuer),
            Mutation::LeafKeyUsage { .. }
            | Mutation::LeafBasic { .. }
            | Mutation::NameConstraintsInLeaf
            | Mutation::LeafSki => Some(0),
            Mutation::RootAki { .. }
            | Mutation::Shuffle
            | Mutation::IncludeRoot
            | Mutation::HighBitSerials
            | Mutation::ExtraUnrelated { .. } => None,
        }
    }
}

/// One case: the shape of the PKI and its mutations.
#[derive(Clone, Debug, Serialize)]
pub struct CaseSpec {
    pub seed: u64,
    pub case: u64,
    /// Intermediate CAs between the leaf and the root (0–3).
    pub cas: usize,
    /// Whether every CA publishes a CRL and revocation is checked (certgate `revocation`
    /// with `depth: "chain"`; OpenSSL `-crl_check_all`).
    pub crls: bool,
    pub mutations: Vec<Mutation>,
}

impl CaseSpec {
    /// The root's level.
    pub fn root(&self) -> Level {
        self.cas + 1
    }

    /// Draws case `case` of the run seeded `seed`.
    pub fn draw(seed: u64, case: u64) -> CaseSpec {
        let mut rng = Rng::new(seed ^ case.wrapping_mul(0xd1b5_4a32_d192_ed03));
        // Burn a few outputs so nearby case numbers diverge at once.
        for _ in 0..4 {
            rng.next_u64();
        }
        let cas = rng.pick(&[0, 1, 1, 1, 2, 2, 3]);
        let crls = rng.chance(45);
        let count = rng.pick(&[0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4]);
        let mut spec = CaseSpec {
            seed,
            case,
            cas,
            crls,
            mutations: Vec::new(),
        };
        let mut tries = 0;
        while spec.mutations.len() < count && tries < 50 {
            tries += 1;
            let m = spec.draw_mutation(&mut rng);
            if let Some(m) = m {
                if !spec.mutations.contains(&m) && spec.compatible(&m) {
                    spec.mutations.push(m);
                }
            }
        }
        spec
    }

    /// Two mutations that write the same extension of the same certificate would
    /// overwrite each other: keep only the first.
    fn compatible(&self, new: &Mutation) -> bool {
        let slot = |m: &Mutation| -> Option<(Level, &'static str)> {
            let level = m.level()?;
            let what = match m {
                Mutation::Validity { .. } | Mutation::FarFutureNotAfter { .. } => "validity",
                Mutation::Eku { .. } => "eku",
                Mutation::LeafKeyUsage { .. } | Mutation::CaKeyUsage { .. } => "ku",
                Mutation::CaBasic { .. }
                | Mutation::LeafBasic { .. }
                | Mutation::PathLen { .. } => "bc",
                Mutation::NameConstraints { .. }
                | Mutation::NameConstraintsInLeaf
                | Mutation::CnHostnameOutsideConstraint { .. } => "nc",
                Mutation::NoAki { .. }
                | Mutation::AkiMismatch { .. }
                | Mutation::AkiCritical { .. } => "aki",
                Mutation::NoSki { .. } | Mutation::SkiCritical { .. } | Mutation::LeafSki => "ski",
                // A copy of the keyUsage needs the keyUsage the other mutations leave.
                Mutation::DuplicateExtension { known: true, .. } => "ku",
                Mutation::UnknownExtension { .. } | Mutation::DuplicateExtension { .. } => {
                    "unknown"
                }
                Mutation::CriticalPolicies { .. } => "policies",
                Mutation::Revoked { .. } => "revoked",
                Mutation::CrlTime { .. } | Mutation::MissingCrl { .. } => "crl",
                Mutation::ForgedCrl { .. } => "forged-crl",
                Mutation::ValidTwin { .. } => "valid-twin",
                Mutation::DecoySameName { .. } => "decoy",
                Mutation::ExpiredTwin { .. } => "twin",
                _ => return None,
            };
            Some((level, what))
        };
        let cn_rule = |m: &Mutation| {
            matches!(
                m,
                Mutation::CnHostnameOutsideConstraint { .. } | Mutation::NameConstraintsInLeaf
            )
        };
        let root_aki = |m: &Mutation| matches!(m, Mutation::RootAki { .. });
        if root_aki(new) {
            return !self.mutations.iter().any(root_aki);
        }
        let Some(new_slot) = slot(new) else {
            return true;
        };
        self.mutations.iter().all(|m| {
            // The CN mutation rewrites the leaf's names; NC mutations assume them.
            let names_clash = cn_rule(new) && matches!(m, Mutation::NameConstraints { .. })
                || cn_rule(m) && matches!(new, Mutation::NameConstraints { .. });
            slot(m) != Some(new_slot) && !names_clash
        })
    }

    fn draw_mutation(&self, rng: &mut Rng) -> Option<Mutation> {
        let root = self.root();
        let any_level = rng.below(root + 1);
        let ca_level = 1 + rng.below(root);
        let ca_only = (self.cas > 0).then(|| 1 + rng.below(self.cas));
        let m = match rng.below(35) {
            0 | 1 => Mutation::Validity {
                level: any_level,
                validity: rng.pick(&[
                    ValidityKind::Expired,
                    ValidityKind::NotYetValid,
                    ValidityKind::NotAfterIsAt,
                    ValidityKind::NotAfterJustBefore,
                    ValidityKind::NotBeforeIsAt,
                    ValidityKind::NotBeforeJustAfter,
                ]),
            },
            2 | 3 => Mutation::Eku {
                level: any_level,
                eku: rng.pick(&[
                    EkuKind::Absent,
                    EkuKind::ClientAuth,
                    EkuKind::ServerAuthOnly,
                    EkuKind::AnyOnly,
                    EkuKind::AnyAndClientAuth,
                    EkuKind::ClientAndServerAuth,
                ]),
            },
            4 => Mutation::LeafKeyUsage {
                ku: rng.pick(&[
                    LeafKu::Absent,
                    LeafKu::KeyEnciphermentOnly,
                    LeafKu::KeyAgreementOnly,
                    LeafKu::WithKeyCertSign,
                ]),
            },
            5 => Mutation::CaKeyUsage {
                level: ca_level,
                ku: rng.pick(&[CaKu::NoKeyCertSign, CaKu::Absent, CaKu::NoCrlSign]),
            },
            6 => Mutation::CaBasic {
                level: ca_level,
                basic: rng.pick(&[CaBasic::NotCa, CaBasic::Absent, CaBasic::NonCritical]),
            },
            7 => Mutation::LeafBasic {
                basic: rng.pick(&[
                    LeafBasic::CaTrue,
                    LeafBasic::PathLenOnly,
                    LeafBasic::CaFalse,
                ]),
            },
            8 | 9 => Mutation::PathLen {
                level: ca_level,
                // The CAs below it: ca_level - 1. A smaller value is a violation.
                len: rng.below(ca_level + 1) as u8,
            },
            10 | 11 => Mutation::NameConstraints {
                level: ca_level,
                nc: rng.pick(&[
                    NcKind::PermitMatch,
                    NcKind::PermitMiss,
                    NcKind::ExcludeMatch,
                    NcKind::ExcludeMiss,
                ]),
                critical: rng.chance(80),
            },
            12 => Mutation::NameConstraintsInLeaf,
            13 => Mutation::CnHostnameOutsideConstraint { level: ca_level },
            14 => {
                // The root's own AKI is RootAki, except a critical one.
                let level = rng.below(root);
                match rng.below(3) {
                    0 => Mutation::NoAki { level },
                    1 => Mutation::AkiMismatch { level },
                    _ => Mutation::AkiCritical {
                        level: if rng.chance(20) { root } else { level },
                    },
                }
            }
            15 => {
                if rng.chance(50) {
                    Mutation::NoSki { level: ca_level }
                } else {
                    Mutation::SkiCritical { level: ca_level }
                }
            }
            16 => Mutation::RootAki {
                matching: rng.chance(50),
            },
            17 => Mutation::LeafSki,
            18 | 19 => Mutation::UnknownExtension {
                level: any_level,
                critical: rng.chance(70),
            },
            20 => Mutation::CriticalPolicies { level: any_level },
            21 | 22 if self.crls => Mutation::Revoked {
                level: if rng.chance(15) {
                    root
                } else {
                    rng.below(root)
                },
            },
            23 | 24 if self.crls => Mutation::CrlTime {
                issuer: ca_level,
                time: rng.pick(&[
                    CrlTime::Expired,
                    CrlTime::NotYetValid,
                    CrlTime::NextUpdateIsAt,
                    CrlTime::ThisUpdateIsAt,
                ]),
            },
            25 if self.crls => Mutation::MissingCrl { issuer: ca_level },
            21..=25 => return None,
            26 => match rng.below(3) {
                0 => Mutation::Shuffle,
                1 => Mutation::IncludeRoot,
                _ => Mutation::ExtraUnrelated {
                    count: 1 + rng.below(3) as u8,
                },
            },
            27 => Mutation::DecoySameName { level: ca_only? },
            28 => Mutation::ExpiredTwin { level: ca_only? },
            29 => Mutation::ValidTwin { level: ca_only? },
            30 | 31 if self.crls => Mutation::ForgedCrl { issuer: ca_level },
            30 | 31 => return None,
            32 => Mutation::HighBitSerials,
            33 => Mutation::FarFutureNotAfter { level: any_level },
            _ => Mutation::DuplicateExtension {
                level: any_level,
                known: rng.chance(50),
            },
        };
        Some(m)
    }

    /// The same case without the mutations at `indexes` (to see what they change).
    pub fn without(&self, indexes: &[usize]) -> CaseSpec {
        let mut spec = self.clone();
        spec.mutations = self
            .mutations
            .iter()
            .enumerate()
            .filter(|(i, _)| !indexes.contains(i))
            .map(|(_, m)| *m)
            .collect();
        spec
    }
}
