'use strict';
// The public API that the native addon and the WASM build share: Verifier, inspect,
// CertgateError, CODES. The native layer returns outcomes as JSON text (parsed here, which
// is cheaper than building objects through Node-API); this file throws where the API does.

const native = require('./native');
const convert = require('./convert');
const { fetchOcsp } = require('./ocsp-fetch');
const { watchOptions, watchPolicy } = require('./watch');

/** Every code of docs/errors.md, in number order, straight from the core's `Code::ALL`. */
const CODES = Object.freeze(native.codes());

/** A rejection: `code` is one of CODES, `certIndex` the position in the chain (0 = leaf) or null. */
const portable = require('./portable');

const { CertgateError } = portable;

/** The CertgateError of a refused outcome. */
function rejection(outcome) {
  return new CertgateError(outcome.code, outcome.message, outcome.certIndex, outcome.generation ?? null);
}

/** Throws the CertgateError of a native call's failure (its outcome JSON), if it failed. */
function throwIfFailed(failure) {
  if (typeof failure === 'string') throw rejection(JSON.parse(failure));
}

let nativeOf;
let wrap;
/** Marks the construction of a Verifier around an already compiled native one. */
const COMPILED = Symbol('compiled');

/** A native compile result: the verifier, or the JSON of the refusal (thrown). */
function compiled(result) {
  if (typeof result === 'string') throw rejection(JSON.parse(result));
  return result;
}

/** A compiled policy. Immutable apart from updateCrls(); share one per policy. */
class Verifier {
  #native;
  #watcher = null;

  static {
    nativeOf = (verifier) => {
      if (!(verifier instanceof Verifier)) {
        throw new TypeError(`expected a certgate Verifier, not ${convert.describe(verifier)}`);
      }
      return verifier.#native;
    };
    wrap = (nativeVerifier) => {
      const verifier = new Verifier(COMPILED);
      verifier.#native = nativeVerifier;
      return verifier;
    };
  }

  /** @param policy a policy object (docs/policy.md) or its JSON text; throws CertgateError INVALID_POLICY. */
  constructor(policy) {
    if (policy === COMPILED) return;
    const { json, attachments } = convert.policyParts(policy);
    this.#native = compiled(native.compile(json, attachments));
  }

  /**
   * Compiles the policy in a JSON file, reading the files it references
   * (`{"file": ...}`, `{"dir": ...}`, relative to the policy's folder).
   * @param path a path string or a file: URL; throws CertgateError INVALID_POLICY.
   * @param options `{ watch?: boolean, debounceMs?: 100, onReload?(generation), onError?(error) }`:
   *   with `watch: true` the verifier reloads itself when one of those files changes
   *   (lib/watch.js) until close().
   */
  static fromFile(path, options) {
    const watching = watchOptions(options);
    const verifier = wrap(compiled(native.compileFile(convert.path(path))));
    if (watching.watch) verifier.#watcher = watchPolicy(verifier, watching);
    return verifier;
  }

  /** Stops watching the policy's files (fromFile with `watch: true`); a no-op otherwise. */
  close() {
    this.#watcher?.close();
    this.#watcher = null;
  }

