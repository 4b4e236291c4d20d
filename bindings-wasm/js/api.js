'use strict';
// The public API of certgate-wasm over the raw wasm-bindgen module (src/lib.rs): the
// same Verifier / inspect / CertgateError / CODES as the Node addon `certgate`, minus
// its Node-only parts (verifyAsync, X509Certificate and getPeerCertificate inputs,
// server helpers). It checks argument types, converts and re-throws; every decision
// comes from the Rust core. The glue shared with the Node addon (policy JSON, `at`,
// CertgateError, ...) is bindings-js/portable.js. scripts/package.js bundles this
// module into each target's index.js with esbuild (entries: node.js, web.mjs).

const portable = require('../../bindings-js/portable.js');

const { CertgateError, describe, isBytes, policyParts } = portable;

/**
 * @param raw the wasm-bindgen module (RawVerifier, inspect)
 * @param codes every code string, in number order (core's Code::ALL)
 * @param ensureReady throws while the wasm module cannot be used yet (web: before init)
 */
function createApi(raw, codes, ensureReady) {
  const CODES = Object.freeze(codes.slice());

  const rejection = (outcome) => new CertgateError(outcome.code, outcome.message, outcome.certIndex, outcome.generation ?? null);

  /** Set by the first trap: the instance's memory may be inconsistent from then on. */
  let poisoned = null;

  /**
   * Runs a raw call. Rejections the raw layer throws are outcome objects (`ok: false`)
   * and become CertgateErrors; a trap (a Rust panic, compiled as abort) is a
   * WebAssembly.RuntimeError and fails closed as INTERNAL. A trapped instance is
   * poisoned: every later call is refused as INTERNAL too, never run on memory a
   * panic left half-written.
   */
  function call(fn) {
    ensureReady();
    if (poisoned !== null) {
      throw new CertgateError('INTERNAL', `certgate-wasm: refused, the WebAssembly instance trapped earlier (${poisoned}); load the module again`);
    }
    try {
      return fn();
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        poisoned = error.message;
        throw new CertgateError('INTERNAL', `certgate-wasm: the WebAssembly module trapped (${error.message})`);
      }
      if (error !== null && typeof error === 'object' && error.ok === false) throw rejection(error);
      throw error;
    }
  }

  // ---- argument conversion: wrong types are TypeErrors, values are judged by the core ----

  const BYTES_OR_PEM = 'a PEM string or a Uint8Array';

  /** The wasm glue checks `instanceof Uint8Array`: re-view bytes from another realm. */
  function bytes(value) {
    return value instanceof Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }

  function item(value, what) {
    if (typeof value === 'string') return value;
    if (isBytes(value)) return bytes(value);
    throw new TypeError(`${what} must be ${BYTES_OR_PEM}, not ${describe(value)}`);
  }

  /** One item or an array of items (a chain, leaf first, or a CRL set). */
  function items(value, what) {
    if (Array.isArray(value)) return value.map((element, index) => item(element, `${what}[${index}]`));
    if (typeof value === 'string' || isBytes(value)) return [item(value, what)];
    throw new TypeError(`${what} must be ${BYTES_OR_PEM}, or an array of these, not ${describe(value)}`);
  }

  /** `options.at` as unix seconds; absent means now, taken here (wasm has no clock of its own). */
  function seconds(options) {
    return portable.atSeconds(options) ?? Date.now() / 1000;
  }

  /** A refusal thrown by `call` as the outcome `check` returns; anything else rethrown. */
  function failedOutcome(error) {
    if (!(error instanceof CertgateError)) throw error;
    return { ok: false, code: error.code, message: error.message, certIndex: error.certIndex, identity: null, generation: error.generation };
  }

  // ---- the API ----

  /** A compiled policy (docs/policy.md); swapped whole by reload(), updateCrls() and updateSpiffeBundle(). */
  class Verifier {
    #raw;

    /** @param policy a policy object or its JSON text; throws CertgateError INVALID_POLICY. */
    constructor(policy) {
      const { json, attachments } = policyParts(policy);
      this.#raw = call(() => new raw.RawVerifier(json, attachments));
    }

    /** The peer's identity if `chain` may in at `options.at` (default now); throws CertgateError otherwise. */
    verify(chain, options) {
      const outcome = this.check(chain, options);
      if (!outcome.ok) throw rejection(outcome);
      return outcome.identity;
    }

    /** The decision as `{ ok, code, message, certIndex, identity, generation }`; throws only TypeError. */
    check(chain, options) {
      const verifier = this.#raw;
      const certs = items(chain, 'chain');
      const at = seconds(options);
      try {
        return call(() => verifier.check(certs, at));
      } catch (error) {
        return failedOutcome(error);
      }
    }

    /** The identity of a client whose certificate a proxy forwarded in a header (the policy's `forwarded` section); throws CertgateError. */
    verifyForwarded(headers, remoteAddress, options) {
      const outcome = this.checkForwarded(headers, remoteAddress, options);
      if (!outcome.ok) throw rejection(outcome);
      return outcome.identity;
    }

    /** The non-throwing twin of verifyForwarded(): `{ ok, code, message, certIndex, identity, generation }`. */
    checkForwarded(headers, remoteAddress, options) {
      const verifier = this.#raw;
      const pairs = portable.headerPairs(headers);
      const peer = portable.peerAddress(remoteAddress);
      const at = seconds(options);
      try {
        return call(() => verifier.checkForwarded(pairs, peer, at));
      } catch (error) {
        return failedOutcome(error);
      }
    }

    /** The format of the policy's `forwarded` section (`"nginx"`, …), or null without one. */
    get forwardedFormat() {
      const verifier = this.#raw;
      return call(() => verifier.forwardedFormat()) ?? null;
    }

    /** Replaces one trust domain's SPIFFE bundle atomically: `{ authorities, refreshHint, sequence }`. */
    updateSpiffeBundle(trustDomain, bundle) {
      if (typeof trustDomain !== 'string') throw new TypeError(`trustDomain must be a string, not ${describe(trustDomain)}`);
      const verifier = this.#raw;
      const one = item(bundle, 'bundle');
      return call(() => verifier.updateSpiffeBundle(trustDomain, one));
    }

    /** What the policy load and the latest CRL update left out (unusable CRLs): `[{ source, message }]`. */
    get warnings() {
      const verifier = this.#raw;
      return call(() => verifier.warnings());
    }

    /** Replaces the CRL set atomically (each item PEM, maybe several CRLs, or DER), one generation on; on error the old set stays. */
    updateCrls(crls) {
      const verifier = this.#raw;
      const list = items(crls, 'crls');
      call(() => verifier.updateCrls(list));
    }

    /** Replaces the OCSP responses atomically (each DER, or PEM `OCSP RESPONSE` text), one generation on; on error the old ones stay. */
    updateOcsp(responses) {
      const verifier = this.#raw;
      const list = items(responses, 'responses');
      call(() => verifier.updateOcsp(list));
    }

    /** Replaces the whole policy atomically, one generation on; on error (CertgateError INVALID_POLICY) the policy in force stays. */
    reload(policy) {
      const verifier = this.#raw;
      const { json, attachments } = policyParts(policy);
      call(() => verifier.reload(json, attachments));
    }

    /** 0 when made, plus one per reload, CRL update and SPIFFE bundle update; outcomes report theirs. */
    get generation() {
      const verifier = this.#raw;
      return call(() => verifier.generation());
    }

    /** The policy's mode: "enforce" or "audit". */
    get mode() {
      const verifier = this.#raw;
      return call(() => verifier.mode());
    }

    /** The counters and the CRLs in force: `{ verifications, audit_admitted, warnings, reloads, generation, crl_fetch_failures, crls }`. */
    stats() {
      const verifier = this.#raw;
      return call(() => verifier.stats());
    }
  }

  /** The identity of one certificate (DER, or the first of a PEM bundle), without verification. */
  function inspect(cert) {
    const one = item(cert, 'cert');
    return call(() => raw.inspect(one));
  }

  return { Verifier, inspect, CertgateError, CODES, prometheusText: portable.prometheusText };
}

module.exports = { createApi };
