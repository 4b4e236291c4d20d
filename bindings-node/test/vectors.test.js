'use strict';
// Replays every case of tests/vectors/cases.json: same code (and cert index) or the same
// identity JSON as the core. Runs against the native addon and the WASM build.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');
const { certgate } = require('./impl');
const { caseChain, caseItem, caseVerifier, cases } = require('./fixtures');

const { CertgateError, inspect } = certgate;
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

test('the vector file has cases of every kind', () => {
  assert.deepEqual(new Set(all.map((c) => c.op)), new Set(['verify', 'inspect', 'verify_forwarded']));
});

describe('verify vectors', () => {
  for (const c of all.filter((c) => c.op === 'verify')) {
    test(c.name, () => {
      let verifier;
      const result = attempt(() => {
        verifier = caseVerifier(certgate, c);
        return verifier.verify(caseChain(c), { at: c.at });
      });
      assertExpected(result, c.expect);
      if (verifier) {
        assert.deepStrictEqual(verifier.warnings.map((warning) => warning.source), c.expect.warnings ?? []);
        for (const warning of verifier.warnings) assert.match(warning.message, /^left out: /);
      }
    });
  }
});

describe('check vectors (the non-throwing twin)', () => {
  for (const c of all.filter((c) => c.op === 'verify' && c.expect.code !== 'INVALID_POLICY')) {
    test(c.name, () => {
      const outcome = caseVerifier(certgate, c).check(caseChain(c), { at: c.at });
      if (c.expect.identity) {
        assert.deepStrictEqual(outcome, { ok: true, code: null, message: null, certIndex: null, identity: c.expect.identity, generation: 0 });
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

describe('verify_forwarded vectors (headers as [name, value] pairs, and as rawHeaders)', () => {
  for (const c of all.filter((c) => c.op === 'verify_forwarded')) {
    test(c.name, () => {
      assertExpected(attempt(() => caseVerifier(certgate, c).verifyForwarded(c.headers, c.peer, { at: c.at })), c.expect);
      if (c.expect.code === 'INVALID_POLICY' && !c.name.startsWith('forwarded_')) return;
      const outcome = attempt(() => caseVerifier(certgate, c)).identity?.checkForwarded(c.headers.flat(), c.peer, { at: c.at });
      if (outcome) assert.equal(outcome.ok ? 'OK' : outcome.code, c.expect.code ?? 'OK');
    });
  }
});

describe('inspect vectors', () => {
  for (const c of all.filter((c) => c.op === 'inspect')) {
    test(c.name, () => assertExpected(attempt(() => inspect(caseItem(c.cert))), c.expect));
  }
});

describe('the same vectors with DER bytes instead of PEM', () => {
  const der = (pem) => {
    const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    return Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
  };
  const singlePem = (item) => typeof item === 'string' && /^-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\s*$/.test(item);
  const convertible = all.filter(
    (c) => c.op === 'verify' && c.expect.identity && c.chain.every(singlePem)
  );
  test('there are cases to convert', () => assert.ok(convertible.length > 10));
  for (const c of convertible) {
    test(c.name, () => {
      const identity = caseVerifier(certgate, c).verify(c.chain.map(der), { at: c.at });
      assert.deepStrictEqual(identity, c.expect.identity);
    });
  }
});
