//! Why certgate and OpenSSL disagree: every known reason, as a rule that must match the
//! case's mutations and the refusing side's own report.

use serde::Serialize;

use crate::build::level_cn;
use crate::decide::{CertgateOutcome, OpensslError, OpensslOutcome};
use crate::spec::{CaseSpec, Level, Mutation};

/// Which side refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Side {
    /// certgate refuses, OpenSSL accepts: a deliberate stricter rule of certgate.
    CertgateStricter,
    /// OpenSSL refuses, certgate accepts: an OpenSSL check certgate deliberately does
    /// not make (each needs a reason, since failing closed is the priority).
    OpensslStricter,
}

/// How a rule recognises its disagreements.
pub enum Matcher {
    /// certgate refuses with `code`, its message holds every one of `text`, and the case
    /// has a mutation for which `mutation(m, level)` holds, `level` being the certificate
    /// the message names (None when it names none of the case's certificates).
    Certgate {
        /// The code; empty: EXPIRED or BAD_SIGNATURE (the errors other paths give).
        code: &'static str,
        text: &'static [&'static str],
        mutation: fn(&CaseSpec, &Mutation, Option<Level>) -> bool,
    },
    /// An OpenSSL error with one of `errors` (empty: any), at depth `depth`, explained by
    /// a mutation for which `mutation(m, depth)` holds.
    Openssl {
        errors: &'static [u32],
        mutation: fn(&CaseSpec, &Mutation, Level) -> bool,
    },
}

/// Where certgate's documentation states the behaviour: a file of `docs/` and a piece of
/// its text (checked to be there when the run starts).
pub struct Doc {
    pub file: &'static str,
    pub section: &'static str,
    pub text: &'static str,
}

pub struct Rule {
    pub id: &'static str,
    pub side: Side,
    pub summary: &'static str,
    pub rfc: &'static str,
    /// None: not documented in docs/ yet (proposed text in the report).
    pub doc: Option<Doc>,
    /// Some: not a deliberate difference but a certgate bug, reported and not yet fixed;
    /// its cases fail the run like unexplained ones.
    pub finding: Option<&'static str>,
    /// The blamed mutation only changes which refusal certgate reports (another candidate
    /// path's error ranks higher): without it certgate must still refuse.
    pub masks: bool,
    pub matcher: Matcher,
}

/// The mutation is on the certificate at `level` (the named one, when certgate names
/// one).
fn at(m: &Mutation, level: Option<Level>) -> bool {
    level.is_none() || m.level() == level
}

