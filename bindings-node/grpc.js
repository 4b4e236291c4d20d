'use strict';
// certgate/grpc: deciding on the client of a @grpc/grpc-js server call (mTLS). grpc-js
// exposes the client's leaf certificate once its own TLS check passed (the server's
// credentials must check client certificates against the policy's anchors); pool the
// intermediates in the policy's trust.intermediates, as grpc-js does not expose them.

const { rejection } = require('./lib/verifier');
const { admitted, auditReporter, expectHandler, expectVerifier } = require('./lib/request');
const { describe } = require('./lib/convert');

/** gRPC status codes (grpc/doc/statuscodes.md). */
const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;

/**
 * The gRPC error for a refusal: PERMISSION_DENIED when the client is who it says but the
 * policy does not let it in (NOT_AUTHORIZED), UNAUTHENTICATED otherwise. `details` starts
 * with the certgate code; the `certgate-code` trailer carries it alone when grpc-js is
 * there to build metadata.
 */
function serviceError(outcome) {
  const error = rejection(outcome);
  error.code = outcome.code === 'NOT_AUTHORIZED' ? PERMISSION_DENIED : UNAUTHENTICATED;
  error.certgateCode = outcome.code;
  error.details = `${outcome.code}: ${outcome.message}`;
  try {
    const { Metadata } = require('@grpc/grpc-js');
    error.metadata = new Metadata();
    error.metadata.set('certgate-code', outcome.code);
  } catch {
    // grpc-js is not resolvable from here: the code stays in `details`.
  }
  return error;
}

/** The check outcome for a server call (its auth context's peer certificate). */
function judgeCall(verifier, call) {
  const context = typeof call?.getAuthContext === 'function' ? call.getAuthContext() : null;
  const peer = context?.sslPeerCertificate;
  if (!peer) {
    return { ok: false, code: 'EMPTY_CHAIN', message: 'the call carries no verified TLS client certificate (is the server using SSL credentials that check client certificates?)', certIndex: null, identity: null };
  }
  return verifier.check(peer);
}

/**
 * The identity of the call's client; throws the gRPC error (see serviceError) otherwise.
 * `options`: `{ onAudit?(audit, identity, call) }` for refusals an audit-mode policy did
 * not enforce (default: a console warning), as for guard and guardService.
 */
function authorize(verifier, call, options) {
  expectVerifier(verifier);
  const onAudit = auditReporter(options);
  const outcome = judgeCall(verifier, call);
  if (!outcome.ok) throw serviceError(outcome);
  return admitted(outcome, onAudit, call);
}

/**
 * Wraps one grpc-js handler (unary, client-, server- or bidi-streaming): the identity
 * goes on `call.peer` before the handler runs; a refused call fails with the gRPC error
 * and the handler never runs.
 */
function guard(verifier, handler, options) {
  expectVerifier(verifier);
  expectHandler(handler);
  const onAudit = auditReporter(options);
  return function certgateGuarded(call, callback) {
    const outcome = judgeCall(verifier, call);
    if (!outcome.ok) {
      const error = serviceError(outcome);
      if (typeof callback === 'function') callback(error);
      else call.emit('error', error);
      return undefined;
    }
    call.peer = admitted(outcome, onAudit, call);
    return handler.call(this, call, callback);
  };
}

/** Every handler of a service implementation, guarded: `server.addService(def, guardService(verifier, impl))`. */
function guardService(verifier, implementation, options) {
  expectVerifier(verifier);
  if (implementation === null || typeof implementation !== 'object') {
    throw new TypeError(`implementation must be an object of handlers, not ${describe(implementation)}`);
  }
  return Object.fromEntries(Object.entries(implementation).map(([name, handler]) => [name, guard(verifier, handler, options)]));
}

module.exports = { PERMISSION_DENIED, UNAUTHENTICATED, authorize, guard, guardService };
