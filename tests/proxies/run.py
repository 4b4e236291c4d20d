#!/usr/bin/env python3
"""End to end behind real proxies: nginx, HAProxy, Caddy and Apache (Debian's packages)
terminate mutual TLS on 127.0.0.1 and forward the client certificate in a header to an
app that decides with certgate — a Node Express app (certgate/express), a Python
FastAPI app on uvicorn (certgate.asgi) and, behind nginx, a Python Flask app
(certgate.wsgi). curl connects through each proxy as the demo PKI's clients (allowed,
revoked, wrong SPIFFE ID, expired, untrusted CA, none) and the app's answers are
asserted; then a forged header sent straight to each app, bypassing the proxy, must be
refused UNTRUSTED_FORWARDER.

    tests/proxies/run.py DEMO_PKI_DIR        (made by `certgate-vectors demo DIR`)
    tests/proxies/run.py --demo DEMO_PKI_DIR (make demo-proxy: nginx in front of the
                                              Node app, as a table)

Every process runs on 127.0.0.1 (the spoofing client uses 127.0.0.2: the proxies reach
the apps from 127.0.0.1, the only trusted proxy), with generated configurations in a
temporary folder, bounded waits, and is stopped by PID. Run with a Python that has the
certgate wheel, uvicorn, FastAPI and Flask (make test-proxies uses the dev venv).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} is not listening on 127.0.0.1:{port} after {seconds}s")


@contextmanager
def running(command: List[str], port: int, what: str, log: Path, env: Optional[dict] = None,
            stop: int = signal.SIGTERM) -> Iterator[None]:
    """Starts `command`, waits until it listens on `port`, stops it by PID afterwards."""
    with open(log, "ab") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        wait_for_port(port, process, what)
        yield
    except Exception:
        print(f"--- {what} log ({log}) ---\n{log.read_text(errors='replace')[-4000:]}", file=sys.stderr)
        raise
    finally:
        if process.poll() is None:
            os.killpg(process.pid, stop)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


# ---- the proxies: configuration and command, for one app port ----

def nginx(work: Path, pki: Path, port: int, upstream: int) -> Tuple[List[str], int]:
    (work / "tmp").mkdir()
    forward = f"proxy_pass http://127.0.0.1:{upstream}; proxy_set_header X-Client-Cert $ssl_client_escaped_cert;"
    (work / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/tmp/body;
    proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi;
    uwsgi_temp_path {work}/tmp/uwsgi;
    scgi_temp_path {work}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {pki}/server.pem;
        ssl_certificate_key {pki}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_verify_client optional_no_ca;
        ssl_verify_depth 4;
        # nginx refuses an expired certificate itself (495); forward it to the app instead.
        error_page 495 = @forward;
        location / {{ {forward} }}
        location @forward {{ {forward} }}
    }}
}}
""")
    return ["nginx", "-p", str(work), "-c", "nginx.conf", "-e", str(work / "error.log")], signal.SIGTERM


def haproxy(work: Path, pki: Path, port: int, upstream: int) -> Tuple[List[str], int]:
    combined = work / "server-combined.pem"
    combined.write_text((pki / "server.pem").read_text() + (pki / "server.key").read_text())
    (work / "haproxy.cfg").write_text(f"""
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:{port} ssl crt {combined} verify optional ca-file {pki}/ca.pem crt-ignore-err all ca-ignore-err all
    http-request del-header X-Client-Cert
    http-request del-header X-Client-Cert-Chain
    http-request set-header X-Client-Cert       %[ssl_c_der,base64]       if {{ ssl_c_used }}
    http-request set-header X-Client-Cert-Chain %[ssl_c_chain_der,base64] if {{ ssl_c_used }}
    default_backend app
backend app
    server app 127.0.0.1:{upstream}
""")
    return ["haproxy", "-f", str(work / "haproxy.cfg"), "-db"], signal.SIGTERM


def caddy(work: Path, pki: Path, port: int, upstream: int) -> Tuple[List[str], int]:
    (work / "Caddyfile").write_text(f"""
{{
    admin off
    auto_https off
    storage file_system {work}/data
    log {{
        output file {work}/caddy.log
        level ERROR
    }}
}}
https://localhost:{port} {{
    bind 127.0.0.1
    tls {pki}/server.pem {pki}/server.key {{
        client_auth {{
            mode request
        }}
    }}
    @hascert expression {{http.request.tls.client.fingerprint}} != null
    route {{
        request_header -X-Client-Cert
        reverse_proxy @hascert 127.0.0.1:{upstream} {{
            header_up X-Client-Cert {{http.request.tls.client.certificate_der_base64}}
        }}
        reverse_proxy 127.0.0.1:{upstream}
    }}
}}
""")
    return ["caddy", "run", "--config", str(work / "Caddyfile"), "--adapter", "caddyfile"], signal.SIGINT


