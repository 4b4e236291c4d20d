//! `certgate-vectors` writes certgate's cross-language conformance vectors and demo PKI.
//!
//! ```text
//! certgate-vectors vectors DIR   # DIR/pki/*.pem|*.key and DIR/cases.json (fixed instant)
//! certgate-vectors demo DIR      # a small PKI valid now, plus policy.json, for `make demo`
//! ```
//!
//! Expected identities are computed from the generator's own certificate specs, never
//! by the certgate crate. The `openssl` CLI is needed in `vectors` mode only (RSA key
//! generation and one ECDSA-SHA512 signature).

use std::path::Path;
use std::process::ExitCode;

mod demo;
mod der;
mod identity;
mod pki;
mod vectors;

/// The generator's error type: any error, reported once on stderr.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: certgate-vectors vectors DIR | certgate-vectors demo DIR";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [mode, dir] if mode == "vectors" => vectors::write(Path::new(dir)),
        [mode, dir] if mode == "demo" => demo::write(Path::new(dir)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("certgate-vectors: {err}");
            ExitCode::FAILURE
        }
    }
}
