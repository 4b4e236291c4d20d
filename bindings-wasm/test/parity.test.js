'use strict';
// The wasm build and the native addon must decide alike: every vector case, and a batch
// of mutated certificates, give the same outcome (ok, code, message, certIndex, identity)
// from both. Needs the native addon built (make node-build) and the wasm build (make wasm).

const assert = require('node:assert/strict');
const path = require('node:path');
const { describe, test } = require('node:test');
const { PKG, cases, der, vector } = require('./helpers');
const { caseChain, caseItem, resolvedPolicyFile } = require('../../bindings-node/test/fixtures');

const native = require(path.join(__dirname, '..', '..', 'bindings-node'));
const wasm = require(path.join(PKG, 'nodejs'));

/**
 * Runs one case's operation with `impl`, as a plain comparable result. A `policy_file`
 * case is given to both as the same resolved policy (the wasm build reads no files).
 */
function run(impl, c) {
  try {
    if (c.op === 'inspect') return { ok: true, identity: impl.inspect(caseItem(c.cert)) };
    const policy = c.policy_file ? resolvedPolicyFile(c.policy_file) : c.policy;
    const verifier = new impl.Verifier(policy);
    if (c.op === 'verify_forwarded') return verifier.checkForwarded(c.headers, c.peer, { at: c.at });
    return verifier.check(caseChain(c), { at: c.at });
  } catch (error) {
    assert.ok(error instanceof impl.CertgateError, `${c.name}: expected a CertgateError, got ${error?.stack ?? error}`);
    return { ok: false, code: error.code, message: error.message, certIndex: error.certIndex };
  }
}

describe('wasm and native agree on every vector', () => {
  const all = cases();
  test('there are vectors of every kind', () => {
    assert.ok(all.filter((c) => c.op === 'verify').length > 50);
    assert.ok(all.filter((c) => c.op === 'inspect').length > 10);
    assert.ok(all.filter((c) => c.op === 'verify_forwarded').length > 50);
  });
  for (const c of all) {
    test(`${c.op} ${c.name}`, () => {
      const fromNative = run(native, c);
      const fromWasm = run(wasm, c);
      assert.deepStrictEqual(fromWasm, fromNative);
      // And both agree with the vector (so agreement is not a shared failure).
      if (c.expect.identity) assert.deepStrictEqual(fromWasm.identity, c.expect.identity);
      else assert.equal(fromWasm.code, c.expect.code);
    });
  }
});

describe('wasm and native agree on damaged input', () => {
  const c = vector('revocation_good_leaf');
  const verifiers = { native: new native.Verifier(c.policy), wasm: new wasm.Verifier(c.policy) };
  const seed = der(c.chain[0]);

  test('600 mutated leaves: same outcome, identity or code and message', () => {
    let rejected = 0;
    for (let round = 0; round < 600; round++) {
      const input = Uint8Array.from(seed);
      const flips = 1 + (round % 5);
      for (let i = 0; i < flips; i++) input[(round * 7919 + i * 104729) % input.length] ^= 1 + ((round * 31 + i) % 255);
      const chain = [input, ...c.chain.slice(1)];
      const fromNative = verifiers.native.check(chain, { at: c.at });
      assert.deepStrictEqual(verifiers.wasm.check(chain, { at: c.at }), fromNative, `round ${round}`);
      assert.deepStrictEqual(run(wasm, { op: 'inspect', cert: input }), run(native, { op: 'inspect', cert: input }));
      if (!fromNative.ok) rejected++;
    }
    assert.ok(rejected > 300, `only ${rejected} of 600 mutations were rejected`);
  });
});
