//! `make fuzz-smoke`: replays every file of `corpus/<target>/` and `regressions/<target>/`
//! (reproducers of fixed findings) through the same target body the libFuzzer entry point
//! runs, on the stable toolchain. A plain `main` on one
//! thread, so the counting allocator measures each call alone.
//!
//! `cargo test --no-default-features --test replay -- [TARGET...] [--found | --from DIR]`:
//! only the named targets; `--found` replays `artifacts-found/<target>/` instead (the
//! reproducers of findings not yet fixed, which fail until they are), `--from DIR`
//! `DIR/<target>/` (e.g. `--from artifacts`, what `make fuzz` kept). `CERTGATE_FUZZ_TRACE_ALLOC=N`
//! prints a backtrace of every allocation of N bytes or more.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use certgate_fuzz::{alloc, check, targets};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The corpora and the reproducers of fixed findings, unless told otherwise.
    let mut folders = vec![root.join("corpus"), root.join("regressions")];
    let mut found = false;
    let mut chosen: Vec<&str> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--found" => (folders, found) = (vec![root.join("artifacts-found")], true),
            "--from" => {
                let dir = args.next().expect("--from needs a folder");
                (folders, found) = (vec![root.join(dir)], true);
            }
            other if !other.starts_with('-') => chosen.push(other),
            _ => {}
        }
    }
    alloc::trace_from_env();
    // Build the fixed verifiers before anything is measured or timed.
    certgate_fuzz::fixtures::get();
    let (mut passed, mut failed) = (0usize, 0usize);
    let start = Instant::now();
    for name in targets::NAMES {
        if !chosen.is_empty() && !chosen.contains(&name) {
            continue;
        }
        let body = targets::by_name(name).expect("every name has a body");
        let inputs: Vec<PathBuf> = folders
            .iter()
            .flat_map(|folder| files(&folder.join(name)))
            .collect();
        if inputs.is_empty() && !found {
            eprintln!("FAILED {name}: no corpus in corpus/{name}");
            failed += 1;
            continue;
        }
        let began = Instant::now();
        let (mut worst_ratio, mut worst_peak, mut largest) = (0.0f64, 0usize, 0usize);
        for path in &inputs {
            let data = std::fs::read(path).expect("a corpus file reads");
            largest = largest.max(data.len());
            match catch_unwind(AssertUnwindSafe(|| body(&data))) {
                Ok(()) => {
                    passed += 1;
                    let peak = alloc::last_peak();
                    let ratio = peak as f64 / check::allocation_bound(data.len()) as f64;
                    if ratio > worst_ratio {
                        (worst_ratio, worst_peak) = (ratio, peak);
                    }
                }
                Err(_) => {
                    failed += 1;
                    eprintln!("FAILED {name}: {}", path.display());
                }
            }
        }
        println!(
            "{name}: {} inputs (largest {largest} bytes) in {:.2} s; highest peak/bound {:.1}% ({worst_peak} bytes)",
            inputs.len(),
            began.elapsed().as_secs_f64(),
            worst_ratio * 100.0
        );
    }
    println!("replay took {:.2} s", start.elapsed().as_secs_f64());
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
