//! The folder of a development PKI: which file holds what, the index of what was issued,
//! and writing files so that keys are private and an interrupted command leaves no
//! half-written file behind.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use rcgen::{Issuer, KeyPair, PublicKeyData as _};
use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};

use super::certs::Reason;
use crate::error::UsageError;

/// The index file: the PKI's state besides its certificates and keys.
pub(crate) const INDEX: &str = "index.json";
/// The policy `init` writes.
pub(crate) const POLICY: &str = "policy.json";
/// Both CRLs in one file, for servers that take a single CRL file (nginx `ssl_crl`,
/// HAProxy `crl-file`, curl `--crlfile`).
pub(crate) const CRL_BUNDLE: &str = "crls.pem";
/// The layout `index.json` describes; a later certgate that changes it reads this one.
pub(crate) const INDEX_VERSION: u32 = 1;

/// One of the PKI's two CAs.
#[derive(Clone, Copy)]
pub(crate) enum Ca {
    Root,
    /// The issuing CA, which signs every leaf.
    Intermediate,
}

impl Ca {
    /// Both, root first.
    pub(crate) const ALL: [Ca; 2] = [Ca::Root, Ca::Intermediate];

    /// The stem of its files: `root` for `root.pem`, `root.key` and `root.crl`.
    pub(crate) fn stem(self) -> &'static str {
        match self {
            Ca::Root => "root",
            Ca::Intermediate => "intermediate",
        }
    }

    /// Its certificate file.
    pub(crate) fn cert_file(self) -> String {
        format!("{}.pem", self.stem())
    }

    /// Its private key file.
    pub(crate) fn key_file(self) -> String {
        format!("{}.key", self.stem())
    }

    /// Its CRL file (PEM).
    pub(crate) fn crl_file(self) -> String {
        format!("{}.crl", self.stem())
    }
}

/// `index.json` (docs/pki.md#indexjson).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Index {
    /// `INDEX_VERSION`.
    pub(crate) version: u32,
    /// The SPIFFE trust domain of `policy.json` and of the CAs' URI SANs.
    pub(crate) trust_domain: String,
    /// The CRLs last signed. Both CAs' CRLs are always signed together, so they share
    /// the number and dates.
    pub(crate) crl: CrlState,
    /// Every certificate issued, in issuing order.
    pub(crate) certificates: Vec<Issued>,
}

/// The number and dates of the CRLs in force.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CrlState {
    /// The cRLNumber: one more at each signing (RFC 5280 §5.2.3).
    pub(crate) number: u64,
    /// thisUpdate, unix seconds.
    pub(crate) this_update: i64,
    /// nextUpdate, unix seconds: verifiers refuse the CRLs after it.
    pub(crate) next_update: i64,
}

/// A certificate `issue` wrote.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Issued {
    /// NAME, the stem of its files.
    pub(crate) name: String,
    /// Lowercase hex, as certgate prints serials.
    pub(crate) serial: String,
    /// The certificate in PEM, so that `list` and `revoke` need none of the files that
    /// were handed out.
    pub(crate) certificate: String,
    /// Set once revoked.
    pub(crate) revoked: Option<Revocation>,
}

/// When and why a certificate was revoked.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Revocation {
    /// Unix seconds.
    pub(crate) at: i64,
    pub(crate) reason: Reason,
}

/// Whether a file may be read by others.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Certificates, CRLs, the policy and the index: the process's umask decides.
    Public,
    /// Private keys and PKCS#12 files: mode 0600 (on Unix), whatever the umask.
    Private,
}

/// A CA read back from the folder, ready to sign.
pub(crate) struct LoadedCa {
    pub(crate) issuer: Issuer<'static, KeyPair>,
    /// Its certificate, PEM as in the file.
    pub(crate) pem: String,
    /// Its certificate, DER.
    pub(crate) der: Vec<u8>,
    /// Its notAfter, unix seconds.
    pub(crate) not_after: i64,
}

/// A PKI folder.
pub(crate) struct Store {
    dir: PathBuf,
}

impl Store {
    /// The PKI in `dir` (which need not exist yet).
    pub(crate) fn new(dir: &Path) -> Store {
        Store {
            dir: dir.to_owned(),
        }
    }

