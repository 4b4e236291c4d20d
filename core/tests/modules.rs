//! The shape of the core crate itself: every module says what it decides in a header
//! comment, keeps its unit tests at the end, and the modules' `crate::` references
//! form no cycle (a helper two modules need lives in a leaf module both use).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name → source text, for every module of core/src but the crate root.
fn modules() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter(|path| path.file_stem().unwrap() != "lib")
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// The modules a module's code refers to through `crate::` (its unit tests excluded).
fn references(source: &str, modules: &BTreeMap<String, String>) -> BTreeSet<String> {
    let code = source
        .split("#[cfg(test)]\nmod tests {")
        .next()
        .unwrap_or_default();
    let mut used = BTreeSet::new();
    for (offset, _) in code.match_indices("crate::") {
        let rest = &code[offset + "crate::".len()..];
        let mut names: Vec<&str> = Vec::new();
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c}`
            let group = &group[..group.find('}').unwrap_or(group.len())];
            names.extend(
                group
                    .split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or_default()),
            );
        } else {
            names.push(
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or_default(),
            );
        }
        used.extend(
            names
                .into_iter()
                .filter(|name| modules.contains_key(*name))
                .map(str::to_owned),
        );
    }
    used
}

#[test]
fn module_references_form_no_cycle() {
    let modules = modules();
    let graph: BTreeMap<&String, BTreeSet<String>> = modules
        .iter()
        .map(|(name, source)| (name, references(source, &modules)))
        .collect();
    // Depth-first search; a module met again while still on the stack closes a cycle.
    fn visit<'g>(
        name: &'g String,
        graph: &'g BTreeMap<&String, BTreeSet<String>>,
        stack: &mut Vec<&'g String>,
        done: &mut BTreeSet<&'g String>,
    ) -> Result<(), String> {
        if done.contains(name) {
            return Ok(());
        }
        if let Some(start) = stack.iter().position(|on| *on == name) {
            let cycle: Vec<&str> = stack[start..].iter().map(|m| m.as_str()).collect();
            return Err(format!("{} -> {name}", cycle.join(" -> ")));
        }
        stack.push(name);
        for next in &graph[name] {
            let (key, _) = graph.get_key_value(next).unwrap();
            visit(key, graph, stack, done)?;
        }
        stack.pop();
        done.insert(name);
        Ok(())
    }
    // The graph is read for real: the compiled policy (the decision) uses most modules.
    assert!(
        graph[&"compiled".to_owned()].len() >= 8,
        "{:?}",
        graph[&"compiled".to_owned()]
    );
    let mut done = BTreeSet::new();
    for name in graph.keys() {
        visit(name, &graph, &mut Vec::new(), &mut done)
            .unwrap_or_else(|cycle| panic!("import cycle: {cycle}"));
    }
    // The leaf modules stay leaves.
    for leaf in ["error", "schema", "spiffe"] {
        assert!(
            graph[&leaf.to_owned()].is_empty(),
            "{leaf} uses {:?}",
            graph[&leaf.to_owned()]
        );
    }
    assert_eq!(
        graph[&"x509".to_owned()],
        BTreeSet::from(["error".to_owned()])
    );
}

#[test]
fn every_module_says_what_it_decides_and_tests_come_last() {
    for (name, source) in modules() {
        assert!(
            source.starts_with("//! "),
            "{name}.rs has no header comment"
        );
        if let Some(at) = source.find("#[cfg(test)]\nmod tests {") {
            // Inside the module every line is indented; only its closing brace is not.
            let top_level: Vec<&str> = source[at..]
                .lines()
                .skip(2)
                .filter(|line| !line.is_empty() && !line.starts_with(' '))
                .collect();
            assert_eq!(top_level, ["}"], "{name}.rs: code after its tests module");
        }
    }
}
