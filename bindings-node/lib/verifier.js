'use strict';
// The public API that the native addon and the WASM build share: Verifier, inspect,
// CertgateError, CODES. The native layer returns outcomes as JSON text (parsed here, which
// is cheaper than building objects through Node-API); this file throws where the API does.

const native = require('./native');
const convert = require('./convert');

/** Every code of API.md §4, in number order, straight from the core's `Code::ALL`. */
const CODES = Object.freeze(native.codes());

/** A rejection: `code` is one of CODES, `certIndex` the position in the chain (0 = leaf) or null. */
const { CertgateError } = require('./portable');

function rejection(outcome) {
  return new CertgateError(outcome.code, outcome.message, outcome.certIndex);
}

let nativeOf;

/** A compiled policy. Immutable apart from updateCrls(); share one per policy. */
class Verifier {
  #native;

  static {
    nativeOf = (verifier) => {
      if (!(verifier instanceof Verifier)) {
        throw new TypeError(`expected a certgate Verifier, not ${convert.describe(verifier)}`);
      }
      return verifier.#native;
    };
  }

  /** @param policy a policy object (API.md §1) or its JSON text; throws CertgateError INVALID_POLICY. */
  constructor(policy) {
    const compiled = native.compile(convert.policyJson(policy));
    if (typeof compiled === 'string') throw rejection(JSON.parse(compiled));
    this.#native = compiled;
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

  /** verify() on the libuv thread pool: resolves to the identity, rejects with CertgateError or TypeError. */
  async verifyAsync(chain, options) {
    const outcome = JSON.parse(await this.#native.checkAsync(convert.chain(chain), convert.at(options)));
    if (!outcome.ok) throw rejection(outcome);
    return outcome.identity;
  }

  /** Replaces the CRL set atomically; on error (CertgateError) the old set stays. */
  updateCrls(crls) {
    const failure = this.#native.updateCrls(convert.crls(crls));
    if (typeof failure === 'string') throw rejection(JSON.parse(failure));
  }
}

/** The identity of one certificate, without any verification; throws CertgateError. */
function inspect(cert) {
  const outcome = JSON.parse(native.inspect(convert.single(cert)));
  if (!outcome.ok) throw rejection(outcome);
  return outcome.identity;
}

module.exports = { CODES, CertgateError, Verifier, inspect, nativeOf };
