'use strict';
// The JavaScript glue certgate's two JS packages share: the policy as JSON, `at`,
// argument descriptions and CertgateError. The Node addon `certgate` ships a copy as
// lib/portable.js (copied by its `npm run build`); certgate-wasm's esbuild bundles it
// into each target's index.js. It uses nothing host-specific, so it runs in Node and in
// browsers alike. Wrong types throw TypeError; values are judged by the core.

/**
 * A Uint8Array (or Node Buffer), also from another realm; other typed arrays are not.
 * The typed-array tag getter answers what Object.prototype.toString would, 20× faster;
 * this runs once per chain item on every verification.
 */
function isBytes(value) {
  return ArrayBuffer.isView(value) && value[Symbol.toStringTag] === 'Uint8Array';
}

/** A short description of a value for TypeError messages. */
function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'symbol') return 'a symbol';
  return `${typeof value} ${String(value)}`;
}

/** The latest `at` certgate takes, in unix seconds (core's MAX_UNIX_SECONDS, 2^53 - 1). */
const MAX_UNIX_SECONDS = Number.MAX_SAFE_INTEGER;

/** `options.at` as unix seconds (a Date, or a number from 0 to MAX_UNIX_SECONDS), or null when absent. */
function atSeconds(options) {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object like { at }, not ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'at') throw new TypeError(`options.${key} is not an option (the only one is "at")`);
  }
  const at = options.at;
  if (at === undefined || at === null) return null;
  if (at instanceof Date) {
    const millis = at.getTime();
    if (Number.isFinite(millis) && millis >= 0) return millis / 1000;
    throw new TypeError('options.at is an invalid or pre-1970 Date');
  }
  if (typeof at === 'number' && at >= 0 && at <= MAX_UNIX_SECONDS) return at;
  throw new TypeError(`options.at must be a Date or unix seconds (a number from 0 to ${MAX_UNIX_SECONDS}), not ${describe(at)}`);
}

/**
 * A policy object as a JSON value: bytes are handed over beside it, each replaced by
 * `{"attached": N}` (N its place in `attachments`), so a large DER CRL is never spelled
 * out as JSON numbers; `hostBytes(value)` may turn host objects (Node's X509Certificate)
 * into bytes. Values JSON cannot hold (undefined, functions, NaN, Dates, Maps, ...) are
 * refused, never dropped silently: a dropped `allow` would mean "allow every valid chain".
 */
function jsonValue(value, where, hostBytes, attachments) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (isBytes(value)) {
    return { attached: attachments.push(value) - 1 };
  } else if (Array.isArray(value)) {
    return value.map((element, index) => jsonValue(element, `${where}[${index}]`, hostBytes, attachments));
  } else if (typeof value === 'object') {
    const bytes = hostBytes(value);
    if (bytes !== undefined) return { attached: attachments.push(bytes) - 1 };
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) {
      const copy = {};
      for (const [key, element] of Object.entries(value)) copy[key] = jsonValue(element, `${where}.${key}`, hostBytes, attachments);
      return copy;
    }
  }
  throw new TypeError(`${where} is ${describe(value)}, which a policy cannot hold (use JSON values, PEM strings or bytes)`);
}

/**
 * The policy argument as `{ json, attachments }`: JSON text (a JSON string as is, an
 * object converted) and the byte strings its `{"attached": N}` sources name.
 */
function policyParts(policy, hostBytes = () => undefined) {
  if (typeof policy === 'string') return { json: policy, attachments: [] };
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy) || ArrayBuffer.isView(policy)) {
    throw new TypeError(`policy must be an object or a JSON string, not ${describe(policy)}`);
  }
  const attachments = [];
  const json = JSON.stringify(jsonValue(policy, 'policy', hostBytes, attachments));
  return { json, attachments };
}

/**
 * A request's headers as `[name, value]` pairs, in order: Node's `req.rawHeaders` (a flat
 * list), `req.headers` (values may be lists), a fetch `Headers`, a `Map`, or pairs.
 * Names and values must be strings.
 */