def apache(work: Path, pki: Path, port: int, upstream: int) -> Tuple[List[str], int]:
    (work / "run").mkdir()
    modules = "/usr/lib/apache2/modules"
    loads = "\n".join(
        f"LoadModule {name}_module {modules}/mod_{name}.so"
        for name in ("mpm_event", "authz_core", "headers", "socache_shmcb", "ssl", "proxy", "proxy_http")
    )
    (work / "httpd.conf").write_text(f"""
ServerRoot "{work}"
ServerName localhost
DefaultRuntimeDir {work}/run
PidFile {work}/run/httpd.pid
Mutex file:{work}/run default
ErrorLog {work}/error.log
LogLevel warn
User nobody
Group nogroup
{loads}
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 8
SSLSessionCache shmcb:{work}/run/ssl_scache(512000)
Listen 127.0.0.1:{port} https
<VirtualHost 127.0.0.1:{port}>
    SSLEngine on
    SSLCertificateFile {pki}/server.pem
    SSLCertificateKeyFile {pki}/server.key
    SSLVerifyClient optional_no_ca
    SSLVerifyDepth 4
    RequestHeader unset X-SSL-Client-Cert
    RequestHeader unset X-SSL-Client-Cert-Chain-0
    RequestHeader set X-SSL-Client-Cert "%{{SSL_CLIENT_CERT}}s" "expr=-n %{{SSL_CLIENT_CERT}}"
    RequestHeader set X-SSL-Client-Cert-Chain-0 "%{{SSL_CLIENT_CERT_CHAIN_0}}s" "expr=-n %{{SSL_CLIENT_CERT_CHAIN_0}}"
    ProxyPass / http://127.0.0.1:{upstream}/
</VirtualHost>
""")
    return ["apache2", "-f", str(work / "httpd.conf"), "-DFOREGROUND"], signal.SIGTERM


PROXIES: Dict[str, Tuple[str, Callable[..., Tuple[List[str], int]]]] = {
    "nginx": ("nginx", nginx),
    "haproxy": ("haproxy", haproxy),
    "caddy": ("caddy", caddy),
    "apache": ("apache", apache),
}


# ---- the apps ----

def app_command(app: str, policy: Path, port: int) -> List[str]:
    if app == "node-express":
        return ["node", str(ROOT / "bindings-node" / "examples" / "forwarded-app.js"), str(policy), str(port)]
    script = {"python-fastapi": "fastapi_app.py", "python-flask": "flask_app.py"}[app]
    return [PYTHON, str(ROOT / "bindings-python" / "examples" / script), "--policy", str(policy), "--port", str(port)]


MATRIX = [(proxy, app) for proxy in PROXIES for app in ("node-express", "python-fastapi")] + [
    ("nginx", "python-flask")
]

# What each client gets through the proxy: (status, code or SPIFFE ID). Apache refuses an
# expired certificate in the handshake (mod_ssl tolerates only issuer errors under
# optional_no_ca, and has no way to forward it): the request never reaches the app.
EXPECTED = {
    "allowed": (200, "spiffe://demo.example/ns/prod/sa/web"),
    "revoked": (403, "REVOKED"),
    "wrong-spiffe": (403, "NOT_AUTHORIZED"),
    "expired": (403, "EXPIRED"),
    "untrusted": (403, "UNKNOWN_ISSUER"),
    None: (403, "EMPTY_CHAIN"),
}
REFUSED_BY_PROXY = {("apache", "expired")}


