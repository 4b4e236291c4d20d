"""Calls an HTTPS server whose certificate the policy decides on — the other direction
of mutual TLS — with httpx and ``certgate.client_context``::

    python examples/client.py --policy SERVER-POLICY.json --cert client.pem --key client.key URL

The policy (``"usage": "server"``) names the servers this client may talk to, e.g.
``{"allow": [{"spiffe_id": "spiffe://example.org/ns/prod/sa/payments"}]}``; with
``identity="policy"`` that SPIFFE ID, not a DNS name, is the server's identity. No byte
of the request is sent to a server the policy refuses. Prints the server's SPIFFE ID,
then the answer; a refusal prints its code to stderr and exits with status 1. Used by
tests/test_client.py.
"""

from __future__ import annotations

import argparse
import sys

import httpx

import certgate
import certgate.httpx


def main(policy: str, cert: str, key: str, url: str) -> int:
    context = certgate.client_context(
        certgate.Verifier.from_file(policy), cert, key, identity="policy"
    )
    with httpx.Client(transport=certgate.httpx.Transport(context)) as client:
        try:
            response = client.get(url)
        except certgate.CertgateError as refusal:  # the policy refused the server
            print(f"refused: {refusal}", file=sys.stderr)
            return 1
        except httpx.ConnectError as error:  # no connection, or OpenSSL refused the server
            print(f"cannot connect: {error}", file=sys.stderr)
            return 1
    server = response.extensions["network_stream"].get_extra_info("socket")
    print(f"server: {server.certgate_identity.spiffe_id}")
    print(f"{response.status_code} {response.text}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True, help='a policy with "usage": "server"')
    parser.add_argument("--cert", required=True, help="this client's certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="this client's private key (PEM)")
    parser.add_argument("url")
    arguments = parser.parse_args()
    sys.exit(main(arguments.policy, arguments.cert, arguments.key, arguments.url))
