//! `certgate expiry`: which certificates in some files and folders expire first, and
//! whether any does so sooner than `--warn` allows (for cron and CI).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};

use crate::clock::{format_duration, format_time, now, parse_duration, parse_time};
use crate::error::{warn, UsageError};
use crate::summary::CertSummary;
use crate::table::{plural, write_columns};

/// File name extensions read when scanning a folder; files named on the command line
/// are read whatever their name.
const EXTENSIONS: &[&str] = &["pem", "crt", "cer", "der", "p7b", "p7c"];

/// `certgate expiry` options.
#[derive(Args)]
pub(crate) struct ExpiryArgs {
    /// Certificate files and folders. A folder is scanned recursively for *.pem *.crt
    /// *.cer *.der *.p7b *.p7c files, skipping hidden entries (names starting with a
    /// dot) and symbolic links to folders. Files hold PEM (text dumps included), DER or
    /// PKCS#7; every certificate of a bundle is listed. A file holding no certificate is
    /// skipped with a warning on standard error.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Exit 1 when a certificate has expired or expires within DURATION: a whole number
    /// and a unit, ms, s, m, h or d (30d, 12h, 90m). Without it the exit code is 0
    /// whatever the dates.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    warn: Option<Duration>,
    /// Look from this time instead of now, RFC 3339 (e.g. 2026-06-01T00:00:00Z).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Print one JSON object: {at, warn_seconds, certificates: [...], skipped: [...],
    /// expired, expiring} (docs/cli.md).
    #[arg(long)]
    json: bool,
}

/// How urgent one certificate is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Expired,
    /// Expires within `--warn`.
    Expiring,
    Ok,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Expired => "expired",
            Status::Expiring => "expiring",
            Status::Ok => "ok",
        }
    }
}

/// One certificate found, and where.
struct Found {
    summary: CertSummary,
    file: String,
    /// Position in its file (0 = first).
    index: usize,
    status: Status,
}

/// A file left out, and why.
struct Skipped {
    file: String,
    reason: String,
}

