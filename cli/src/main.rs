//! `certgate`: inspect certificates, verify peer chains against an mTLS policy, probe
//! TLS servers, report certificate expiry, and run a development PKI.
//!
//! Exit codes: 0 allowed (or inspected, probed without a refusal, nothing expiring, the
//! PKI command done), 1
//! rejected (or refused, expiring within `--warn`), 2 usage, file or policy error, or a
//! server `probe` cannot reach. Output is written once the outcome is decided, so a
//! closed pipe (`| head`) ends the command quietly with the exit code it had already
//! decided.

mod clock;
mod error;
mod expiry;
mod input;
mod pki;
mod probe;
mod summary;
mod table;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use certgate::{Identity, Rejection, Verifier};
use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};

use crate::clock::{format_time, parse_time};
use crate::error::{warn, UsageError};
use crate::input::{check_stdin_once, read_input};

#[derive(Parser)]
#[command(
    name = "certgate",
    version,
    about = "mTLS policy: verify peer certificate chains and tell who the peer is"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the identity of certificates (no verification).
    Inspect {
        /// Certificate files, or - for standard input: PEM (text dumps included), DER or
        /// PKCS#7; for a bundle, its first certificate (a PKCS#7 bundle's leaf).
        #[arg(required = true)]
        certs: Vec<PathBuf>,
        /// Print the canonical identity JSON, one line per file.
        #[arg(long)]
        json: bool,
    },
    /// Decide whether a peer chain is allowed by a policy.
    Verify(Box<VerifyArgs>),
    /// Connect to a TLS server and report what mTLS with it involves.
    ///
    /// Shows the protocol and cipher suite, the server's chain as sent and the --policy
    /// decision on it, whether the server asks for a client certificate and which CA
    /// names it lists, and whether it accepted the --cert one (TLS 1.3: see --wait).
    /// Nothing is sent after the handshake.
    ///
    /// Exit 0 when the handshake completed, the server's chain passed --policy (if
    /// given) and the server went on after the client certificate (or its absence); 1
    /// when anything was refused; 2 for usage, file or policy errors and when the
    /// server cannot be reached.
    Probe(Box<probe::ProbeArgs>),
    /// List the certificates of files and folders by expiry, soonest first.
    ///
    /// Exit 0, or 1 with --warn when a certificate has expired or expires within it; 2
    /// for usage errors, unreadable paths, or when no certificate was found at all.
    Expiry(expiry::ExpiryArgs),
    /// A development PKI for mTLS in one folder: CAs, CRLs, a policy, and certificates
    /// as PEM, PKCS#8 and PKCS#12 (docs/pki.md).
    ///
    /// Exit 0 when done; 2 for usage and file errors, and when a command would
    /// overwrite a file.
    Pki(pki::PkiArgs),
}

