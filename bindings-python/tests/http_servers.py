"""Runs an ASGI app on uvicorn or a WSGI app on wsgiref, on 127.0.0.1 with a port the OS
picks, for the middleware tests; each yields the port and stops its server on exit."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[int]:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(15)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (wsgiref's name)
        pass


@contextlib.contextmanager
def serve_wsgi(app: Any) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(15)