/// Every rule. The order is the order of the table.
pub fn rules() -> Vec<Rule> {
    use crate::spec::{CaKu, CrlTime as Crl, EkuKind, LeafBasic, LeafKu};
    vec![
        // ---- certgate refuses, OpenSSL accepts: certgate's documented stricter rules.
        Rule {
            id: "leaf-is-ca",
            side: Side::CertgateStricter,
            summary: "a leaf with basicConstraints cA TRUE is refused; OpenSSL takes a CA \
                      certificate as the end entity",
            rfc: "certgate rule (RFC 5280 §4.2.1.9 does not forbid it)",
            doc: Some(Doc {
                file: "decision.md",
                section: "§3 What is checked",
                text: "the leaf is not a CA (basicConstraints cA true)",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Certgate {
                code: "CA_CONSTRAINT_VIOLATION",
                text: &["is a CA certificate used as a leaf"],
                mutation: |_, m, level| {
                    matches!(
                        m,
                        Mutation::LeafBasic {
                            basic: LeafBasic::CaTrue
                        }
                    ) && at(m, level)
                },
            },
        },
        Rule {
            id: "duplicate-extension",
            side: Side::CertgateStricter,
            summary: "two instances of one extension in a certificate are refused (OpenSSL \
                      3.0 accepts them; 3.4 and later refuse them too)",
            rfc: "RFC 5280 §4.2 (\"A certificate MUST NOT include more than one instance of \
                  a particular extension\")",
            doc: Some(Doc {
                file: "profile.md",
                section: "rules table",
                text: "| at most one instance of each extension | all | yes |",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Certgate {
                code: "MALFORMED_CERTIFICATE",
                text: &["more than one"],
                mutation: |_, m, level| {
                    matches!(m, Mutation::DuplicateExtension { .. }) && at(m, level)
                },
            },
        },
        Rule {
            id: "leaf-any-eku",
            side: Side::CertgateStricter,
            summary: "a leaf whose extKeyUsage holds anyExtendedKeyUsage (beside clientAuth) \
                      is refused",
            rfc: "profile choice",
            doc: Some(Doc {
                file: "profile.md",
                section: "rules table",
                text: "| no anyExtendedKeyUsage in a leaf | leaf | yes |",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Certgate {
                code: "INVALID_USAGE",
                text: &["anyExtendedKeyUsage"],
                mutation: |_, m, level| {
                    matches!(
                        m,
                        Mutation::Eku {
                            level: 0,
                            eku: EkuKind::AnyAndClientAuth
                        }
                    ) && at(m, level)
                },
            },
        },
        Rule {
            id: "leaf-ku-digital-signature",
            side: Side::CertgateStricter,
            summary: "a leaf whose keyUsage lacks digitalSignature is refused; OpenSSL's \
                      sslclient purpose also takes keyAgreement",
            rfc: "RFC 5280 §4.2.1.3; RFC 8446 §4.4.3",
            doc: Some(Doc {
                file: "profile.md",
                section: "keyUsage of the leaf",
                text: "keyUsage, when present, asserts digitalSignature",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Certgate {
                code: "INVALID_USAGE",
                text: &["lacks digitalSignature"],
                mutation: |_, m, level| {
                    matches!(
                        m,
                        Mutation::LeafKeyUsage {
                            ku: LeafKu::KeyAgreementOnly
                        }
                    ) && at(m, level)
                },
            },
        },
        Rule {
            id: "nc-in-leaf",
            side: Side::CertgateStricter,
            summary: "a leaf with a nameConstraints extension is refused",
            rfc: "RFC 5280 §4.2.1.10",
            doc: Some(Doc {
                file: "profile.md",
                section: "rules table",
                text: "| nameConstraints only in CA certificates, critical,",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Certgate {
                code: "NAME_CONSTRAINT_VIOLATION",
                text: &["end-entity certificate with a nameConstraints extension"],
                mutation: |_, m, level| {
                    matches!(m, Mutation::NameConstraintsInLeaf) && at(m, level)
                },
            },
        },
        Rule {
            id: "nc-not-critical",
            side: Side::CertgateStricter,
            summary: "a CA whose nameConstraints extension is not critical is refused",
            rfc: "RFC 5280 §4.2.1.10",
            doc: Some(Doc {
                file: "profile.md",
                section: "rules table",
                text: "| nameConstraints only in CA certificates, critical,",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Certgate {
                code: "NAME_CONSTRAINT_VIOLATION",
                text: &["nameConstraints extension is not critical"],
                mutation: |_, m, level| {
                    matches!(
                        m,
                        Mutation::NameConstraints {
                            critical: false,
                            ..
                        }
                    ) && at(m, level)
                },
            },
        },
        Rule {
            id: "critical-policies",
            side: Side::CertgateStricter,
            summary: "a leaf or CA with a critical certificatePolicies extension is refused \
                      (no policy processing); OpenSSL processes it",
            rfc: "RFC 5280 §4.2",
            doc: Some(Doc {
                file: "profile.md",
                section: "Certificate policies",
                text:
                    "certificatePolicies included; certgate reports that as `UNSUPPORTED_EXTENSION`",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Certgate {
                code: "UNSUPPORTED_EXTENSION",
                text: &["certificatePolicies"],
                mutation: |spec, m, level| {
                    matches!(m, Mutation::CriticalPolicies { level: l } if *l != spec.root())
                        && at(m, level)
                },
            },
        },
        Rule {
            id: "error-of-another-path",
            side: Side::CertgateStricter,
            summary: "certgate refuses for a reason OpenSSL does not share, but reports the \
                      error of another candidate path: the expired old copy of a CA, or a CA \
                      of the same name with another key, that the peer also sent",
            rfc: "reporting only (the refusal itself is explained once the copy is removed)",
            doc: Some(Doc {
                file: "decision.md",
                section: "§3 Several possible paths",
                text: "validity errors rank above signature errors",
            }),
            finding: None,
            masks: true,
            matcher: Matcher::Certgate {
                code: "",
                text: &[],
                mutation: |_, m, level| match m {
                    Mutation::ExpiredTwin { level: twin } => level == Some(*twin),
                    Mutation::DecoySameName { .. } => true,
                    _ => false,
                },
            },
        },
        // ---- OpenSSL refuses, certgate accepts.
        Rule {
            id: "not-after-inclusive",
            side: Side::OpensslStricter,
            summary: "notAfter == at: OpenSSL calls it expired; the validity period includes \
                      notAfter",
            rfc: "RFC 5280 §4.1.2.5 (\"notBefore through notAfter, inclusive\")",
            doc: Some(Doc {
                file: "profile.md",
                section: "rules table (validity)",
                text: "validity (notBefore ≤ `at` ≤ notAfter",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[10],
                mutation: |_, m, depth| {
                    matches!(
                        m,
                        Mutation::Validity { level, validity: crate::spec::ValidityKind::NotAfterIsAt }
                            if *level == depth
                    )
                },
            },
        },
        Rule {
            id: "crl-next-update-inclusive",
            side: Side::OpensslStricter,
            summary: "a CRL whose nextUpdate == at: OpenSSL calls it expired; certgate \
                      treats it as current",
            rfc: "RFC 5280 §6.3.3 (stale only after nextUpdate)",
            doc: Some(Doc {
                file: "decision.md",
                section: "§4 Which CRL decides",
                text: "Current CRLs (nextUpdate ≥ `at`)",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[12],
                mutation: |spec, m, depth| {
                    matches!(
                        m,
                        Mutation::CrlTime { issuer, time: Crl::NextUpdateIsAt }
                            if *issuer == depth + 1 || (*issuer == depth && depth == spec.root())
                    )
                },
            },
        },
        Rule {
            id: "crl-this-update-future",
            side: Side::OpensslStricter,
            summary: "a CRL whose thisUpdate is after at: OpenSSL refuses it as not yet \
                      valid; certgate uses it",
            rfc: "RFC 5280 §6.3.3 does not test thisUpdate",
            doc: Some(Doc {
                file: "decision.md",
                section: "§4 What is not used",
                text: "a CRL with a thisUpdate in the",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[11],
                mutation: |spec, m, depth| {
                    matches!(
                        m,
                        Mutation::CrlTime { issuer, time: Crl::NotYetValid }
                            if *issuer == depth + 1 || (*issuer == depth && depth == spec.root())
                    )
                },
            },
        },
        Rule {
            id: "anchor-revocation",
            side: Side::OpensslStricter,
            summary: "the root on its own CRL: OpenSSL's -crl_check_all checks the trust \
                      anchor too; certgate never checks an anchor for revocation",
            rfc: "RFC 5280 §6.1: the trust anchor is an input, not part of the path",
            doc: Some(Doc {
                file: "decision.md",
                section: "§4 Which certificates are checked",
                text: "The trust anchor is never checked, with either depth.",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[23],
                mutation: |spec, m, depth| {
                    depth == spec.root()
                        && matches!(m, Mutation::Revoked { level } if *level == depth)
                },
            },
        },
        Rule {
            id: "anchor-eku",
            side: Side::OpensslStricter,
            summary: "a root whose extKeyUsage lacks clientAuth: OpenSSL checks the anchor's \
                      purpose; certgate checks EKU on the leaf and CAs only",
            rfc: "RFC 5280 §6.1 (anchor is an input); §4.2.1.12",
            doc: Some(Doc {
                file: "profile.md",
                section: "rules table (extKeyUsage)",
                text: "| extKeyUsage allows the policy's `usage` | leaf, CA |",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[26],
                mutation: |spec, m, depth| {
                    depth == spec.root()
                        && matches!(
                            m,
                            Mutation::Eku { level, eku: EkuKind::ServerAuthOnly | EkuKind::AnyOnly }
                                if *level == depth
                        )
                },
            },
        },
        Rule {
            id: "ca-without-key-usage",
            side: Side::OpensslStricter,
            summary: "a CA (or root) without keyUsage: -x509_strict requires the extension; \
                      certgate checks keyCertSign only when keyUsage is present",
            rfc: "RFC 5280 §6.1.4 (n) (\"If a key usage extension is present\")",
            doc: Some(Doc {
                file: "profile.md",
                section: "rules table (keyUsage)",
                text: "| keyUsage, when present, asserts keyCertSign | CA |",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[92],
                mutation: |_, m, depth| matches!(m, Mutation::CaKeyUsage { level, ku: CaKu::Absent } if *level == depth),
            },
        },
        Rule {
            id: "aki-not-used-for-linking",
            side: Side::OpensslStricter,
            summary: "an authorityKeyIdentifier naming another key: OpenSSL will not link \
                      the certificate to its issuer; certgate links by name and signature",
            rfc: "RFC 5280 §4.2.1.1 (an aid to path construction; §6.1 does not use it)",
            doc: Some(Doc {
                file: "profile.md",
                section: "Authority key identifiers",
                text: "certgate links a certificate to its issuer by name and signature",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[20, 2],
                mutation: |_, m, depth| matches!(m, Mutation::AkiMismatch { level } if *level == depth),
            },
        },
        Rule {
            id: "nc-common-name",
            side: Side::OpensslStricter,
            summary: "a leaf without dNSName whose CN is a host name outside a dNSName \
                      constraint: OpenSSL checks the CN; certgate checks dNSName SANs only",
            rfc: "RFC 5280 §4.2.1.10 (dNSName constraints apply to dNSName names)",
            doc: Some(Doc {
                file: "profile.md",
                section: "Name constraints",
                text: "certgate does not read a host name in the subject's common name",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[47],
                mutation: |_, m, depth| {
                    depth == 0 && matches!(m, Mutation::CnHostnameOutsideConstraint { .. })
                },
            },
        },
        Rule {
            id: "alternative-path",
            side: Side::OpensslStricter,
            summary: "the CA at some level is refused, but the peer also sent a good \
                      certificate of the same CA (same name and key): certgate tries the \
                      other path; OpenSSL stops at the first issuer it picked",
            rfc: "RFC 5280 §6 (any valid path); RFC 4158 (path building with backtracking)",
            doc: Some(Doc {
                file: "decision.md",
                section: "§3 Several possible paths",
                text: "path building tries them in candidate order until one",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[],
                mutation: |spec, m, depth| {
                    let Some(level) = m.level() else {
                        return false;
                    };
                    let defect = matches!(
                        m,
                        Mutation::Validity { .. }
                            | Mutation::Eku { .. }
                            | Mutation::CaKeyUsage { .. }
                            | Mutation::CaBasic { .. }
                            | Mutation::PathLen { .. }
                            | Mutation::NameConstraints { .. }
                            | Mutation::CnHostnameOutsideConstraint { .. }
                            | Mutation::NoAki { .. }
                            | Mutation::AkiMismatch { .. }
                            | Mutation::AkiCritical { .. }
                            | Mutation::NoSki { .. }
                            | Mutation::SkiCritical { .. }
                            | Mutation::UnknownExtension { .. }
                            | Mutation::CriticalPolicies { .. }
                            | Mutation::Revoked { .. }
                            | Mutation::DuplicateExtension { .. }
                    );
                    defect
                        && depth <= level
                        && spec.mutations.contains(&Mutation::ValidTwin { level })
                },
            },
        },
        Rule {
            id: "pathlen-ca-without-key-usage",
            side: Side::OpensslStricter,
            summary: "a CA with a pathLenConstraint and no keyUsage: -x509_strict wants \
                      keyUsage with keyCertSign beside a pathLenConstraint; certgate, which \
                      accepts CAs without keyUsage, accepts it too (a leaf with a \
                      pathLenConstraint is refused by both)",
            rfc: "RFC 5280 §4.2.1.9 with §6.1.4 (n) (\"If a key usage extension is present\")",
            doc: Some(Doc {
                file: "profile.md",
                section: "rules table (keyUsage)",
                text: "| keyUsage, when present, asserts keyCertSign | CA |",
            }),
            finding: None,
            masks: false,
            matcher: Matcher::Openssl {
                errors: &[81],
                mutation: |spec, m, depth| match m {
                    Mutation::PathLen { level, .. } => {
                        *level == depth
                            && spec.mutations.contains(&Mutation::CaKeyUsage {
                                level: depth,
                                ku: CaKu::Absent,
                            })
                    }
                    _ => false,
                },
            },
        },
    ]
}

/// The verdict on one case.
#[derive(Clone, Debug, Serialize)]
pub enum Verdict {
    AgreeAccept,
    AgreeReject,
    /// A disagreement, with the rules that explain it (every OpenSSL error, or certgate's
    /// refusal).
    Explained(Vec<&'static str>),
    /// A disagreement explained only with the help of a finding rule: a certgate bug,
    /// reported, that fails the run until it is fixed.
    Finding(Vec<&'static str>),
    /// A disagreement no rule explains; the signature groups them in the table.
    Unexplained(String),
    /// The harness could not run or read OpenSSL, or certgate panicked.
    Error(String),
}

/// The level of the certificate a certgate message names, by its CN.
pub fn named_level(spec: &CaseSpec, message: &str) -> Option<Level> {
    let start = message.find("CN=")? + 3;
    let rest = &message[start..];
    let end = rest.find([',', ')'])?;
    let cn = &rest[..end];
    if cn == "host.example.net" {
        return Some(0);
    }
    (0..=spec.root()).find(|level| level_cn(spec, *level) == cn)
}

/// Decides the verdict of a case. For a disagreement a rule explains, also returns the
/// indexes of the mutations it blames (the caller confirms by removing them).
pub fn classify(
    rules: &[Rule],
    spec: &CaseSpec,
    certgate: &CertgateOutcome,
    openssl: &OpensslOutcome,
) -> (Verdict, Vec<usize>) {
    if !openssl.raw.is_empty() {
        return (
            Verdict::Error(format!("openssl output not understood: {}", openssl.raw)),
            Vec::new(),
        );
    }
    if certgate.code.as_deref() == Some("PANIC") {
        return (
            Verdict::Error(format!("certgate panicked: {}", certgate.message)),
            Vec::new(),
        );
    }
    match (certgate.accept, openssl.accept) {
        (true, true) => (Verdict::AgreeAccept, Vec::new()),
        (false, false) => (Verdict::AgreeReject, Vec::new()),
        (false, true) => {
            let code = certgate.code.as_deref().unwrap_or("?");
            let level = named_level(spec, &certgate.message);
            for rule in rules {
                if let Matcher::Certgate {
                    code: rule_code,
                    text,
                    mutation,
                } = &rule.matcher
                {
                    let code_fits = if rule_code.is_empty() {
                        ["EXPIRED", "BAD_SIGNATURE"].contains(&code)
                    } else {
                        *rule_code == code
                    };
                    if !code_fits || !text.iter().all(|t| certgate.message.contains(t)) {
                        continue;
                    }
                    let blamed: Vec<usize> = (0..spec.mutations.len())
                        .filter(|i| mutation(spec, &spec.mutations[*i], level))
                        .collect();
                    if !blamed.is_empty() {
                        return (explained(rules, vec![rule.id]), blamed);
                    }
                }
            }
            (
                Verdict::Unexplained(format!("certgate {code} / openssl OK")),
                Vec::new(),
            )
        }
        (true, false) => {
            let mut ids = Vec::new();
            let mut blamed = Vec::new();
            let mut unexplained = Vec::new();
            for error in &openssl.errors {
                match explain_openssl(rules, spec, error) {
                    Some((id, indexes)) => {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                        for i in indexes {
                            if !blamed.contains(&i) {
                                blamed.push(i);
                            }
                        }
                    }
                    None => unexplained.push(format!(
                        "{}{} at depth {} ({})",
                        if error.crl_path { "[CRL path] " } else { "" },
                        error.num,
                        error.depth,
                        error.text
                    )),
                }
            }
            if unexplained.is_empty() && !ids.is_empty() {
                blamed.sort_unstable();
                (explained(rules, ids), blamed)
            } else {
                let what = if unexplained.is_empty() {
                    "refused without an error line".to_owned()
                } else {
                    unexplained.join("; ")
                };
                (
                    Verdict::Unexplained(format!("certgate OK / openssl {what}")),
                    Vec::new(),
                )
            }
        }
    }
}

fn explained(rules: &[Rule], ids: Vec<&'static str>) -> Verdict {
    let finding = rules
        .iter()
        .any(|r| r.finding.is_some() && ids.contains(&r.id));
    if finding {
        Verdict::Finding(ids)
    } else {
        Verdict::Explained(ids)
    }
}

/// The first rule that explains an OpenSSL error, and the mutations it blames.
fn explain_openssl(
    rules: &[Rule],
    spec: &CaseSpec,
    error: &OpensslError,
) -> Option<(&'static str, Vec<usize>)> {
    rules.iter().find_map(|rule| match &rule.matcher {
        Matcher::Openssl { errors, mutation }
            if errors.is_empty() || errors.contains(&error.num) =>
        {
            let blamed: Vec<usize> = (0..spec.mutations.len())
                .filter(|i| mutation(spec, &spec.mutations[*i], error.depth))
                .collect();
            (!blamed.is_empty()).then_some((rule.id, blamed))
        }
        _ => None,
    })
}

/// What certgate should do with a case that has only this mutation: refuse with the code
/// its docs give (docs/profile.md, docs/decision.md, docs/errors.md), or refuse at all
/// (`None` code: RFC 5280 forbids the certificate, certgate's docs say nothing). `None`:
/// admitting it is right, or the outcome depends on more than the mutation.
pub struct Expectation {
    pub code: Option<&'static str>,
    pub why: &'static str,
}

pub fn expected(spec: &CaseSpec, m: &Mutation) -> Option<Expectation> {
    use crate::spec::{CaKu, CrlTime, EkuKind, LeafBasic, LeafKu, NcKind, ValidityKind};
    let code = |code: &'static str, why: &'static str| {
        Some(Expectation {
            code: Some(code),
            why,
        })
    };
    match *m {
        Mutation::Validity { validity, .. } => match validity {
            ValidityKind::Expired | ValidityKind::NotAfterJustBefore => {
                code("EXPIRED", "profile.md validity")
            }
            ValidityKind::NotYetValid | ValidityKind::NotBeforeJustAfter => {
                code("NOT_YET_VALID", "profile.md validity")
            }
            _ => None,
        },
        Mutation::Eku { level, eku } if level != spec.root() => match eku {
            EkuKind::ServerAuthOnly | EkuKind::AnyOnly => {
                code("INVALID_USAGE", "decision.md usage and EKU")
            }
            EkuKind::AnyAndClientAuth if level == 0 => code(
                "INVALID_USAGE",
                "profile.md no anyExtendedKeyUsage in a leaf",
            ),
            _ => None,
        },
        Mutation::LeafKeyUsage { ku } => match ku {
            LeafKu::KeyEnciphermentOnly | LeafKu::KeyAgreementOnly => {
                code("INVALID_USAGE", "profile.md keyUsage of the leaf")
            }
            LeafKu::WithKeyCertSign => code(
                "CA_CONSTRAINT_VIOLATION",
                "profile.md keyCertSign only with cA TRUE",
            ),
            LeafKu::Absent => None,
        },
        Mutation::CaKeyUsage { ku, .. } => match ku {
            CaKu::NoKeyCertSign => code("CA_CONSTRAINT_VIOLATION", "profile.md keyCertSign"),
            CaKu::NoCrlSign if spec.crls => code(
                "REVOCATION_UNKNOWN",
                "decision.md which CRL covers (cRLSign)",
            ),
            _ => None,
        },
        Mutation::CaBasic { .. } => code("CA_CONSTRAINT_VIOLATION", "profile.md basicConstraints"),
        Mutation::LeafBasic { basic } => match basic {
            LeafBasic::CaTrue => code("CA_CONSTRAINT_VIOLATION", "decision.md leaf is not a CA"),
            LeafBasic::PathLenOnly => Some(Expectation {
                code: None,
                why: "RFC 5280 §4.2.1.9: no pathLenConstraint unless cA and keyCertSign",
            }),
            LeafBasic::CaFalse => None,
        },
        Mutation::PathLen { level, len } if usize::from(len) + 1 < level => {
            code("CA_CONSTRAINT_VIOLATION", "profile.md pathLenConstraint")
        }
        Mutation::NameConstraints { nc, critical, .. } => {
            if !critical || matches!(nc, NcKind::PermitMiss | NcKind::ExcludeMatch) {
                code("NAME_CONSTRAINT_VIOLATION", "profile.md name constraints")
            } else {
                None
            }
        }
        Mutation::NameConstraintsInLeaf => code(
            "NAME_CONSTRAINT_VIOLATION",
            "profile.md nameConstraints only in CAs",
        ),
        Mutation::NoAki { .. } | Mutation::NoSki { .. } | Mutation::RootAki { matching: false } => {
            code("MALFORMED_CERTIFICATE", "profile.md key identifiers")
        }
        Mutation::AkiCritical { .. } | Mutation::SkiCritical { .. } => code(
            "MALFORMED_CERTIFICATE",
            "profile.md AKI and SKI not critical (all); errors.md MALFORMED_CERTIFICATE",
        ),
        Mutation::UnknownExtension { critical: true, .. } => {
            code("UNSUPPORTED_EXTENSION", "profile.md critical extensions")
        }
        Mutation::CriticalPolicies { level } if level != spec.root() => {
            code("UNSUPPORTED_EXTENSION", "profile.md certificate policies")
        }
        Mutation::Revoked { level } if level != spec.root() => {
            code("REVOKED", "decision.md revocation")
        }
        Mutation::CrlTime {
            time: CrlTime::Expired,
            ..
        } => code("CRL_EXPIRED", "decision.md revocation"),
        Mutation::MissingCrl { .. } => code("REVOCATION_UNKNOWN", "decision.md revocation"),
        Mutation::DuplicateExtension { .. } => Some(Expectation {
            code: None,
            why: "RFC 5280 §4.2: at most one instance of an extension",
        }),
        _ => None,
    }
}