def curl(pki: Path, port: int, client: Optional[str]) -> Tuple[int, Optional[dict]]:
    """One HTTPS request through the proxy as `client`; (status, JSON body), status 0
    when the TLS handshake or the connection failed."""
    command = ["curl", "-sS", "--max-time", "10", "--cacert", str(pki / "ca.pem"),
               "--resolve", f"localhost:{port}:127.0.0.1", "-w", "\n%{http_code}",
               f"https://localhost:{port}/"]
    if client:
        command += ["--cert", str(pki / f"{client}.pem"), "--key", str(pki / f"{client}.key")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        return 0, None
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


def spoof(pki: Path, port: int, header: str) -> Tuple[int, dict]:
    """A forged certificate header sent straight to the app from 127.0.0.2."""
    leaf = (pki / "allowed.pem").read_text().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    import urllib.parse
    value = urllib.parse.quote(leaf, safe="")
    command = ["curl", "-sS", "--max-time", "10", "--interface", "127.0.0.2", "-H", f"{header}: {value}",
               "-w", "\n%{http_code}", f"http://127.0.0.1:{port}/"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


def write_policy(work: Path, pki: Path, format_: str) -> Path:
    policy = json.loads((pki / "policy.json").read_text())
    policy["forwarded"] = {"format": format_, "trusted_proxies": ["127.0.0.1"]}
    path = work / f"policy-{format_}.json"
    path.write_text(json.dumps(policy))
    return path


def demo(pki: Path) -> int:
    """nginx in front of the Node Express app: each client's answer, and a forged header."""
    base = Path(tempfile.mkdtemp(prefix="certgate-demo-proxy-"))
    base.chmod(0o755)
    try:
        policy = write_policy(base, pki, "nginx")
        app_port, proxy_port = free_port(), free_port()
        proxy_command, stop = nginx(base, pki, proxy_port, app_port)
        print(f"certgate behind nginx: nginx terminates mTLS on https://localhost:{proxy_port} and forwards")
        print(f"the client certificate ($ssl_client_escaped_cert) to the Node app on 127.0.0.1:{app_port},")
        print("whose policy allows spiffe://demo.example/ns/prod/sa/* and trusts headers from 127.0.0.1 only.")
        print()
        row = "{:<40} {:<7} {:<20} {}"
        print(row.format("CLIENT", "HTTP", "CODE", "IDENTITY / REASON"))
        print(row.format("------", "----", "----", "-----------------"))
        with running(app_command("node-express", policy, app_port), app_port, "node app", base / "app.log"), \
                running(proxy_command, proxy_port, "nginx", base / "proxy.log", stop=stop):
            for client in ("allowed", "revoked", "wrong-spiffe", "expired", "untrusted", None):
                status, body = curl(pki, proxy_port, client)
                body = body or {}
                detail = (body.get("spiffe_id") or body.get("subject")) if status == 200 else body.get("message", "")[:70]
                print(row.format(f"{client or 'none'} (through nginx)", status, body.get("code", "-"), detail))
            status, body = spoof(pki, app_port, "X-Client-Cert")
            print(row.format("forged header, straight to the app", status, body.get("code", "-"), body.get("message", "")[:70]))
        print()
        print("The forged row: a client that reaches the app without nginx sends the allowed client's")
        print("certificate in X-Client-Cert; it comes from 127.0.0.2, not a trusted proxy, so it is refused.")
        print("nginx and the app were stopped; their files removed.")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--demo":
        return demo(Path(sys.argv[2]).resolve())
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    pki = Path(sys.argv[1]).resolve()
    failures: List[str] = []
    checks = 0
    base = Path(tempfile.mkdtemp(prefix="certgate-proxies-"))
    # Proxies started as root hand requests to unprivileged workers, which must reach
    # their files; the PKI's keys are test keys.
    base.chmod(0o755)
    try:
        for proxy, app in MATRIX:
            format_, configure = PROXIES[proxy]
            work = base / f"{proxy}-{app}"
            work.mkdir()
            work.chmod(0o755)
            policy = write_policy(work, pki, format_)
            app_port, proxy_port = free_port(), free_port()
            proxy_command, stop = configure(work, pki, proxy_port, app_port)
            env = dict(os.environ, HOME=str(work), XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
            with running(app_command(app, policy, app_port), app_port, app, work / "app.log"), \
                    running(proxy_command, proxy_port, proxy, work / "proxy.log", env=env, stop=stop):
                for client, (status, expected) in EXPECTED.items():
                    checks += 1
                    got_status, body = curl(pki, proxy_port, client)
                    label = f"{proxy} -> {app}, client {client or 'none'}"
                    if (proxy, client) in REFUSED_BY_PROXY:
                        if got_status != 0:
                            failures.append(f"{label}: expected the proxy to refuse the handshake, got {got_status} {body}")
                        continue
                    got = body.get("spiffe_id") if got_status == 200 and body else (body or {}).get("code")
                    if (got_status, got) != (status, expected):
                        failures.append(f"{label}: expected {status} {expected}, got {got_status} {body}")
                    elif got_status == 200 and body.get("forwarded", {}).get("format") != format_:
                        failures.append(f"{label}: the identity does not say it was forwarded as {format_}: {body}")
                checks += 1
                header = {"apache": "X-SSL-Client-Cert"}.get(proxy, "X-Client-Cert")
                got_status, body = spoof(pki, app_port, header)
                if (got_status, body.get("code")) != (403, "UNTRUSTED_FORWARDER"):
                    failures.append(f"{proxy} -> {app}: a forged header sent straight to the app from 127.0.0.2 got {got_status} {body}")
            print(f"{proxy:8} -> {app:15} {len(EXPECTED)} clients through the proxy, 1 forged header straight to the app")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    print(f"proxies: {checks - len(failures)} of {checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
