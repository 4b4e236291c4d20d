"""A TLS server on 127.0.0.1 in a thread of this process, for the tests of both
directions of mutual TLS: one connection at a time, each handed to a function whose
result (or the handshake's error) is queued, so that a test reads what the server saw
on exactly the connection it made."""

from __future__ import annotations

import queue
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Callable, Optional

TIMEOUT = 20  # seconds, for every socket, wait and client process


@dataclass
class Connection:
    """What the server saw on one connection: the handler's result, or why the
    handshake failed (then the handler never ran)."""

    result: object = None
    handshake_error: Optional[str] = None


def read_head(tls: ssl.SSLSocket) -> bytes:
    """The bytes the client sent, up to the end of an HTTP request head or of the
    stream (a refused peer that just closes gives ``b""``)."""
    received = b""
    while b"\r\n\r\n" not in received and len(received) < 65536:
        try:
            chunk = tls.recv(4096)
        except (ssl.SSLError, OSError):  # closed without close_notify, reset
            break
        if not chunk:
            break
        received += chunk
    return received


def http_answer(status: str, body: str) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    ).encode()


class TlsServer:
    """Serves ``context`` on an ephemeral port; ``handle(tls)`` runs after each
    successful handshake and its result is queued (see ``next``)."""

    def __init__(self, context: ssl.SSLContext, handle: Callable[[ssl.SSLSocket], object]) -> None:
        self.context = context
        self.handle = handle
        self.connections: "queue.Queue[Connection]" = queue.Queue()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port: int = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self) -> None:
        while not self.stopping.is_set():
            try:
                raw, _ = self.listener.accept()
            except socket.timeout:
                continue
            raw.settimeout(TIMEOUT)
            try:
                tls = self.context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as error:
                raw.close()
                self.connections.put(Connection(handshake_error=str(error)))
                continue
            with tls:
                try:
                    result = self.handle(tls)
                except Exception as error:  # shown by the test's assertion, not lost in a thread
                    result = error
                self.connections.put(Connection(result=result))

    def next(self) -> Connection:
        """What the server saw on the oldest connection not read yet (waits for it)."""
        return self.connections.get(timeout=TIMEOUT)

    def __enter__(self) -> "TlsServer":
        self.thread.start()
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=TIMEOUT)
        self.listener.close()
        assert not self.thread.is_alive()
        if kind is None:  # else the test's own failure tells more
            assert self.connections.empty(), "a connection the test did not look at"
