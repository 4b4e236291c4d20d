//! The two deciders: certgate's `Verifier` and OpenSSL's `openssl verify` CLI.

use std::path::Path;
use std::process::Command;

use serde::Serialize;
use serde_json::json;

use crate::build::{Built, AT};

/// certgate's decision.
#[derive(Clone, Debug, Serialize)]
pub struct CertgateOutcome {
    pub accept: bool,
    /// The stable code of the refusal (`INVALID_POLICY` if the policy did not compile,
    /// `PANIC` if certgate panicked).
    pub code: Option<String>,
    pub message: String,
    /// Warnings of the verifier (CRLs left out), for the record.
    pub warnings: Vec<String>,
}

/// One error `openssl verify` printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpensslError {
    /// The X509_V_ERR_* number.
    pub num: u32,
    /// The chain depth (0: the leaf).
    pub depth: usize,
    pub text: String,
    /// The error came from the validation of a CRL's own path (`[CRL path]`).
    pub crl_path: bool,
}

/// OpenSSL's decision.
#[derive(Clone, Debug, Serialize)]
pub struct OpensslOutcome {
    pub accept: bool,
    /// Every error printed. The CLI's callback lets validation go on after some errors
    /// (expiry, CRL times, invalid CA, path length, unhandled critical extension), so
    /// there may be several.
    pub errors: Vec<OpensslError>,
    /// The output, when it could not be read as a decision.
    pub raw: String,
}

/// The certgate policy of a case (PEM inline): the root as the only anchor, usage
/// client, the default (strict) profile, and with CRLs revocation of the whole chain,
/// unknown status and expired CRLs denied.
pub fn policy(built: &Built, with_crls: bool) -> serde_json::Value {
    let mut policy = json!({
        "trust": { "anchors": built.root },
        "usage": "client",
        "profile": "strict",
    });
    if with_crls {
        policy["revocation"] = json!({
            "crls": built.crls,
            "depth": "chain",
            "unknown_status": "deny",
            "expired_crl": "deny",
        });
    }
    policy
}

pub fn certgate(built: &Built, with_crls: bool) -> CertgateOutcome {
    let policy = policy(built, with_crls).to_string();
    let chain: Vec<&[u8]> = std::iter::once(built.leaf.as_bytes())
        .chain(built.untrusted.iter().map(|pem| pem.as_bytes()))
        .collect();
    let run = std::panic::catch_unwind(|| {
        let verifier = match certgate::Verifier::from_json(&policy) {
            Ok(verifier) => verifier,
            Err(rejection) => return (Err(rejection), Vec::new()),
        };
        let warnings = verifier
            .warnings()
            .iter()
            .map(|w| format!("{}: {}", w.source(), w.message()))
            .collect();
        (verifier.verify(&chain, Some(AT as u64)), warnings)
    });
    match run {
        Ok((Ok(_identity), warnings)) => CertgateOutcome {
            accept: true,
            code: None,
            message: String::new(),
            warnings,
        },
        Ok((Err(rejection), warnings)) => CertgateOutcome {
            accept: false,
            code: Some(rejection.code().as_str().to_owned()),
            message: rejection.message().to_owned(),
            warnings,
        },
        Err(panic) => CertgateOutcome {
            accept: false,
            code: Some("PANIC".to_owned()),
            message: panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default(),
            warnings: Vec::new(),
        },
    }
}

/// Writes the case's files into `dir`: root.pem, leaf.pem, untrusted.pem (if the peer
/// sends more than its leaf) and crls.pem (if the case has CRLs).
pub fn write_files(built: &Built, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("root.pem"), &built.root)?;
    std::fs::write(dir.join("leaf.pem"), &built.leaf)?;
    let _ = std::fs::remove_file(dir.join("untrusted.pem"));
    let _ = std::fs::remove_file(dir.join("crls.pem"));
    if !built.untrusted.is_empty() {
        std::fs::write(dir.join("untrusted.pem"), built.untrusted.concat())?;
    }
    if !built.crls.is_empty() {
        std::fs::write(dir.join("crls.pem"), built.crls.concat())?;
    }
    Ok(())
}

/// How OpenSSL is run.
#[derive(Clone, Debug)]
pub struct OpensslConfig {
    pub program: String,
    /// `-x509_strict`.
    pub strict: bool,
}

/// The arguments of `openssl verify` for the files `write_files` wrote into `dir`
/// (relative names; run in `dir`).
pub fn openssl_args(built: &Built, with_crls: bool, config: &OpensslConfig) -> Vec<String> {
    let mut args: Vec<String> = vec!["verify".into()];
    if config.strict {
        args.push("-x509_strict".into());
    }
    args.extend(
        [
            "-purpose",
            "sslclient",
            "-attime",
            &AT.to_string(),
            // Only the case's root: not the system's CA file, folder or store.
            "-no-CApath",
            "-no-CAstore",
            "-CAfile",
            "root.pem",
        ]
        .map(String::from),
    );
    if !built.untrusted.is_empty() {
        args.extend(["-untrusted", "untrusted.pem"].map(String::from));
    }
    if with_crls {
        args.push("-crl_check_all".into());
        // A case whose every CA withholds its CRL has no file to give.
        if !built.crls.is_empty() {
            args.extend(["-CRLfile", "crls.pem"].map(String::from));
        }
    }
    args.push("leaf.pem".into());
    args
}

pub fn openssl(
    built: &Built,
    with_crls: bool,
    dir: &Path,
    config: &OpensslConfig,
) -> std::io::Result<OpensslOutcome> {
    write_files(built, dir)?;
    let output = Command::new(&config.program)
        .args(openssl_args(built, with_crls, config))
        .current_dir(dir)
        // No system configuration: the same behaviour wherever it runs.
        .env("OPENSSL_CONF", "/dev/null")
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let errors = parse_errors(&stderr);
    let accept = output.status.success() && stdout.trim_end().ends_with("leaf.pem: OK");
    let understood = accept || (output.status.code() == Some(2) && !errors.is_empty());
    Ok(OpensslOutcome {
        accept,
        errors,
        raw: if understood {
            String::new()
        } else {
            format!(
                "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                output.status.code()
            )
        },
    })
}

/// Reads the `error N at D depth lookup: TEXT` lines of `openssl verify`.
fn parse_errors(stderr: &str) -> Vec<OpensslError> {
    stderr
        .lines()
        .filter_map(|line| {
            let (crl_path, line) = match line.strip_prefix("[CRL path] ") {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let rest = line.strip_prefix("error ")?;
            let (num, rest) = rest.split_once(" at ")?;
            let (depth, text) = rest.split_once(" depth lookup: ")?;
            Some(OpensslError {
                num: num.parse().ok()?,
                depth: depth.parse().ok()?,
                text: text.to_owned(),
                crl_path,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_error_lines() {
        let errors = parse_errors(
            "O = x, CN = y\nerror 10 at 1 depth lookup: certificate has expired\n\
             [CRL path] error 3 at 0 depth lookup: unable to get certificate CRL\n\
             error leaf.pem: verification failed\n",
        );
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].num, errors[0].depth), (10, 1));
        assert!(errors[1].crl_path);
    }
}