#[derive(Args)]
struct VerifyArgs {
    /// Peer chain files, leaf first, or - for standard input: each a PEM bundle (text
    /// dumps included), one DER certificate, or a PKCS#7 bundle.
    #[arg(
        required_unless_present = "header_value",
        conflicts_with = "header_value"
    )]
    chain: Vec<PathBuf>,
    /// Instead of a chain: the value of a header in which a TLS-terminating proxy
    /// forwarded the client certificate, decided as the policy's `forwarded` section
    /// says (docs/forwarded.md).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    header_value: Option<String>,
    /// The name of that header (default: the format's, e.g. x-client-cert for nginx).
    #[arg(long, value_name = "NAME", requires = "header_value")]
    header: Option<String>,
    /// The address of the proxy the header came from (default 127.0.0.1).
    #[arg(
        long,
        value_name = "ADDR",
        requires = "header_value",
        default_value = "127.0.0.1"
    )]
    peer: String,
    /// With the shortcut options: the forwarded format (rfc9440, xfcc, nginx, haproxy,
    /// caddy, apache, alb, traefik); --peer is then the one trusted proxy.
    #[arg(long, value_name = "FORMAT", requires = "header_value")]
    forwarded: Option<String>,
    /// Policy JSON file (docs/policy.md); it may name files ({"file": ...}, {"dir": ...})
    /// relative to its own folder. Excludes the shortcut options below.
    #[arg(long, conflicts_with_all = ["ca", "intermediates", "crl", "usage", "profile", "forwarded", "allow_spiffe", "allow_dns", "allow_uri", "allow_email", "allow_ip", "allow_cn"])]
    policy: Option<PathBuf>,
    /// Trust anchors (PEM, DER, PKCS#7 or a SPIFFE bundle). Repeatable.
    #[arg(long, value_name = "FILE")]
    ca: Vec<PathBuf>,
    /// Pool of untrusted intermediates (PEM, DER or PKCS#7). Repeatable.
    #[arg(long, value_name = "FILE")]
    intermediates: Vec<PathBuf>,
    /// CRLs (PEM, possibly several, or DER); enables revocation checks of the whole chain. Repeatable.
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Allow a SPIFFE ID pattern (`*` = one path segment part). Each --allow-* adds one rule; any rule may match.
    #[arg(long, value_name = "PATTERN")]
    allow_spiffe: Vec<String>,
    /// Allow a DNS SAN pattern (`*.example.com` = one label).
    #[arg(long, value_name = "PATTERN")]
    allow_dns: Vec<String>,
    /// Allow a URI SAN pattern.
    #[arg(long, value_name = "PATTERN")]
    allow_uri: Vec<String>,
    /// Allow an email SAN (`*@example.com` for any local part).
    #[arg(long, value_name = "PATTERN")]
    allow_email: Vec<String>,
    /// Allow an IP SAN address or CIDR block.
    #[arg(long, value_name = "CIDR")]
    allow_ip: Vec<String>,
    /// Allow a subject common name (exact).
    #[arg(long, value_name = "CN")]
    allow_cn: Vec<String>,
    /// Required usage: client (default), server, or client,server for either.
    #[arg(long, value_delimiter = ',', value_name = "USAGE")]
    usage: Vec<String>,
    /// Certificate profile: strict (default) or webpki, which relaxes RFC 5280
    /// conformance rules for legacy private PKIs (docs/profile.md).
    #[arg(long, value_name = "PROFILE")]
    profile: Option<String>,
    /// Verification time, RFC 3339 (default: now), e.g. 2026-06-01T00:00:00Z.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Print JSON: the identity on success, {code, message, cert_index} on rejection.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = String::new();
    let result = match cli.command {
        Command::Inspect { certs, json } => inspect(&certs, json, &mut out),
        Command::Verify(args) => verify(&args, &mut out),
        Command::Probe(args) => probe::probe(&args, &mut out),
        Command::Expiry(args) => expiry::expiry(&args, &mut out),
        Command::Pki(args) => pki::pki(&args, &mut out),
    };
    let code = match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            warn(&format!("certgate: {message}"));
            return ExitCode::from(2);
        }
    };
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Ok(()) => code,
        // The reader went away (`certgate ... | head`): the decision stands.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(error) => {
            warn(&format!("certgate: cannot write the output: {error}"));
            ExitCode::from(2)
        }
    }
}

