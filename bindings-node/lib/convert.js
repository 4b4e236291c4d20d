'use strict';
// Turns what callers pass into what the native layer takes: arrays of PEM strings and
// bytes, unix seconds, policy JSON text. Wrong types throw TypeError; values are judged
// by the core. Node-only inputs (X509Certificate, getPeerCertificate objects) live here too.

const { X509Certificate } = require('node:crypto');
const { MAX_CHAIN_CERTIFICATES } = require('./native');

const BYTES_OR_PEM = 'a PEM string, a Uint8Array/Buffer or a crypto.X509Certificate';

function isBytes(value) {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  if (typeof value === 'string') return 'a string';
  return `${typeof value} ${String(value)}`;
}

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

/** CRLs for updateCrls(): one PEM string (maybe several CRLs) or DER bytes, or an array of these. */
function crls(value) {
  const one = (item, what) => {
    if (typeof item === 'string' || isBytes(item)) return item;
    throw new TypeError(`${what} must be a PEM string or a Uint8Array/Buffer, not ${describe(item)}`);
  };
  if (Array.isArray(value)) return value.map((item, index) => one(item, `crls[${index}]`));
  return [one(value, 'crls')];
}

/** The `at` of verify options as unix seconds, or null for now. */
function at(options) {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object like { at }, not ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'at') throw new TypeError(`options.${key} is not an option (the only one is "at")`);
  }
  const value = options.at;
  if (value === undefined || value === null) return null;
  if (value instanceof Date) {
    const millis = value.getTime();
    if (!Number.isFinite(millis) || millis < 0) throw new TypeError('options.at is an invalid or pre-1970 Date');
    return Math.floor(millis / 1000);
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  throw new TypeError(`options.at must be a Date or unix seconds (a finite number >= 0), not ${describe(value)}`);
}

/**
 * A JSON-ready copy of a policy object: bytes (Uint8Array, Buffer, X509Certificate) become
 * arrays of numbers, which the core reads as DER. Values JSON cannot hold (undefined,
 * functions, NaN, Dates, Maps, ...) are refused instead of being dropped silently.
 */
function jsonValue(value, where) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (isBytes(value)) {
    return Array.from(value);
  } else if (value instanceof X509Certificate) {
    return Array.from(value.raw);
  } else if (Array.isArray(value)) {
    return value.map((item, index) => jsonValue(item, `${where}[${index}]`));
  } else if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) {
      const copy = {};
      for (const [key, item] of Object.entries(value)) copy[key] = jsonValue(item, `${where}.${key}`);
      return copy;
    }
  }
  throw new TypeError(`${where} is ${describe(value)}, which a policy cannot hold (use JSON values, PEM strings or bytes)`);
}

/** The policy argument as JSON text: a JSON string as is, an object converted. */
function policyJson(policy) {
  if (typeof policy === 'string') return policy;
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy) || isBytes(policy)) {
    throw new TypeError(`policy must be an object or a JSON string, not ${describe(policy)}`);
  }
  return JSON.stringify(jsonValue(policy, 'policy'));
}

module.exports = { at, chain, crls, describe, policyJson, single };
