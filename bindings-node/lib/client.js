'use strict';
// The calling side of mTLS: a client that checks its server with a certgate policy.

const { X509Certificate } = require('node:crypto');
const tls = require('node:tls');
const { nativeOf, rejection } = require('./verifier');
const { describe } = require('./convert');
const { judge } = require('./server');
const { admitted, auditReporter } = require('./request');

const IDENTITY_CHECKS = ['hostname', 'policy'];

/**
 * Options for https.request, https.Agent, tls.connect and undici's Agent (`connect`) that
 * check the server with `verifier` (a policy with `usage: "server"`) before a request byte
 * is sent. Two checks run, both in the handshake:
 * - Node's own chain check, against the policy's anchors and pooled intermediates only
 *   (`ca`), never the system store. A server no anchor vouches for, or with an expired
 *   chain, is refused here with Node's error (`UNABLE_TO_GET_ISSUER_CERT_LOCALLY`,
 *   `CERT_HAS_EXPIRED`, ...): Node gives no hook before it.
 * - certgate's decision, as `checkServerIdentity`: chain, strict profile, revocation, deny
 *   and allow rules. A refusal fails the request with a CertgateError carrying the code.
 *
 * `identity` says what names the server: `"hostname"` (default) keeps Node's hostname
 * check as well; `"policy"` leaves it to the policy's allow rules, for SPIFFE meshes
 * whose certificates name a workload, not a host. `onAudit(audit, identity, { hostname,
 * certificate })` reports each refusal an audit-mode policy did not enforce.
 *
 * An anchor that is not a root (a policy trusting one issuing CA) needs Node 20.18 / 22.9 or
 * later (`allowPartialTrustChain`); older Node refuses such servers as UNABLE_TO_GET_ISSUER_CERT.
 *
 * TLS session resumption is turned off (`session: undefined`, undici's
 * `maxCachedSessions: 0`): Node skips `checkServerIdentity` on a resumed session, and an
 * agent shared by two policies would otherwise resume one policy's session under the other.
 */
function clientOptions(verifier, tlsOptions = {}) {
  const native = nativeOf(verifier);
  if (tlsOptions === null || typeof tlsOptions !== 'object' || Array.isArray(tlsOptions)) {
    throw new TypeError(`tlsOptions must be an object, not ${describe(tlsOptions)}`);
  }
  const { identity = 'hostname', onAudit: auditHook, ...options } = tlsOptions;
  const onAudit = auditReporter({ onAudit: auditHook });
  if (!IDENTITY_CHECKS.includes(identity)) {
    throw new TypeError(`tlsOptions.identity must be "hostname" or "policy", not ${describe(identity)}`);
  }
  if (options.rejectUnauthorized === false) {
    throw new TypeError(
      'tlsOptions.rejectUnauthorized: false would let a chain Node refuses through unchecked: ' +
        'certgate runs only on chains Node accepts'
    );
  }
  if (options.checkServerIdentity !== undefined) {
    throw new TypeError('tlsOptions.checkServerIdentity is what clientOptions() provides: give the policy the rules instead');
  }
  const anchors = native.anchors().map((der) => new X509Certificate(der));
  const intermediates = native.intermediates().map((der) => new X509Certificate(der));
  const policyCas = [...anchors, ...intermediates].map((cert) => cert.toString());
  const ca = options.ca === undefined ? policyCas : [options.ca, policyCas].flat();
  // OpenSSL ends a chain only at a self-issued certificate of `ca`, certgate at any
  // anchor; Node 20.18 / 22.9 and later accept a chain ending at an issuing CA (older Node ignores it).
  const partialChain = anchors.some((anchor) => !anchor.checkIssued(anchor));
  return {
    ...options,
    ca,
    ...(partialChain && { allowPartialTrustChain: true }),
    rejectUnauthorized: true,
    session: undefined,
    maxCachedSessions: 0,
    checkServerIdentity(hostname, cert) {
      const outcome = judge(verifier, () => cert);
      if (!outcome.ok) return rejection(outcome);
      admitted(outcome, onAudit, { hostname, certificate: cert });
      return identity === 'hostname' ? tls.checkServerIdentity(hostname, cert) : undefined;
    },
  };
}

module.exports = { clientOptions };
