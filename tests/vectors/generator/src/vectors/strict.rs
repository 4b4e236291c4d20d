//! The certificate profile vectors (docs/profile.md): one chain per rule, each breaking
//! exactly that rule, refused under `"profile": "strict"` and — unless the rule is an
//! RFC 5280 MUST, or webpki itself refuses it — accepted under `"profile": "webpki"`;
//! the name constraints certgate evaluates itself (rfc822Name, directoryName, URI), in
//! every form, permitted and excluded; and paths through self-issued certificates.

use der::asn1::{Ia5String, ObjectIdentifier, OctetString};
use der::Encode;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::constraints::name::{GeneralSubtree, NameConstraints};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CertificatePolicies, PolicyConstraints,
};

use super::*;
use crate::pki::Deviations;

/// An extension as the deviations take it: OID arcs, criticality, DER value.
type Extension = (Vec<u64>, bool, Vec<u8>);

const NAME_CONSTRAINTS: [u64; 4] = [2, 5, 29, 30];

fn extension(oid: &[u64], critical: bool, value: Vec<u8>) -> Extension {
    (oid.to_vec(), critical, value)
}

/// A nameConstraints value with these permitted and excluded subtrees.
fn name_constraints(permitted: Vec<GeneralName>, excluded: Vec<GeneralName>) -> Result<Vec<u8>> {
    let subtrees = |names: Vec<GeneralName>| {
        (!names.is_empty()).then(|| {
            names
                .into_iter()
                .map(|base| GeneralSubtree {
                    base,
                    minimum: 0,
                    maximum: None,
                })
                .collect()
        })
    };
    Ok(NameConstraints {
        permitted_subtrees: subtrees(permitted),
        excluded_subtrees: subtrees(excluded),
    }
    .to_der()?)
}

fn email(name: &str) -> Result<GeneralName> {
    Ok(GeneralName::Rfc822Name(Ia5String::new(name)?))
}

fn dns_name(name: &str) -> Result<GeneralName> {
    Ok(GeneralName::DnsName(Ia5String::new(name)?))
}

fn uri_name(name: &str) -> Result<GeneralName> {
    Ok(GeneralName::UniformResourceIdentifier(Ia5String::new(
        name,
    )?))
}

/// A directoryName from RFC 4514 text (values encoded as UTF8String).
fn directory(name: &str) -> Result<GeneralName> {
    Ok(GeneralName::DirectoryName(name.parse()?))
}

fn deviate(spec: CertSpec, deviations: Deviations) -> CertSpec {
    spec.deviate(deviations)
}

fn extra(extensions: Vec<Extension>) -> Deviations {
    Deviations {
        extra: extensions,
        ..Deviations::default()
    }
}

/// A root CA "CN=cn,O=Certgate Test" with the standard validity.
fn root(cn: &str, serial: &[u8]) -> CertSpec {
    CertSpec::ca(
        dn(&[(Attr::O, "Certgate Test"), (Attr::Cn, cn)]),
        serial,
        AT - YEAR,
        ROOT_UNTIL,
    )
}

