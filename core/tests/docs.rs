//! docs/ is the reference: it must agree with the code. These checks catch the drift
//! a change of the code table or a regeneration of the vectors would cause.

use std::path::Path;

use certgate::Code;

fn docs_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

/// Every code of the code table has its row, with its number, in docs/errors.md.
#[test]
fn errors_md_lists_every_code_with_its_number() {
    let text = std::fs::read_to_string(docs_dir().join("errors.md")).unwrap();
    for code in Code::ALL {
        let row = format!("| {} | [`{}`]", code.number(), code.as_str());
        assert!(text.contains(&row), "docs/errors.md has no row `{row}...`");
        let has_section = text
            .lines()
            .any(|line| line.starts_with("### ") && line.contains(code.as_str()));
        assert!(has_section, "docs/errors.md has no section for {code}");
    }
}

/// The hashes docs/ quotes in its examples come from the committed vectors; regenerating
/// the vectors (new keys) makes them stale, and this says which to replace.
#[test]
fn hashes_quoted_in_docs_are_the_vectors() {
    let cases = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/cases.json"),
    )
    .unwrap();
    let docs = docs_dir();
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(&docs).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for word in text.split(|c: char| !c.is_ascii_hexdigit()) {
            if word.len() == 64 && !cases.contains(&word.to_ascii_lowercase()) {
                stale.push(format!("{}: {word}", path.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "hashes not in cases.json:\n{}",
        stale.join("\n")
    );
}
