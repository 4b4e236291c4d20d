//! `certgate probe`: connect to a TLS server as a client and report what an mTLS
//! connection to it involves — protocol, the server's chain and certgate's decision on
//! it, the client-certificate request with its CA names, and what the server made of
//! the client certificate — instead of pages of `openssl s_client`.
//!
//! The probe completes the handshake even when the server's chain fails the policy, so
//! that it can report everything: its certificate verifier records the chain and
//! accepts it, while the handshake signatures are still verified. It never sends
//! application data.

mod facts;
mod names;
mod report;

use std::fmt::Write as _;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clap::Args;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, ProtocolVersion, SignatureScheme,
};

use crate::clock::parse_duration;
use crate::error::UsageError;
use facts::{Aftermath, ClientCert, Failure, PolicyInfo, Probe, Request, Tls};
use report::Report;

/// `certgate probe` options.
#[derive(Args)]
pub(crate) struct ProbeArgs {
    /// The server: HOST:PORT, [IPv6]:PORT.
    #[arg(value_name = "HOST:PORT")]
    target: String,
    /// Judge the server's chain by this policy JSON file (docs/policy.md), which should
    /// have "usage": "server". The server's name is also checked against its
    /// certificate, as certgate's rustls ServerVerifier does. Without it the chain is
    /// shown but not judged.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Client certificate to offer if the server asks for one: the leaf, then its
    /// intermediates (PEM, text dumps included, DER or PKCS#7).
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// The private key of --cert (PEM: PKCS#8, RSA or SEC1; or DER).
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// The server name to send (SNI) and to check the certificate against (default:
    /// HOST; an IP address is checked against IP SANs and sends no SNI).
    #[arg(long, value_name = "NAME")]
    sni: Option<String>,
    /// Bound on connecting and on each read or write of the handshake.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,
    /// TLS 1.3 only: how long to listen after the handshake for the server's verdict on
    /// the client certificate. A TLS 1.3 server checks the client's certificate after
    /// the client considers the handshake complete, so a refusal arrives as an alert
    /// afterwards: an alert (or the server closing) within this time counts as refused,
    /// silence or data as accepted. A heuristic: a server that decides later, or closes
    /// for another reason, is misread. Under TLS 1.2 the server finishes the handshake
    /// only after accepting the certificate, so there is nothing to wait for.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    wait: Duration,
    /// Print one JSON object with the same facts (fields in docs/cli.md).
    #[arg(long)]
    json: bool,
}