fn inspect(paths: &[PathBuf], json: bool, out: &mut String) -> Result<ExitCode, UsageError> {
    check_stdin_once(paths)?;
    let inputs = paths
        .iter()
        .map(|p| read_input(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut code = ExitCode::SUCCESS;
    for (path, input) in paths.iter().zip(&inputs) {
        if paths.len() > 1 && !json {
            let _ = writeln!(out, "{}:", path.display());
        }
        match certgate::inspect(input) {
            Ok(identity) if json => {
                let _ = writeln!(out, "{}", identity.to_json());
            }
            Ok(identity) => print_identity(&identity, out),
            Err(rejection) => {
                if json {
                    let _ = writeln!(out, "{}", rejection_json(&rejection));
                } else {
                    let _ = writeln!(
                        out,
                        "REJECTED {}: {}",
                        rejection.code(),
                        rejection.message()
                    );
                }
                code = ExitCode::from(1);
            }
        }
    }
    Ok(code)
}

fn rejection_json(rejection: &Rejection) -> Value {
    json!({
        "ok": false,
        "code": rejection.code().as_str(),
        "message": rejection.message(),
        "cert_index": rejection.cert_index(),
    })
}

fn verify(args: &VerifyArgs, out: &mut String) -> Result<ExitCode, UsageError> {
    check_stdin_once(&args.chain)?;
    let verifier = match &args.policy {
        Some(path) => Verifier::from_file(path)?,
        None => {
            let mut policy = certgate::Policy::from_value(shortcut_policy(args)?)?;
            policy.resolve_files(Path::new(""))?;
            Verifier::new(policy)?
        }
    };
    for warning in verifier.warnings() {
        warn(&format!("certgate: warning: {warning}"));
    }
    let at = args.at.as_deref().map(parse_time).transpose()?;
    let decision = match &args.header_value {
        Some(value) => {
            let header = match (&args.header, verifier.forwarded_format()) {
                (Some(name), _) => name.clone(),
                (None, Some(format)) => format.default_header().to_owned(),
                (None, None) => {
                    return Err(UsageError(
                        "--header-value needs a policy with a \"forwarded\" section, or --forwarded FORMAT"
                            .to_owned(),
                    ))
                }
            };
            verifier.verify_forwarded(&[(header, value.as_str())], &args.peer, at)
        }
        None => {
            let chain = args
                .chain
                .iter()
                .map(|p| read_input(p))
                .collect::<Result<Vec<_>, _>>()?;
            verifier.verify(&chain, at)
        }
    };
    match decision {
        Ok(identity) => {
            if args.json {
                let _ = writeln!(out, "{}", identity.to_json());
            } else {
                let _ = writeln!(out, "ALLOWED {}", identity.subject);
                print_identity(&identity, out);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(rejection) => {
            if args.json {
                let _ = writeln!(out, "{}", rejection_json(&rejection));
            } else {
                let _ = writeln!(
                    out,
                    "REJECTED {}: {}",
                    rejection.code(),
                    rejection.message()
                );
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// Builds a policy from the shortcut options: files become `{"file": ...}` references
/// (read by the same loader as a policy file's), each --allow-* value is one rule.
fn shortcut_policy(args: &VerifyArgs) -> Result<Value, UsageError> {
    if args.ca.is_empty() {
        return Err(UsageError(
            "verify needs --policy FILE or --ca FILE".to_owned(),
        ));
    }
    let files = |paths: &[PathBuf]| -> Result<Vec<Value>, UsageError> {
        paths
            .iter()
            .map(|path| match path.to_str() {
                Some(text) => Ok(json!({ "file": text })),
                None => Err(UsageError(format!(
                    "{} is not a UTF-8 path, which a policy cannot name",
                    path.display()
                ))),
            })
            .collect()
    };
    let mut policy = json!({ "trust": { "anchors": files(&args.ca)? } });
    if !args.intermediates.is_empty() {
        policy["trust"]["intermediates"] = json!(files(&args.intermediates)?);
    }
    if !args.crl.is_empty() {
        policy["revocation"] = json!({ "crls": files(&args.crl)? });
    }
    if !args.usage.is_empty() {
        policy["usage"] = json!(args.usage);
    }
    if let Some(profile) = &args.profile {
        policy["profile"] = json!(profile);
    }
    if let Some(format) = &args.forwarded {
        policy["forwarded"] = json!({ "format": format, "trusted_proxies": [args.peer] });
    }
    let rules: Vec<Value> = [
        ("spiffe_id", &args.allow_spiffe),
        ("dns", &args.allow_dns),
        ("uri", &args.allow_uri),
        ("email", &args.allow_email),
        ("ip", &args.allow_ip),
    ]
    .into_iter()
    .flat_map(|(matcher, values)| values.iter().map(move |value| json!({ matcher: value })))
    .chain(
        args.allow_cn
            .iter()
            .map(|cn| json!({ "subject": { "CN": cn } })),
    )
    .collect();
    if !rules.is_empty() {
        policy["allow"] = json!(rules);
    }
    Ok(policy)
}

fn print_identity(identity: &Identity, out: &mut String) {
    let list = |values: &[String]| {
        if values.is_empty() {
            "-".to_owned()
        } else {
            values.join(", ")
        }
    };
    let _ = writeln!(out, "  subject:      {}", identity.subject);
    let _ = writeln!(out, "  issuer:       {}", identity.issuer);
    let _ = writeln!(out, "  serial:       {}", identity.serial);
    let _ = writeln!(
        out,
        "  validity:     {} .. {}",
        format_time(identity.not_before),
        format_time(identity.not_after)
    );
    let _ = writeln!(
        out,
        "  spiffe id:    {}",
        identity.spiffe_id.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "  dns:          {}", list(&identity.san.dns));
    let _ = writeln!(out, "  uri:          {}", list(&identity.san.uri));
    let _ = writeln!(out, "  email:        {}", list(&identity.san.email));
    let ips: Vec<String> = identity.san.ip.iter().map(|ip| ip.to_string()).collect();
    let _ = writeln!(out, "  ip:           {}", list(&ips));
    let _ = writeln!(
        out,
        "  public key:   {}",
        identity.to_json_value()["public_key"]
    );
    let _ = writeln!(out, "  key usage:    {}", list(&identity.key_usage));
    let _ = writeln!(
        out,
        "  ext. usage:   {}",
        list(&identity.extended_key_usage)
    );
    let _ = writeln!(out, "  is CA:        {}", identity.is_ca);
    let _ = writeln!(out, "  sha256:       {}", identity.fingerprint_sha256);
    let _ = writeln!(out, "  spki sha256:  {}", identity.spki_sha256);
    if let Some(forwarded) = identity
        .verification
        .as_ref()
        .and_then(|verification| verification.forwarded.as_ref())
    {
        let _ = writeln!(
            out,
            "  forwarded:    by {} in {} ({})",
            forwarded.proxy, forwarded.header, forwarded.format
        );
    }
    if let Some(verification) = &identity.verification {
        let rule = verification
            .matched_rule
            .map_or("- (no allow list)".to_owned(), |index| {
                format!("allow[{index}]")
            });
        let _ = writeln!(out, "  matched rule: {rule}");
        let _ = writeln!(
            out,
            "  path:         {} certificates",
            verification.chain_fingerprints.len()
        );
    }
}
