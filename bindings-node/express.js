'use strict';
// certgate/express: per-request mTLS enforcement for Express (or any (req, res, next) stack).

const { expectVerifier, judgeRequest, refuse } = require('./lib/request');

/**
 * A middleware that decides on every request with `verifier`: the client certificate
 * comes from the TLS socket, or, when the policy has a `forwarded` section, from the
 * headers a trusted proxy set (docs/forwarded.md). On success the identity goes on
 * `req.peer` and `next()` runs; otherwise it answers 403 with `{ code, message }` JSON.
 * A request without a client certificate is refused as EMPTY_CHAIN.
 */
function certgate(verifier) {
  expectVerifier(verifier);
  return function certgateMiddleware(req, res, next) {
    const outcome = judgeRequest(verifier, req);
    if (!outcome.ok) {
      refuse(res, outcome);
      return;
    }
    req.peer = outcome.identity;
    next();
  };
}

module.exports = certgate;
module.exports.certgate = certgate;
module.exports.default = certgate;
