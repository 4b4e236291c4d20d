//! `certgate pki`: a development PKI for mTLS in one folder, mkcert's idea with client
//! certificates, SPIFFE IDs and revocation. `init` makes a root and an issuing CA, their
//! CRLs and a certgate policy that trusts them; `issue` writes leaves as PEM, PKCS#8 and
//! PKCS#12; `revoke` and `crl` keep the CRLs; `list` shows what was issued.
//! docs/pki.md describes the folder.

mod certs;
mod p12;
mod store;

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use certgate::Identity;
use clap::{Args, Subcommand};
use rcgen::{ExtendedKeyUsagePurpose, Issuer, KeyPair, SanType};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use crate::clock::{expiry_phrase, format_time};
use crate::error::{warn, UsageError};
use crate::summary::CertSummary;
use crate::table::{plural, write_columns};
use certs::{ia5, KeyType, LeafSpec, Reason, RevokedEntry};
use store::{Access, Ca, CrlState, Index, Issued, Revocation, Store, CRL_BUNDLE, INDEX, POLICY};

/// `certgate pki` options.
#[derive(Args)]
pub(crate) struct PkiArgs {
    #[command(subcommand)]
    command: PkiCommand,
}

#[derive(Subcommand)]
enum PkiCommand {
    /// Create a PKI in DIR: a root CA, an issuing CA, an empty CRL of each, and a
    /// policy.json that trusts them.
    ///
    /// Writes root.pem, root.key, intermediate.pem, intermediate.key, root.crl,
    /// intermediate.crl, crls.pem (both CRLs), policy.json (allowing every SPIFFE ID of
    /// --trust-domain) and index.json. Keys are PKCS#8 PEM with mode 0600. DIR is created
    /// if need be; a PKI, or any of these files, already in it is an error (exit 2):
    /// nothing is ever overwritten.
    Init(InitArgs),
    /// Issue a certificate signed by the issuing CA.
    ///
    /// Writes DIR/NAME.pem (the certificate, then the issuing CA's), NAME.key (its
    /// private key, PKCS#8 PEM, mode 0600) and NAME.p12 (both in PKCS#12 for browsers
    /// and macOS, mode 0600), and records the certificate in index.json.
    Issue(Box<IssueArgs>),
    /// Revoke a certificate: add it to the issuing CA's CRL, and re-sign both CRLs.
    Revoke(RevokeArgs),
    /// Re-sign both CRLs with fresh dates and the next CRL number.
    ///
    /// Verifiers refuse a CRL after its nextUpdate (certgate's "expired_crl": "deny",
    /// OpenSSL's CRL checks): run this before then, from cron for instance.
    Crl(CrlArgs),
    /// List the certificates issued: status, name, serial, notAfter, time left, SANs;
    /// then the CRLs' number and next update.
    List(ListArgs),
}

/// `certgate pki init` options.
#[derive(Args)]
pub(crate) struct InitArgs {
    /// The folder of the new PKI.
    dir: PathBuf,
    /// The SPIFFE trust domain: both CAs carry spiffe://DOMAIN, and policy.json allows
    /// every SPIFFE ID in it.
    #[arg(long, value_name = "DOMAIN", default_value = "example.org")]
    trust_domain: String,
    #[command(flatten)]
    crl: CrlDays,
}

/// The validity of the CRLs a command signs.
#[derive(Args)]
struct CrlDays {
    /// Days from now until the CRLs' nextUpdate, after which verifiers refuse them.
    #[arg(long, value_name = "DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u16).range(1..=3650))]
    crl_days: u16,
}

