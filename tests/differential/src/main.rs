//! Differential testing of certgate against OpenSSL (`openssl verify`).
//!
//! Each case is a small random PKI (root, 0–3 CAs, a client leaf, maybe CRLs) with
//! deliberate mutations, drawn from a seed and its case number. certgate (strict
//! profile, usage client, revocation of the whole chain when the case has CRLs) and
//! `openssl verify -x509_strict -purpose sslclient [-crl_check_all]` decide it at the
//! same time; every disagreement must be explained by a rule (src/rules.rs). See
//! README.md.

mod build;
mod decide;
mod der;
mod rules;
mod spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use clap::Parser;
use serde::Serialize;

use decide::{CertgateOutcome, OpensslConfig, OpensslOutcome};
use rules::{Side, Verdict};
use spec::CaseSpec;

fn parse_seed(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|e| format!("{text:?} is not a seed: {e}"))
}

#[derive(Parser, Debug)]
#[command(about = "certgate vs openssl verify on random small PKIs")]
struct Args {
    /// Number of cases.
    #[arg(long, default_value_t = 500)]
    cases: u64,
    /// First case number.
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Seed of the run, decimal or 0x-hex (a case is reproduced by its seed and number).
    #[arg(long, default_value = "0xc37a7ed1ff0001", value_parser = parse_seed)]
    seed: u64,
    /// Run only this case, print everything about it and keep its files.
    #[arg(long)]
    case: Option<u64>,
    /// With --case: leave out the mutations with these indexes (0-based; repeatable).
    #[arg(long)]
    without: Vec<usize>,
    /// Worker threads (default: the number of CPUs).
    #[arg(long)]
    jobs: Option<usize>,
    /// The openssl program.
    #[arg(long, default_value = "openssl")]
    openssl: String,
    /// Run openssl verify without -x509_strict.
    #[arg(long)]
    no_x509_strict: bool,
    /// Where unexplained and finding cases are saved (default: target/differential/found).
    #[arg(long)]
    found: Option<PathBuf>,
    /// Do not save unexplained cases.
    #[arg(long)]
    no_save: bool,
    /// Do not fail on disagreements explained by a finding (a reported certgate bug).
    #[arg(long)]
    allow_findings: bool,
    /// Fail also when an explained disagreement's rule is not documented in docs/.
    #[arg(long)]
    require_docs: bool,
    /// Write every case's spec, outcomes and verdict as JSON lines to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Keep every case's files under this folder (case-N/).
    #[arg(long)]
    keep: Option<PathBuf>,
}

/// One decided case.
#[derive(Serialize)]
struct Decided {
    spec: CaseSpec,
    certgate: CertgateOutcome,
    openssl: OpensslOutcome,
    verdict: Verdict,
}

/// The repository's root (this crate is tests/differential).
fn workspace_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(Path::parent)
        .map_or(manifest.clone(), Path::to_path_buf)
}

fn run_case(spec: CaseSpec, dir: &Path, config: &OpensslConfig, rules: &[rules::Rule]) -> Decided {
    let built = match build::build(&spec) {
        Ok(built) => built,
        Err(e) => {
            return Decided {
                verdict: Verdict::Error(format!("cannot build the case: {e}")),
                certgate: CertgateOutcome {
                    accept: false,
                    code: None,
                    message: String::new(),
                    warnings: Vec::new(),
                },
                openssl: OpensslOutcome {
                    accept: false,
                    errors: Vec::new(),
                    raw: String::new(),
                },
                spec,
            }
        }
    };
    let certgate = decide::certgate(&built, spec.crls);
    let openssl = match decide::openssl(&built, spec.crls, dir, config) {
        Ok(outcome) => outcome,
        Err(e) => OpensslOutcome {
            accept: false,
            errors: Vec::new(),
            raw: format!("cannot run {}: {e}", config.program),
        },
    };
    let (verdict, blamed) = rules::classify(rules, &spec, &certgate, &openssl);
    let verdict = match verdict {
        Verdict::Explained(_) | Verdict::Finding(_) => {
            let verdict = confirm(verdict, &spec, &blamed, dir, config, rules);
            let _ = std::fs::remove_dir_all(dir.join("confirm"));
            verdict
        }
        other => other,
    };
    Decided {
        spec,
        certgate,
        openssl,
        verdict,
    }
}

