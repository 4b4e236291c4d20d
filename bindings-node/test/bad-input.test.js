'use strict';
// Bad input never crashes: garbage, empty and oversized inputs are CertgateErrors with a
// clear code; wrong argument types are TypeErrors. Shared by the native addon and WASM.

const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const { describe, test } = require('node:test');
const { certgate } = require('./impl');
const { vector } = require('./fixtures');

const { CODES, CertgateError, Verifier, inspect } = certgate;
const c = vector('spiffe_exact_allowed');
const verifier = new Verifier(c.policy);
const at = { at: c.at };

function der(pem) {
  return Uint8Array.from(atob(pem.split('-----')[2].replace(/\s+/g, '')), (ch) => ch.charCodeAt(0));
}

/** Asserts `fn` throws a CertgateError with `code` (and returns it). */
function rejects(fn, code) {
  let error;
  try {
    fn();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof CertgateError, `expected CertgateError ${code}, got ${error?.stack ?? 'no error'}`);
  assert.equal(error.code, code, error.message);
  assert.ok(error.message.length > 10, 'the message explains');
  return error;
}

describe('garbage and empty input', () => {
  test('random bytes are MALFORMED_CERTIFICATE at index 0', () => {
    const error = rejects(() => verifier.verify(randomBytes(512).fill(0x30, 0, 1), at), 'MALFORMED_CERTIFICATE');
    assert.equal(error.certIndex, 0);
  });

  test('a garbage intermediate is MALFORMED_CERTIFICATE at its index', () => {
    const error = rejects(() => verifier.verify([c.chain[0], new Uint8Array([1, 2, 3])], at), 'MALFORMED_CERTIFICATE');
    assert.equal(error.certIndex, 1);
  });

  test('text that is not PEM, and PEM that is not base64, are MALFORMED_CERTIFICATE', () => {
    rejects(() => verifier.verify('hello, I am a certificate', at), 'MALFORMED_CERTIFICATE');
    rejects(() => verifier.verify('-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n', at), 'MALFORMED_CERTIFICATE');
    rejects(() => inspect('not a certificate'), 'MALFORMED_CERTIFICATE');
  });

  test('a truncated certificate is MALFORMED_CERTIFICATE', () => {
    const whole = der(c.chain[0]);
    rejects(() => verifier.verify(whole.subarray(0, whole.length - 10), at), 'MALFORMED_CERTIFICATE');
    rejects(() => inspect(whole.subarray(0, 40)), 'MALFORMED_CERTIFICATE');
  });

  test('an empty array is EMPTY_CHAIN', () => {
    const error = rejects(() => verifier.verify([], at), 'EMPTY_CHAIN');
    assert.equal(error.certIndex, null);
    assert.equal(verifier.check([], at).code, 'EMPTY_CHAIN');
  });

  test('an empty string or empty bytes are an empty certificate: MALFORMED_CERTIFICATE', () => {
    for (const empty of ['', new Uint8Array(0), [c.chain[0], '']]) {
      const outcome = verifier.check(empty, at);
      assert.equal(outcome.ok, false);
      assert.equal(outcome.code, 'MALFORMED_CERTIFICATE');
      assert.equal(outcome.certIndex, Array.isArray(empty) ? 1 : 0);
    }
  });
});

describe('oversized input', () => {
  test('a 10 MB buffer is INPUT_TOO_LARGE', () => {
    rejects(() => verifier.verify(new Uint8Array(10 * 1024 * 1024).fill(0x41), at), 'INPUT_TOO_LARGE');
    rejects(() => inspect(new Uint8Array(10 * 1024 * 1024)), 'INPUT_TOO_LARGE');
  });

  test('a 10 MB PEM string is INPUT_TOO_LARGE', () => {
    const huge = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(10 * 1024 * 1024)}\n-----END CERTIFICATE-----\n`;
    rejects(() => verifier.verify(huge, at), 'INPUT_TOO_LARGE');
  });

  test('more certificates than the limit are INPUT_TOO_LARGE', () => {
    rejects(() => verifier.verify(Array(17).fill(c.chain[0]), at), 'INPUT_TOO_LARGE');
    rejects(() => verifier.verify(Array(1000).fill(der(c.chain[0])), at), 'INPUT_TOO_LARGE');
  });
});

describe('wrong argument types are TypeErrors', () => {
  test('chain', () => {
    for (const chain of [undefined, null, 42, true, Symbol('x'), { leaf: c.chain[0] }, [42], [null], [[c.chain[0]]], new Uint16Array(8), new Int8Array(8), new ArrayBuffer(8), new DataView(new ArrayBuffer(8)), { [Symbol.toStringTag]: 'Uint8Array', length: 8 }]) {
      assert.throws(() => verifier.verify(chain, at), TypeError, String(typeof chain));
      assert.throws(() => verifier.check(chain, at), TypeError);
    }
  });

  test('a Uint8Array from another realm is bytes', () => {
    const bytes = der(c.chain[0]);
    const leaf = require('node:vm').runInNewContext('new Uint8Array(length)', { length: bytes.length });
    leaf.set(bytes);
    assert.equal(leaf instanceof Uint8Array, false);
    assert.deepStrictEqual(verifier.verify([leaf, ...c.chain.slice(1)], at), verifier.verify(c.chain, at));
  });

  test('options and at', () => {
    for (const options of ['now', 5, null, [], { at: 'yesterday' }, { at: -1 }, { at: NaN }, { at: Infinity }, { at: new Date('nope') }, { at: 10n }, { when: 1 }]) {
      assert.throws(() => verifier.verify(c.chain, options), TypeError, JSON.stringify(String(options)));
    }
  });

  test('inspect', () => {
    for (const cert of [undefined, null, 1, [c.chain[0]], { pem: c.chain[0] }]) {
      assert.throws(() => inspect(cert), TypeError);
    }
  });

  test('Verifier must be constructed with new, methods called on a Verifier', () => {
    assert.throws(() => Verifier(c.policy), TypeError);
    assert.throws(() => Verifier.prototype.verify.call({}, c.chain, at), TypeError);
  });
});

describe('fuzzed input never crashes', () => {
  test('random and mutated certificates give an identity or a known code', () => {
    const seed = der(c.chain[0]);
    let rejected = 0;
    for (let round = 0; round < 1500; round++) {
      let input;
      if (round % 3 === 0) {
        input = randomBytes(round % 700);
      } else {
        input = Uint8Array.from(seed);
        const flips = 1 + (round % 4);
        for (let i = 0; i < flips; i++) input[(round * 7919 + i * 104729) % input.length] ^= 1 + ((round + i) % 255);
      }
      for (const outcome of [verifier.check([input, c.chain[1] ?? c.policy.trust.intermediates], at), tryInspect(input)]) {
        if (outcome.ok) continue;
        rejected++;
        assert.ok(CODES.includes(outcome.code), outcome.code);
        assert.equal(typeof outcome.message, 'string');
      }
    }
    assert.ok(rejected > 1000);
  });
});

function tryInspect(input) {
  try {
    return { ok: true, identity: inspect(input) };
  } catch (error) {
    assert.ok(error instanceof CertgateError, String(error));
    return { ok: false, code: error.code, message: error.message };
  }
}
