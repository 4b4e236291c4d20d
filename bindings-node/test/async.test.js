'use strict';
// Node-only: verifyAsync on the libuv pool, CRL hot updates while verifications run, and
// the addon in worker threads.

const assert = require('node:assert/strict');
const path = require('node:path');
const { describe, test } = require('node:test');
const { Worker } = require('node:worker_threads');
const { certgate, nodeOnly } = require('./impl');
const { caseChain, caseVerifier, cases, vector } = require('./fixtures');

const { CertgateError, Verifier } = certgate;

describe('verifyAsync', { skip: nodeOnly }, () => {
  const ok = vector('spiffe_exact_allowed');
  const verifier = new Verifier(ok.policy);

  test('resolves to the same identity as verify', async () => {
    const pending = verifier.verifyAsync(ok.chain, { at: ok.at });
    assert.ok(pending instanceof Promise);
    assert.deepEqual(await pending, ok.expect.identity);
    assert.deepEqual(await verifier.verifyAsync(ok.chain, { at: new Date(ok.at * 1000) }), ok.expect.identity);
  });

  test('rejects with a CertgateError for a rejection', async () => {
    const c = vector('revoked_leaf');
    await assert.rejects(new Verifier(c.policy).verifyAsync(c.chain, { at: c.at }), (error) => {
      assert.ok(error instanceof CertgateError);
      assert.equal(error.code, 'REVOKED');
      assert.equal(error.certIndex, 0);
      return true;
    });
  });

  test('wrong argument types reject the promise with a TypeError (never throw synchronously)', async () => {
    const pending = verifier.verifyAsync(42, { at: ok.at });
    assert.ok(pending instanceof Promise);
    await assert.rejects(pending, TypeError);
    await assert.rejects(verifier.verifyAsync(ok.chain, { at: 'noon' }), TypeError);
  });

  test('bad input rejects cleanly: garbage, empty, 10 MB', async () => {
    const codes = await Promise.all(
      [[new Uint8Array([1, 2, 3])], [], new Uint8Array(10 * 1024 * 1024)].map((chain) =>
        verifier.verifyAsync(chain, { at: ok.at }).then(
          () => 'admitted',
          (error) => error.code
        )
      )
    );
    assert.deepEqual(codes, ['MALFORMED_CERTIFICATE', 'EMPTY_CHAIN', 'INPUT_TOO_LARGE']);
  });

  test('the input is copied: changing a Buffer after the call does not change the decision', async () => {
    const leaf = Buffer.from(ok.chain[0]);
    const pending = verifier.verifyAsync(leaf, { at: ok.at });
    leaf.fill(0);
    assert.deepEqual(await pending, ok.expect.identity);
  });

  test('every vector, all at once, gives the same result as verify', async () => {
    const verifyCases = cases().filter((c) => c.op === 'verify' && c.expect.code !== 'INVALID_POLICY');
    const results = await Promise.all(
      verifyCases.map((c) =>
        caseVerifier(certgate, c).verifyAsync(caseChain(c), { at: c.at }).then(
          (identity) => ({ identity }),
          (error) => ({ code: error.code })
        )
      )
    );
    results.forEach((result, index) => {
      const { expect, name } = verifyCases[index];
      if (expect.identity) assert.deepEqual(result.identity, expect.identity, name);
      else assert.equal(result.code, expect.code, name);
    });
  });
});

describe('updateCrls while verifications run', { skip: nodeOnly }, () => {
  test('each verification sees the old CRL set or the new one, never a mix', async () => {
    const revoked = vector('revoked_leaf');
    const empty = vector('revocation_empty_crl');
    const verifier = new Verifier(empty.policy);
    const at = { at: revoked.at };
    const seen = { ok: 0, REVOKED: 0 };
    for (let round = 0; round < 40; round++) {
      const batch = [];
      for (let i = 0; i < 25; i++) {
        batch.push(verifier.verifyAsync(revoked.chain, at).then(() => 'ok', (error) => error.code));
        if (i % 5 === 0) verifier.updateCrls((i + round) % 2 ? revoked.policy.revocation.crls : empty.policy.revocation.crls);
        // the synchronous path interleaves with the pool's verifications
        const sync = verifier.check(revoked.chain, at);
        assert.ok(sync.ok || sync.code === 'REVOKED', sync.code);
      }
      for (const result of await Promise.all(batch)) {
        assert.ok(result === 'ok' || result === 'REVOKED', `unexpected ${result}`);
        seen[result]++;
      }
    }
    assert.ok(seen.ok > 0 && seen.REVOKED > 0, JSON.stringify(seen));
    verifier.updateCrls(revoked.policy.revocation.crls);
    await assert.rejects(verifier.verifyAsync(revoked.chain, at), { code: 'REVOKED' });
  });
});

describe('worker threads', { skip: nodeOnly }, () => {
  test('the addon loads and verifies in two workers at once', async () => {
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { Verifier } = require(workerData.certgate);
      const { vector } = require(workerData.fixtures);
      const c = vector('spiffe_exact_allowed');
      const verifier = new Verifier(c.policy);
      let admitted = 0;
      for (let i = 0; i < 200; i++) if (verifier.check(c.chain, { at: c.at }).ok) admitted++;
      verifier.verifyAsync(c.chain, { at: c.at }).then((identity) => parentPort.postMessage({ admitted, spiffe: identity.spiffe_id }));
    `;
    const workerData = { certgate: path.join(__dirname, '..'), fixtures: path.join(__dirname, 'fixtures.js') };
    const run = () =>
      new Promise((resolve, reject) => {
        const worker = new Worker(script, { eval: true, workerData });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const results = await Promise.all([run(), run()]);
    for (const result of results) {
      assert.deepEqual(result, { admitted: 200, spiffe: 'spiffe://example.org/ns/prod/sa/payments' });
    }
  });
});
