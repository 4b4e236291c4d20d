//! What the probe saw, as plain data between the connection (`probe`) and its
//! judgement (`report`): the inputs it was given, the handshake's outcome, the
//! certificate request and what followed it.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use certgate::Verifier;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::sign::CertifiedKey;
use rustls::AlertDescription;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use super::names::alert_name;
use crate::error::{warn, UsageError};
use crate::input::read_input;

/// The negotiated protocol.
pub(super) struct Tls {
    pub(super) version: String,
    pub(super) cipher_suite: Option<String>,
    pub(super) key_exchange: Option<String>,
}

/// Everything the probe saw, before it is judged.
pub(super) struct Probe {
    pub(super) target: String,
    pub(super) address: String,
    pub(super) server_name: ServerName<'static>,
    pub(super) handshake: Result<(), Failure>,
    pub(super) tls: Option<Tls>,
    pub(super) chain: Vec<CertificateDer<'static>>,
    pub(super) policy: Option<PolicyInfo>,
    pub(super) client: Option<ClientCert>,
    pub(super) request: Option<Request>,
    pub(super) aftermath: Option<Aftermath>,
    pub(super) wait: Duration,
}

/// What the server did in the `wait` after a TLS 1.3 handshake.
pub(super) enum Aftermath {
    /// Nothing arrived but, perhaps, session tickets.
    Quiet,
    /// Application data arrived: the server is talking to us.
    Data,
    /// An alert, the connection closing, or an error.
    Ended(Failure),
}

/// Why a connection ended or failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// The server sent this alert.
    Alert(AlertDescription),
    /// The server closed the connection (close_notify, end of stream or reset).
    Closed,
    /// Nothing came within the timeout.
    TimedOut,
    /// rustls refused something the server sent.
    Tls(rustls::Error),
    /// Any other socket error.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        // rustls hands its own errors through io::Error (complete_io's InvalidData).
        let tls = error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        match tls {
            Some(rustls::Error::AlertReceived(alert)) => return Failure::Alert(*alert),
            Some(tls) => return Failure::Tls(tls.clone()),
            None => {}
        }
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::TimedOut,
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => Failure::Closed,
            _ => Failure::Io(error),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Alert(alert) => write!(f, "alert {}", alert_name(*alert)),
            Failure::Closed => f.write_str("the server closed the connection without an alert"),
            Failure::TimedOut => f.write_str("timed out waiting for the server"),
            Failure::Tls(e) => write!(f, "TLS error: {e}"),
            Failure::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The server's CertificateRequest, as the client saw it.
#[derive(Debug)]
pub(super) struct Request {
    /// The CA names it listed (DER X.501 Names), in its order.
    pub(super) ca_names: Vec<Vec<u8>>,
    /// Whether the client certificate was sent in answer.
    pub(super) offered: bool,
}

/// The --cert / --key pair.
pub(super) struct ClientCert {
    pub(super) key: Arc<CertifiedKey>,
    /// The leaf's subject, for the report.
    pub(super) subject: String,
}

impl ClientCert {
    pub(super) fn load(
        cert: &Path,
        key: &Path,
        provider: &rustls::crypto::CryptoProvider,
    ) -> Result<ClientCert, UsageError> {
        let chain = certgate::certificates(&read_input(cert)?)
            .map_err(|r| UsageError(format!("--cert {}: {}", cert.display(), r.message())))?;
        let subject = certgate::inspect(&chain[0])
            .map_err(|r| UsageError(format!("--cert {}: {}", cert.display(), r.message())))?
            .subject;
        let key_bytes = read_input(key)?;
        let private_key = match PrivateKeyDer::from_pem_slice(&key_bytes) {
            Ok(private_key) => private_key,
            Err(_) => PrivateKeyDer::try_from(key_bytes).map_err(|e| {
                UsageError(format!(
                    "--key {}: not a private key in PEM or DER ({e})",
                    key.display()
                ))
            })?,
        };
        let chain = chain.into_iter().map(CertificateDer::from).collect();
        let certified = CertifiedKey::from_der(chain, private_key, provider).map_err(|e| {
            UsageError(format!(
                "--key {} does not fit --cert {}: {e}",
                key.display(),
                cert.display()
            ))
        })?;
        Ok(ClientCert {
            key: Arc::new(certified),
            subject,
        })
    }

    /// Whether the server's CA names include the issuer of a certificate of this chain,
    /// compared as DER: the hint the server gave about which certificate it takes.
    pub(super) fn issuer_listed(&self, ca_names: &[Vec<u8>]) -> bool {
        self.key.cert.iter().any(|der| {
            X509Certificate::from_der(der).is_ok_and(|(_, cert)| {
                ca_names
                    .iter()
                    .any(|name| name.as_slice() == cert.issuer().as_raw())
            })
        })
    }
}

/// The policy given with --policy.
pub(super) struct PolicyInfo {
    pub(super) file: String,
    pub(super) verifier: Verifier,
}

impl PolicyInfo {
    pub(super) fn load(path: &Path) -> Result<PolicyInfo, UsageError> {
        let verifier = Verifier::from_file(path)?;
        for warning in verifier.warnings() {
            warn(&format!("certgate: warning: {warning}"));
        }
        Ok(PolicyInfo {
            file: path.display().to_string(),
            verifier,
        })
    }

    /// The policy's `usage` names (`client`, `server`).
    pub(super) fn usage(&self) -> Vec<&'static str> {
        self.verifier.usage()
    }

    /// Whether the policy can admit a server at all.
    pub(super) fn covers_server(&self) -> bool {
        self.usage().contains(&"server")
    }
}
