//! The name constraints certgate evaluates itself (RFC 5280 §4.2.1.10): rfc822Name,
//! directoryName and uniformResourceIdentifier subtrees, which rustls-webpki refuses
//! outright, and rfc822Name subtrees against the emailAddress attributes of a subject,
//! which webpki never looks at. A trust anchor hands webpki only the dNSName and
//! iPAddress subtrees (and forms nobody processes, which webpki refuses); the forms
//! above stay here. Below an intermediate, webpki sees the whole extension, so there
//! certgate adds only what webpki skips. The extension is decoded with x509-cert;
//! names in it are read back with x509-parser, like every other name.

use der::{Decode, Encode};
use x509_cert::ext::pkix::constraints::name::{GeneralSubtree, NameConstraints};
use x509_cert::ext::pkix::name::GeneralName;
use x509_parser::extensions::GeneralName as ParsedName;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use crate::x509::{attribute_name, der_fits, rfc4514};

/// The id-ce-nameConstraints extension (2.5.29.30).
pub(crate) const NAME_CONSTRAINTS_OID: &str = "2.5.29.30";

/// One subtree of a form certgate evaluates.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Base {
    /// A mailbox (`local@host`), a host (`host`) or a domain (`.domain`).
    Email(String),
    /// An RDN prefix, each RDN normalised (see [`normalised_rdns`]), with its RFC 4514 text.
    Directory(Vec<Vec<(String, String)>>, String),
    /// A host (`host`) or a domain (`.domain`) the URI's host must be in.
    Uri(String),
}

impl Base {
    fn form(&self) -> &'static str {
        match self {
            Base::Email(_) => "rfc822Name",
            Base::Directory(..) => "directoryName",
            Base::Uri(_) => "uniformResourceIdentifier",
        }
    }

    fn text(&self) -> &str {
        match self {
            Base::Email(text) | Base::Uri(text) | Base::Directory(_, text) => text,
        }
    }
}

/// The subtrees of one CA's nameConstraints that certgate evaluates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct OwnConstraints {
    permitted: Vec<Base>,
    excluded: Vec<Base>,
}

/// A CA's nameConstraints split between webpki and certgate.
#[derive(Debug)]
pub(crate) struct SplitConstraints {
    /// The content of a NameConstraints SEQUENCE with the subtrees webpki evaluates (the
    /// form `TrustAnchor::name_constraints` takes), or None when there are none.
    pub(crate) for_webpki: Option<Vec<u8>>,
    pub(crate) own: OwnConstraints,
}

/// Why a nameConstraints extension cannot be used.
pub(crate) type FormError = String;

impl OwnConstraints {
    /// True when there is nothing for certgate to evaluate.
    pub(crate) fn is_empty(&self) -> bool {
        self.permitted.is_empty() && self.excluded.is_empty()
    }

    /// The subtrees certgate evaluates in a nameConstraints extension value (DER).
    pub(crate) fn of_extension(value: &[u8]) -> Result<OwnConstraints, FormError> {
        Ok(split(value)?.own)
    }

    /// Whether `names` (a certificate below the CA) is within these constraints: None
    /// when it is, else the name and the subtree that exclude it.
    pub(crate) fn violation(&self, names: &Names) -> Option<String> {
        for base in &self.excluded {
            if let Some(name) = names.of_form(base).find(|name| matches(base, name)) {
                return Some(format!(
                    "its {} {} is within the excluded {} subtree {}",
                    name_kind(base),
                    name.text(),
                    base.form(),
                    base.text()
                ));
            }
        }
        for form in ["rfc822Name", "directoryName", "uniformResourceIdentifier"] {
            let permitted: Vec<&Base> = self
                .permitted
                .iter()
                .filter(|base| base.form() == form)
                .collect();
            let Some(first) = permitted.first() else {
                continue;
            };
            for name in names.of_form(first) {
                if !permitted.iter().any(|base| matches(base, &name)) {
                    let listed: Vec<&str> = permitted.iter().map(|base| base.text()).collect();
                    return Some(format!(
                        "its {} {} is not within the permitted {form} subtrees ({})",
                        name_kind(first),
                        name.text(),
                        listed.join(", ")
                    ));
                }
            }
        }
        None
    }
}

