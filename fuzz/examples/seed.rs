//! Writes the seed corpora from `tests/vectors` into `corpus/<target>/seed-*`, in the
//! input formats of `certgate_fuzz::targets` (items joined by `certgate_fuzz::join`).
//! `make fuzz-seed` runs it, then `cargo fuzz cmin` minimises each corpus.
//!
//! `cargo run --no-default-features --example seed [-- OUT_DIR]` (default: `corpus`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use certgate_fuzz::check::sha256_hex;
use certgate_fuzz::{fixtures, join};
use serde_json::Value;

/// Seeds by target, deduplicated by content.
#[derive(Default)]
struct Seeds(BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>);

impl Seeds {
    fn add(&mut self, target: &'static str, data: Vec<u8>) {
        let name = format!("seed-{}", &sha256_hex(&data)[..16]);
        self.0.entry(target).or_default().insert(name, data);
    }
}

/// A vector item: a string's UTF-8 bytes, or an array of byte values.
fn bytes(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::String(text) => Some(text.as_bytes().to_vec()),
        Value::Array(values) => values
            .iter()
            .map(|byte| byte.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect(),
        _ => None,
    }
}

/// Every file under `dir`, recursively.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = root.join("../tests/vectors");
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("corpus"));
    let mut seeds = Seeds::default();

    // Every file of the vector PKI, its other forms and policy files: certificates,
    // keys, CRLs, PKCS#7, PKCS#12, SPIFFE bundles, policies.
    let mut paths = Vec::new();
    for dir in ["pki", "forms", "files"] {
        walk(&vectors.join(dir), &mut paths);
    }
    for path in &paths {
        let data = std::fs::read(path).expect("a vector file reads");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".json") {
            seeds.add("policy", data);
            continue;
        }
        seeds.add("certificates", data.clone());
        seeds.add("inspect", data.clone());
        if name.contains("crl") {
            seeds.add("crl", data);
        }
    }

    let cases: Value = serde_json::from_slice(
        &std::fs::read(vectors.join("cases.json")).expect("cases.json reads"),
    )
    .expect("cases.json parses");
    let verify_policies = fixtures::get().verify.len();
    for case in cases["cases"].as_array().expect("cases") {
        if let Some(policy) = case.get("policy") {
            seeds.add("policy", policy.to_string().into_bytes());
            let crls = &policy["revocation"]["crls"];
            let crls: Vec<Vec<u8>> = match crls {
                Value::Array(items) if items.iter().all(|i| !i.is_number()) => {
                    items.iter().filter_map(bytes).collect()
                }
                other => bytes(other).into_iter().collect(),
            };
            if !crls.is_empty() {
                seeds.add("crl", join(&crls));
            }
            if let Some(responses) = policy["revocation"]["ocsp"]["responses"].as_array() {
                let responses: Vec<Vec<u8>> = responses.iter().filter_map(bytes).collect();
                if !responses.is_empty() {
                    seeds.add("ocsp", join(&responses));
                }
            }
        }
        if let Some(cert) = case.get("cert").and_then(bytes) {
            seeds.add("certificates", cert.clone());
            seeds.add("inspect", cert);
        }
        if let Some(chain) = case.get("chain").and_then(Value::as_array) {
            let items: Vec<Vec<u8>> = chain.iter().filter_map(bytes).collect();
            for item in &items {
                seeds.add("certificates", item.clone());
                seeds.add("inspect", item.clone());
            }
            let joined = join(&items);
            for selector in 0..verify_policies {
                let mut data = vec![selector as u8];
                data.extend_from_slice(&joined);
                seeds.add("verify", data);
            }
        }
        if let (Some(peer), Some(headers)) = (
            case.get("peer").and_then(Value::as_str),
            case.get("headers").and_then(Value::as_array),
        ) {
            let mut items = vec![peer.as_bytes().to_vec()];
            for pair in headers {
                let name = pair[0].as_str().unwrap_or_default();
                let value = bytes(&pair[1]).unwrap_or_default();
                let mut item = format!("{name}: ").into_bytes();
                item.extend_from_slice(&value);
                items.push(item);
            }
            seeds.add("forwarded", join(&items));
        }
    }

    for (target, files) in &seeds.0 {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).expect("the corpus folder is made");
        for (name, data) in files {
            std::fs::write(dir.join(name), data).expect("a seed is written");
        }
        println!("{target}: {} seeds in {}", files.len(), dir.display());
    }
}