/// `certgate pki issue` options.
#[derive(Args)]
pub(crate) struct IssueArgs {
    /// The PKI's folder.
    dir: PathBuf,
    /// The certificate's name: its subject (CN=NAME) and the stem of its files. Letters,
    /// digits, '.', '_' and '-'.
    name: String,
    /// The SPIFFE ID, spiffe://TRUST-DOMAIN/PATH: the one URI SAN of an X509-SVID.
    #[arg(long, value_name = "ID", conflicts_with = "uri")]
    spiffe: Option<String>,
    /// A DNS name SAN. Repeatable.
    #[arg(long, value_name = "NAME")]
    dns: Vec<String>,
    /// An IP address SAN, IPv4 or IPv6. Repeatable.
    #[arg(long, value_name = "ADDR")]
    ip: Vec<IpAddr>,
    /// An email address SAN (rfc822Name). Repeatable.
    #[arg(long, value_name = "ADDR")]
    email: Vec<String>,
    /// A URI SAN. Repeatable; not with --spiffe, since an X509-SVID has exactly one URI.
    #[arg(long, value_name = "URI")]
    uri: Vec<String>,
    /// For TLS clients (extended key usage clientAuth). The default when neither
    /// --client nor --server is given.
    #[arg(long)]
    client: bool,
    /// For TLS servers (serverAuth); with --client, for both.
    #[arg(long)]
    server: bool,
    /// Days of validity from now; at most until the issuing CA expires.
    #[arg(long, value_name = "N", default_value_t = 90,
          value_parser = clap::value_parser!(u16).range(1..))]
    days: u16,
    /// The key type.
    #[arg(long, value_enum, value_name = "TYPE", default_value_t = KeyType::Ec)]
    key: KeyType,
    /// The password of NAME.p12.
    #[arg(long, value_name = "PASSWORD", default_value = p12::DEFAULT_PASSWORD)]
    p12_password: String,
}

/// `certgate pki revoke` options.
#[derive(Args)]
pub(crate) struct RevokeArgs {
    /// The PKI's folder.
    dir: PathBuf,
    /// The certificate: its NAME, or its serial number in hex as `pki list` shows it
    /// (colons and upper case allowed). A name is looked for first.
    #[arg(value_name = "NAME|SERIAL")]
    certificate: String,
    /// Why: the reasonCode of the CRL entry (none for unspecified, as RFC 5280 advises).
    #[arg(long, value_enum, default_value_t = Reason::Unspecified)]
    reason: Reason,
    #[command(flatten)]
    crl: CrlDays,
}

/// `certgate pki crl` options.
#[derive(Args)]
pub(crate) struct CrlArgs {
    /// The PKI's folder.
    dir: PathBuf,
    #[command(flatten)]
    crl: CrlDays,
}

/// `certgate pki list` options.
#[derive(Args)]
pub(crate) struct ListArgs {
    /// The PKI's folder.
    dir: PathBuf,
    /// Print one JSON object: {dir, trust_domain, crl, certificates: [...]} (docs/pki.md).
    #[arg(long)]
    json: bool,
}

