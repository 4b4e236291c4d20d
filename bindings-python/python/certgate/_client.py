"""``client_context``: an ``ssl.SSLContext`` for calling a server whose certificate
the policy decides on (the other direction of mutual TLS).

Two checks, in this order, on every new connection:

1. OpenSSL's own, during the handshake: ``CERT_REQUIRED`` against a trust store of the
   policy's anchors and ``trust.intermediates`` only (never the system's), and the
   hostname unless ``identity="policy"``. An untrusted or expired server fails here
   with ``ssl.SSLCertVerificationError``, as in the Node binding.
2. certgate's, right after the handshake and before the first application byte: the
   sockets (``SSLSocket``) and memory-BIO objects (``SSLObject``, asyncio and anyio)
   that the context makes verify the server's chain in ``do_handshake()`` — usage,
   ``allow`` / ``deny`` rules, CRL revocation — and raise the ``CertgateError`` of
   the code when it is refused. A resumed TLS session is checked too: the handshake
   runs, and so does the check.

The admitted server's identity is then the connection's ``certgate_identity``.
"""

from __future__ import annotations

import os
import ssl
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from ._native import Identity, Verifier
from ._request import expect_verifier
from ._tls import trust_policy

if TYPE_CHECKING:
    from typing_extensions import Buffer

__all__ = ["client_context", "expect_client_context"]


def _verifier(context: ssl.SSLContext) -> Verifier:
    if not isinstance(context, _ClientContext):
        raise TypeError("certgate: this connection's context is not a certgate.client_context")
    return context.certgate_verifier


class _PolicySocket(ssl.SSLSocket):
    """An ``SSLSocket`` that lets no data through until certgate admitted the server."""

    #: The server's identity, once certgate admitted it.
    certgate_identity: Optional[Identity] = None

    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        if self.certgate_identity is None:
            try:
                self.certgate_identity = _verifier(self.context).verify_ssl(self)
            except BaseException:
                # No close_notify either: a refused server gets nothing more.
                self.close()
                raise

    def _admitted(self) -> None:
        # With do_handshake_on_connect=False, OpenSSL would run the handshake inside the
        # first read or write, bypassing do_handshake() and so the check. Without a TLS
        # object (not connected yet, or unwrapped) there is no handshake to run.
        connected = self._sslobj is not None  # type: ignore[attr-defined]
        if self.certgate_identity is None and connected:
            self.do_handshake()

    def read(self, len: int = 1024, buffer: Optional[Any] = None) -> Any:
        self._admitted()
        return super().read(len, buffer)

    def write(self, data: Buffer) -> int:
        self._admitted()
        return super().write(data)

    def send(self, data: Buffer, flags: int = 0) -> int:
        self._admitted()
        return super().send(data, flags)


class _PolicyObject(ssl.SSLObject):
    """An ``SSLObject`` (asyncio, anyio) that lets no data through until certgate
    admitted the server. On a refusal the caller closes the transport, as it does when
    OpenSSL refuses."""

    #: The server's identity, once certgate admitted it.
    certgate_identity: Optional[Identity] = None

    def do_handshake(self) -> None:
        # Raises SSLWantReadError / SSLWantWriteError until the handshake is complete.
        super().do_handshake()
        if self.certgate_identity is None:
            self.certgate_identity = _verifier(self.context).verify_ssl(self)

    def _admitted(self) -> None:
        if self.certgate_identity is None:
            self.do_handshake()

    def read(self, len: int = 1024, buffer: Optional[Any] = None) -> Any:
        self._admitted()
        return super().read(len, buffer)

    def write(self, data: Buffer) -> int:
        self._admitted()
        return super().write(data)


class _ClientContext(ssl.SSLContext):
    """What ``client_context`` returns: its sockets and SSL objects check the server."""

    sslsocket_class = _PolicySocket
    sslobject_class = _PolicyObject
    certgate_verifier: Verifier


def expect_client_context(context: object) -> ssl.SSLContext:
    """``context`` itself, or a ``TypeError`` when ``client_context`` did not make it: any
    other ``SSLContext`` would connect without asking certgate."""
    if not isinstance(context, _ClientContext):
        raise TypeError(
            f"context: expected a certgate.client_context(...), got {type(context).__name__}"
        )
    return context


def client_context(
    verifier: Verifier,
    certfile: Union[str, os.PathLike[str], None] = None,
    keyfile: Union[str, os.PathLike[str], None] = None,
    *,
    identity: Literal["hostname", "policy"] = "hostname",
) -> ssl.SSLContext:
    """An ``ssl.SSLContext`` (``PROTOCOL_TLS_CLIENT``) whose connections admit a server
    only when OpenSSL trusts it under the policy's anchors and ``verifier`` allows it.

    Use it wherever Python takes a context: ``http.client.HTTPSConnection(context=)``,
    ``urllib.request.urlopen(context=)``, ``asyncio.open_connection(ssl=)``, aiohttp's
    ``ssl=``, ``certgate.httpx.Transport`` and ``certgate.requests.Adapter``. The
    policy should say ``"usage": "server"``.

    ``certfile`` / ``keyfile``: the client's own certificate (leaf first, then its
    intermediates) and key, for servers that ask for one (``load_cert_chain``).

    ``identity="hostname"`` (default) keeps OpenSSL's hostname check; ``"policy"``
    turns it off, so that the policy's ``allow`` rules (a SPIFFE ID, say) are the
    server's identity: for meshes whose certificates carry no DNS names.

    A refusal by the policy raises the ``CertgateError`` of the code from the
    handshake (through every library above as is) and closes the socket; nothing of
    the request is sent. The admitted server's ``Identity`` is the ``certgate_identity``
    of the connection's ``SSLSocket`` / ``SSLObject``.

    The trust store is loaded now: after ``update_spiffe_bundle`` changes the anchors,
    make a new context (``update_crls`` applies at once, as certgate's check reads the
    verifier). Renegotiation is off, so the certificate certgate checked stays the
    server's for the life of the connection.
    """
    verifier = expect_verifier(verifier)
    if identity not in ("hostname", "policy"):
        raise ValueError(f'identity: expected "hostname" or "policy", got {identity!r}')
    context = _ClientContext(ssl.PROTOCOL_TLS_CLIENT)
    context.certgate_verifier = verifier
    context.check_hostname = identity == "hostname"
    trust_policy(context, verifier)
    context.options |= ssl.OP_NO_RENEGOTIATION
    if certfile is not None:
        context.load_cert_chain(certfile, keyfile)
    return context
