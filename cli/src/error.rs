//! The CLI's caller error, and warnings: a leaf module every command uses.

use std::io::Write as _;

use certgate::Rejection;

/// A failure that is the caller's (file, usage, policy, or a server `probe` cannot
/// reach): the command prints nothing on standard output and exits 2.
pub(crate) struct UsageError(pub(crate) String);

impl From<Rejection> for UsageError {
    fn from(rejection: Rejection) -> Self {
        UsageError(format!("policy error: {rejection}"))
    }
}

/// One line on standard error; a closed stderr is not worth a panic.
pub(crate) fn warn(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}
