"""An asyncio HTTPS server that admits clients by policy itself, without a proxy::

    python examples/asyncio_server.py --policy POLICY.json --cert server.pem \
        --key server.key --port PORT

``certgate.server_context`` makes OpenSSL require a client certificate under the
policy's anchors; ``verifier.verify_ssl`` decides on the rest (usage, allow / deny
rules, revocation) for each connection, before its request is handled. An admitted
client gets 200 and its identity as JSON; a refused one 403
``{"code": ..., "message": ...}``, and its request goes no further. Try it with::

    curl --cacert ca.pem --cert allowed.pem --key allowed.key https://localhost:PORT/

Prints ``listening on https://127.0.0.1:PORT/`` once it accepts connections (``--port
0`` picks a free port). Used by tests/test_server.py.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
from typing import Dict

import certgate

#: Largest request head read, and how long a client may take to send it.
MAX_HEAD_BYTES = 16384
HEAD_SECONDS = 10


def response(status: str, document: Dict[str, object]) -> bytes:
    body = json.dumps(document).encode()
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def handle(
    verifier: certgate.Verifier, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        # Decided before the request is read. One verification takes ~0.15 ms, so it
        # runs on the event loop (the SSL object must not be used from another thread).
        try:
            peer = verifier.verify_ssl(writer.get_extra_info("ssl_object"))
            answer = response("200 OK", {"spiffe_id": peer.spiffe_id, "subject": peer.subject})
        except certgate.CertgateError as refusal:
            answer = response("403 Forbidden", {"code": refusal.code, "message": refusal.message})
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_SECONDS)
        writer.write(answer)
        await writer.drain()
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError):
        pass  # the client went away or sent no request head
    finally:
        writer.close()


async def serve(policy: str, cert: str, key: str, port: int) -> None:
    verifier = certgate.Verifier.from_file(policy)
    server = await asyncio.start_server(
        functools.partial(handle, verifier),
        "127.0.0.1",
        port,
        ssl=certgate.server_context(verifier, cert, key),
        limit=MAX_HEAD_BYTES,
    )
    print(f"listening on https://127.0.0.1:{server.sockets[0].getsockname()[1]}/", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True)
    parser.add_argument("--cert", required=True, help="the server's certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="the server's private key (PEM)")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    asyncio.run(serve(arguments.policy, arguments.cert, arguments.key, arguments.port))
