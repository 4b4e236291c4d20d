//! `certgate-vectors` writes certgate's cross-language conformance vectors, a demo PKI
//! and benchmark fixtures.
//!
//! ```text
//! certgate-vectors vectors DIR   # DIR/pki/*.pem|*.key and DIR/cases.json (fixed instant)
//! certgate-vectors demo DIR      # a small PKI valid now, plus policy.json, for `make demo`
//! certgate-vectors bench DIR     # root/intermediate/leaf, a 100,000-entry CRL, policies
//! ```
//!
//! Expected identities are computed from the generator's own certificate specs, never
//! by the certgate crate. The `openssl` CLI is needed in `vectors` mode only (RSA key
//! generation and one ECDSA-SHA512 signature).

use std::path::Path;
use std::process::ExitCode;

mod bench;
mod demo;
mod identity;
mod pki;
mod vectors;

/// The generator's error type: any error, reported once on stderr.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: certgate-vectors (vectors | demo | bench) DIR   (--help for details)";

const HELP: &str = "\
certgate-vectors: writes certgate's test PKIs.

usage:
  certgate-vectors vectors DIR   conformance vectors: DIR/pki/*.pem, DIR/pki/*.key and
                                 DIR/cases.json, laid out around 2026-06-01T00:00:00Z
                                 (needs the openssl CLI on PATH)
  certgate-vectors demo DIR      a demo PKI valid now (leaves for 90 days) for `make demo`:
                                 ca.pem, intermediate.pem, crl.pem, policy.json, server.pem/.key
                                 and clients allowed, revoked, wrong-spiffe, expired, untrusted
  certgate-vectors bench DIR     benchmark fixtures valid now (CRLs for 7 days; regenerate
                                 before a run): root.pem/.der, intermediate.pem/.der,
                                 leaf.pem/.der/.key (P-256, spiffe://bench.example/ns/prod/sa/api,
                                 clientAuth), chain.pem (leaf + intermediate), crl-100k.der/.pem
                                 (the intermediate's CRL, 100,000 random serials, not the leaf's),
                                 root-crl.der/.pem (empty), policy.json (anchors = root, allow
                                 spiffe_trust_domain bench.example), policy-crl.json (plus both
                                 CRLs) and README.txt. Takes under a second in release.
  certgate-vectors --help        this text

DIR is created when missing; existing files of the same name are overwritten.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag] if flag == "--help" || flag == "-h" || flag == "help" => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        [mode, dir] if mode == "vectors" => vectors::write(Path::new(dir)),
        [mode, dir] if mode == "demo" => demo::write(Path::new(dir)),
        [mode, dir] if mode == "bench" => bench::write(Path::new(dir)),
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