function headerPairs(headers) {
  const pairs = [];
  const push = (name, value, where) => {
    if (typeof name !== 'string') throw new TypeError(`${where}: a header name must be a string, not ${describe(name)}`);
    if (Array.isArray(value)) {
      value.forEach((one, index) => push(name, one, `${where}[${index}]`));
      return;
    }
    if (value === undefined) return;
    if (typeof value !== 'string') throw new TypeError(`${where}: the value of ${name} must be a string, not ${describe(value)}`);
    pairs.push([name, value]);
  };
  if (Array.isArray(headers)) {
    if (headers.every((entry) => typeof entry === 'string')) {
      if (headers.length % 2 !== 0) throw new TypeError('headers: a flat list (rawHeaders) must hold name, value, name, value, …');
      for (let i = 0; i < headers.length; i += 2) push(headers[i], headers[i + 1], `headers[${i}]`);
    } else {
      headers.forEach((entry, index) => {
        if (!Array.isArray(entry) || entry.length !== 2) throw new TypeError(`headers[${index}] must be a [name, value] pair, not ${describe(entry)}`);
        push(entry[0], entry[1], `headers[${index}]`);
      });
    }
    return pairs;
  }
  if (headers !== null && typeof headers === 'object') {
    const entries = typeof headers.entries === 'function' && !(Object.getPrototypeOf(headers) === Object.prototype || Object.getPrototypeOf(headers) === null)
      ? Array.from(headers.entries())
      : Object.entries(headers);
    for (const [name, value] of entries) push(name, value, 'headers');
    return pairs;
  }
  throw new TypeError(`headers must be an object, a Headers, or a list of [name, value] pairs, not ${describe(headers)}`);
}

/** The remote address of the connection a request came on (a string). */
function peerAddress(peer) {
  if (typeof peer !== 'string' || peer.length === 0) {
    throw new TypeError(`peer must be the socket's remote address (a non-empty string), not ${describe(peer)}`);
  }
  return peer;
}

/**
 * A rejection by certgate: a real Error carrying the stable `code`, `certIndex` and the
 * policy `generation` that refused (null for refused policies and updates).
 */
class CertgateError extends Error {
  constructor(code, message, certIndex = null, generation = null) {
    super(message);
    this.code = code;
    this.certIndex = certIndex;
    this.generation = generation;
  }
}
// On the prototype, so that the stack trace captured by Error() already says CertgateError.
Object.defineProperty(CertgateError.prototype, 'name', { value: 'CertgateError', writable: true, configurable: true });

/** A Prometheus label value, escaped (text exposition format: backslash, quote, newline). */
function labelValue(text) {
  return String(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * A verifier's stats() in the Prometheus text exposition format (version 0.0.4), one
 * metric family per counter or gauge: verifications and expiry warnings by code, audit
 * admissions, reloads, CRL download failures (counters); the policy generation, and per
 * CRL in force its entries and nextUpdate (gauges); with a decision cache, its lookups by
 * result and evictions (counters) and entries (gauge).
 */
function prometheusText(stats) {
  if (stats === null || typeof stats !== 'object' || typeof stats.verifications !== 'object') {
    throw new TypeError(`expected the object stats() returns, not ${describe(stats)}`);
  }
  const lines = [];
  const family = (name, type, help, samples) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels).map(([key, v]) => `${key}="${labelValue(v)}"`).join(',');
      lines.push(`${name}${text ? `{${text}}` : ''} ${value}`);
    }
  };
  const byCode = (counts) => Object.entries(counts).map(([code, count]) => [{ code }, count]);
  family('certgate_verifications_total', 'counter', 'Verifications by outcome (OK or the refusal code; audit admissions count under their code).', byCode(stats.verifications));
  family('certgate_audit_admitted_total', 'counter', 'Chains an audit-mode policy admitted although it would refuse them.', [[{}, stats.audit_admitted]]);
  family('certgate_expiry_warnings_total', 'counter', 'Expiry warnings given, by code.', byCode(stats.warnings));
  family('certgate_reloads_total', 'counter', 'Successful policy reloads.', [[{}, stats.reloads]]);
  family('certgate_crl_fetch_failures_total', 'counter', 'CRL downloads that failed.', [[{}, stats.crl_fetch_failures]]);
  family('certgate_policy_generation', 'gauge', 'The policy generation in force (reloads, CRL and bundle updates).', [[{}, stats.generation]]);
  const crl = (item) => ({ issuer: item.issuer, source: item.source });
  family('certgate_crl_entries', 'gauge', 'Revoked serials listed by each CRL in force.', stats.crls.map((item) => [crl(item), item.entries]));
  family(
    'certgate_crl_next_update_timestamp_seconds',
    'gauge',
    'nextUpdate of each CRL in force, unix seconds.',
    stats.crls.filter((item) => item.next_update !== null).map((item) => [crl(item), item.next_update])
  );
  if (stats.cache) {
    family('certgate_cache_lookups_total', 'counter', 'Decision-cache lookups, by result.', [[{ result: 'hit' }, stats.cache.hits], [{ result: 'miss' }, stats.cache.misses]]);
    family('certgate_cache_evictions_total', 'counter', 'Decisions dropped from the cache to make room.', [[{}, stats.cache.evictions]]);
    family('certgate_cache_entries', 'gauge', 'Decisions held in the cache.', [[{}, stats.cache.entries]]);
  }
  return `${lines.join('\n')}\n`;
}

module.exports = { CertgateError, atSeconds, describe, headerPairs, isBytes, peerAddress, policyParts, prometheusText };
