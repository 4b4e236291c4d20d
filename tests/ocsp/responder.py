#!/usr/bin/env python3
"""responder.py DIR -- OpenSSL's OCSP responder for the tests, over HTTP on 127.0.0.1.

Prints `listening http://127.0.0.1:PORT` (a free port) and serves until it is killed.
Each POSTed OCSPRequest is answered by `openssl ocsp -index DIR/index.txt -CA
DIR/intermediate.pem -rsigner DIR/SIGNER.pem -rkey DIR/SIGNER.key -ndays 1 -reqin ...
-respout ...`: the responder logic of `openssl ocsp -port`, run once per request. (`openssl
ocsp -port` itself listens on every interface, and test servers listen on 127.0.0.1
only.) SIGNER is read from DIR/signer at each request (default `responder`); the word
`hang` there makes the responder wait 30 s before answering, for timeout tests.
`GET /requests` answers how many OCSP requests were served. make-pki.sh writes DIR.
"""

import http.server
import os
import subprocess
import sys
import tempfile
import threading
import time

DIR = sys.argv[1]
served = 0
lock = threading.Lock()


def signer() -> str:
    try:
        with open(os.path.join(DIR, "signer"), encoding="ascii") as file:
            return file.read().strip() or "responder"
    except FileNotFoundError:
        return "responder"


def answer(request: bytes) -> bytes:
    name = signer()
    if name == "hang":
        time.sleep(30)
        name = "responder"
    with tempfile.TemporaryDirectory() as scratch:
        request_path = os.path.join(scratch, "request.der")
        response_path = os.path.join(scratch, "response.der")
        with open(request_path, "wb") as file:
            file.write(request)
        subprocess.run(
            [
                "openssl", "ocsp",
                "-index", os.path.join(DIR, "index.txt"),
                "-CA", os.path.join(DIR, "intermediate.pem"),
                "-rsigner", os.path.join(DIR, f"{name}.pem"),
                "-rkey", os.path.join(DIR, f"{name}.key"),
                "-ndays", "1",
                "-reqin", request_path,
                "-respout", response_path,
            ],
            check=True,
            capture_output=True,
            timeout=10,
        )
        with open(response_path, "rb") as file:
            return file.read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (the http.server API)
        global served
        length = int(self.headers.get("Content-Length", "0"))
        request = self.rfile.read(length)
        with lock:
            served += 1
        body = answer(request)
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        body = str(served).encode()
        self.send_response(200 if self.path == "/requests" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(f"listening http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
