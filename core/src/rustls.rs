//! rustls adapters (feature `rustls`): enforce a certgate policy inside the TLS
//! handshake, so a refused peer never completes it.
//!
//! ```no_run
//! # fn demo(verifier: certgate::Verifier, certs: Vec<rustls::pki_types::CertificateDer<'static>>,
//! #         key: rustls::pki_types::PrivateKeyDer<'static>) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! let verifier = Arc::new(verifier);
//! let config = rustls::ServerConfig::builder()
//!     .with_client_cert_verifier(Arc::new(certgate::rustls::ClientVerifier::new(verifier.clone())))
//!     .with_single_cert(certs, key)?;
//! // After the handshake: verifier.verify(conn.peer_certificates().unwrap(), None) gives the Identity.
//! # Ok(()) }
//! ```
//!
//! Rejections become the closest `rustls::CertificateError` (so the peer gets the
//! matching TLS alert: `certificate_revoked`, `certificate_expired`, `unknown_ca`, …);
//! codes with no close match become `CertificateError::Other` carrying the
//! [`Rejection`] itself.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme,
};

use crate::{Code, Rejection, Verifier};

/// A rustls `ClientCertVerifier` for servers: client certificates are mandatory and
/// must pass the policy (which should have `usage: "client"`, the default).
#[derive(Debug)]
pub struct ClientVerifier {
    verifier: Arc<Verifier>,
    root_hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientVerifier {
    /// Wraps `verifier`; the server advertises the policy's anchors as acceptable CAs.
    pub fn new(verifier: Arc<Verifier>) -> ClientVerifier {
        let root_hints = verifier
            .anchor_subjects()
            .iter()
            .map(|subject| DistinguishedName::in_sequence(subject))
            .collect();
        ClientVerifier {
            verifier,
            root_hints,
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.root_hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        verify(&self.verifier, end_entity, intermediates, now)?;
        Ok(ClientCertVerified::assertion())
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

/// A rustls `ServerCertVerifier` for clients: the server's chain must pass the policy
/// (which should have `usage: "server"`) and, unless made with
/// [`ServerVerifier::identity_by_policy`], be valid for the name being connected to.
#[derive(Debug)]
pub struct ServerVerifier {
    verifier: Arc<Verifier>,
    check_server_name: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerVerifier {
    /// Wraps `verifier`; the server's certificate must also name the host connected to.
    pub fn new(verifier: Arc<Verifier>) -> ServerVerifier {
        ServerVerifier::with_name_check(verifier, true)
    }

    /// Wraps `verifier` with the policy's allow rules alone as the server's identity (no
    /// check of the name connected to): for SPIFFE meshes, whose server certificates name
    /// a workload, not a host. The policy must then pin the servers it accepts.
    pub fn identity_by_policy(verifier: Arc<Verifier>) -> ServerVerifier {
        ServerVerifier::with_name_check(verifier, false)
    }

    fn with_name_check(verifier: Arc<Verifier>, check_server_name: bool) -> ServerVerifier {
        ServerVerifier {
            verifier,
            check_server_name,
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        verify(&self.verifier, end_entity, intermediates, now)?;
        if self.check_server_name {
            rustls::client::verify_server_name(
                &ParsedCertificate::try_from(end_entity)?,
                server_name,
            )?;
        }
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

fn verify(
    verifier: &Verifier,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    now: UnixTime,
) -> Result<(), rustls::Error> {
    let chain: Vec<&[u8]> = std::iter::once(end_entity.as_ref())
        .chain(intermediates.iter().map(|c| c.as_ref()))
        .collect();
    verifier
        .verify(&chain, Some(now.as_secs()))
        .map(drop)
        .map_err(|rejection| rustls::Error::InvalidCertificate(certificate_error(rejection)))
}

/// The closest rustls error, so the peer receives the matching TLS alert.
fn certificate_error(rejection: Rejection) -> CertificateError {
    match rejection.code() {
        Code::Revoked => CertificateError::Revoked,
        Code::Expired => CertificateError::Expired,
        Code::NotYetValid => CertificateError::NotValidYet,
        Code::UnknownIssuer => CertificateError::UnknownIssuer,
        Code::BadSignature => CertificateError::BadSignature,
        Code::InvalidUsage => CertificateError::InvalidPurpose,
        Code::RevocationUnknown => CertificateError::UnknownRevocationStatus,
        Code::CrlExpired => CertificateError::ExpiredRevocationList,
        Code::MalformedCertificate => CertificateError::BadEncoding,
        _ => CertificateError::Other(OtherError(Arc::new(rejection))),
    }
}
