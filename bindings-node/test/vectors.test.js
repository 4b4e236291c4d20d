'use strict';
// Replays every case of tests/vectors/cases.json: same code (and cert index) or the same
// identity JSON as the core. Runs against the native addon and the WASM build.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { certgate } = require('./impl');
const { cases } = require('./fixtures');

const { CertgateError, Verifier, inspect } = certgate;
const all = cases();

/** Runs `fn`; returns its value, or the CertgateError it threw. */
function attempt(fn) {
  try {
    return { identity: fn() };
  } catch (error) {
    assert.ok(error instanceof CertgateError, `expected a CertgateError, got ${error?.stack ?? error}`);
    return { error };
  }
}

function assertExpected(result, expect) {
  if (expect.identity) {
    assert.equal(result.error, undefined, `unexpected rejection: ${result.error?.code} ${result.error?.message}`);
    assert.deepStrictEqual(result.identity, expect.identity);
    return;
  }
  assert.ok(result.error, `expected ${expect.code}, got an identity`);
  assert.equal(result.error.code, expect.code, result.error.message);
  assert.ok(result.error.message.length > 0);
  if ('cert_index' in expect) assert.equal(result.error.certIndex, expect.cert_index);
}

test('the vector file has cases of both kinds', () => {
  assert.ok(all.some((c) => c.op === 'verify'));
  assert.ok(all.some((c) => c.op === 'inspect'));
  assert.deepEqual(new Set(all.map((c) => c.op)), new Set(['verify', 'inspect']));
});

describe('verify vectors', () => {
  for (const c of all.filter((c) => c.op === 'verify')) {
    test(c.name, () => {
      const result = attempt(() => new Verifier(c.policy).verify(c.chain, { at: c.at }));
      assertExpected(result, c.expect);
    });
  }
});

describe('check vectors (the non-throwing twin)', () => {
  for (const c of all.filter((c) => c.op === 'verify' && c.expect.code !== 'INVALID_POLICY')) {
    test(c.name, () => {
      const outcome = new Verifier(c.policy).check(c.chain, { at: c.at });
      if (c.expect.identity) {
        assert.deepStrictEqual(outcome, { ok: true, code: null, message: null, certIndex: null, identity: c.expect.identity });
      } else {
        assert.equal(outcome.ok, false);
        assert.equal(outcome.code, c.expect.code);
        assert.equal(typeof outcome.message, 'string');
        assert.equal(outcome.identity, null);
        if ('cert_index' in c.expect) assert.equal(outcome.certIndex, c.expect.cert_index);
      }
    });
  }
});

describe('inspect vectors', () => {
  for (const c of all.filter((c) => c.op === 'inspect')) {
    test(c.name, () => assertExpected(attempt(() => inspect(c.cert)), c.expect));
  }
});

describe('the same vectors with DER bytes instead of PEM', () => {
  const der = (pem) => {
    const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    return Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
  };
  const singlePem = (item) => (item.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length === 1;
  const convertible = all.filter(
    (c) => c.op === 'verify' && c.expect.identity && c.chain.every(singlePem)
  );
  test('there are cases to convert', () => assert.ok(convertible.length > 10));
  for (const c of convertible) {
    test(c.name, () => {
      const identity = new Verifier(c.policy).verify(c.chain.map(der), { at: c.at });
      assert.deepStrictEqual(identity, c.expect.identity);
    });
  }
});
