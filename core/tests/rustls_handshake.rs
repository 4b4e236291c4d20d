//! Real TLS handshakes over loopback TCP with rustls on both sides: the server
//! enforces the policy through `certgate::rustls::ClientVerifier`, and clients check
//! servers through `ServerVerifier`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use certgate::Verifier;
use common::{Ca, Leaf, Pki, GOOD_SPIFFE_ID};
use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ClientConfig, ServerConfig};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(10);

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn key(leaf: &Leaf) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()))
}

/// What the server saw for one connection: the peer's SPIFFE ID, or the handshake error.
type ServerView = Result<String, String>;

/// Serves exactly `connections` handshakes on 127.0.0.1, then stops.
fn serve(
    verifier: Arc<Verifier>,
    server_cert: &Leaf,
    chain: Vec<CertificateDer<'static>>,
    connections: usize,
) -> (u16, std::thread::JoinHandle<Vec<ServerView>>) {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(Arc::new(certgate::rustls::ClientVerifier::new(
            verifier.clone(),
        )))
        .with_single_cert(chain, key(server_cert))
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut views = Vec::new();
        for _ in 0..connections {
            let (mut tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let view = match conn.complete_io(&mut tcp) {
                Err(error) => {
                    // Flush the alert to the client before closing.
                    let _ = conn.write_tls(&mut tcp);
                    Err(error.to_string())
                }
                Ok(_) => {
                    let chain: Vec<&[u8]> = conn
                        .peer_certificates()
                        .unwrap_or_default()
                        .iter()
                        .map(|c| c.as_ref())
                        .collect();
                    let identity = verifier.verify(&chain, None).unwrap();
                    let id = identity.spiffe_id.clone().unwrap_or_default();
                    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
                    let mut line = String::new();
                    let _ = BufReader::new(&mut tls).read_line(&mut line);
                    let _ = tls.write_all(format!("hello {id}\n").as_bytes());
                    tls.conn.send_close_notify();
                    let _ = tls.conn.complete_io(tls.sock);
                    Ok(id)
                }
            };
            views.push(view);
        }
        views
    });
    (port, handle)
}

/// Connects with a client certificate; returns the server's reply or the error.
fn connect(
    port: u16,
    root: &Ca,
    chain: Vec<CertificateDer<'static>>,
    client: &Leaf,
) -> Result<String, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(root.der())).unwrap();
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key(client))
        .unwrap();
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), "localhost".try_into().unwrap()).unwrap();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    tls.write_all(b"hi\n").map_err(|e| e.to_string())?;
    let mut reply = String::new();
    tls.read_to_string(&mut reply).map_err(|e| e.to_string())?;
    Ok(reply)
}

#[test]
fn handshake_admits_allowed_client_and_refuses_the_rest() {
    let pki = Pki::around(time::OffsetDateTime::now_utc());
    let other_root = Ca::root_around("Other Root", pki.root.center);
    let stranger = other_root.leaf(9, vec![SanType::URI(GOOD_SPIFFE_ID.try_into().unwrap())]);
    let unauthorized = pki.intermediate.leaf(
        3,
        vec![SanType::URI(
            "spiffe://example.org/ns/dev/sa/web".try_into().unwrap(),
        )],
    );
    let mut server_params = CertificateParams::default();
    server_params.subject_alt_names = vec![SanType::DnsName("localhost".try_into().unwrap())];
    server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server_params.not_before = pki.root.center - time::Duration::days(1);
    server_params.not_after = pki.root.center + time::Duration::days(1);
    let server_cert = pki.intermediate.sign_leaf(server_params);

    let policy = pki.policy(json!([{ "spiffe_id": "spiffe://example.org/ns/prod/sa/*" }]));
    let verifier = Arc::new(Verifier::new(certgate::Policy::from_value(policy).unwrap()).unwrap());
    let intermediate = CertificateDer::from(pki.intermediate.der());
    let with_intermediate =
        |leaf: &Leaf| vec![CertificateDer::from(leaf.der.clone()), intermediate.clone()];
    let (port, server) = serve(verifier, &server_cert, with_intermediate(&server_cert), 4);

    let allowed = connect(port, &pki.root, with_intermediate(&pki.good), &pki.good);
    let revoked = connect(
        port,
        &pki.root,
        with_intermediate(&pki.revoked),
        &pki.revoked,
    );
    let untrusted = connect(
        port,
        &pki.root,
        vec![CertificateDer::from(stranger.der.clone())],
        &stranger,
    );
    let refused = connect(
        port,
        &pki.root,
        with_intermediate(&unauthorized),
        &unauthorized,
    );
    let views = server.join().unwrap();

    assert_eq!(allowed, Ok(format!("hello {GOOD_SPIFFE_ID}\n")));
    assert_eq!(views[0], Ok(GOOD_SPIFFE_ID.to_owned()));
    for (name, client) in [
        ("revoked", &revoked),
        ("untrusted", &untrusted),
        ("unauthorized", &refused),
    ] {
        let error = client.as_ref().expect_err(name);
        assert!(
            error.contains("alert") || error.contains("reset") || error.contains("closed"),
            "{name}: {error}"
        );
    }
    let server_error = |index: usize| views[index].clone().expect_err("refused in the handshake");
    assert!(server_error(1).contains("Revoked"), "{}", server_error(1));
    assert!(
        server_error(2).contains("UnknownIssuer"),
        "{}",
        server_error(2)
    );
    assert!(
        server_error(3).contains("NotAuthorized"),
        "{}",
        server_error(3)
    );
}

