//! What the commands read: files or standard input, and the certificates in them.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::error::UsageError;

/// A file's bytes, or standard input's for `-`. An empty input, a folder or an
/// unreadable file is the caller's error.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>, UsageError> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| UsageError(format!("cannot read standard input: {e}")))?;
        bytes
    } else if path.is_dir() {
        return Err(UsageError(format!(
            "{} is a folder, not a file",
            path.display()
        )));
    } else {
        std::fs::read(path)
            .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?
    };
    if bytes.is_empty() {
        let name = match path == Path::new("-") {
            true => "standard input".to_owned(),
            false => path.display().to_string(),
        };
        return Err(UsageError(format!("{name} is empty")));
    }
    Ok(bytes)
}

/// Standard input can be read once: refuse `-` given twice.
pub(crate) fn check_stdin_once(paths: &[PathBuf]) -> Result<(), UsageError> {
    match paths.iter().filter(|p| *p == Path::new("-")).count() {
        0 | 1 => Ok(()),
        _ => Err(UsageError(
            "- (standard input) may be given once".to_owned(),
        )),
    }
}
