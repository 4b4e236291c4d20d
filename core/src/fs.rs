//! Policies that name files (feature `fs`): `{"file": PATH}` and `{"dir": PATH}`
//! sources read from disk, relative paths resolved against the policy file's folder.
//! This is the one place certgate reads files; the CLI and the native bindings use it,
//! the WebAssembly build leaves it out, and without it the crate does no I/O.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::error::{invalid_policy, Rejection};
use crate::input::{items_within_limit, Expect, MAX_SOURCE_BYTES};
use crate::policy::{BundleSpec, Policy, MAX_POLICY_BYTES};
use crate::schema::{Source, Sources};
use crate::verifier::{PolicyFile, Verifier};

/// File name extensions read from a `{"dir": ...}` of certificates.
const CERTIFICATE_EXTENSIONS: &[&str] = &["pem", "crt", "cer", "p7b", "p7c"];
/// ... of trust anchors, which may also be SPIFFE bundles.
const ANCHOR_EXTENSIONS: &[&str] = &["pem", "crt", "cer", "p7b", "p7c", "json"];
/// File name extensions read from a `{"dir": ...}` of CRLs.
const CRL_EXTENSIONS: &[&str] = &["pem", "crl"];
/// ... of OCSP responses (`openssl ocsp -respout` writes DER).
const OCSP_EXTENSIONS: &[&str] = &["der", "ocsp", "resp", "pem"];

impl Policy {
    /// Reads a policy JSON file and every file it references. Relative references
    /// resolve against the policy file's folder. Any file that cannot be read is
    /// `INVALID_POLICY`, naming the JSON path and the file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, Rejection> {
        load(path.as_ref()).map(|(policy, _)| policy)
    }

    /// The `{"file": ...}` and `{"dir": ...}` references of the policy, as written.
    fn referenced_paths(&self) -> impl Iterator<Item = &str> {
        let lists = [
            self.trust.anchors.as_ref(),
            self.trust.intermediates.as_ref(),
            self.revocation.as_ref().and_then(|r| r.crls.as_ref()),
            self.revocation
                .as_ref()
                .and_then(|r| r.ocsp.as_ref())
                .and_then(|o| o.responses.as_ref()),
        ];
        let bundles = self
            .trust
            .spiffe_bundles
            .iter()
            .flatten()
            .flat_map(|(_, spec)| match spec {
                BundleSpec::Authorities(sources) => vec![Some(sources)],
                BundleSpec::Endpoint(endpoint) => {
                    vec![endpoint.endpoint_ca.as_ref(), endpoint.bundle.as_ref()]
                }
            });
        lists
            .into_iter()
            .chain(bundles)
            .flatten()
            .flat_map(|sources| &sources.0)
            .filter_map(|source| match source {
                Source::File(path) | Source::Dir(path) => Some(path.as_str()),
                Source::Inline { .. } | Source::Attached(_) => None,
            })
    }

    /// Reads every `{"file": ...}` and `{"dir": ...}` source of the policy, resolving
    /// relative paths against `base`, so that the policy holds the files' contents.
    /// A folder contributes its `*.pem *.crt *.cer *.p7b *.p7c *.json` files (CRLs: `*.pem
    /// *.crl`; OCSP responses: `*.der *.ocsp *.resp *.pem`) in name order; hidden files are skipped. All or nothing: on error the
    /// policy is left as it was.
    pub fn resolve_files(&mut self, base: &Path) -> Result<(), Rejection> {
        let read = |sources: &Option<Sources>, path: &str, expect| match sources {
            Some(sources) => resolve(sources, path, expect, base).map(Some),
            None => Ok(None),
        };
        let anchors = read(&self.trust.anchors, "trust.anchors", Expect::Anchors)?;
        let intermediates = read(
            &self.trust.intermediates,
            "trust.intermediates",
            Expect::Certificates,
        )?;
        let crls = read(
            &self.revocation.as_ref().and_then(|r| r.crls.clone()),
            "revocation.crls",
            Expect::Crls,
        )?;
        let ocsp_responses = read(
            &self
                .revocation
                .as_ref()
                .and_then(|r| r.ocsp.as_ref())
                .and_then(|o| o.responses.clone()),
            "revocation.ocsp.responses",
            Expect::OcspResponses,
        )?;
        let mut bundles = self.trust.spiffe_bundles.clone();
        for (domain, spec) in bundles.iter_mut().flatten() {
            let path = format!("trust.spiffe_bundles.{}", domain.0);
            match spec {
                BundleSpec::Authorities(sources) => {
                    *sources = resolve(sources, &path, Expect::Anchors, base)?;
                }
                BundleSpec::Endpoint(endpoint) => {
                    endpoint.endpoint_ca = read(
                        &endpoint.endpoint_ca,
                        &format!("{path}.endpoint_ca"),
                        Expect::Anchors,
                    )?;
                    endpoint.bundle =
                        read(&endpoint.bundle, &format!("{path}.bundle"), Expect::Anchors)?;
                }
            }
        }
        self.trust.anchors = anchors;
        self.trust.intermediates = intermediates;
        self.trust.spiffe_bundles = bundles;
        if let Some(revocation) = self.revocation.as_mut() {
            if crls.is_some() {
                revocation.crls = crls;
            }
            if let (Some(ocsp), Some(responses)) = (revocation.ocsp.as_mut(), ocsp_responses) {
                ocsp.responses = Some(responses);
            }
        }
        Ok(())
    }
}