/// Serves one handshake per server certificate on 127.0.0.1 without client authentication.
fn serve_plain(chains: Vec<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>) -> Vec<u16> {
    chains
        .into_iter()
        .map(|(chain, key)| {
            let config = ServerConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            std::thread::spawn(move || {
                let (mut tcp, _) = listener.accept().unwrap();
                tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
                let mut conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
                let _ = conn.complete_io(&mut tcp);
                let _ = conn.write_tls(&mut tcp);
            });
            port
        })
        .collect()
}

/// Completes a handshake to `port` as `server_name` with `verifier` judging the server.
fn handshake_with(
    port: u16,
    server_name: &str,
    verifier: certgate::rustls::ServerVerifier,
) -> Result<(), String> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    let name = server_name.to_owned().try_into().unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[test]
fn clients_check_servers_by_name_and_policy_or_by_policy_alone() {
    let pki = Pki::around(time::OffsetDateTime::now_utc());
    let workload = |serial: u64, spiffe_id: &str| {
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![SanType::URI(spiffe_id.try_into().unwrap())];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.serial_number = Some(serial.into());
        params.not_before = pki.root.center - time::Duration::days(1);
        params.not_after = pki.root.center + time::Duration::days(1);
        pki.intermediate.sign_leaf(params)
    };
    let payments = workload(40, "spiffe://example.org/ns/prod/sa/payments");
    let impostor = workload(41, "spiffe://example.org/ns/dev/sa/payments");
    let mut policy =
        pki.policy(json!([{ "spiffe_id": "spiffe://example.org/ns/prod/sa/payments" }]));
    policy["usage"] = json!("server");
    let verifier = Arc::new(Verifier::new(certgate::Policy::from_value(policy).unwrap()).unwrap());
    let chain = |leaf: &Leaf| {
        (
            vec![
                CertificateDer::from(leaf.der.clone()),
                CertificateDer::from(pki.intermediate.der()),
            ],
            key(leaf),
        )
    };
    let ports = serve_plain(vec![chain(&payments), chain(&payments), chain(&impostor)]);
    use certgate::rustls::ServerVerifier;

    let by_name = handshake_with(
        ports[0],
        "payments.internal",
        ServerVerifier::new(verifier.clone()),
    );
    let by_name = by_name.unwrap_err();
    assert!(
        by_name.contains("not valid for name"),
        "a SPIFFE-only certificate names no host: {by_name}"
    );
    assert_eq!(
        handshake_with(
            ports[1],
            "payments.internal",
            ServerVerifier::identity_by_policy(verifier.clone())
        ),
        Ok(())
    );
    let wrong = handshake_with(
        ports[2],
        "payments.internal",
        ServerVerifier::identity_by_policy(verifier),
    );
    let wrong = wrong.unwrap_err();
    assert!(
        wrong.contains("code: NotAuthorized"),
        "the policy pins the server: {wrong}"
    );
}