    /// The folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `name` in the folder.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `name`'s path as messages show it.
    pub(crate) fn show(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// The index of the PKI in the folder.
    pub(crate) fn index(&self) -> Result<Index, UsageError> {
        let path = self.path(INDEX);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(UsageError(format!(
                    "{} holds no PKI (no {INDEX}): run `certgate pki init {}` first",
                    self.dir.display(),
                    self.dir.display()
                )))
            }
            Err(error) => {
                return Err(UsageError(format!(
                    "cannot read {}: {error}",
                    path.display()
                )))
            }
        };
        let index: Index = serde_json::from_str(&text).map_err(|e| {
            UsageError(format!(
                "{} is not a certgate PKI index: {e}",
                path.display()
            ))
        })?;
        if index.version != INDEX_VERSION {
            return Err(UsageError(format!(
                "{} has layout version {}, which this certgate does not read (it reads {INDEX_VERSION})",
                path.display(),
                index.version
            )));
        }
        Ok(index)
    }

    /// Replaces the index.
    pub(crate) fn save_index(&self, index: &Index) -> Result<(), UsageError> {
        self.replace(INDEX, encode_index(index)?.as_bytes())
    }

    /// Writes a new file `name`; one that exists already is an error, never overwritten.
    pub(crate) fn write_new(
        &self,
        name: &str,
        contents: &[u8],
        access: Access,
    ) -> Result<(), UsageError> {
        let path = self.path(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        restrict(&mut options, access);
        let mut file = options.open(&path).map_err(|error| {
            if error.kind() == std::io::ErrorKind::AlreadyExists {
                UsageError(format!(
                    "{} already exists: certgate pki never overwrites a file",
                    path.display()
                ))
            } else {
                UsageError(format!("cannot create {}: {error}", path.display()))
            }
        })?;
        file.write_all(contents)
            .and_then(|()| file.sync_all())
            .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))
    }

    /// Replaces the public file `name` (or creates it) all at once: the contents go to a
    /// temporary file that is then renamed over it, so that a reader (a server
    /// reloading its CRL) or an interrupted run never sees half a file.
    pub(crate) fn replace(&self, name: &str, contents: &[u8]) -> Result<(), UsageError> {
        let path = self.path(name);
        let temporary = self.path(&format!(".{name}.tmp"));
        let written = std::fs::File::create(&temporary).and_then(|mut file| {
            file.write_all(contents)?;
            file.sync_all()
        });
        written
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&temporary);
                UsageError(format!("cannot write {}: {e}", path.display()))
            })
    }

    /// The first of `names` that exists, if any.
    pub(crate) fn existing<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        names
            .iter()
            .find(|name| self.path(name).symlink_metadata().is_ok())
            .copied()
    }

    /// The CA `ca`: its certificate, and its key, which must belong to it.
    pub(crate) fn load_ca(&self, ca: Ca) -> Result<LoadedCa, UsageError> {
        let cert_path = self.path(&ca.cert_file());
        let cannot = |path: &Path, e: std::io::Error| {
            UsageError(format!("cannot read {}: {e}", path.display()))
        };
        let pem = std::fs::read_to_string(&cert_path).map_err(|e| cannot(&cert_path, e))?;
        let der = certgate::certificates(pem.as_bytes())
            .ok()
            .and_then(|ders| ders.into_iter().next())
            .ok_or_else(|| UsageError(format!("{} holds no certificate", cert_path.display())))?;
        let (_, parsed) = x509_parser::parse_x509_certificate(&der).map_err(|e| {
            UsageError(format!("{} is not a certificate: {e}", cert_path.display()))
        })?;
        let not_after = parsed.validity().not_after.timestamp();
        let spki = parsed.public_key().raw.to_vec();
        let key_path = self.path(&ca.key_file());
        let key_pem = std::fs::read_to_string(&key_path).map_err(|e| cannot(&key_path, e))?;
        let key = KeyPair::from_pem(&key_pem).map_err(|e| {
            UsageError(format!(
                "{} is not a PKCS#8 private key: {e}",
                key_path.display()
            ))
        })?;
        // A key of another CA would sign certificates and CRLs that nothing accepts.
        if key.subject_public_key_info() != spki {
            return Err(UsageError(format!(
                "{} is not the key of {}",
                key_path.display(),
                cert_path.display()
            )));
        }
        let issuer = Issuer::from_ca_cert_der(&CertificateDer::from(der.as_slice()), key)
            .map_err(|e| UsageError(format!("cannot sign with {}: {e}", cert_path.display())))?;
        Ok(LoadedCa {
            issuer,
            pem,
            der,
            not_after,
        })
    }
}

/// The text of `index.json`.
pub(crate) fn encode_index(index: &Index) -> Result<String, UsageError> {
    let mut text = serde_json::to_string_pretty(index)
        .map_err(|e| UsageError(format!("cannot encode the index: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Gives a private file mode 0600 from its creation on, so that there is no moment at
/// which others may read the key.
#[cfg(unix)]
fn restrict(options: &mut std::fs::OpenOptions, access: Access) {
    use std::os::unix::fs::OpenOptionsExt as _;
    if access == Access::Private {
        options.mode(0o600);
    }
}

/// Elsewhere, files inherit the folder's permissions.
#[cfg(not(unix))]
fn restrict(_options: &mut std::fs::OpenOptions, _access: Access) {}