/// The policy in a JSON file with its references read, and the paths it was read from
/// (the file first, then each referenced file or folder, in policy order).
fn load(path: &Path) -> Result<(Policy, Vec<PathBuf>), Rejection> {
    let text = read_bounded(path, MAX_POLICY_BYTES, "", "the policy file")?;
    let text = String::from_utf8(text).map_err(|_| {
        invalid_policy(format!(
            "the policy file {} is not UTF-8 text",
            path.display()
        ))
    })?;
    let mut policy = Policy::from_json(&text)?;
    let base = path.parent().unwrap_or_else(|| Path::new(""));
    let mut paths = vec![path.to_path_buf()];
    paths.extend(policy.referenced_paths().map(|written| base.join(written)));
    policy.resolve_files(base)?;
    Ok((policy, paths))
}

impl Verifier {
    /// Compiles the policy in a JSON file, reading the files it references
    /// ([`Policy::from_file`]). The verifier can read them all again:
    /// [`Verifier::reload_from_file`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Verifier, Rejection> {
        let path = path.as_ref();
        let (policy, watched) = load(path)?;
        let mut verifier = Verifier::new(policy)?;
        verifier.policy_file = Some(PolicyFile {
            path: path.to_path_buf(),
            watched: Mutex::new(watched),
        });
        Ok(verifier)
    }

    /// Reads the policy file it was made from again, with every file it references,
    /// and swaps the result in ([`Verifier::reload`]): all or nothing, so on any error
    /// (a file missing or half written, a bad policy) the policy in force stays and the
    /// error names the problem. `INVALID_POLICY` also for a verifier not made from a
    /// file.
    pub fn reload_from_file(&self) -> Result<(), Rejection> {
        let file = self.policy_file.as_ref().ok_or_else(|| {
            invalid_policy("this verifier was not made from a policy file, so it has none to read")
        })?;
        let (policy, watched) = load(&file.path)?;
        self.reload(policy)?;
        *file.watched.lock().unwrap_or_else(PoisonError::into_inner) = watched;
        Ok(())
    }

    /// For a verifier made from a policy file: the file and every file and folder it
    /// references (as of the last load), so that a binding can watch them and call
    /// [`Verifier::reload_from_file`] when one changes. Empty otherwise.
    pub fn watched_paths(&self) -> Vec<PathBuf> {
        self.policy_file
            .as_ref()
            .map(|file| {
                file.watched
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone()
            })
            .unwrap_or_default()
    }
}

/// The sources with every file reference replaced by the files' contents.
fn resolve(
    sources: &Sources,
    path: &str,
    expect: Expect,
    base: &Path,
) -> Result<Sources, Rejection> {
    let mut resolved = Vec::with_capacity(sources.0.len());
    for (index, source) in sources.0.iter().enumerate() {
        let at = format!("{path}[{index}]");
        match source {
            Source::Inline { .. } | Source::Attached(_) => resolved.push(source.clone()),
            Source::File(file) => resolved.push(read(&at, file, &base.join(file))?),
            Source::Dir(dir) => {
                let files = listing(&at, dir, &base.join(dir), expect)?;
                for (name, full) in files {
                    resolved.push(read(
                        &at,
                        &format!("{}/{name}", dir.trim_end_matches('/')),
                        &full,
                    )?);
                }
            }
        }
    }
    Ok(Sources(resolved))
}

/// One file's contents as an inline source, named `at (written)` in messages.
fn read(at: &str, written: &str, full: &Path) -> Result<Source, Rejection> {
    if full.is_dir() {
        return Err(invalid_policy(format!(
            "{at}: {written} is a folder; use {{\"dir\": {written:?}}} to read the files in it"
        )));
    }
    let bytes = read_bounded(full, MAX_SOURCE_BYTES, &format!("{at}: "), "the file")?;
    if bytes.is_empty() {
        return Err(invalid_policy(format!(
            "{at}: the file {} is empty",
            full.display()
        )));
    }
    Ok(Source::Inline {
        bytes,
        origin: Some(format!("{at} ({written})")),
    })
}

