//! What the CLI's test files share: running the binary, temporary folders, leaves
//! issued relative to the real clock (core's rcgen PKI underneath), and `openssl
//! s_server` as a real TLS server.
#![allow(dead_code)] // each test file uses a different part

#[path = "../../../core/tests/common/mod.rs"]
mod pki;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub use pki::*;
use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType, SerialNumber};
use time::OffsetDateTime;

/// (exit code, stdout, stderr) of `certgate ARGS`.
pub fn certgate(args: &[&str]) -> (i32, String, String) {
    certgate_in(Path::new("."), args)
}

/// (exit code, stdout, stderr) of `certgate ARGS` run inside `dir`.
pub fn certgate_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_certgate"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A temporary folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("certgate-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }

    /// Writes `contents` to `name`, creating its folders.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A leaf of `ca` named `CN=common_name,O=Certgate Test` for `usage` (server or client
/// authentication), with `sans`, valid from a day before `not_after - 30 days` (or a day
/// ago, if earlier) until `not_after`.
pub fn issue(
    ca: &Ca,
    serial: u64,
    common_name: &str,
    usage: ExtendedKeyUsagePurpose,
    sans: Vec<SanType>,
    not_after: OffsetDateTime,
) -> Leaf {
    let mut params = CertificateParams::default();
    params.distinguished_name = name(common_name);
    params.serial_number = Some(SerialNumber::from(serial));
    params.subject_alt_names = sans;
    params.not_before = (now() - time::Duration::days(1)).min(not_after - time::Duration::days(30));
    params.not_after = not_after;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![usage];
    ca.sign_leaf(params)
}

/// A server's SANs: `localhost`, 127.0.0.1 and a SPIFFE ID.
pub fn server_sans(spiffe_id: &str) -> Vec<SanType> {
    vec![
        SanType::DnsName("localhost".try_into().unwrap()),
        SanType::IpAddress([127, 0, 0, 1].into()),
        SanType::URI(spiffe_id.try_into().unwrap()),
    ]
}

/// `openssl s_server -www` on a free port of 127.0.0.1, killed on drop.
pub struct TlsServer {
    child: Child,
    pub port: u16,
}

impl TlsServer {
    /// Starts `openssl s_server` in `dir` with `args` added (certificate, key, client
    /// verification), and waits up to 10 s for the port it reports listening on.
    pub fn start(dir: &Path, args: &[&str]) -> TlsServer {
        let mut child = Command::new("openssl")
            .current_dir(dir)
            .args(["s_server", "-accept", "127.0.0.1:0", "-www"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server");
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        // Reads the port from `ACCEPT 127.0.0.1:PORT`, then keeps draining what the
        // server prints per connection, so that it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.strip_prefix("ACCEPT 127.0.0.1:") {
                    let _ = sender.send(port.trim().parse::<u16>().unwrap());
                }
            }
        });
        let mut server = TlsServer { child, port: 0 };
        server.port = receiver
            .recv_timeout(Duration::from_secs(10))
            .expect("openssl s_server did not report its port within 10 s");
        server
    }

    /// `localhost:PORT`.
    pub fn target(&self) -> String {
        format!("localhost:{}", self.port)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The keys of a JSON object, sorted: what a `--json` record promises to hold.
pub fn sorted_keys(object: &serde_json::Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}
