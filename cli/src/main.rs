//! `certgate`: inspect certificates and verify peer chains against an mTLS policy.
//!
//! Exit codes: 0 allowed (or inspected), 1 rejected, 2 usage, file or policy error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use certgate::{Identity, Rejection, Verifier};
use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};

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
    /// Print the identity of a certificate (no verification).
    Inspect {
        /// Certificate file (PEM or DER); for a PEM bundle, the first certificate.
        cert: PathBuf,
        /// Print the canonical identity JSON.
        #[arg(long)]
        json: bool,
    },
    /// Decide whether a peer chain is allowed by a policy.
    Verify(Box<VerifyArgs>),
}

#[derive(Args)]
struct VerifyArgs {
    /// Peer chain file: leaf first, then intermediates (PEM bundle or one DER certificate).
    chain: PathBuf,
    /// Policy JSON file (API.md §1). Excludes the shortcut options below.
    #[arg(long, conflicts_with_all = ["ca", "intermediates", "crl", "usage", "allow_spiffe", "allow_dns", "allow_uri", "allow_email", "allow_ip", "allow_cn"])]
    policy: Option<PathBuf>,
    /// Trust anchors (PEM bundle). Repeatable.
    #[arg(long, value_name = "FILE")]
    ca: Vec<PathBuf>,
    /// Pool of untrusted intermediates (PEM bundle). Repeatable.
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
    /// Verification time, RFC 3339 (default: now), e.g. 2026-06-01T00:00:00Z.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Print JSON: the identity on success, {code, message, cert_index} on rejection.
    #[arg(long)]
    json: bool,
}

/// A failure that is the caller's (file, usage, policy): exit 2.
struct UsageError(String);

impl From<Rejection> for UsageError {
    fn from(rejection: Rejection) -> Self {
        UsageError(format!("policy error: {rejection}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { cert, json } => inspect(&cert, json),
        Command::Verify(args) => verify(&args),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("certgate: {message}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, UsageError> {
    std::fs::read(path).map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))
}

fn read_text(path: &Path) -> Result<String, UsageError> {
    String::from_utf8(read(path)?)
        .map_err(|_| UsageError(format!("{} is not UTF-8 text", path.display())))
}

fn inspect(path: &Path, json: bool) -> Result<ExitCode, UsageError> {
    match certgate::inspect(&read(path)?) {
        Ok(identity) => {
            if json {
                println!("{}", identity.to_json());
            } else {
                print_identity(&identity);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(rejection) => {
            println!("REJECTED {}: {}", rejection.code(), rejection.message());
            Ok(ExitCode::from(1))
        }
    }
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, UsageError> {
    let policy = match &args.policy {
        Some(path) => certgate::Policy::from_json(&read_text(path)?)?,
        None => certgate::Policy::from_value(shortcut_policy(args)?)?,
    };
    let verifier = Verifier::new(policy)?;
    let at = args.at.as_deref().map(parse_time).transpose()?;
    let chain = read(&args.chain)?;
    match verifier.verify(&[chain], at) {
        Ok(identity) => {
            if args.json {
                println!("{}", identity.to_json());
            } else {
                println!("ALLOWED {}", identity.subject);
                print_identity(&identity);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(rejection) => {
            if args.json {
                let outcome = json!({
                    "ok": false,
                    "code": rejection.code().as_str(),
                    "message": rejection.message(),
                    "cert_index": rejection.cert_index(),
                });
                println!("{outcome}");
            } else {
                println!("REJECTED {}: {}", rejection.code(), rejection.message());
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// Builds a policy from the shortcut options: each --allow-* value is one rule.
fn shortcut_policy(args: &VerifyArgs) -> Result<Value, UsageError> {
    if args.ca.is_empty() {
        return Err(UsageError(
            "verify needs --policy FILE or --ca FILE".to_owned(),
        ));
    }
    let texts = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| read_text(p))
            .collect::<Result<Vec<_>, _>>()
    };
    let mut policy = json!({ "trust": { "anchors": texts(&args.ca)? } });
    if !args.intermediates.is_empty() {
        policy["trust"]["intermediates"] = json!(texts(&args.intermediates)?);
    }
    if !args.crl.is_empty() {
        let crls: Vec<Vec<u8>> = args.crl.iter().map(|p| read(p)).collect::<Result<_, _>>()?;
        policy["revocation"] = json!({ "crls": crls });
    }
    if !args.usage.is_empty() {
        policy["usage"] = json!(args.usage);
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

fn parse_time(text: &str) -> Result<u64, UsageError> {
    let time = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| UsageError(format!("--at {text:?} is not an RFC 3339 time ({e})")))?;
    u64::try_from(time.unix_timestamp())
        .map_err(|_| UsageError(format!("--at {text:?} is before 1970")))
}

fn format_time(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| seconds.to_string())
}

fn print_identity(identity: &Identity) {
    let list = |values: &[String]| {
        if values.is_empty() {
            "-".to_owned()
        } else {
            values.join(", ")
        }
    };
    println!("  subject:      {}", identity.subject);
    println!("  issuer:       {}", identity.issuer);
    println!("  serial:       {}", identity.serial);
    println!(
        "  validity:     {} .. {}",
        format_time(identity.not_before),
        format_time(identity.not_after)
    );
    println!(
        "  spiffe id:    {}",
        identity.spiffe_id.as_deref().unwrap_or("-")
    );
    println!("  dns:          {}", list(&identity.san.dns));
    println!("  uri:          {}", list(&identity.san.uri));
    println!("  email:        {}", list(&identity.san.email));
    let ips: Vec<String> = identity.san.ip.iter().map(|ip| ip.to_string()).collect();
    println!("  ip:           {}", list(&ips));
    println!("  public key:   {}", identity.to_json_value()["public_key"]);
    println!("  key usage:    {}", list(&identity.key_usage));
    println!("  ext. usage:   {}", list(&identity.extended_key_usage));
    println!("  is CA:        {}", identity.is_ca);
    println!("  sha256:       {}", identity.fingerprint_sha256);
    println!("  spki sha256:  {}", identity.spki_sha256);
    if let Some(verification) = &identity.verification {
        let rule = verification
            .matched_rule
            .map_or("- (no allow list)".to_owned(), |index| {
                format!("allow[{index}]")
            });
        println!("  matched rule: {rule}");
        println!(
            "  path:         {} certificates",
            verification.chain_fingerprints.len()
        );
    }
}