pub(crate) fn expiry(args: &ExpiryArgs, out: &mut String) -> Result<ExitCode, UsageError> {
    let at = match &args.at {
        Some(text) => i64::try_from(parse_time(text)?).unwrap_or(i64::MAX),
        None => now(),
    };
    let warn_seconds = args
        .warn
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let mut files = Vec::new();
    for path in &args.paths {
        collect(path, &mut files)?;
    }
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for file in &files {
        read_file(file, at, warn_seconds, &mut found, &mut skipped)?;
    }
    for skip in &skipped {
        warn(&format!(
            "certgate: warning: skipping {}: {}",
            skip.file, skip.reason
        ));
    }
    if found.is_empty() {
        return Err(UsageError(
            "no certificate found in the paths given".to_owned(),
        ));
    }
    found.sort_by(|a, b| {
        (a.summary.identity().not_after, &a.file, a.index).cmp(&(
            b.summary.identity().not_after,
            &b.file,
            b.index,
        ))
    });
    let count = |status| found.iter().filter(|f| f.status == status).count();
    let (expired, expiring) = (count(Status::Expired), count(Status::Expiring));
    if args.json {
        let certificates: Vec<Value> = found
            .iter()
            .map(|f| {
                let mut entry = f.summary.to_json();
                entry["file"] = json!(f.file);
                entry["index"] = json!(f.index);
                entry["status"] = json!(f.status.as_str());
                entry
            })
            .collect();
        let skipped: Vec<Value> = skipped
            .iter()
            .map(|s| json!({ "file": s.file, "reason": s.reason }))
            .collect();
        let document = json!({
            "at": at,
            "warn_seconds": warn_seconds,
            "certificates": certificates,
            "skipped": skipped,
            "expired": expired,
            "expiring": expiring,
        });
        let _ = writeln!(out, "{document}");
    } else {
        print_table(&found, out);
        let mut read: Vec<&str> = found.iter().map(|f| f.file.as_str()).collect();
        read.sort_unstable();
        read.dedup();
        let mut total = format!(
            "{} certificate{} in {} file{}: {expired} expired",
            found.len(),
            plural(found.len()),
            read.len(),
            plural(read.len()),
        );
        if let Some(warn) = args.warn {
            let _ = write!(
                total,
                ", {expiring} expiring within {}",
                format_duration(warn)
            );
        }
        let _ = writeln!(out, "{total}");
    }
    Ok(match args.warn {
        Some(_) if expired + expiring > 0 => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// One line per certificate, most urgent first, in aligned columns: status, notAfter,
/// time left, subject, SANs, file (`#N` for the Nth certificate of a bundle).
fn print_table(found: &[Found], out: &mut String) {
    let rows: Vec<[String; 6]> = found
        .iter()
        .map(|f| {
            let mut file = f.file.clone();
            if f.index > 0 {
                let _ = write!(file, "#{}", f.index);
            }
            [
                f.status.as_str().to_ascii_uppercase(),
                format_time(f.summary.identity().not_after),
                f.summary.when(),
                f.summary.identity().subject.clone(),
                f.summary.sans(),
                file,
            ]
        })
        .collect();
    write_columns(&rows, out);
}

/// Adds `path` to `files`: a file as it is, a folder by a recursive scan in name order.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), UsageError> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
    if !metadata.is_dir() {
        files.push(path.to_owned());
        return Ok(());
    }
    let cannot =
        |e: std::io::Error| UsageError(format!("cannot read the folder {}: {e}", path.display()));
    let mut entries = std::fs::read_dir(path)
        .map_err(cannot)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(cannot)?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let full = entry.path();
        let kind = entry.file_type().map_err(cannot)?;
        if kind.is_dir() {
            collect(&full, files)?;
            continue;
        }
        // Links to files are followed (Kubernetes mounts secrets through them); links
        // to folders are not, so that a scan cannot loop.
        let is_file = std::fs::metadata(&full).is_ok_and(|m| m.is_file());
        let wanted = full
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()));
        if is_file && wanted {
            files.push(full);
        }
    }
    Ok(())
}

/// Reads the certificates of one file into `found`, or notes in `skipped` why it holds
/// none. Only a file that cannot be read is an error.
fn read_file(
    path: &Path,
    at: i64,
    warn_seconds: Option<i64>,
    found: &mut Vec<Found>,
    skipped: &mut Vec<Skipped>,
) -> Result<(), UsageError> {
    let file = path.display().to_string();
    let cannot = |e: std::io::Error| UsageError(format!("cannot read {file}: {e}"));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    let skip = |reason: String| Skipped {
        file: file.clone(),
        reason,
    };
    // Checked before reading, so that a scan does not load a large unrelated file.
    if size > certgate::MAX_INPUT_BYTES as u64 {
        skipped.push(skip(format!(
            "{size} bytes is more than a certificate file holds (limit {} bytes)",
            certgate::MAX_INPUT_BYTES
        )));
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    if bytes.is_empty() {
        skipped.push(skip("the file is empty".to_owned()));
        return Ok(());
    }
    let ders = match certgate::certificates(&bytes) {
        Ok(ders) => ders,
        Err(rejection) => {
            skipped.push(skip(rejection.message().to_owned()));
            return Ok(());
        }
    };
    for (index, der) in ders.iter().enumerate() {
        match CertSummary::new(der, at) {
            Ok(summary) => {
                let status = if summary.expired() {
                    Status::Expired
                } else if warn_seconds.is_some_and(|warn| summary.seconds_left() < warn) {
                    Status::Expiring
                } else {
                    Status::Ok
                };
                found.push(Found {
                    summary,
                    file: file.clone(),
                    index,
                    status,
                });
            }
            Err(rejection) => skipped.push(Skipped {
                file: format!("{file}#{index}"),
                reason: rejection.message().to_owned(),
            }),
        }
    }
    Ok(())
}
