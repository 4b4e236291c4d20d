'use strict';
// certgate/express: per-request mTLS enforcement for Express (or any (req, res, next) stack).

const { admitted, auditReporter, expectVerifier, judgeRequest, refuse } = require('./lib/request');

/**
 * A middleware that decides on every request with `verifier`: the client certificate
 * comes from the TLS socket, or, when the policy has a `forwarded` section, from the
 * headers a trusted proxy set (docs/forwarded.md). On success the identity goes on
 * `req.peer` and `next()` runs; otherwise it answers 403 with `{ code, message }` JSON.
 * A request without a client certificate is refused as EMPTY_CHAIN. `options`:
 * `{ onAudit?(audit, identity, req) }`, called for each refusal an audit-mode policy
 * did not enforce (default: a console warning).
 */
function certgate(verifier, options) {
  expectVerifier(verifier);
  const onAudit = auditReporter(options);
  return function certgateMiddleware(req, res, next) {
    const outcome = judgeRequest(verifier, req);
    if (!outcome.ok) {
      refuse(res, outcome);
      return;
    }
    req.peer = admitted(outcome, onAudit, req);
    next();
  };
}

module.exports = certgate;
module.exports.certgate = certgate;
module.exports.default = certgate;