/// One name of a certificate, of the form a subtree constrains.
enum Presented<'n> {
    Text(&'n str),
    Subject(&'n [Vec<(String, String)>], &'n str),
}

impl Presented<'_> {
    fn text(&self) -> &str {
        match self {
            Presented::Text(text) | Presented::Subject(_, text) => text,
        }
    }
}

fn name_kind(base: &Base) -> &'static str {
    match base {
        Base::Email(_) => "email address",
        Base::Directory(..) => "subject",
        Base::Uri(_) => "URI",
    }
}

/// Splits a nameConstraints extension value (DER) into what webpki and certgate evaluate.
pub(crate) fn split(value: &[u8]) -> Result<SplitConstraints, FormError> {
    der_fits(value).map_err(|e| format!("nameConstraints is not valid DER: {e}"))?;
    let constraints = NameConstraints::from_der(value)
        .map_err(|e| format!("nameConstraints is not valid DER ({e})"))?;
    if constraints.permitted_subtrees.is_none() && constraints.excluded_subtrees.is_none() {
        return Err("nameConstraints holds neither permitted nor excluded subtrees".to_owned());
    }
    let mut own = OwnConstraints::default();
    let mut for_webpki = NameConstraints {
        permitted_subtrees: None,
        excluded_subtrees: None,
    };
    for (subtrees, own_list, webpki_list) in [
        (
            &constraints.permitted_subtrees,
            &mut own.permitted,
            &mut for_webpki.permitted_subtrees,
        ),
        (
            &constraints.excluded_subtrees,
            &mut own.excluded,
            &mut for_webpki.excluded_subtrees,
        ),
    ] {
        for subtree in subtrees.iter().flatten() {
            if subtree.minimum != 0 || subtree.maximum.is_some() {
                return Err(
                    "a subtree sets minimum or maximum, which RFC 5280 §4.2.1.10 forbids"
                        .to_owned(),
                );
            }
            match own_base(subtree)? {
                Some(base) => own_list.push(base),
                None => webpki_list
                    .get_or_insert_with(Vec::new)
                    .push(subtree.clone()),
            }
        }
    }
    let for_webpki =
        if for_webpki.permitted_subtrees.is_none() && for_webpki.excluded_subtrees.is_none() {
            None
        } else {
            let der = for_webpki
                .to_der()
                .map_err(|e| format!("cannot re-encode nameConstraints ({e})"))?;
            // webpki takes the SEQUENCE's content, without its tag and length.
            let sequence = der::asn1::AnyRef::from_der(&der)
                .map_err(|e| format!("cannot re-encode nameConstraints ({e})"))?;
            Some(sequence.value().to_vec())
        };
    Ok(SplitConstraints { for_webpki, own })
}

/// The subtree as certgate evaluates it, or None for a form webpki evaluates.
fn own_base(subtree: &GeneralSubtree) -> Result<Option<Base>, FormError> {
    Ok(Some(match &subtree.base {
        GeneralName::Rfc822Name(name) => Base::Email(name.to_string()),
        GeneralName::UniformResourceIdentifier(name) => Base::Uri(name.to_string()),
        GeneralName::DirectoryName(name) => {
            let der = name
                .to_der()
                .map_err(|e| format!("cannot re-encode a directoryName subtree ({e})"))?;
            let (_, parsed) = X509Name::from_der(&der)
                .map_err(|e| format!("a directoryName subtree is not a name ({e})"))?;
            Base::Directory(normalised_rdns(&parsed), rfc4514(&parsed))
        }
        _ => return Ok(None),
    }))
}

/// The names of a certificate that name constraints above it apply to.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    /// rfc822Name SANs and the subject's emailAddress values.
    emails: Vec<String>,
    /// The subject's RDNs, normalised; empty for an empty subject (not constrained).
    subject: Vec<Vec<(String, String)>>,
    subject_text: String,
    uris: Vec<String>,
}