/// Runs one `certgate pki` command, its report going to `out`: exit 0, or a usage or
/// file error (exit 2).
pub(crate) fn pki(args: &PkiArgs, out: &mut String) -> Result<ExitCode, UsageError> {
    let now = OffsetDateTime::from_unix_timestamp(crate::clock::now())
        .map_err(|_| UsageError("the system clock is out of range".to_owned()))?;
    match &args.command {
        PkiCommand::Init(args) => init(args, now, out)?,
        PkiCommand::Issue(args) => issue(args, now, out)?,
        PkiCommand::Revoke(args) => revoke(args, now, out)?,
        PkiCommand::Crl(args) => {
            let store = Store::new(&args.dir);
            let mut index = store.index()?;
            resign(&store, &mut index, now, args.crl.crl_days)?;
            let _ = writeln!(out, "{}", crl_line(&index, now));
        }
        PkiCommand::List(args) => list(args, now, out)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `policy.json`: trust the root, pool the issuing CA (so that peers sending only their
/// leaf pass too), check both CRLs, and allow every SPIFFE ID of the trust domain. Files
/// are named relative to the policy, so that it reads the CRLs `pki crl` re-signs.
fn policy(trust_domain: &str) -> Value {
    json!({
        "trust": {
            "anchors": { "file": Ca::Root.cert_file() },
            "intermediates": { "file": Ca::Intermediate.cert_file() },
        },
        "usage": "client",
        "revocation": {
            "crls": Ca::ALL.map(|ca| json!({ "file": ca.crl_file() })),
        },
        "allow": [{ "spiffe_trust_domain": trust_domain }],
    })
}

fn init(args: &InitArgs, now: OffsetDateTime, out: &mut String) -> Result<(), UsageError> {
    let store = Store::new(&args.dir);
    let policy = policy(&args.trust_domain);
    // The policy checks the trust domain, before anything is written.
    certgate::Policy::from_value(policy.clone()).map_err(|rejection| {
        UsageError(format!(
            "--trust-domain {:?}: {}",
            args.trust_domain,
            rejection.message()
        ))
    })?;
    if store.existing(&[INDEX]).is_some() {
        return Err(UsageError(format!(
            "{} already holds a PKI ({}): certgate pki init never overwrites one; choose \
             another folder",
            args.dir.display(),
            store.show(INDEX)
        )));
    }
    let [root, intermediate] = certs::new_cas(&args.trust_domain, now)?;
    let index = Index {
        version: store::INDEX_VERSION,
        trust_domain: args.trust_domain.clone(),
        crl: crl_state(1, now, args.crl.crl_days),
        certificates: Vec::new(),
    };
    let crls = sign_crls([&*root, &*intermediate], &index)?;
    let mut policy_text = serde_json::to_string_pretty(&policy)
        .map_err(|e| UsageError(format!("cannot encode the policy: {e}")))?;
    policy_text.push('\n');
    let mut files = vec![
        (
            Ca::Root.key_file(),
            root.key().serialize_pem(),
            Access::Private,
        ),
        (
            Ca::Intermediate.key_file(),
            intermediate.key().serialize_pem(),
            Access::Private,
        ),
        (Ca::Root.cert_file(), root.pem(), Access::Public),
        (
            Ca::Intermediate.cert_file(),
            intermediate.pem(),
            Access::Public,
        ),
    ];
    files.extend(
        crl_files(&crls)
            .into_iter()
            .map(|(name, text)| (name, text, Access::Public)),
    );
    files.push((POLICY.to_owned(), policy_text, Access::Public));
    files.push((
        INDEX.to_owned(),
        store::encode_index(&index)?,
        Access::Public,
    ));
    // Every file is new: refuse before writing any, rather than leave half a PKI.
    let names: Vec<&str> = files.iter().map(|(name, _, _)| name.as_str()).collect();
    if let Some(name) = store.existing(&names) {
        return Err(UsageError(format!(
            "{} already exists: certgate pki init never overwrites a file; choose another \
             folder",
            store.show(name)
        )));
    }
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| UsageError(format!("cannot create {}: {e}", args.dir.display())))?;
    // index.json goes last: it marks a complete PKI.
    for (name, contents, access) in &files {
        store.write_new(name, contents.as_bytes(), *access)?;
    }

    print_init(
        args,
        &store,
        [root.der(), intermediate.der()],
        &index,
        now,
        out,
    )
}

/// What `init` prints: the folder, each file written, and the CRLs' dates.
fn print_init(
    args: &InitArgs,
    store: &Store,
    [root, intermediate]: [&[u8]; 2],
    index: &Index,
    now: OffsetDateTime,
    out: &mut String,
) -> Result<(), UsageError> {
    let _ = writeln!(
        out,
        "created a development PKI in {} for the trust domain {}",
        args.dir.display(),
        args.trust_domain
    );
    let subject = |der: &[u8]| -> Result<String, UsageError> {
        let summary = summarize(der, now)?;
        Ok(format!(
            "{}, until {}",
            summary.identity().subject,
            format_time(summary.identity().not_after)
        ))
    };
    let rows = [
        [Ca::Root.cert_file(), format!("root CA: {}", subject(root)?)],
        [
            Ca::Root.key_file(),
            "its private key (mode 0600)".to_owned(),
        ],
        [
            Ca::Intermediate.cert_file(),
            format!("issuing CA: {}", subject(intermediate)?),
        ],
        [
            Ca::Intermediate.key_file(),
            "its private key (mode 0600)".to_owned(),
        ],
        [Ca::Root.crl_file(), "the root CA's CRL".to_owned()],
        [
            Ca::Intermediate.crl_file(),
            "the issuing CA's CRL".to_owned(),
        ],
        [CRL_BUNDLE.to_owned(), "both CRLs in one file".to_owned()],
        [
            POLICY.to_owned(),
            format!(
                "trusts them, checks the CRLs, allows any SPIFFE ID of {}",
                args.trust_domain
            ),
        ],
        [INDEX.to_owned(), "what this PKI has issued".to_owned()],
    ];
    write_file_rows(store, &rows, out);
    let _ = writeln!(out, "{}", crl_line(index, now));
    Ok(())
}

/// Lines of `  FILE  description`, the files' paths aligned.
fn write_file_rows(store: &Store, rows: &[[String; 2]], out: &mut String) {
    let rows: Vec<[String; 2]> = rows
        .iter()
        .map(|[name, what]| [format!("  {}", store.show(name)), what.clone()])
        .collect();
    write_columns(&rows, out);
}

/// What certgate reads in `der`, a certificate this command has just signed or read from
/// the index, seen from `now`.
fn summarize(der: &[u8], now: OffsetDateTime) -> Result<CertSummary, UsageError> {
    CertSummary::new(der, now.unix_timestamp()).map_err(|rejection| {
        UsageError(format!(
            "certgate cannot read a certificate of the PKI: {rejection}"
        ))
    })
}

/// NAME names files next to the CAs' own: a plain file name that is none of theirs.
fn check_name(name: &str) -> Result<(), UsageError> {
    let plain = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !plain {
        return Err(UsageError(format!(
            "{name:?} is not a certificate name: 1 to 64 letters, digits, '.', '_' or '-', \
             not starting with '.' or '-'"
        )));
    }
    // Compared in any case, for case-insensitive file systems.
    let pem = format!("{name}.pem");
    let taken = Ca::ALL
        .iter()
        .map(|ca| ca.cert_file())
        .chain([CRL_BUNDLE.to_owned()])
        .any(|file| file.eq_ignore_ascii_case(&pem));
    if taken {
        return Err(UsageError(format!(
            "{name:?} is the name of one of the PKI's own files: choose another"
        )));
    }
    Ok(())
}

/// The SANs of `pki issue`'s options.
fn sans(args: &IssueArgs) -> Result<Vec<SanType>, UsageError> {
    let mut sans = Vec::new();
    for name in &args.dns {
        sans.push(SanType::DnsName(ia5(name, "--dns")?));
    }
    sans.extend(args.ip.iter().map(|ip| SanType::IpAddress(*ip)));
    for email in &args.email {
        sans.push(SanType::Rfc822Name(ia5(email, "--email")?));
    }
    if let Some(id) = &args.spiffe {
        sans.push(SanType::URI(ia5(id, "--spiffe")?));
    }
    for uri in &args.uri {
        sans.push(SanType::URI(ia5(uri, "--uri")?));
    }
    Ok(sans)
}

fn issue(args: &IssueArgs, now: OffsetDateTime, out: &mut String) -> Result<(), UsageError> {
    check_name(&args.name)?;
    let store = Store::new(&args.dir);
    let mut index = store.index()?;
    let files = new_files(&store, &index, &args.name)?;
    let ca = store.load_ca(Ca::Intermediate)?;
    let not_after = now + Duration::days(i64::from(args.days));
    if not_after.unix_timestamp() > ca.not_after {
        let most = (ca.not_after - now.unix_timestamp()).div_euclid(86_400);
        return Err(UsageError(format!(
            "--days {} would outlive the issuing CA, which expires {}: at most {most} days",
            args.days,
            format_time(ca.not_after)
        )));
    }
    let mut usages = Vec::new();
    if args.client || !args.server {
        usages.push(ExtendedKeyUsagePurpose::ClientAuth);
    }
    if args.server {
        usages.push(ExtendedKeyUsagePurpose::ServerAuth);
    }
    let spec = LeafSpec {
        common_name: args.name.clone(),
        sans: sans(args)?,
        usages,
        not_after,
    };
    let key = args.key.generate()?;
    let cert = certs::new_leaf(spec, &key, &ca.issuer, now)?;
    let summary = summarize(cert.der(), now)?;
    if let Some(id) = &args.spiffe {
        check_spiffe(id, summary.identity(), &index.trust_domain)?;
    }
    if args.server && args.dns.is_empty() && args.ip.is_empty() {
        warn(
            "certgate: warning: a server certificate without --dns or --ip matches no server \
             name, so clients that check it (curl, browsers) refuse it",
        );
    }
    let p12 = p12::pkcs12(
        &args.name,
        key.serialized_der(),
        &[cert.der(), &ca.der],
        &args.p12_password,
    )?;
    let [pem_file, key_file, p12_file] = &files;
    store.write_new(key_file, key.serialize_pem().as_bytes(), Access::Private)?;
    store.write_new(p12_file, &p12, Access::Private)?;
    let chain = format!("{}{}", cert.pem(), ca.pem);
    store.write_new(pem_file, chain.as_bytes(), Access::Public)?;
    index.certificates.push(Issued {
        name: args.name.clone(),
        serial: summary.identity().serial.clone(),
        certificate: cert.pem(),
        revoked: None,
    });
    store.save_index(&index)?;
    print_issue(args, &store, &summary, files, out);
    Ok(())
}

/// `NAME.pem`, `NAME.key` and `NAME.p12`, when neither the index nor the folder has any
/// of them yet.
fn new_files(store: &Store, index: &Index, name: &str) -> Result<[String; 3], UsageError> {
    if let Some(issued) = index
        .certificates
        .iter()
        .find(|issued| issued.name.eq_ignore_ascii_case(name))
    {
        return Err(UsageError(format!(
            "{} already issued a certificate named {} (serial {}): choose another name",
            store.dir().display(),
            issued.name,
            issued.serial
        )));
    }
    let files = ["pem", "key", "p12"].map(|ext| format!("{name}.{ext}"));
    if let Some(file) = store.existing(&files.each_ref().map(String::as_str)) {
        return Err(UsageError(format!(
            "{} already exists: certgate pki never overwrites a file",
            store.show(file)
        )));
    }
    Ok(files)
}

/// What `issue` prints: the certificate's subject, serial, SANs, usage and notAfter, and
/// the files written.
fn print_issue(
    args: &IssueArgs,
    store: &Store,
    summary: &CertSummary,
    [pem_file, key_file, p12_file]: [String; 3],
    out: &mut String,
) {
    let identity = summary.identity();
    let _ = writeln!(
        out,
        "issued {}: {}, serial {}",
        args.name, identity.subject, identity.serial
    );
    let _ = writeln!(out, "  san:        {}", summary.sans());
    let _ = writeln!(
        out,
        "  usage:      {}",
        identity.extended_key_usage.join(", ")
    );
    let _ = writeln!(out, "  not after:  {}", summary.validity());
    let rows = [
        [
            pem_file,
            "the certificate, then the issuing CA's".to_owned(),
        ],
        [
            key_file,
            format!(
                "its private key, {} (PKCS#8, mode 0600)",
                args.key.describe()
            ),
        ],
        [
            p12_file,
            format!(
                "both, PKCS#12 for browsers and macOS, password {:?} (mode 0600)",
                args.p12_password
            ),
        ],
    ];
    write_file_rows(store, &rows, out);
}

/// Refuses a `--spiffe` that certgate does not read as the leaf's SPIFFE ID (the
/// X509-SVID rules are core's), and warns when the policy will refuse its trust domain.
fn check_spiffe(id: &str, identity: &Identity, trust_domain: &str) -> Result<(), UsageError> {
    if identity.spiffe_id.as_deref() != Some(id) {
        return Err(UsageError(format!(
            "--spiffe {id:?} is not a SPIFFE ID: spiffe://TRUST-DOMAIN/PATH, a lowercase trust \
             domain and a path of letters, digits, '.', '-' and '_' (docs/spiffe.md)"
        )));
    }
    let domain = id
        .strip_prefix("spiffe://")
        .and_then(|rest| rest.split('/').next());
    if domain != Some(trust_domain) {
        warn(&format!(
            "certgate: warning: {id} is not in the trust domain {trust_domain}, for which \
             this PKI's CAs vouch: its policy.json refuses it"
        ));
    }
    Ok(())
}

fn revoke(args: &RevokeArgs, now: OffsetDateTime, out: &mut String) -> Result<(), UsageError> {
    let store = Store::new(&args.dir);
    let mut index = store.index()?;
    let position = find(&index, &args.certificate).ok_or_else(|| {
        UsageError(format!(
            "{} has issued no certificate named {:?} or with that serial number",
            args.dir.display(),
            args.certificate
        ))
    })?;
    let issued = &mut index.certificates[position];
    if let Some(revocation) = &issued.revoked {
        return Err(UsageError(format!(
            "{} (serial {}) was revoked already, at {} ({})",
            issued.name,
            issued.serial,
            format_time(revocation.at),
            revocation.reason.name()
        )));
    }
    issued.revoked = Some(Revocation {
        at: now.unix_timestamp(),
        reason: args.reason,
    });
    let _ = writeln!(
        out,
        "revoked {} (serial {}) at {}, reason {}",
        issued.name,
        issued.serial,
        format_time(now.unix_timestamp()),
        args.reason.name()
    );
    resign(&store, &mut index, now, args.crl.crl_days)?;
    let _ = writeln!(out, "{}", crl_line(&index, now));
    Ok(())
}

/// The position in the index of the certificate named `wanted`, or else of the one whose
/// serial number it is (hex, any case, colons and leading zeros ignored).
fn find(index: &Index, wanted: &str) -> Option<usize> {
    let by_name = index
        .certificates
        .iter()
        .position(|issued| issued.name == wanted);
    let digits = |serial: &str| -> String {
        serial
            .chars()
            .filter(|c| *c != ':')
            .map(|c| c.to_ascii_lowercase())
            .collect::<String>()
            .trim_start_matches('0')
            .to_owned()
    };
    let serial = digits(wanted);
    by_name.or_else(|| {
        index
            .certificates
            .iter()
            .position(|issued| !serial.is_empty() && digits(&issued.serial) == serial)
    })
}

/// The CRL state for CRL `number`, signed `now` and valid `days`.
fn crl_state(number: u64, now: OffsetDateTime, days: u16) -> CrlState {
    CrlState {
        number,
        this_update: (now - certs::BACKDATE).unix_timestamp(),
        next_update: (now + Duration::days(i64::from(days))).unix_timestamp(),
    }
}

/// Signs both CRLs as `index` describes them: the root's empty (it signs only the issuing
/// CA, which `pki` never revokes), the issuing CA's listing the revoked leaves.
fn sign_crls(
    [root, intermediate]: [&Issuer<'_, KeyPair>; 2],
    index: &Index,
) -> Result<[String; 2], UsageError> {
    let time = |seconds: i64| {
        OffsetDateTime::from_unix_timestamp(seconds)
            .map_err(|_| UsageError(format!("{INDEX} has a time out of range: {seconds}")))
    };
    let mut revoked = Vec::new();
    for issued in &index.certificates {
        if let Some(revocation) = &issued.revoked {
            let serial = hex::decode(&issued.serial).map_err(|_| {
                UsageError(format!(
                    "{INDEX}: the serial {:?} of {} is not hex",
                    issued.serial, issued.name
                ))
            })?;
            revoked.push(RevokedEntry {
                serial,
                at: time(revocation.at)?,
                reason: revocation.reason,
            });
        }
    }
    let (this_update, next_update) = (time(index.crl.this_update)?, time(index.crl.next_update)?);
    let number = index.crl.number;
    Ok([
        certs::sign_crl(root, number, &[], this_update, next_update)?,
        certs::sign_crl(intermediate, number, &revoked, this_update, next_update)?,
    ])
}

/// The CRL files and their contents: each CA's, and both in `crls.pem`.
fn crl_files([root, intermediate]: &[String; 2]) -> [(String, String); 3] {
    [
        (Ca::Root.crl_file(), root.clone()),
        (Ca::Intermediate.crl_file(), intermediate.clone()),
        (CRL_BUNDLE.to_owned(), format!("{root}{intermediate}")),
    ]
}

/// Signs both CRLs anew with the next number, from now for `days`. The index is saved
/// before the CRL files are replaced, so that a number is never signed twice: if writing
/// a CRL fails, the next `pki crl` signs the one after.
fn resign(
    store: &Store,
    index: &mut Index,
    now: OffsetDateTime,
    days: u16,
) -> Result<(), UsageError> {
    let [root, intermediate] = Ca::ALL.map(|ca| store.load_ca(ca));
    let (root, intermediate) = (root?, intermediate?);
    index.crl = crl_state(index.crl.number + 1, now, days);
    let crls = sign_crls([&root.issuer, &intermediate.issuer], index)?;
    store.save_index(index)?;
    for (name, contents) in crl_files(&crls) {
        store.replace(&name, contents.as_bytes())?;
    }
    Ok(())
}

/// `CRLs: number 2, next update 2027-01-01T00:00:00Z (expires in 30 days)`.
fn crl_line(index: &Index, now: OffsetDateTime) -> String {
    let left = index.crl.next_update - now.unix_timestamp();
    let mut line = format!(
        "CRLs: number {}, next update {} ({})",
        index.crl.number,
        format_time(index.crl.next_update),
        expiry_phrase(left)
    );
    if left < 0 {
        line.push_str(": verifiers refuse them; run `certgate pki crl DIR`");
    }
    line
}

fn list(args: &ListArgs, now: OffsetDateTime, out: &mut String) -> Result<(), UsageError> {
    let store = Store::new(&args.dir);
    let index = store.index()?;
    let mut rows = Vec::new();
    let mut entries = Vec::new();
    let (mut revoked, mut expired) = (0, 0);
    for issued in &index.certificates {
        let der = certgate::certificates(issued.certificate.as_bytes())
            .ok()
            .and_then(|ders| ders.into_iter().next())
            .ok_or_else(|| {
                UsageError(format!(
                    "{}: the certificate of {} is not PEM",
                    store.show(INDEX),
                    issued.name
                ))
            })?;
        let summary = summarize(&der, now)?;
        let status = if issued.revoked.is_some() {
            revoked += 1;
            "revoked"
        } else if summary.expired() {
            expired += 1;
            "expired"
        } else {
            "ok"
        };
        rows.push([
            status.to_ascii_uppercase(),
            issued.name.clone(),
            issued.serial.clone(),
            format_time(summary.identity().not_after),
            summary.when(),
            summary.sans(),
        ]);
        let mut entry = summary.to_json();
        entry["name"] = json!(issued.name);
        entry["status"] = json!(status);
        entry["revoked"] = issued.revoked.as_ref().map_or(Value::Null, |revocation| {
            json!({
                "at": revocation.at,
                "at_rfc3339": format_time(revocation.at),
                "reason": revocation.reason.name(),
            })
        });
        entries.push(entry);
    }
    if args.json {
        let document = json!({
            "dir": args.dir.display().to_string(),
            "trust_domain": index.trust_domain,
            "crl": {
                "number": index.crl.number,
                "this_update": index.crl.this_update,
                "next_update": index.crl.next_update,
                "next_update_rfc3339": format_time(index.crl.next_update),
                "expired": index.crl.next_update < now.unix_timestamp(),
            },
            "certificates": entries,
        });
        let _ = writeln!(out, "{document}");
        return Ok(());
    }
    write_columns(&rows, out);
    let count = index.certificates.len();
    let _ = writeln!(
        out,
        "{count} certificate{} issued in {}: {revoked} revoked, {expired} expired",
        plural(count),
        args.dir.display()
    );
    let _ = writeln!(out, "{}", crl_line(&index, now));
    Ok(())
}