/// The certificates of the profile vectors, added to the conformance PKI.
pub(super) fn certificates(pki: &mut Pki) -> Result<()> {
    let int = "intermediate";
    let unknown_critical = || extension(&[1, 3, 6, 1, 4, 1, 55555, 1], true, vec![0x05, 0x00]);
    let policies = |critical: bool| -> Result<Extension> {
        let any_policy = PolicyInformation {
            policy_identifier: ObjectIdentifier::new_unwrap("2.5.29.32.0"),
            policy_qualifiers: None,
        };
        Ok(extension(
            &[2, 5, 29, 32],
            critical,
            CertificatePolicies(vec![any_policy]).to_der()?,
        ))
    };
    let policy_constraints = |critical: bool| -> Result<Extension> {
        let value = PolicyConstraints {
            require_explicit_policy: Some(0),
            inhibit_policy_mapping: None,
        };
        Ok(extension(&[2, 5, 29, 36], critical, value.to_der()?))
    };
    let aia = |critical: bool| -> Result<Extension> {
        let value = AuthorityInfoAccessSyntax(vec![AccessDescription {
            access_method: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2"),
            access_location: uri_name("http://ca.example/issuer.der")?,
        }]);
        Ok(extension(
            &[1, 3, 6, 1, 5, 5, 7, 1, 1],
            critical,
            value.to_der()?,
        ))
    };

    // ---- leaves under the standard intermediate ----
    let leaves: Vec<(&'static str, CertSpec)> = vec![
        (
            "strict-leaf-no-aki",
            deviate(
                leaf("no-aki", &[0x30, 0x01]),
                Deviations {
                    no_aki: true,
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-leaf-critical-aki",
            deviate(
                leaf("critical-aki", &[0x30, 0x02]),
                Deviations {
                    critical_aki: true,
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-leaf-critical-ski",
            deviate(
                leaf("critical-ski", &[0x30, 0x03]),
                Deviations {
                    ski: Some(Some(true)),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-leaf-key-cert-sign",
            leaf("key-cert-sign", &[0x30, 0x04])
                .key_usage(vec![Ku::DigitalSignature, Ku::KeyCertSign]),
        ),
        (
            "strict-leaf-empty-subject",
            deviate(
                CertSpec::leaf(Vec::new(), &[0x30, 0x05], LEAF_FROM, LEAF_UNTIL)
                    .sans(vec![San::dns("empty-subject.example.com")]),
                Deviations {
                    san_critical: Some(false),
                    ..Deviations::default()
                },
            ),
        ),
        ("strict-leaf-serial-zero", leaf("serial-zero", &[0x00])),
        (
            "strict-leaf-serial-21-octets",
            leaf("serial-21", &[0x21; 21]),
        ),
        (
            "strict-leaf-name-constraints",
            deviate(
                leaf("leaf-nc", &[0x30, 0x08]).sans(vec![San::dns("leaf.example.com")]),
                extra(vec![extension(
                    &NAME_CONSTRAINTS,
                    true,
                    name_constraints(vec![dns_name("example.com")?], Vec::new())?,
                )]),
            ),
        ),
        (
            "strict-leaf-any-eku",
            leaf("any-eku", &[0x30, 0x09]).eku(vec![Eku::ClientAuth, Eku::Any]),
        ),
        (
            "strict-leaf-critical-eku",
            deviate(
                leaf("critical-eku", &[0x30, 0x0a]),
                Deviations {
                    eku_critical: Some(true),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-leaf-malformed-aia",
            deviate(
                leaf("malformed-aia", &[0x30, 0x0b]),
                extra(vec![extension(
                    &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                    false,
                    vec![0x04, 0x00],
                )]),
            ),
        ),
        (
            "strict-leaf-unknown-critical",
            deviate(
                leaf("unknown-critical", &[0x30, 0x0c]),
                extra(vec![unknown_critical()]),
            ),
        ),
        (
            "strict-leaf-rsa-1024",
            leaf("rsa-1024", &[0x30, 0x0d]).key(KeyKind::Rsa1024),
        ),
        (
            "strict-leaf-p192",
            leaf("p192", &[0x30, 0x0e]).key(KeyKind::P192),
        ),
        (
            "strict-leaf-dsa",
            leaf("dsa", &[0x30, 0x0f]).key(KeyKind::Dsa2048),
        ),
        (
            "strict-leaf-key-encipherment",
            leaf("key-encipherment", &[0x30, 0x10]).key_usage(vec![Ku::KeyEncipherment]),
        ),
        (
            "strict-leaf-cert-sign-only",
            leaf("cert-sign-only", &[0x30, 0x11]).key_usage(vec![Ku::KeyCertSign]),
        ),
        (
            "strict-leaf-pathlen-not-ca",
            deviate(
                leaf("pathlen-not-ca", &[0x30, 0x12]),
                extra(vec![extension(
                    &[2, 5, 29, 19],
                    true,
                    BasicConstraints {
                        ca: false,
                        path_len_constraint: Some(0),
                    }
                    .to_der()?,
                )]),
            ),
        ),
        (
            "strict-leaf-duplicate-extension",
            deviate(
                leaf("duplicate-extension", &[0x30, 0x13]),
                extra(vec![
                    extension(&[1, 3, 6, 1, 4, 1, 55555, 2], false, vec![0x05, 0x00]),
                    extension(&[1, 3, 6, 1, 4, 1, 55555, 2], false, vec![0x05, 0x00]),
                ]),
            ),
        ),
    ];
    for (name, spec) in leaves {
        pki.add_leaf(name, spec, int)?;
    }

    // ---- intermediates under the root, each with a leaf ----
    let intermediates: Vec<(&'static str, &'static str, CertSpec)> = vec![
        (
            "strict-int-basic-noncritical",
            "strict-leaf-under-basic-noncritical",
            deviate(
                ca("Basic Non-critical CA", &[0x31, 0x01]),
                Deviations {
                    basic: Some(Some(false)),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-int-no-ski",
            "strict-leaf-under-no-ski",
            deviate(
                ca("No SKI CA", &[0x31, 0x02]),
                Deviations {
                    ski: Some(None),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-int-critical-ski",
            "strict-leaf-under-critical-ski",
            deviate(
                ca("Critical SKI CA", &[0x31, 0x03]),
                Deviations {
                    ski: Some(Some(true)),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-int-no-aki",
            "strict-leaf-under-no-aki",
            deviate(
                ca("No AKI CA", &[0x31, 0x04]),
                Deviations {
                    no_aki: true,
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-int-empty-subject",
            "strict-leaf-under-empty-subject",
            CertSpec::ca(Vec::new(), &[0x31, 0x05], AT - 180 * DAY, CA_UNTIL),
        ),
        (
            "strict-int-nc-noncritical",
            "strict-leaf-under-nc-noncritical",
            deviate(
                ca("Non-critical NC CA", &[0x31, 0x06]),
                extra(vec![extension(
                    &NAME_CONSTRAINTS,
                    false,
                    name_constraints(vec![dns_name("example.com")?], Vec::new())?,
                )]),
            ),
        ),
        (
            "strict-int-nc-empty",
            "strict-leaf-under-nc-empty",
            deviate(
                ca("Empty NC CA", &[0x31, 0x07]),
                extra(vec![extension(&NAME_CONSTRAINTS, true, vec![0x30, 0x00])]),
            ),
        ),
        (
            "strict-int-policy-constraints-noncritical",
            "strict-leaf-under-policy-constraints-noncritical",
            deviate(
                ca("Non-critical Policy Constraints CA", &[0x31, 0x08]),
                extra(vec![policy_constraints(false)?]),
            ),
        ),
        (
            "strict-int-policy-constraints-critical",
            "strict-leaf-under-policy-constraints-critical",
            deviate(
                ca("Policy Constraints CA", &[0x31, 0x09]),
                extra(vec![policy_constraints(true)?]),
            ),
        ),
        (
            "strict-int-critical-policies",
            "strict-leaf-under-critical-policies",
            deviate(
                ca("Critical Policies CA", &[0x31, 0x0a]),
                extra(vec![policies(true)?]),
            ),
        ),
        (
            "strict-int-email-nc",
            "strict-leaf-under-email-nc-outside",
            deviate(
                ca("Mail CA", &[0x31, 0x0b]),
                extra(vec![extension(
                    &NAME_CONSTRAINTS,
                    true,
                    name_constraints(vec![email("example.com")?], Vec::new())?,
                )]),
            ),
        ),
    ];
    for (ca_name, leaf_name, spec) in intermediates {
        pki.add_ca(ca_name, spec, "root")?;
        let short = leaf_name.trim_start_matches("strict-leaf-under-");
        let leaf_spec = match short {
            "nc-noncritical" => leaf(short, &[0x32, 0x06]).sans(vec![San::dns("ok.example.com")]),
            "email-nc-outside" => CertSpec::leaf(
                dn(&[
                    (Attr::O, "Example Org"),
                    (Attr::Cn, "outside"),
                    (Attr::EmailAddress, "eve@evil.example"),
                ]),
                &[0x32, 0x0b],
                LEAF_FROM,
                LEAF_UNTIL,
            ),
            _ => leaf(short, &[0x32, 0x01]),
        };
        pki.add_leaf(leaf_name, leaf_spec, ca_name)?;
    }
    pki.add_leaf(
        "strict-leaf-under-email-nc-inside",
        CertSpec::leaf(
            dn(&[
                (Attr::O, "Example Org"),
                (Attr::Cn, "inside"),
                (Attr::EmailAddress, "alice@example.com"),
            ]),
            &[0x32, 0x0c],
            LEAF_FROM,
            LEAF_UNTIL,
        ),
        "strict-int-email-nc",
    )?;
    pki.add_leaf(
        "strict-leaf-under-email-nc-san",
        leaf("email-san", &[0x32, 0x0d]).sans(vec![San::Email("alice@example.com".to_owned())]),
        "strict-int-email-nc",
    )?;

    // ---- trust anchors, each with a leaf directly under it ----
    let bogus_aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(vec![0xab; 20])?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    let anchors: Vec<(&'static str, &'static str, CertSpec)> = vec![
        (
            "strict-root-expired",
            "strict-leaf-under-root-expired",
            CertSpec::ca(
                dn(&[(Attr::O, "Certgate Test"), (Attr::Cn, "Expired Root")]),
                &[0x33, 0x01],
                AT - 2 * YEAR,
                AT - 10 * DAY,
            ),
        ),
        (
            "strict-root-not-yet-valid",
            "strict-leaf-under-root-not-yet-valid",
            CertSpec::ca(
                dn(&[(Attr::O, "Certgate Test"), (Attr::Cn, "Future Root")]),
                &[0x33, 0x02],
                AT + 10 * DAY,
                ROOT_UNTIL,
            ),
        ),
        (
            "strict-root-no-basic",
            "strict-leaf-under-root-no-basic",
            deviate(
                root("No Basic Constraints Root", &[0x33, 0x03]),
                Deviations {
                    basic: Some(None),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-root-basic-noncritical",
            "strict-leaf-under-root-basic-noncritical",
            deviate(
                root("Non-critical Basic Constraints Root", &[0x33, 0x04]),
                Deviations {
                    basic: Some(Some(false)),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-root-unknown-critical",
            "strict-leaf-under-root-unknown-critical",
            deviate(
                root("Unknown Critical Root", &[0x33, 0x05]),
                extra(vec![unknown_critical()]),
            ),
        ),
        (
            "strict-root-aki-mismatch",
            "strict-leaf-under-root-aki-mismatch",
            deviate(
                root("AKI Mismatch Root", &[0x33, 0x06]),
                extra(vec![extension(&[2, 5, 29, 35], false, bogus_aki.to_der()?)]),
            ),
        ),
        (
            "strict-root-no-ski",
            "strict-leaf-under-root-no-ski",
            deviate(
                root("No SKI Root", &[0x33, 0x07]),
                Deviations {
                    ski: Some(None),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-root-no-cert-sign",
            "strict-leaf-under-root-no-cert-sign",
            root("No CertSign Root", &[0x33, 0x08])
                .key_usage(vec![Ku::DigitalSignature, Ku::CrlSign]),
        ),
        (
            "strict-root-critical-aia",
            "strict-leaf-under-root-critical-aia",
            deviate(
                root("Critical AIA Root", &[0x33, 0x09]),
                extra(vec![aia(true)?]),
            ),
        ),
        (
            "strict-root-critical-ski",
            "strict-leaf-under-root-critical-ski",
            deviate(
                root("Critical SKI Root", &[0x33, 0x0d]),
                Deviations {
                    ski: Some(Some(true)),
                    ..Deviations::default()
                },
            ),
        ),
        (
            "strict-root-critical-aki",
            "strict-leaf-under-root-critical-aki",
            deviate(
                root("Critical AKI Root", &[0x33, 0x0e]),
                extra(vec![extension(&[2, 5, 29, 35], true, bogus_aki.to_der()?)]),
            ),
        ),
        (
            "strict-root-critical-policies",
            "strict-leaf-under-root-critical-policies",
            deviate(
                root("Critical Policies Root", &[0x33, 0x0a]),
                extra(vec![policies(true)?]),
            ),
        ),
    ];
    for (root_name, leaf_name, spec) in anchors {
        pki.add(root_name, Issued::self_signed(spec)?, false);
        let short = leaf_name.trim_start_matches("strict-leaf-under-");
        pki.add_leaf(leaf_name, leaf(short, &[0x34, 0x01]), root_name)?;
    }
    // An anchor that allows no intermediate below it, and a path with one.
    pki.add(
        "strict-root-path-len-0",
        Issued::self_signed(root("PathLen0 Root", &[0x33, 0x0b]).basic(Basic::Ca(Some(0))))?,
        false,
    );
    pki.add_ca(
        "strict-int-under-path-len-0",
        ca("Under PathLen0 Root CA", &[0x33, 0x0c]),
        "strict-root-path-len-0",
    )?;
    pki.add_leaf(
        "strict-leaf-under-path-len-0",
        leaf("under-path-len-0", &[0x34, 0x02]),
        "strict-int-under-path-len-0",
    )?;

    // ---- name constraints certgate evaluates, on trust anchors ----
    pki.add(
        "nc-root-email",
        Issued::self_signed(deviate(
            root("Mail Root", &[0x35, 0x01]),
            extra(vec![extension(
                &NAME_CONSTRAINTS,
                true,
                name_constraints(
                    vec![
                        email("alice@example.com")?,
                        email("example.net")?,
                        email(".example.org")?,
                        dns_name("example.com")?,
                    ],
                    vec![email("blocked@example.net")?],
                )?,
            )]),
        ))?,
        false,
    );
    let email_leaf = |cn: &str, serial: u8, address: &str| {
        leaf(cn, &[0x36, serial]).sans(vec![San::Email(address.to_owned())])
    };
    for (name, spec) in [
        (
            "nc-email-mailbox",
            email_leaf("mailbox", 1, "alice@example.com"),
        ),
        (
            "nc-email-mailbox-other",
            email_leaf("mailbox-other", 2, "bob@example.com"),
        ),
        ("nc-email-host", email_leaf("host", 3, "bob@example.net")),
        (
            "nc-email-host-subdomain",
            email_leaf("host-sub", 4, "bob@mail.example.net"),
        ),
        (
            "nc-email-domain",
            email_leaf("domain", 5, "carol@mail.example.org"),
        ),
        (
            "nc-email-domain-apex",
            email_leaf("domain-apex", 6, "carol@example.org"),
        ),
        (
            "nc-email-excluded",
            email_leaf("excluded", 7, "blocked@example.net"),
        ),
        (
            "nc-email-outside",
            email_leaf("outside", 8, "mallory@evil.example"),
        ),
        (
            "nc-email-subject-inside",
            CertSpec::leaf(
                dn(&[
                    (Attr::O, "Example Org"),
                    (Attr::Cn, "subject-inside"),
                    (Attr::EmailAddress, "dave@mail.example.org"),
                ]),
                &[0x36, 9],
                LEAF_FROM,
                LEAF_UNTIL,
            ),
        ),
        (
            "nc-email-subject-outside",
            CertSpec::leaf(
                dn(&[
                    (Attr::O, "Example Org"),
                    (Attr::Cn, "subject-outside"),
                    (Attr::EmailAddress, "eve@evil.example"),
                ]),
                &[0x36, 10],
                LEAF_FROM,
                LEAF_UNTIL,
            ),
        ),
        (
            "nc-email-dns-outside",
            leaf("dns-outside", &[0x36, 11]).sans(vec![
                San::Email("alice@example.com".to_owned()),
                San::dns("www.example.net"),
            ]),
        ),
    ] {
        pki.add_leaf(name, spec, "nc-root-email")?;
    }
    pki.add(
        "nc-root-directory",
        Issued::self_signed(deviate(
            root("Directory Root", &[0x35, 0x02]),
            extra(vec![extension(
                &NAME_CONSTRAINTS,
                true,
                name_constraints(
                    vec![directory("O=example org")?],
                    vec![directory("OU=Blocked,O=Example Org")?],
                )?,
            )]),
        ))?,
        false,
    );
    for (name, spec) in [
        ("nc-directory-inside", leaf("dn-inside", &[0x37, 1])),
        (
            "nc-directory-outside",
            CertSpec::leaf(
                dn(&[(Attr::O, "Other Org"), (Attr::Cn, "dn-outside")]),
                &[0x37, 2],
                LEAF_FROM,
                LEAF_UNTIL,
            ),
        ),
        (
            "nc-directory-excluded",
            CertSpec::leaf(
                dn(&[
                    (Attr::O, "Example Org"),
                    (Attr::Ou, "Blocked"),
                    (Attr::Cn, "dn-excluded"),
                ]),
                &[0x37, 3],
                LEAF_FROM,
                LEAF_UNTIL,
            ),
        ),
    ] {
        pki.add_leaf(name, spec, "nc-root-directory")?;
    }
    pki.add(
        "nc-root-uri",
        Issued::self_signed(deviate(
            root("URI Root", &[0x35, 0x03]),
            extra(vec![extension(
                &NAME_CONSTRAINTS,
                true,
                name_constraints(
                    vec![uri_name("example.org")?, uri_name(".prod.example.net")?],
                    vec![uri_name("blocked.prod.example.net")?],
                )?,
            )]),
        ))?,
        false,
    );
    for (name, serial, uri) in [
        ("nc-uri-host", 1, "spiffe://example.org/ns/prod/sa/api"),
        (
            "nc-uri-domain",
            2,
            "spiffe://eu.prod.example.net/ns/prod/sa/api",
        ),
        (
            "nc-uri-excluded",
            3,
            "spiffe://blocked.prod.example.net/ns/prod/sa/api",
        ),
        ("nc-uri-outside", 4, "spiffe://evil.example/ns/prod/sa/api"),
    ] {
        pki.add_leaf(
            name,
            leaf(name, &[0x38, serial]).sans(vec![San::uri(uri)]),
            "nc-root-uri",
        )?;
    }

    // ---- self-issued certificates ----
    // Key rollover: the new root (key B) certifies the old root's key A under the same
    // name (OldWithNew); a leaf signed with key A is vouched for by the new root.
    pki.add(
        "rollover-root-old",
        Issued::self_signed(root("Rollover Root", &[0x39, 0x01]))?,
        false,
    );
    pki.add(
        "rollover-root-new",
        Issued::self_signed(root("Rollover Root", &[0x39, 0x02]))?,
        false,
    );
    let old_key = pki.c("rollover-root-old").key_copy()?;
    let old_with_new = Issued::signed_by_with_key(
        root("Rollover Root", &[0x39, 0x03]),
        old_key,
        pki.c("rollover-root-new"),
    )?;
    pki.add("rollover-old-with-new", old_with_new, false);
    pki.add_leaf(
        "rollover-leaf",
        leaf("rollover", &[0x39, 0x04]),
        "rollover-root-old",
    )?;
    // A self-issued certificate below a CA with pathLenConstraint 0.
    pki.add_ca(
        "selfissued-ca",
        ca("Self-issued Issuing CA", &[0x39, 0x05]).basic(Basic::Ca(Some(0))),
        "root",
    )?;
    pki.add_ca(
        "selfissued-ca-new",
        ca("Self-issued Issuing CA", &[0x39, 0x06]),
        "selfissued-ca",
    )?;
    pki.add_leaf(
        "selfissued-leaf",
        leaf("self-issued", &[0x39, 0x07]),
        "selfissued-ca-new",
    )?;

    // ---- an issuer name that matches only after normalisation ----
    let issuer = pki.c(int);
    let mut renamed = issuer.spec.subject.clone();
    for (_, value) in renamed.iter_mut() {
        *value = value.to_lowercase();
    }
    let cert = Issued::signed_by_as(leaf("lowercase-issuer", &[0x3a, 0x01]), issuer, renamed)?;
    pki.add("strict-leaf-issuer-lowercase", cert, true);
    Ok(())
}

/// What the webpki profile does with a chain the strict profile refuses.
enum UnderWebpki {
    /// Accepted, the path being the case's `path`.
    Accepts,
    /// Refused too: the rule is an RFC 5280 MUST, or webpki itself refuses the chain.
    Refuses,
}

/// The strict/webpki pair of cases for one rule.
struct Rule<'a> {
    name: &'a str,
    description: &'a str,
    chain: &'a [&'a str],
    path: &'a [&'a str],
    /// The policy's trust anchor (default: the test root).
    anchor: &'a str,
    code: &'a str,
    cert_index: Option<usize>,
    webpki: UnderWebpki,
}

impl Cases<'_> {
    /// A policy trusting `anchor` only.
    fn trusting(&self, anchor: &str) -> Value {
        json!({ "trust": { "anchors": self.pki.c(anchor).pem() } })
    }

    fn rule(&mut self, rule: Rule<'_>) -> Result<()> {
        let policy = self.trusting(rule.anchor);
        self.reject(
            &format!("strict_{}", rule.name),
            &format!(
                "{} Refused under the strict profile (the default).",
                rule.description
            ),
            policy.clone(),
            rule.chain,
            rule.code,
            rule.cert_index,
        )?;
        let mut relaxed = policy;
        relaxed["profile"] = json!("webpki");
        match rule.webpki {
            UnderWebpki::Accepts => self.pass(
                &format!("webpki_{}", rule.name),
                &format!(
                    "{} Accepted under \"profile\": \"webpki\".",
                    rule.description
                ),
                relaxed,
                rule.chain,
                rule.path,
                None,
            ),
            UnderWebpki::Refuses => self.reject(
                &format!("webpki_{}", rule.name),
                &format!(
                    "{} Refused under \"profile\": \"webpki\" too.",
                    rule.description
                ),
                relaxed,
                rule.chain,
                rule.code,
                rule.cert_index,
            ),
        }
    }

    /// A case accepted under both profiles.
    fn both_pass(
        &mut self,
        name: &str,
        description: &str,
        anchor: &str,
        chain: &[&str],
        path: &[&str],
    ) -> Result<()> {
        let policy = self.trusting(anchor);
        self.pass(name, description, policy.clone(), chain, path, None)?;
        let mut relaxed = policy;
        relaxed["profile"] = json!("webpki");
        self.pass(
            &format!("{name}_webpki"),
            description,
            relaxed,
            chain,
            path,
            None,
        )
    }

    /// A case refused the same way under both profiles.
    fn both_reject(
        &mut self,
        name: &str,
        description: &str,
        anchor: &str,
        chain: &[&str],
        code: &str,
        cert_index: Option<usize>,
    ) -> Result<()> {
        self.rule(Rule {
            name,
            description,
            chain,
            path: &[],
            anchor,
            code,
            cert_index,
            webpki: UnderWebpki::Refuses,
        })
    }
}

/// The cases of the profile vectors.
pub(super) fn cases(cs: &mut Cases<'_>) -> Result<()> {
    use UnderWebpki::{Accepts, Refuses};
    let root = "root";
    let int = "intermediate";
    let mut unknown_profile = cs.policy(&[int]);
    unknown_profile["profile"] = json!("lenient");
    cs.invalid_policy(
        "policy_profile_unknown",
        "`profile` is \"strict\" or \"webpki\".",
        unknown_profile,
    )?;
    // Leaves under the standard intermediate: chain [leaf, intermediate].
    for (leaf, rule, code, webpki) in [
        ("no-aki", "A leaf without authorityKeyIdentifier (RFC 5280 §4.2.1.1).", "MALFORMED_CERTIFICATE", Accepts),
        ("critical-aki", "A leaf whose authorityKeyIdentifier is critical (RFC 5280 §4.2.1.1): webpki refuses the critical extension too.", "MALFORMED_CERTIFICATE", Refuses),
        ("critical-ski", "A leaf whose subjectKeyIdentifier is critical (RFC 5280 §4.2.1.2): webpki refuses the critical extension too.", "MALFORMED_CERTIFICATE", Refuses),
        ("key-cert-sign", "A leaf asserting keyCertSign without being a CA (RFC 5280 §4.2.1.3).", "CA_CONSTRAINT_VIOLATION", Accepts),
        ("empty-subject", "A leaf with an empty subject and a non-critical subjectAltName (RFC 5280 §4.2.1.6).", "MALFORMED_CERTIFICATE", Accepts),
        ("serial-zero", "A leaf whose serial number is zero (RFC 5280 §4.1.2.2).", "MALFORMED_CERTIFICATE", Accepts),
        ("serial-21-octets", "A leaf whose serial number is 21 octets long (RFC 5280 §4.1.2.2).", "MALFORMED_CERTIFICATE", Accepts),
        ("name-constraints", "A leaf with a nameConstraints extension, which only CAs may carry (RFC 5280 §4.2.1.10).", "NAME_CONSTRAINT_VIOLATION", Accepts),
        ("any-eku", "A leaf asserting anyExtendedKeyUsage beside clientAuth (a profile choice: a leaf names its purposes).", "INVALID_USAGE", Accepts),
        ("malformed-aia", "A leaf whose authorityInfoAccess extension does not parse.", "MALFORMED_CERTIFICATE", Accepts),
        ("rsa-1024", "A leaf with a 1024-bit RSA key (certgate's minimum is 2048).", "UNSUPPORTED_ALGORITHM", Accepts),
        ("p192", "A leaf with a P-192 key.", "UNSUPPORTED_ALGORITHM", Accepts),
        ("dsa", "A leaf with a DSA key.", "UNSUPPORTED_ALGORITHM", Accepts),
        ("unknown-critical", "A leaf with a critical extension nobody processes (RFC 5280 §4.2): webpki refuses it too.", "UNSUPPORTED_EXTENSION", Refuses),
        ("key-encipherment", "A client leaf whose keyUsage has only keyEncipherment cannot sign the TLS handshake (RFC 5280 §4.2.1.3, an RFC MUST).", "INVALID_USAGE", Refuses),
        ("cert-sign-only", "A client leaf whose keyUsage has only keyCertSign cannot sign the TLS handshake (an RFC MUST).", "INVALID_USAGE", Refuses),
        ("pathlen-not-ca", "A leaf whose basicConstraints has a pathLenConstraint with cA FALSE (RFC 5280 §4.2.1.9; found by differential testing against OpenSSL).", "CA_CONSTRAINT_VIOLATION", Accepts),
        ("duplicate-extension", "A leaf with two instances of one extension (RFC 5280 §4.2; found by differential testing).", "MALFORMED_CERTIFICATE", Accepts),
    ] {
        let name = format!("strict-leaf-{leaf}");
        cs.rule(Rule {
            name: &format!("leaf_{}", leaf.replace('-', "_")),
            description: rule,
            chain: &[&name, int],
            path: &[&name, int, root],
            anchor: root,
            code,
            cert_index: Some(0),
            webpki,
        })?;
    }
    cs.both_pass(
        "profile_critical_eku",
        "A critical extKeyUsage with clientAuth is accepted (a profile choice: RFC 5280 §4.2.1.12 allows either).",
        root,
        &["strict-leaf-critical-eku", int],
        &["strict-leaf-critical-eku", int, root],
    )?;
    // Intermediates: chain [leaf, intermediate]; the CA is certificate #1.
    for (ca, rule, code, index, webpki) in [
        ("basic-noncritical", "A CA whose basicConstraints is not critical (RFC 5280 §4.2.1.9).", "CA_CONSTRAINT_VIOLATION", Some(1), Accepts),
        ("no-ski", "A CA without subjectKeyIdentifier (RFC 5280 §4.2.1.2).", "MALFORMED_CERTIFICATE", Some(1), Accepts),
        ("critical-ski", "A CA whose subjectKeyIdentifier is critical (RFC 5280 §4.2.1.2): webpki refuses the critical extension too.", "MALFORMED_CERTIFICATE", Some(1), Refuses),
        ("no-aki", "An intermediate without authorityKeyIdentifier (RFC 5280 §4.2.1.1).", "MALFORMED_CERTIFICATE", Some(1), Accepts),
        ("empty-subject", "A CA with an empty subject (RFC 5280 §4.1.2.6).", "MALFORMED_CERTIFICATE", Some(1), Accepts),
        ("nc-noncritical", "A CA whose nameConstraints is not critical (RFC 5280 §4.2.1.10).", "NAME_CONSTRAINT_VIOLATION", Some(1), Accepts),
        ("nc-empty", "A CA whose nameConstraints holds no subtree (RFC 5280 §4.2.1.10).", "NAME_CONSTRAINT_VIOLATION", Some(1), Accepts),
        ("policy-constraints-noncritical", "A CA whose policyConstraints is not critical (RFC 5280 §4.2.1.11).", "MALFORMED_CERTIFICATE", Some(1), Accepts),
        ("policy-constraints-critical", "A CA with a critical policyConstraints (requireExplicitPolicy): certgate processes no policies, so it names the extension it cannot process.", "UNSUPPORTED_EXTENSION", Some(1), Refuses),
        ("critical-policies", "A CA with a critical certificatePolicies: webpki, which builds the path, refuses it; certgate names the extension.", "UNSUPPORTED_EXTENSION", Some(1), Refuses),
    ] {
        let ca_name = format!("strict-int-{ca}");
        let leaf_name = format!("strict-leaf-under-{ca}");
        cs.rule(Rule {
            name: &format!("intermediate_{}", ca.replace('-', "_")),
            description: rule,
            chain: &[&leaf_name, &ca_name],
            path: &[&leaf_name, &ca_name, root],
            anchor: root,
            code,
            cert_index: index,
            webpki,
        })?;
    }
    // Trust anchors: chain [leaf]; the anchor is no input, so no cert_index.
    for (anchor, rule, code) in [
        ("expired", "An expired trust anchor.", "EXPIRED"),
        ("not-yet-valid", "A trust anchor not valid yet.", "NOT_YET_VALID"),
        ("no-basic", "A trust anchor without basicConstraints (RFC 5280 §4.2.1.9).", "CA_CONSTRAINT_VIOLATION"),
        ("basic-noncritical", "A trust anchor whose basicConstraints is not critical (RFC 5280 §4.2.1.9).", "CA_CONSTRAINT_VIOLATION"),
        ("unknown-critical", "A trust anchor with a critical extension certgate does not process (RFC 5280 §4.2).", "UNSUPPORTED_EXTENSION"),
        ("aki-mismatch", "A self-signed trust anchor whose authorityKeyIdentifier differs from its subjectKeyIdentifier (RFC 5280 §4.2.1.1).", "MALFORMED_CERTIFICATE"),
        ("no-ski", "A trust anchor without subjectKeyIdentifier (RFC 5280 §4.2.1.2).", "MALFORMED_CERTIFICATE"),
        ("no-cert-sign", "A trust anchor whose keyUsage lacks keyCertSign (RFC 5280 §4.2.1.3).", "CA_CONSTRAINT_VIOLATION"),
        ("critical-aia", "A trust anchor whose authorityInfoAccess is critical (RFC 5280 §4.2.2.1).", "MALFORMED_CERTIFICATE"),
        ("critical-ski", "A trust anchor whose subjectKeyIdentifier is critical (RFC 5280 §4.2.1.2): refused as for any CA, not as an unprocessed extension.", "MALFORMED_CERTIFICATE"),
        ("critical-aki", "A trust anchor whose authorityKeyIdentifier is critical (RFC 5280 §4.2.1.1): refused as for any certificate, not as an unprocessed extension.", "MALFORMED_CERTIFICATE"),
    ] {
        let anchor_name = format!("strict-root-{anchor}");
        let leaf_name = format!("strict-leaf-under-root-{anchor}");
        cs.rule(Rule {
            name: &format!("anchor_{}", anchor.replace('-', "_")),
            description: rule,
            chain: &[&leaf_name],
            path: &[&leaf_name, &anchor_name],
            anchor: &anchor_name,
            code,
            cert_index: None,
            webpki: Accepts,
        })?;
    }
    cs.rule(Rule {
        name: "anchor_path_len",
        description: "A trust anchor with pathLenConstraint 0 above one intermediate (RFC 5280 §4.2.1.9; webpki reads no constraint of an anchor but its names).",
        chain: &["strict-leaf-under-path-len-0", "strict-int-under-path-len-0"],
        path: &["strict-leaf-under-path-len-0", "strict-int-under-path-len-0", "strict-root-path-len-0"],
        anchor: "strict-root-path-len-0",
        code: "CA_CONSTRAINT_VIOLATION",
        cert_index: None,
        webpki: Accepts,
    })?;
    cs.both_pass(
        "profile_anchor_critical_policies",
        "A critical certificatePolicies on a trust anchor is met by accepting any policy (certgate requires no explicit policy).",
        "strict-root-critical-policies",
        &["strict-leaf-under-root-critical-policies"],
        &["strict-leaf-under-root-critical-policies", "strict-root-critical-policies"],
    )?;

    // Name constraints on a trust anchor, evaluated by certgate (both profiles).
    let email_root = "nc-root-email";
    for (leaf, description) in [
        ("nc-email-mailbox", "An rfc822Name mailbox subtree admits exactly that mailbox."),
        ("nc-email-host", "An rfc822Name host subtree admits every mailbox on that host."),
        ("nc-email-domain", "An rfc822Name `.domain` subtree admits mailboxes on hosts below the domain."),
        ("nc-email-subject-inside", "Without an email SAN, the subject's emailAddress is checked against rfc822Name subtrees (RFC 5280 §4.2.1.10), and is within."),
    ] {
        cs.both_pass(leaf, description, email_root, &[leaf], &[leaf, email_root])?;
    }
    for (leaf, description) in [
        ("nc-email-mailbox-other", "An rfc822Name mailbox subtree does not admit another mailbox on the same host."),
        ("nc-email-host-subdomain", "An rfc822Name host subtree does not admit hosts below it."),
        ("nc-email-domain-apex", "An rfc822Name `.domain` subtree does not admit the domain itself."),
        ("nc-email-excluded", "An excluded rfc822Name mailbox refuses that mailbox though its host is permitted."),
        ("nc-email-outside", "A mailbox outside every permitted rfc822Name subtree."),
        ("nc-email-subject-outside", "Without an email SAN, a subject emailAddress outside the rfc822Name subtrees is refused (RFC 5280 §4.2.1.10)."),
    ] {
        cs.both_reject(leaf, description, email_root, &[leaf], "NAME_CONSTRAINT_VIOLATION", Some(0))?;
    }
    cs.both_reject(
        "nc-email-dns-outside",
        "The anchor's dNSName subtree, which webpki still evaluates, refuses a dNSName outside it (webpki does not say which certificate).",
        email_root,
        &["nc-email-dns-outside"],
        "NAME_CONSTRAINT_VIOLATION",
        None,
    )?;
    let dn_root = "nc-root-directory";
    cs.both_pass(
        "nc-directory-inside",
        "A directoryName subtree admits a subject that starts with its RDNs (compared case-insensitively, whatever the string type).",
        dn_root,
        &["nc-directory-inside"],
        &["nc-directory-inside", dn_root],
    )?;
    for (leaf, description) in [
        (
            "nc-directory-outside",
            "A subject that does not start with the permitted directoryName.",
        ),
        (
            "nc-directory-excluded",
            "A subject within an excluded directoryName subtree.",
        ),
    ] {
        cs.both_reject(
            leaf,
            description,
            dn_root,
            &[leaf],
            "NAME_CONSTRAINT_VIOLATION",
            Some(0),
        )?;
    }
    let uri_root = "nc-root-uri";
    for (leaf, description) in [
        (
            "nc-uri-host",
            "A URI host subtree admits a SPIFFE ID of exactly that trust domain.",
        ),
        (
            "nc-uri-domain",
            "A URI `.domain` subtree admits hosts below the domain.",
        ),
    ] {
        cs.both_pass(leaf, description, uri_root, &[leaf], &[leaf, uri_root])?;
    }
    for (leaf, description) in [
        (
            "nc-uri-excluded",
            "An excluded URI host refuses it though its domain is permitted.",
        ),
        (
            "nc-uri-outside",
            "A URI whose host is outside every permitted URI subtree.",
        ),
    ] {
        cs.both_reject(
            leaf,
            description,
            uri_root,
            &[leaf],
            "NAME_CONSTRAINT_VIOLATION",
            Some(0),
        )?;
    }

    // rfc822Name constraints of an intermediate: certgate applies them to the subject's
    // emailAddress (an RFC 5280 MUST, both profiles); an email SAN below it is refused
    // by webpki, which does not evaluate the form below an intermediate.
    cs.both_pass(
        "nc-intermediate-email-subject-inside",
        "An intermediate's rfc822Name subtree admits a subject emailAddress within it.",
        root,
        &["strict-leaf-under-email-nc-inside", "strict-int-email-nc"],
        &[
            "strict-leaf-under-email-nc-inside",
            "strict-int-email-nc",
            root,
        ],
    )?;
    cs.both_reject(
        "nc-intermediate-email-subject-outside",
        "An intermediate's rfc822Name subtree refuses a subject emailAddress outside it (RFC 5280 §4.2.1.10), which webpki never looks at.",
        root,
        &["strict-leaf-under-email-nc-outside", "strict-int-email-nc"],
        "NAME_CONSTRAINT_VIOLATION",
        Some(0),
    )?;
    cs.both_reject(
        "nc-intermediate-email-san",
        "Below an intermediate with an rfc822Name subtree, webpki refuses every email SAN: the refusal names the intermediate and the remedy (trust it as an anchor).",
        root,
        &["strict-leaf-under-email-nc-san", "strict-int-email-nc"],
        "NAME_CONSTRAINT_VIOLATION",
        Some(1),
    )?;
    cs.both_pass(
        "nc-intermediate-email-san-as-anchor",
        "The same CA listed as a trust anchor: certgate evaluates its rfc822Name subtree, and the email SAN is within.",
        "strict-int-email-nc",
        &["strict-leaf-under-email-nc-san"],
        &["strict-leaf-under-email-nc-san", "strict-int-email-nc"],
    )?;

    // Self-issued certificates (RFC 5280 §6.1).
    cs.both_pass(
        "selfissued_key_rollover",
        "Key rollover: a leaf signed with the old root key is vouched for by the new root through the self-issued OldWithNew certificate.",
        "rollover-root-new",
        &["rollover-leaf", "rollover-old-with-new"],
        &["rollover-leaf", "rollover-old-with-new", "rollover-root-new"],
    )?;
    cs.both_reject(
        "selfissued_path_len",
        "A self-issued certificate below a CA with pathLenConstraint 0: RFC 5280 does not count it, but webpki does, so the path stays refused; webpki reports its attempt through the same-named old CA key, BAD_SIGNATURE (docs/profile.md).",
        root,
        &["selfissued-leaf", "selfissued-ca-new", "selfissued-ca"],
        "BAD_SIGNATURE",
        None,
    )?;
    cs.both_reject(
        "issuer_name_normalised",
        "A leaf whose issuer name matches its CA's subject only in another letter case: webpki compares names byte for byte, so no path is found (the message says why).",
        root,
        &["strict-leaf-issuer-lowercase", int],
        "UNKNOWN_ISSUER",
        None,
    )?;
    Ok(())
}
