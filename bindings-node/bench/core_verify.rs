//! The core's own verify on the benchmark fixtures, without the Node binding: the
//! baseline that `bench/bench.mjs` compares the addon against (target: within 1.15×).
//!
//! `core_verify FIXTURE_DIR [ROUND_MS]` (FIXTURE_DIR written by `certgate-vectors bench`).
//! With ROUND_MS, one timed round of that length per policy (bench.mjs calls it once per
//! round, between its own contenders); without, five rounds of 400 ms and the best counts.
//! Prints one JSON object per policy: `{"name", "ops_per_sec"}`. Standalone:
//! `cargo bench -p certgate-node --bench core_verify -- FIXTURE_DIR`.

use std::time::{Duration, Instant};

use certgate::Verifier;

/// Calls `run` for `rounds` rounds of `round` (after a warm-up); the best round's calls per second.
fn ops_per_sec(rounds: u32, round: Duration, mut run: impl FnMut()) -> f64 {
    let warm_up = Instant::now();
    while warm_up.elapsed() < round / 4 {
        run();
    }
    let mut best = 0.0f64;
    for _ in 0..rounds {
        let start = Instant::now();
        let mut calls = 0u64;
        while start.elapsed() < round {
            for _ in 0..20 {
                run();
            }
            calls += 20;
        }
        best = best.max(calls as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // cargo bench appends `--bench`; positional arguments are the directory and the round length.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let dir = args
        .first()
        .ok_or("usage: core_verify FIXTURE_DIR [ROUND_MS]")?;
    let (rounds, round) = match args.get(1) {
        Some(ms) => (1, Duration::from_millis(ms.parse()?)),
        None => (5, Duration::from_millis(400)),
    };
    let read = |file: &str| std::fs::read(format!("{dir}/{file}"));
    let chain = [read("leaf.der")?, read("intermediate.der")?];
    for (name, policy) in [
        ("core verify", "policy.json"),
        ("core verify, 100k CRL", "policy-crl.json"),
    ] {
        let verifier = Verifier::from_json(&String::from_utf8(read(policy)?)?)?;
        verifier.verify(&chain, None)?;
        let ops = ops_per_sec(rounds, round, || {
            std::hint::black_box(verifier.verify(std::hint::black_box(&chain), None)).ok();
        });
        println!(
            "{}",
            serde_json::json!({ "name": name, "ops_per_sec": ops })
        );
    }
    Ok(())
}