pub(crate) fn probe(args: &ProbeArgs, out: &mut String) -> Result<ExitCode, UsageError> {
    if args.timeout.is_zero() {
        return Err(UsageError("--timeout must be longer than 0".to_owned()));
    }
    let (host, port) = split_target(&args.target)?;
    let name = args.sni.as_deref().unwrap_or(host);
    let server_name = ServerName::try_from(name.to_owned())
        .map_err(|_| UsageError(format!("{name:?} is not a DNS name or IP address")))?;
    let policy = args.policy.as_deref().map(PolicyInfo::load).transpose()?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => Some(ClientCert::load(cert, key, &provider)?),
        _ => None,
    };
    let recorder = Arc::new(ChainRecorder {
        chain: Mutex::default(),
        algorithms: provider.signature_verification_algorithms,
    });
    let requests = Arc::new(RequestRecorder {
        key: client.as_ref().map(|client| client.key.clone()),
        request: Mutex::default(),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| UsageError(format!("TLS configuration: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_client_cert_resolver(requests.clone());
    let mut socket = connect(host, port, args.timeout)?;
    let address = socket
        .peer_addr()
        .map_or_else(|_| args.target.clone(), |a| a.to_string());
    let mut conn = ClientConnection::new(Arc::new(config), server_name.clone())
        .map_err(|e| UsageError(format!("TLS configuration: {e}")))?;

    let handshake = handshake(&mut conn, &mut socket);
    let version = conn.protocol_version();
    let tls = version.map(|version| Tls {
        version: match version {
            ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
            ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
            other => format!("{other:?}"),
        },
        // IANA names: rustls spells the TLS 1.3 suites TLS13_*.
        cipher_suite: conn
            .negotiated_cipher_suite()
            .map(|suite| format!("{:?}", suite.suite()).replacen("TLS13_", "TLS_", 1)),
        key_exchange: conn
            .negotiated_key_exchange_group()
            .map(|group| format!("{:?}", group.name())),
    });
    let request = requests.taken();
    let aftermath = match (&handshake, version, &request) {
        (Ok(()), Some(ProtocolVersion::TLSv1_3), Some(_)) => {
            Some(listen(&mut conn, &mut socket, args.wait))
        }
        _ => None,
    };
    // Leave politely; whether the server reads it changes nothing.
    conn.send_close_notify();
    let _ = conn.write_tls(&mut socket);

    let chain = recorder.taken();
    let report = Report::new(Probe {
        target: args.target.clone(),
        address,
        server_name,
        handshake,
        tls,
        chain,
        policy,
        client,
        request,
        aftermath,
        wait: args.wait,
    });
    if args.json {
        let _ = writeln!(out, "{}", report.to_json());
    } else {
        report.print(out);
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `HOST:PORT` or `[IPv6]:PORT`, split.
fn split_target(target: &str) -> Result<(&str, u16), UsageError> {
    let bad = || {
        UsageError(format!(
            "{target:?} is not HOST:PORT (an IPv6 address goes in brackets: [::1]:443)"
        ))
    };
    let (host, port) = target.rsplit_once(':').ok_or_else(bad)?;
    let host = match host.strip_prefix('[') {
        Some(inner) => inner.strip_suffix(']').ok_or_else(bad)?,
        None if host.contains(':') => return Err(bad()),
        None => host,
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host, port.parse().map_err(|_| bad())?))
}

/// A TCP connection to the first address of `host` that answers within `timeout`,
/// with `timeout` on every read and write. Not reaching the server is the caller's
/// error (exit 2): nothing was probed.
fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, UsageError> {
    let addresses = (host, port)
        .to_socket_addrs()
        .map_err(|e| UsageError(format!("cannot resolve {host}: {e}")))?;
    let mut failures = Vec::new();
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(socket) => {
                let timeouts = socket
                    .set_read_timeout(Some(timeout))
                    .and_then(|()| socket.set_write_timeout(Some(timeout)));
                timeouts.map_err(|e| UsageError(format!("socket: {e}")))?;
                return Ok(socket);
            }
            Err(e) => failures.push(format!("{address}: {e}")),
        }
    }
    Err(UsageError(format!(
        "cannot connect to {host}:{port}: {}",
        match failures.is_empty() {
            true => "no address".to_owned(),
            false => failures.join("; "),
        }
    )))
}

/// Drives the handshake to its end.
fn handshake(conn: &mut ClientConnection, socket: &mut TcpStream) -> Result<(), Failure> {
    while conn.is_handshaking() {
        conn.complete_io(socket)?;
    }
    Ok(())
}

/// Reads what the server sends within `wait`, without sending anything.
fn listen(conn: &mut ClientConnection, socket: &mut TcpStream, wait: Duration) -> Aftermath {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Aftermath::Quiet;
        }
        if let Err(e) = socket.set_read_timeout(Some(left)) {
            return Aftermath::Ended(Failure::Io(e));
        }
        match conn.read_tls(socket) {
            Ok(0) => return Aftermath::Ended(Failure::Closed),
            Ok(_) => match conn.process_new_packets() {
                Ok(state) if state.plaintext_bytes_to_read() > 0 => return Aftermath::Data,
                Ok(state) if state.peer_has_closed() => return Aftermath::Ended(Failure::Closed),
                Ok(_) => {}
                Err(rustls::Error::AlertReceived(alert)) => {
                    return Aftermath::Ended(Failure::Alert(alert))
                }
                Err(e) => return Aftermath::Ended(Failure::Tls(e)),
            },
            Err(e) => match Failure::from(e) {
                Failure::TimedOut => return Aftermath::Quiet,
                other => return Aftermath::Ended(other),
            },
        }
    }
}

/// Records the server's chain and lets the handshake go on whatever it is: the policy
/// judges it afterwards, so that the probe can report everything. The handshake
/// signatures are verified as usual, so the server still proves it holds the key.
#[derive(Debug)]
struct ChainRecorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ChainRecorder {
    fn taken(&self) -> Vec<CertificateDer<'static>> {
        std::mem::take(&mut self.chain.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl ServerCertVerifier for ChainRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        *self.chain.lock().unwrap_or_else(PoisonError::into_inner) = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|cert| cert.clone().into_owned())
            .collect();
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Records whether and how the server asked for a client certificate, and answers
/// with the --cert one when its key can sign in a scheme the server accepts.
#[derive(Debug)]
struct RequestRecorder {
    key: Option<Arc<CertifiedKey>>,
    request: Mutex<Option<Request>>,
}

impl RequestRecorder {
    fn taken(&self) -> Option<Request> {
        self.request
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

impl ResolvesClientCert for RequestRecorder {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        // rustls sends no certificate when the key cannot sign in any offered scheme;
        // deciding it here too lets the report say whether the certificate went out.
        let key = self
            .key
            .clone()
            .filter(|key| key.key.choose_scheme(sigschemes).is_some());
        *self.request.lock().unwrap_or_else(PoisonError::into_inner) = Some(Request {
            ca_names: root_hint_subjects
                .iter()
                .map(|name| name.to_vec())
                .collect(),
            offered: key.is_some(),
        });
        key
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_host_and_port() {
        assert_eq!(split_target("localhost:443").ok(), Some(("localhost", 443)));
        assert_eq!(split_target("[::1]:8443").ok(), Some(("::1", 8443)));
        for bad in [
            "localhost",
            "::1:443",
            ":443",
            "host:x",
            "host:70000",
            "[::1:443",
        ] {
            assert!(split_target(bad).is_err(), "{bad}");
        }
    }
}