/// A file's bytes, `INVALID_POLICY` if it cannot be read and `INPUT_TOO_LARGE` past
/// `limit` bytes, found without reading further (a reference to /dev/zero or a log
/// file must not exhaust memory). Messages read `{at}cannot read {noun} PATH: ...`.
fn read_bounded(path: &Path, limit: usize, at: &str, noun: &str) -> Result<Vec<u8>, Rejection> {
    let cannot = |e: std::io::Error| {
        invalid_policy(format!("{at}cannot read {noun} {}: {e}", path.display()))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > limit {
        return Err(invalid_policy(format!(
            "{at}{noun} {} is over the limit of {limit} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// The files of a folder that hold what `expect` wants, by name.
fn listing(
    at: &str,
    written: &str,
    full: &Path,
    expect: Expect,
) -> Result<Vec<(String, PathBuf)>, Rejection> {
    let extensions = match expect {
        Expect::Certificates => CERTIFICATE_EXTENSIONS,
        Expect::Anchors => ANCHOR_EXTENSIONS,
        Expect::Crls => CRL_EXTENSIONS,
        Expect::OcspResponses => OCSP_EXTENSIONS,
    };
    let cannot = |e: std::io::Error| {
        invalid_policy(format!(
            "{at}: cannot read the folder {}: {e}",
            full.display()
        ))
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(full).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let wanted = !name.starts_with('.')
            && Path::new(&name)
                .extension()
                .and_then(|ext| ext.to_str())
                .is_some_and(|ext| extensions.contains(&ext.to_ascii_lowercase().as_str()));
        // `metadata` follows symlinks, as Kubernetes mounts files through them.
        if wanted && entry.path().metadata().is_ok_and(|m| m.is_file()) {
            files.push((name, entry.path()));
            items_within_limit(&format!("{at}: the folder {written}"), files.len(), "files")?;
        }
    }
    if files.is_empty() {
        let patterns: Vec<String> = extensions.iter().map(|ext| format!("*.{ext}")).collect();
        return Err(invalid_policy(format!(
            "{at}: the folder {written} holds no {} file",
            patterns.join(", ")
        )));
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    /// A folder under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("certgate-fs-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
        fn write(&self, name: &str, text: &str) {
            let path = self.0.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn message(result: Result<Policy, Rejection>) -> String {
        let rejection = result.unwrap_err();
        assert_eq!(rejection.code(), Code::InvalidPolicy);
        rejection.message().to_owned()
    }

    #[test]
    fn files_and_folders_are_read_relative_to_the_policy() {
        let scratch = Scratch::new("read");
        scratch.write("cas/b.pem", "B");
        scratch.write("cas/a.crt", "A");
        scratch.write("cas/.hidden.pem", "hidden");
        scratch.write("cas/notes.txt", "ignored");
        scratch.write("cas/x.crl", "a CRL, not for anchors");
        scratch.write("one.pem", "ONE");
        scratch.write(
            "policy.json",
            r#"{"trust":{"anchors":[{"dir":"cas/"},{"file":"one.pem"},"inline"]}}"#,
        );
        let policy = Policy::from_file(scratch.0.join("policy.json")).unwrap();
        let read: Vec<(Vec<u8>, Option<String>)> = policy
            .trust
            .anchors
            .unwrap()
            .0
            .iter()
            .map(|source| match source {
                Source::Inline { bytes, origin } => (bytes.clone(), origin.clone()),
                other => panic!("unresolved {other:?}"),
            })
            .collect();
        assert_eq!(
            read,
            vec![
                (b"A".to_vec(), Some("trust.anchors[0] (cas/a.crt)".into())),
                (b"B".to_vec(), Some("trust.anchors[0] (cas/b.pem)".into())),
                (b"ONE".to_vec(), Some("trust.anchors[1] (one.pem)".into())),
                (b"inline".to_vec(), None),
            ]
        );
    }

    #[test]
    fn unreadable_references_name_the_json_path_and_the_file() {
        let scratch = Scratch::new("errors");
        scratch.write("empty.pem", "");
        scratch.write("emptydir/readme.txt", "no certificates here");
        let policy = |json: &str| {
            scratch.write("policy.json", json);
            Policy::from_file(scratch.0.join("policy.json"))
        };
        let missing = message(policy(
            r#"{"trust":{"anchors":"x"},"revocation":{"crls":[{"file":"nope.crl"}]}}"#,
        ));
        assert!(
            missing.starts_with("revocation.crls[0]: cannot read the file ")
                && missing.contains("nope.crl"),
            "{missing}"
        );
        assert!(
            message(policy(r#"{"trust":{"anchors":{"file":"empty.pem"}}}"#))
                .starts_with("trust.anchors[0]: the file ")
        );
        assert!(
            message(policy(r#"{"trust":{"anchors":{"file":"emptydir"}}}"#)).contains("is a folder")
        );
        assert_eq!(
            message(policy(r#"{"trust":{"anchors":{"dir":"emptydir"}}}"#)),
            "trust.anchors[0]: the folder emptydir holds no *.pem, *.crt, *.cer, *.p7b, *.p7c, *.json file"
        );
        assert!(message(Policy::from_file(scratch.0.join("absent.json")))
            .starts_with("cannot read the policy file "));
    }

    #[test]
    fn unresolved_references_are_refused_without_the_loader() {
        let rejection =
            Verifier::from_json(r#"{"trust":{"anchors":{"file":"ca.pem"}}}"#).unwrap_err();
        assert_eq!(rejection.code(), Code::InvalidPolicy);
        assert!(rejection
            .message()
            .starts_with("trust.anchors[0]: \"ca.pem\" is a file reference"));
    }
}
