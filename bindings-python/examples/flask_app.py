"""A Flask (WSGI) app behind a TLS-terminating proxy that forwards the client
certificate in a header, as the policy's ``forwarded`` section says
(docs/forwarded.md)::

    python examples/flask_app.py --policy POLICY.json --port PORT

Serves on 127.0.0.1:PORT with the standard library's WSGI server. GET / answers the
client's identity as JSON; a refused request gets 403 ``{"code": ..., "message": ...}``
from the middleware. Used by tests/proxies.
"""

from __future__ import annotations

import argparse
from wsgiref.simple_server import WSGIRequestHandler, make_server

from flask import Flask, jsonify, request

import certgate
from certgate.wsgi import CertgateMiddleware


def create_app(policy_file: str) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def whoami():  # type: ignore[no-untyped-def]
        peer = request.environ["certgate.peer"]
        return jsonify(
            {
                "app": "python-flask",
                "spiffe_id": peer.spiffe_id,
                "subject": peer.subject,
                "forwarded": peer.forwarded,
            }
        )

    app.wsgi_app = CertgateMiddleware(app.wsgi_app, certgate.Verifier.from_file(policy_file))  # type: ignore[method-assign]
    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # type: ignore[no-untyped-def]  # noqa: A002
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    with make_server("127.0.0.1", args.port, create_app(args.policy), handler_class=_QuietHandler) as server:
        print(f"listening on 127.0.0.1:{server.server_port}", flush=True)
        server.serve_forever()