/// An explanation holds only if the case without the mutations it blames is accepted by
/// both sides, or disagrees again in a way a rule explains (a verifier reports one
/// reason, and a second difference can hide behind the first), and so on until both
/// accept: then nothing unexplained in the case made them disagree.
fn confirm(
    verdict: Verdict,
    spec: &CaseSpec,
    blamed: &[usize],
    dir: &Path,
    config: &OpensslConfig,
    rules: &[rules::Rule],
) -> Verdict {
    let mut ids = match &verdict {
        Verdict::Explained(ids) | Verdict::Finding(ids) => ids.clone(),
        _ => return verdict,
    };
    let mut finding = matches!(verdict, Verdict::Finding(_));
    let masks = |ids: &[&str]| rules.iter().any(|r| r.masks && ids.contains(&r.id));
    let mut must_still_refuse = masks(&ids);
    let mut reduced = spec.clone();
    let mut blamed = blamed.to_vec();
    loop {
        if blamed.is_empty() {
            return Verdict::Unexplained(format!(
                "{} blames no mutation of case {}",
                ids.join(" + "),
                spec.case
            ));
        }
        reduced = reduced.without(&blamed);
        let outcome = build::build(&reduced)
            .map_err(|e| e.to_string())
            .and_then(|built| {
                let certgate = decide::certgate(&built, reduced.crls);
                let openssl = decide::openssl(&built, reduced.crls, &dir.join("confirm"), config)
                    .map_err(|e| e.to_string())?;
                Ok((certgate, openssl))
            });
        let (certgate, openssl) = match outcome {
            Ok(outcome) => outcome,
            Err(e) => return Verdict::Error(format!("cannot re-run the case: {e}")),
        };
        let (next, next_blamed) = rules::classify(rules, &reduced, &certgate, &openssl);
        match next {
            Verdict::AgreeAccept if must_still_refuse => {
                return Verdict::Unexplained(format!(
                    "certgate {} refused only because of the certificate the peer also sent \
                     (case {} without mutation(s) {blamed:?} is accepted)",
                    ids.join(" + "),
                    spec.case
                ));
            }
            Verdict::AgreeAccept => {
                return if finding {
                    Verdict::Finding(ids)
                } else {
                    Verdict::Explained(ids)
                }
            }
            Verdict::Explained(more) | Verdict::Finding(more) => {
                must_still_refuse = masks(&more);
                finding |= rules
                    .iter()
                    .any(|r| r.finding.is_some() && more.contains(&r.id));
                for id in more {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                blamed = next_blamed;
            }
            _ => {
                let left: Vec<String> = reduced.mutations.iter().map(|m| m.family()).collect();
                return Verdict::Unexplained(format!(
                    "{} not confirmed: with only [{}] left, certgate {} / openssl {}",
                    ids.join(" + "),
                    left.join(", "),
                    certgate.code.as_deref().unwrap_or("OK"),
                    if openssl.accept {
                        "OK".to_owned()
                    } else {
                        openssl
                            .errors
                            .iter()
                            .map(|e| format!("{}@{}", e.num, e.depth))
                            .collect::<Vec<_>>()
                            .join(",")
                    }
                ));
            }
        }
    }
}

/// Saves a case's files, what each side said, a policy file and a script that replays it
/// with the certgate CLI and openssl.
fn save_case(decided: &Decided, dir: &Path, config: &OpensslConfig) -> Result<(), build::Error> {
    let built = build::build(&decided.spec)?;
    decide::write_files(&built, dir)?;
    let mut policy = serde_json::json!({
        "trust": { "anchors": { "file": "root.pem" } },
        "usage": "client",
        "profile": "strict",
    });
    if decided.spec.crls {
        policy["revocation"] = serde_json::json!({
            "crls": { "file": "crls.pem" },
            "depth": "chain", "unknown_status": "deny", "expired_crl": "deny",
        });
    }
    std::fs::write(
        dir.join("policy.json"),
        serde_json::to_string_pretty(&policy)? + "\n",
    )?;
    std::fs::write(
        dir.join("case.json"),
        serde_json::to_string_pretty(decided)? + "\n",
    )?;
    let chain = if built.untrusted.is_empty() {
        "leaf.pem"
    } else {
        "leaf.pem untrusted.pem"
    };
    let args = decide::openssl_args(&built, decided.spec.crls, config).join(" ");
    let script = format!(
        "#!/bin/sh\n# seed {seed:#x} case {case}: certgate said {cg}, openssl said {os}.\n\
         # Regenerate: cargo run -p certgate-differential -- --seed {seed:#x} --case {case}\n\
         # CERTGATE: the certgate CLI (cargo build -p certgate-cli: target/debug/certgate).\n\
         cd \"$(dirname \"$0\")\"\n\
         echo '== certgate'\n\
         ${{CERTGATE:-certgate}} verify --policy policy.json --at 2026-06-01T00:00:00Z {chain}\n\
         echo '== openssl'\n\
         OPENSSL_CONF=/dev/null openssl {args}\n",
        seed = decided.spec.seed,
        case = decided.spec.case,
        cg = decided.certgate.code.as_deref().unwrap_or("OK"),
        os = if decided.openssl.accept {
            "OK"
        } else {
            "refused"
        },
    );
    let path = dir.join("repro.sh");
    std::fs::write(&path, script)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

fn describe(decided: &Decided) -> String {
    let mut out = String::new();
    let spec = &decided.spec;
    out += &format!(
        "case {} (seed {:#x}): {} CA(s) below the root, CRLs: {}\n",
        spec.case, spec.seed, spec.cas, spec.crls
    );
    for (i, m) in spec.mutations.iter().enumerate() {
        out += &format!(
            "  mutation {i}: {}\n",
            serde_json::to_string(m).unwrap_or_default()
        );
    }
    match &decided.certgate.code {
        None => out += "  certgate: OK\n",
        Some(code) => out += &format!("  certgate: {code}: {}\n", decided.certgate.message),
    }
    for w in &decided.certgate.warnings {
        out += &format!("  certgate warning: {w}\n");
    }
    if decided.openssl.accept {
        out += "  openssl: OK\n";
    }
    for e in &decided.openssl.errors {
        out += &format!(
            "  openssl: {}error {} at depth {}: {}\n",
            if e.crl_path { "[CRL path] " } else { "" },
            e.num,
            e.depth,
            e.text
        );
    }
    if !decided.openssl.raw.is_empty() {
        out += &format!("  openssl output: {}\n", decided.openssl.raw);
    }
    out += &format!("  verdict: {:?}\n", decided.verdict);
    out
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = OpensslConfig {
        program: args.openssl.clone(),
        strict: !args.no_x509_strict,
    };
    let rules = rules::rules();
    let docs_dir = workspace_dir().join("docs");

    if let Some(case) = args.case {
        let spec = CaseSpec::draw(args.seed, case).without(&args.without);
        let dir = args
            .keep
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join(format!("certgate-diff-case-{case}")));
        let decided = run_case(spec, &dir, &config, &rules);
        print!("{}", describe(&decided));
        if let Err(e) = save_case(&decided, &dir, &config) {
            eprintln!("cannot save the case: {e}");
        }
        println!("  files: {} (repro.sh replays it)", dir.display());
        return ExitCode::SUCCESS;
    }

    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let scratch =
        std::env::temp_dir().join(format!("certgate-differential-{}", std::process::id()));
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Decided>> = Mutex::new(Vec::with_capacity(args.cases as usize));
    std::thread::scope(|scope| {
        for worker in 0..jobs {
            let (next, results, rules, config, args, scratch) =
                (&next, &results, &rules, &config, &args, &scratch);
            scope.spawn(move || {
                let dir = scratch.join(format!("w{worker}"));
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as u64;
                    if i >= args.cases {
                        break;
                    }
                    let case = args.start + i;
                    let spec = CaseSpec::draw(args.seed, case);
                    let case_dir = match &args.keep {
                        Some(keep) => keep.join(format!("case-{case}")),
                        None => dir.clone(),
                    };
                    let decided = run_case(spec, &case_dir, config, rules);
                    results.lock().expect("no worker panics").push(decided);
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let elapsed = started.elapsed();
    let mut results = results.into_inner().expect("no worker panics");
    results.sort_by_key(|d| d.spec.case);

    if let Some(path) = &args.json {
        let lines: Vec<String> = results
            .iter()
            .map(|d| serde_json::to_string(d).unwrap_or_default())
            .collect();
        if let Err(e) = std::fs::write(path, lines.join("\n") + "\n") {
            eprintln!("cannot write {}: {e}", path.display());
        }
    }

    let version = std::process::Command::new(&config.program)
        .arg("version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    let failed = report(&results, &rules, &docs_dir, &args, &config);
    println!(
        "\n{} cases in {:.1} s ({:.1} ms a case, {} jobs); seed {:#x}, cases {}..{}; {version}: openssl verify{}",
        results.len(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / results.len().max(1) as f64,
        jobs,
        args.seed,
        args.start,
        args.start + args.cases,
        if config.strict { " -x509_strict" } else { "" },
    );
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the tables; true if the run fails.
fn report(
    results: &[Decided],
    rules: &[rules::Rule],
    docs_dir: &Path,
    args: &Args,
    config: &OpensslConfig,
) -> bool {
    let total = results.len();
    let count = |f: &dyn Fn(&Verdict) -> bool| results.iter().filter(|d| f(&d.verdict)).count();
    let agree_accept = count(&|v| matches!(v, Verdict::AgreeAccept));
    let agree_reject = count(&|v| matches!(v, Verdict::AgreeReject));
    let explained = count(&|v| matches!(v, Verdict::Explained(_)));
    let findings = count(&|v| matches!(v, Verdict::Finding(_)));
    let unexplained = count(&|v| matches!(v, Verdict::Unexplained(_)));
    let errors = count(&|v| matches!(v, Verdict::Error(_)));

    println!("== outcomes ({total} cases)");
    println!("  {:<46} {:>7}", "agree: both accept", agree_accept);
    println!("  {:<46} {:>7}", "agree: both refuse", agree_reject);
    println!("  {:<46} {:>7}", "disagree, explained by a rule", explained);
    println!(
        "  {:<46} {:>7}",
        "disagree, FINDING (a reported certgate bug)", findings
    );
    println!("  {:<46} {:>7}", "disagree, UNEXPLAINED", unexplained);
    println!("  {:<46} {:>7}", "harness error or certgate panic", errors);

    // Disagreements by rule (a case counts once per rule that explains part of it).
    let docs_text: BTreeMap<&str, String> = rules
        .iter()
        .filter_map(|r| r.doc.as_ref())
        .map(|d| {
            (
                d.file,
                std::fs::read_to_string(docs_dir.join(d.file)).unwrap_or_default(),
            )
        })
        .collect();
    let mut undocumented = Vec::new();
    println!("\n== explained disagreements, by rule");
    println!(
        "  {:<28} {:<17} {:>6}  {:<34} rule",
        "rule", "refused by", "cases", "documented in"
    );
    for rule in rules {
        let hits: Vec<u64> = results
            .iter()
            .filter(|d| {
                matches!(&d.verdict, Verdict::Explained(ids) | Verdict::Finding(ids)
                    if ids.contains(&rule.id))
            })
            .map(|d| d.spec.case)
            .collect();
        let doc = match (&rule.doc, rule.finding) {
            (_, Some(_)) => "FINDING: certgate bug".to_owned(),
            (Some(doc), None) => {
                // Compared with white space collapsed: re-wrapping a paragraph is fine.
                let squash = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
                let present = docs_text
                    .get(doc.file)
                    .is_some_and(|text| squash(text).contains(&squash(doc.text)));
                if present {
                    format!("{} {}", doc.file, doc.section)
                } else {
                    if !hits.is_empty() {
                        undocumented.push(rule.id);
                    }
                    format!("MISSING from {}", doc.file)
                }
            }
            (None, None) => {
                if !hits.is_empty() {
                    undocumented.push(rule.id);
                }
                "NOT DOCUMENTED".to_owned()
            }
        };
        let side = match rule.side {
            Side::CertgateStricter => "certgate",
            Side::OpensslStricter => "openssl",
        };
        println!(
            "  {:<28} {:<17} {:>6}  {:<34} {} [{}]{}",
            rule.id,
            side,
            hits.len(),
            doc,
            rule.summary,
            rule.rfc,
            match hits.first() {
                Some(first) => format!(" e.g. case {first}"),
                None => String::new(),
            }
        );
    }

    let mut groups: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for d in results {
        match &d.verdict {
            Verdict::Unexplained(sig) => groups.entry(sig.clone()).or_default().push(d.spec.case),
            Verdict::Finding(ids) => groups
                .entry(format!("FINDING {}", ids.join(" + ")))
                .or_default()
                .push(d.spec.case),
            Verdict::Error(e) => groups
                .entry(format!("ERROR {}", e.lines().next().unwrap_or("")))
                .or_default()
                .push(d.spec.case),
            _ => {}
        }
    }
    println!("\n== UNEXPLAINED disagreements, findings and errors");
    if groups.is_empty() {
        println!("  none");
    }
    for (sig, cases) in &groups {
        let shown: Vec<String> = cases.iter().take(8).map(u64::to_string).collect();
        println!("  {:>5}  {sig}  (cases {})", cases.len(), shown.join(", "));
    }

    // What each mutation did: coverage.
    let mut families: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for d in results {
        let column = match d.verdict {
            Verdict::AgreeAccept => 0,
            Verdict::AgreeReject => 1,
            Verdict::Explained(_) => 2,
            _ => 3,
        };
        let mut seen = Vec::new();
        for m in &d.spec.mutations {
            let family = m.family();
            if !seen.contains(&family) {
                families.entry(family.clone()).or_default()[column] += 1;
                seen.push(family);
            }
        }
        if d.spec.mutations.is_empty() {
            families.entry("(none)".to_owned()).or_default()[column] += 1;
        }
    }
    println!("\n== cases by mutation (a case with several mutations counts in each)");
    println!(
        "  {:<44} {:>7} {:>7} {:>9} {:>11}",
        "mutation", "accept", "refuse", "explained", "UNEXPL/FIND"
    );
    for (family, c) in &families {
        println!(
            "  {:<44} {:>7} {:>7} {:>9} {:>11}",
            family, c[0], c[1], c[2], c[3]
        );
    }

    // Both refuse: do they say the same thing? For cases with one mutation, the mutation,
    // certgate's code and OpenSSL's first error (a wrong code would stand out here).
    let mut pairs: BTreeMap<(String, String, String), Vec<u64>> = BTreeMap::new();
    for d in results {
        if matches!(d.verdict, Verdict::AgreeReject) && d.spec.mutations.len() == 1 {
            let cg = d.certgate.code.clone().unwrap_or_default();
            let os = d
                .openssl
                .errors
                .first()
                .map(|e| format!("{} {}", e.num, e.text))
                .unwrap_or_default();
            pairs
                .entry((d.spec.mutations[0].family(), cg, os))
                .or_default()
                .push(d.spec.case);
        }
    }
    println!("\n== both refuse, cases with one mutation: certgate's code, OpenSSL's first error");
    for ((family, cg, os), cases) in &pairs {
        println!(
            "  {:>5}  {family:<36} {cg:<26} {os:<48} e.g. case {}",
            cases.len(),
            cases[0]
        );
    }

    // Does certgate do what its documentation (or RFC 5280) says for a case with one
    // mutation, whatever OpenSSL does? Reported, not fatal on its own.
    let mut off: BTreeMap<(String, String, String), Vec<u64>> = BTreeMap::new();
    for d in results {
        let [m] = d.spec.mutations.as_slice() else {
            continue;
        };
        let Some(expected) = rules::expected(&d.spec, m) else {
            continue;
        };
        let got = d.certgate.code.as_deref().unwrap_or("accepted");
        let fine = match expected.code {
            Some(code) => got == code,
            None => !d.certgate.accept,
        };
        if !fine {
            let level = m.level().map_or(String::new(), |l| {
                if l == d.spec.root() {
                    " at root".to_owned()
                } else {
                    format!(" at {l}")
                }
            });
            let want = format!(
                "{} ({})",
                expected.code.unwrap_or("a refusal"),
                expected.why
            );
            off.entry((format!("{}{level}", m.family()), want, got.to_owned()))
                .or_default()
                .push(d.spec.case);
        }
    }
    println!("\n== certgate against its docs / RFC 5280, cases with one mutation (not fatal)");
    if off.is_empty() {
        println!("  as expected");
    }
    for ((family, want, got), cases) in &off {
        println!(
            "  {:>5}  {family:<32} got {got:<24} expected {want}; e.g. case {}",
            cases.len(),
            cases[0]
        );
    }

    // Save what needs a look.
    if !args.no_save && !groups.is_empty() {
        let found = args
            .found
            .clone()
            .unwrap_or_else(|| workspace_dir().join("target/differential/found"));
        let mut saved = 0;
        for (sig, cases) in &groups {
            for case in cases.iter().take(3) {
                let Some(d) = results.iter().find(|d| d.spec.case == *case) else {
                    continue;
                };
                let dir = found.join(format!("seed-{:x}-case-{case}", d.spec.seed));
                match save_case(d, &dir, config) {
                    Ok(()) => saved += 1,
                    Err(e) => eprintln!("cannot save case {case} ({sig}): {e}"),
                }
            }
        }
        println!(
            "\nsaved {saved} case(s) (up to 3 a group) under {} (repro.sh in each)",
            found.display()
        );
        for d in results
            .iter()
            .filter(|d| {
                matches!(
                    d.verdict,
                    Verdict::Unexplained(_) | Verdict::Error(_) | Verdict::Finding(_)
                )
            })
            .take(5)
        {
            print!("{}", describe(d));
        }
    }

    if !undocumented.is_empty() {
        println!(
            "\nexplained but not documented in docs/ ({}): {}",
            if args.require_docs {
                "fails with --require-docs"
            } else {
                "warning"
            },
            undocumented.join(", ")
        );
    }
    if findings > 0 {
        println!(
            "\n{findings} case(s) disagree because of a FINDING (a certgate bug){}",
            if args.allow_findings {
                ", allowed by --allow-findings"
            } else {
                ": the run fails"
            }
        );
    }
    unexplained > 0
        || errors > 0
        || (findings > 0 && !args.allow_findings)
        || (args.require_docs && !undocumented.is_empty())
}
