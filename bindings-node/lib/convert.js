'use strict';
// Turns what callers pass into what the native layer takes: arrays of PEM strings and
// bytes, unix seconds, policy JSON text. Wrong types throw TypeError; values are judged
// by the core. Node-only inputs (X509Certificate, getPeerCertificate objects) live here too.

const { X509Certificate } = require('node:crypto');
const { fileURLToPath } = require('node:url');
const { MAX_CHAIN_CERTIFICATES } = require('./native');
const portable = require('./portable');

const { describe, isBytes } = portable;
const BYTES_OR_PEM = 'a PEM string, a Uint8Array/Buffer or a crypto.X509Certificate';

/** One certificate: PEM text or bytes, as the native layer takes it. */
function certificate(value, what) {
  if (typeof value === 'string' || isBytes(value)) return value;
  if (value instanceof X509Certificate) return value.raw;
  throw new TypeError(`${what} must be ${BYTES_OR_PEM}, not ${describe(value)}`);
}

/** Is `value` what `tlsSocket.getPeerCertificate(true)` returns (`{}` when there is no certificate)? */
function isPeerCertificate(value) {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return isBytes(value.raw) || Object.keys(value).length === 0;
}

/**
 * The chain of a `getPeerCertificate(true)` object: its `raw` DER, then each
 * `issuerCertificate` until the links repeat (a self-signed root points at itself).
 * Stops one past the core's limit, so an endless chain is refused as INPUT_TOO_LARGE.
 */
function peerChain(peer) {
  const chain = [];
  const seen = new Set();
  for (let cert = peer; isPeerCertificate(cert) && isBytes(cert.raw) && !seen.has(cert); cert = cert.issuerCertificate) {
    if (chain.length > MAX_CHAIN_CERTIFICATES) break;
    seen.add(cert);
    chain.push(cert.raw);
  }
  return chain;
}

/** A chain argument: one item, an array of items, or a getPeerCertificate(true) object. */
function chain(value) {
  if (Array.isArray(value)) return value.map((item, index) => certificate(item, `chain[${index}]`));
  if (typeof value === 'string' || isBytes(value)) return [value];
  if (value instanceof X509Certificate) return [value.raw];
  if (isPeerCertificate(value)) return peerChain(value);
  throw new TypeError(
    `chain must be ${BYTES_OR_PEM}, an array of these, or a tlsSocket.getPeerCertificate(true) object, not ${describe(value)}`
  );
}

/** The certificate argument of inspect(): one item, or a getPeerCertificate() object's leaf. */
function single(value) {
  if (isPeerCertificate(value) && isBytes(value.raw)) return value.raw;
  return certificate(value, 'cert');
}

/**
 * CRLs for updateCrls(), OCSP responses for updateOcsp() (`name` in messages): one PEM
 * string or DER bytes, or an array of these.
 */
function sources(value, name) {
  const one = (item, what) => {
    if (typeof item === 'string' || isBytes(item)) return item;
    throw new TypeError(`${what} must be a PEM string or a Uint8Array/Buffer, not ${describe(item)}`);
  };
  if (Array.isArray(value)) return value.map((item, index) => one(item, `${name}[${index}]`));
  return [one(value, name)];
}

/** A file path: a string or a file: URL. */
function path(value) {
  if (typeof value === 'string' && value.length > 0) return value;
  if (value instanceof URL) return fileURLToPath(value);
  throw new TypeError(`path must be a non-empty string or a file: URL, not ${describe(value)}`);
}

/** The `at` of verify options as unix seconds, or null for now (the core reads the clock). */
const at = portable.atSeconds;

/** The policy argument as JSON text; X509Certificate values become their DER. */
function policyParts(policy) {
  return portable.policyParts(policy, (value) => (value instanceof X509Certificate ? value.raw : undefined));
}

module.exports = { at, chain, describe, path, policyParts, single, sources };
