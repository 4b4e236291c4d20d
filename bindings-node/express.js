'use strict';
// certgate/express: per-request mTLS enforcement for Express (or any (req, res, next) stack).

const { Verifier } = require('./lib/verifier');
const { describe } = require('./lib/convert');

/**
 * A middleware that verifies the request's TLS peer with `verifier`: on success the identity
 * goes on `req.peer` and `next()` runs; otherwise it answers 403 with `{ code, message }` JSON.
 * A request without a TLS client certificate (or over plain HTTP) is refused as EMPTY_CHAIN.
 */
function certgate(verifier) {
  if (!(verifier instanceof Verifier)) throw new TypeError(`expected a certgate Verifier, not ${describe(verifier)}`);
  return function certgateMiddleware(req, res, next) {
    const socket = req.socket;
    const peer = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : null;
    const outcome = verifier.check(peer ?? {});
    if (outcome.ok) {
      req.peer = outcome.identity;
      next();
      return;
    }
    const body = JSON.stringify({ code: outcome.code, message: outcome.message });
    res.statusCode = 403;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  };
}

module.exports = certgate;
module.exports.certgate = certgate;
module.exports.default = certgate;
