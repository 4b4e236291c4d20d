"""A FastAPI app behind a TLS-terminating proxy (nginx, HAProxy, Caddy, Apache, …) that
forwards the client certificate in a header; the policy's ``forwarded`` section says
which format and which proxies to believe (docs/forwarded.md). uvicorn does not hand
the app the TLS peer certificate, so behind a proxy this is how a Python service knows
its client::

    python examples/fastapi_app.py --policy POLICY.json --port PORT

Serves on 127.0.0.1:PORT with uvicorn. GET / answers the client's identity as JSON; a
refused request gets 403 ``{"code": ..., "message": ...}`` from the middleware. Used by
tests/proxies.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI, Request

import certgate
from certgate.asgi import CertgateMiddleware


def create_app(policy_file: str) -> FastAPI:
    app = FastAPI()
    app.add_middleware(CertgateMiddleware, verifier=certgate.Verifier.from_file(policy_file))

    @app.get("/")
    def whoami(request: Request) -> dict:
        peer = request.state.peer
        return {
            "app": "python-fastapi",
            "spiffe_id": peer.spiffe_id,
            "subject": peer.subject,
            "forwarded": peer.forwarded,
        }

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.policy), host="127.0.0.1", port=args.port, log_level="warning")
