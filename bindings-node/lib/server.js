'use strict';
// Enforcing a Verifier in Node's own TLS servers (https, tls, http2 secure servers).

const { X509Certificate, constants } = require('node:crypto');
const { Verifier, nativeOf, rejection } = require('./verifier');
const { describe } = require('./convert');
const { admitted, auditReporter } = require('./request');

/**
 * Options for https.createServer / tls.createServer that make the server ask for a client
 * certificate and leave the decision to certgate: `requestCert: true`,
 * `rejectUnauthorized: false`, and `ca` = the policy's anchors (sent to clients as the
 * acceptable CA names). A `ca` you pass is kept, the anchors are added after it.
 *
 * Session tickets are turned off (`SSL_OP_NO_TICKET` added to `secureOptions`): a resumed
 * session carries the client's leaf but not the intermediates it sent, so without a
 * `trust.intermediates` pool a valid client would be refused on its second connection.
 */
function serverOptions(verifier, tlsOptions = {}) {
  const native = nativeOf(verifier);
  if (tlsOptions === null || typeof tlsOptions !== 'object' || Array.isArray(tlsOptions)) {
    throw new TypeError(`tlsOptions must be an object, not ${describe(tlsOptions)}`);
  }
  const anchors = native.anchors().map((der) => new X509Certificate(der).toString());
  const ca = tlsOptions.ca === undefined ? anchors : [tlsOptions.ca, anchors].flat();
  const secureOptions = (tlsOptions.secureOptions ?? 0) | constants.SSL_OP_NO_TICKET;
  return { ...tlsOptions, ca, secureOptions, requestCert: true, rejectUnauthorized: false };
}

/**
 * Verifies every connection of `server` when its handshake completes, before the HTTP
 * layer reads a byte: the identity goes on `socket.certgate` (so `req.socket.certgate`),
 * a rejected socket is passed to `onReject(error, socket)` and destroyed. Under an
 * audit-mode policy, `onAudit(audit, identity, socket)` reports each refusal not
 * enforced (default: a console warning).
 */
function enforce(server, verifier, options = {}) {
  if (server === null || typeof server !== 'object' || typeof server.prependListener !== 'function') {
    throw new TypeError(`server must be a tls.Server (https, tls or http2 secure server), not ${describe(server)}`);
  }
  if (!(verifier instanceof Verifier)) throw new TypeError(`expected a certgate Verifier, not ${describe(verifier)}`);
  const onAudit = auditReporter(options, ['onReject']);
  const { onReject } = options;
  if (onReject !== undefined && typeof onReject !== 'function') {
    throw new TypeError(`options.onReject must be a function, not ${describe(onReject)}`);
  }
  // Prepended so it runs before http's own connection listener; verification is
  // synchronous, so the socket is judged before any request data is read.
  server.prependListener('secureConnection', (socket) => {
    const outcome = judge(verifier, () => socket.getPeerCertificate(true));
    if (outcome.ok) {
      socket.certgate = admitted(outcome, onAudit, socket);
      return;
    }
    try {
      onReject?.(rejection(outcome), socket);
    } finally {
      socket.destroy();
    }
  });
  return server;
}

/**
 * The check outcome for the peer chain `readPeer()` gives (a detailed peer certificate,
 * as `getPeerCertificate(true)`); never throws: it runs inside TLS callbacks, where an
 * exception would escape, so an unreadable peer is refused as INTERNAL.
 */
function judge(verifier, readPeer) {
  try {
    return verifier.check(readPeer() ?? {});
  } catch (error) {
    return { ok: false, code: 'INTERNAL', message: `cannot read the peer's certificates: ${error.message}`, certIndex: null, identity: null };
  }
}

module.exports = { enforce, judge, serverOptions };