  /** What the policy load and the latest CRL update left out: `[{ source, message }]`. */
  get warnings() {
    return JSON.parse(this.#native.warnings());
  }

  /** The peer's identity, or throws CertgateError. */
  verify(chain, options) {
    const outcome = JSON.parse(this.#native.check(convert.chain(chain), convert.at(options)));
    if (!outcome.ok) throw rejection(outcome);
    return outcome.identity;
  }

  /** `{ ok, code, message, certIndex, identity }`; throws only TypeError for wrong arguments. */
  check(chain, options) {
    return JSON.parse(this.#native.check(convert.chain(chain), convert.at(options)));
  }

  /**
   * The identity of a client whose certificate a TLS-terminating proxy forwarded in a
   * header (the policy's `forwarded` section, docs/forwarded.md); throws CertgateError.
   * @param headers the request's headers: `req.rawHeaders`, `req.headers`, a fetch
   *   `Headers` or `[name, value]` pairs
   * @param remoteAddress the connection's remote address (`req.socket.remoteAddress`),
   *   never `X-Forwarded-For`
   */
  verifyForwarded(headers, remoteAddress, options) {
    const outcome = this.checkForwarded(headers, remoteAddress, options);
    if (!outcome.ok) throw rejection(outcome);
    return outcome.identity;
  }

  /** The non-throwing twin of verifyForwarded(): `{ ok, code, message, certIndex, identity }`. */
  checkForwarded(headers, remoteAddress, options) {
    const pairs = portable.headerPairs(headers);
    const peer = portable.peerAddress(remoteAddress);
    return JSON.parse(this.#native.checkForwarded(pairs, peer, convert.at(options)));
  }

  /** The format of the policy's `forwarded` section (`"nginx"`, …), or null without one. */
  get forwardedFormat() {
    return this.#native.forwardedFormat();
  }

  /** verify() on the libuv thread pool: resolves to the identity, rejects with CertgateError or TypeError. */
  async verifyAsync(chain, options) {
    const outcome = await this.checkAsync(chain, options);
    if (!outcome.ok) throw rejection(outcome);
    return outcome.identity;
  }

  /**
   * check() on the libuv thread pool: resolves to the outcome; rejects only with TypeError.
   * With `revocation.ocsp.fetch`, the OCSP responses the chain lacks are fetched first.
   */
  async checkAsync(chain, options) {
    const items = convert.chain(chain);
    const at = convert.at(options);
    const decided = JSON.parse(await this.#native.checkAsync(items, at, this.#native.ocspFetch()));
    if (decided.ocspQueries === undefined) return decided;
    await fetchOcsp(this.#native, decided.ocspQueries);
    return JSON.parse(await this.#native.checkAsync(items, at, false));
  }

  /**
   * Replaces the authorities of one trust domain of `trust.spiffe_bundles` atomically with
   * `bundle` (SPIFFE bundle JSON, or any form anchors take); returns
   * `{ authorities, refreshHint, sequence }`. On error (CertgateError) the old bundle stays.
   */
  updateSpiffeBundle(trustDomain, bundle) {
    if (typeof trustDomain !== 'string') {
      throw new TypeError(`trustDomain must be a string, not ${convert.describe(trustDomain)}`);
    }
    const outcome = JSON.parse(this.#native.updateSpiffeBundle(trustDomain, convert.single(bundle)));
    if (!outcome.ok) throw rejection(outcome);
    return { authorities: outcome.authorities, refreshHint: outcome.refreshHint, sequence: outcome.sequence };
  }

  /** Replaces the CRL set atomically, one generation on; on error (CertgateError) the old set stays. */
  updateCrls(crls) {
    throwIfFailed(this.#native.updateCrls(convert.sources(crls, 'crls')));
  }

  /**
   * Replaces the OCSP responses (`revocation.ocsp.responses`: DER, or PEM `OCSP RESPONSE`
   * text) atomically, one generation on; on error (CertgateError) the old ones stay.
   */
  updateOcsp(responses) {
    throwIfFailed(this.#native.updateOcsp(convert.sources(responses, 'responses')));
  }

  /**
   * Replaces the whole policy atomically (an object or JSON text, as the constructor
   * takes), one generation on; a verification meanwhile sees the old or the new policy.
   * On error (CertgateError INVALID_POLICY) the policy in force stays.
   */
  reload(policy) {
    const { json, attachments } = convert.policyParts(policy);
    throwIfFailed(this.#native.reload(json, attachments));
  }

  /**
   * For a verifier made by fromFile: reads the policy file and every file it references
   * again, all or nothing, and swaps the result in. On error (CertgateError) the policy
   * in force stays.
   */
  reloadFromFile() {
    throwIfFailed(this.#native.reloadFromFile());
  }

  /** The policy file and every file and folder it references (fromFile only; else empty). */
  get watchedPaths() {
    return this.#native.watchedPaths();
  }

  /** 0 when made, plus one per reload, CRL update and SPIFFE bundle update; outcomes report theirs. */
  get generation() {
    return this.#native.generation();
  }

  /** The policy's mode: "enforce" or "audit". */
  get mode() {
    return this.#native.mode();
  }

  /**
   * The CRLs the policy asks to download (`revocation.fetch`): `{ urls, refreshSeconds }`,
   * or null without one. CrlRefresher does the downloading.
   */
  get crlFetch() {
    const fetch = this.#native.crlFetch();
    return fetch === null ? null : JSON.parse(fetch);
  }

  /** Counts a failed CRL download in stats() (CrlRefresher calls it). */
  recordCrlFetchFailure() {
    this.#native.recordCrlFetchFailure();
  }

  /**
   * The counters and the CRLs in force (docs/operations.md#stats): `{ verifications,
   * audit_admitted, warnings, reloads, generation, crl_fetch_failures, crls }`.
   */
  stats() {
    return JSON.parse(this.#native.stats());
  }
}

/** The identity of one certificate, without any verification; throws CertgateError. */
function inspect(cert) {
  const outcome = JSON.parse(native.inspect(convert.single(cert)));
  if (!outcome.ok) throw rejection(outcome);
  return outcome.identity;
}

module.exports = { CODES, CertgateError, Verifier, inspect, nativeOf, rejection };
