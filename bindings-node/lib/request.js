'use strict';
// Deciding on an HTTP request, for the middlewares (certgate/express, certgate/fastify,
// protect): the client certificate comes from the TLS socket, or — when the policy has a
// `forwarded` section — from the headers a trusted proxy set (docs/forwarded.md), with
// the socket's own remote address as the proxy's. Never throws: whatever cannot be read
// is a refusal.

const { Verifier } = require('./verifier');
const { describe } = require('./convert');

/** Throws a TypeError unless `verifier` is a certgate Verifier. */
function expectVerifier(verifier) {
  if (!(verifier instanceof Verifier)) throw new TypeError(`expected a certgate Verifier, not ${describe(verifier)}`);
}

/** Throws a TypeError unless `handler` is a function. */
function expectHandler(handler) {
  if (typeof handler !== 'function') throw new TypeError(`handler must be a function, not ${describe(handler)}`);
}

/** The check outcome for an http.IncomingMessage (`{ ok, code, message, certIndex, identity }`). */
function judgeRequest(verifier, req) {
  try {
    const socket = req.socket;
    if (verifier.forwardedFormat !== null) {
      return verifier.checkForwarded(req.rawHeaders, socket?.remoteAddress ?? '');
    }
    const peer = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate(true) : null;
    return verifier.check(peer ?? {});
  } catch (error) {
    // A missing remote address (a closed socket) is a TypeError from the argument checks.
    return { ok: false, code: 'UNTRUSTED_FORWARDER', message: `cannot tell who sent the request: ${error.message}`, certIndex: null, identity: null };
  }
}

/**
 * The default audit reporter: a console warning per refusal an audit-mode policy did not
 * enforce (docs/operations.md#audit-mode).
 */
function warnAudit(audit, identity) {
  console.warn(`certgate audit: would refuse ${identity.subject} with ${audit.code}: ${audit.message}`);
}

/**
 * Checks the options every middleware takes (`{ onAudit? }` plus `extra` names);
 * returns the audit reporter: `onAudit(audit, identity, context)` or the default.
 */
function auditReporter(options, extra = []) {
  if (options === undefined) return warnAudit;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object like { onAudit }, not ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'onAudit' && !extra.includes(key)) throw new TypeError(`options.${key} is not an option`);
  }
  if (options.onAudit !== undefined && typeof options.onAudit !== 'function') {
    throw new TypeError(`options.onAudit must be a function, not ${describe(options.onAudit)}`);
  }
  return options.onAudit ?? warnAudit;
}

/**
 * An admitted outcome's identity, after reporting it through `onAudit` when an
 * audit-mode policy admitted it although it would refuse it. `context` is what the
 * middleware decided on (the request, the socket, the call). A hook that throws is
 * reported on the console; the request goes on.
 */
function admitted(outcome, onAudit, context) {
  const identity = outcome.identity;
  if (identity.audit) {
    try {
      onAudit(identity.audit, identity, context);
    } catch (error) {
      // A failing log hook must not turn an admission into an error: report it, go on.
      console.error('certgate: the onAudit hook threw:', error);
    }
  }
  return identity;
}

/** The refusal as the middlewares answer it: 403 with `{ code, message }` JSON. */
function refusalBody(outcome) {
  return JSON.stringify({ code: outcome.code, message: outcome.message });
}

/** Answers a refused request on a plain http.ServerResponse. */
function refuse(res, outcome) {
  const body = refusalBody(outcome);
  res.statusCode = 403;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * A request listener for http.createServer / https.createServer that decides on every
 * request: the identity goes on `req.peer` and `handler(req, res)` runs; a refused
 * request gets 403 with `{ code, message }` JSON and `handler` never runs. `options`:
 * `{ onAudit?(audit, identity, req) }`.
 */
function protect(verifier, handler, options) {
  expectVerifier(verifier);
  expectHandler(handler);
  const onAudit = auditReporter(options);
  return function certgateProtected(req, res) {
    const outcome = judgeRequest(verifier, req);
    if (!outcome.ok) {
      refuse(res, outcome);
      return;
    }
    req.peer = admitted(outcome, onAudit, req);
    handler(req, res);
  };
}

module.exports = { admitted, auditReporter, expectHandler, expectVerifier, judgeRequest, protect, refuse, refusalBody };
