'use strict';
// certgate/fastify: a Fastify plugin deciding on every request, as certgate/express does.

const { admitted, auditReporter, expectVerifier, judgeRequest, refusalBody } = require('./lib/request');

/**
 * Registers an onRequest hook that decides on every request with `options.verifier`
 * (client certificate from the TLS socket, or from a trusted proxy's headers when the
 * policy has a `forwarded` section): the identity goes on `request.peer`; a refused
 * request is answered 403 with `{ code, message }` JSON before any route runs.
 *
 *   fastify.register(require('certgate/fastify'), { verifier, onAudit? })
 *
 * `onAudit(audit, identity, request)` is called for each refusal an audit-mode policy
 * did not enforce (default: a console warning).
 */
function certgatePlugin(fastify, options, done) {
  const verifier = options?.verifier;
  expectVerifier(verifier);
  // Fastify passes its own registration options (prefix, ...) along: only onAudit is ours.
  const onAudit = auditReporter({ onAudit: options.onAudit });
  fastify.decorateRequest('peer', null);
  fastify.addHook('onRequest', (request, reply, next) => {
    const outcome = judgeRequest(verifier, request.raw);
    if (outcome.ok) {
      request.peer = admitted(outcome, onAudit, request);
      next();
      return;
    }
    reply.code(403).type('application/json; charset=utf-8').send(refusalBody(outcome));
  });
  done();
}

// As fastify-plugin marks a plugin: its hook and decoration apply to the whole instance,
// not only to an encapsulated child context.
certgatePlugin[Symbol.for('skip-override')] = true;
certgatePlugin[Symbol.for('fastify.display-name')] = 'certgate';

module.exports = certgatePlugin;
module.exports.certgate = certgatePlugin;
module.exports.default = certgatePlugin;