impl Names {
    /// The names of a parsed certificate.
    pub(crate) fn of(cert: &X509Certificate<'_>) -> Names {
        let mut names = Names {
            subject: normalised_rdns(cert.subject()),
            subject_text: rfc4514(cert.subject()),
            ..Names::default()
        };
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    ParsedName::RFC822Name(email) => names.emails.push((*email).to_owned()),
                    ParsedName::URI(uri) => names.uris.push((*uri).to_owned()),
                    _ => {}
                }
            }
        }
        // RFC 5280 requires this when there is no SAN; certgate does it always, because
        // `subject.emailAddress` rules can authorize by it.
        for attribute in cert.subject().iter_email() {
            if let Ok(email) = attribute.as_str() {
                names.emails.push(email.to_owned());
            }
        }
        names
    }

    fn of_form<'n>(&'n self, base: &Base) -> Box<dyn Iterator<Item = Presented<'n>> + 'n> {
        match base {
            Base::Email(_) => Box::new(self.emails.iter().map(|email| Presented::Text(email))),
            Base::Uri(_) => Box::new(self.uris.iter().map(|uri| Presented::Text(uri))),
            // An empty subject is not constrained (RFC 5280 §6.1.3 (b)).
            Base::Directory(..) if self.subject.is_empty() => Box::new(std::iter::empty()),
            Base::Directory(..) => Box::new(std::iter::once(Presented::Subject(
                &self.subject,
                &self.subject_text,
            ))),
        }
    }
}

/// Whether a name is within the subtree `base` (of the same form).
fn matches(base: &Base, name: &Presented<'_>) -> bool {
    match (base, name) {
        (Base::Email(constraint), Presented::Text(email)) => email_within(email, constraint),
        (Base::Uri(constraint), Presented::Text(uri)) => {
            uri_host(uri).is_some_and(|host| host_within(&host, constraint))
        }
        // RFC 5280 §4.2.1.10: the subject is within a directoryName subtree when the
        // subtree's RDNs are its first RDNs.
        (Base::Directory(prefix, _), Presented::Subject(rdns, _)) => rdns.starts_with(prefix),
        _ => false,
    }
}

/// RFC 5280 §4.2.1.10: a mailbox matches exactly (local part as written, host in any
/// case); a host matches every mailbox on it; `.domain` every mailbox on a host below it.
fn email_within(email: &str, constraint: &str) -> bool {
    let Some((local, host)) = email.rsplit_once('@') else {
        return false;
    };
    match constraint.rsplit_once('@') {
        Some((want_local, want_host)) => {
            local == want_local && host.eq_ignore_ascii_case(want_host)
        }
        None => host_within(host, constraint),
    }
}

/// `host` equals `constraint`, or is below it when it starts with a dot (any case).
fn host_within(host: &str, constraint: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let constraint = constraint.to_ascii_lowercase();
    match constraint.strip_prefix('.') {
        Some(_) => host.len() > constraint.len() && host.ends_with(&constraint),
        None => host == constraint,
    }
}

/// The host of a URI's authority, when it is a domain name (RFC 5280 §4.2.1.10: a URI
/// without one, or with an IP address, cannot satisfy a URI constraint).
fn uri_host(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host_port.starts_with('[') {
        return None;
    }
    let host = host_port.split(':').next()?;
    if host.is_empty() || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    Some(host.to_owned())
}

/// A name's RDNs as sets of (attribute, value) for comparison (RFC 5280 §7.1, kept
/// simple): string values in lower case with white space trimmed and collapsed, other
/// values as hex; each RDN's attributes sorted.
pub(crate) fn normalised_rdns(name: &X509Name<'_>) -> Vec<Vec<(String, String)>> {
    name.iter_rdn()
        .map(|rdn| {
            let mut attributes: Vec<(String, String)> = rdn
                .iter()
                .map(|attribute| {
                    let value = match attribute.as_str() {
                        Ok(text) => text
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .to_lowercase(),
                        Err(_) => hex::encode(attribute.attr_value().data),
                    };
                    (attribute_name(attribute.attr_type()), value)
                })
                .collect();
            attributes.sort();
            attributes
        })
        .collect()
}
