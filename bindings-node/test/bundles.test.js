'use strict';
// SPIFFE bundle endpoints: BundleRefresher against a real HTTPS server on 127.0.0.1 that
// serves, in turn, a bundle, a rotated bundle, garbage, an error status and an older
// bundle. Decisions follow the bundle in force; a failure keeps it.

const assert = require('node:assert/strict');
const https = require('node:https');
const { after, before, describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { pki, vector } = require('./fixtures');
const { close, demoPki, listen } = require('./tls');

const { BundleRefresher, CertgateError, Verifier } = certgate;
const AT = vector('spiffe_exact_allowed').at;

/** A SPIFFE bundle JSON whose one x509-svid authority is the vector PKI's `root`. */
function bundle(root, sequence, refreshHint = 300) {
  const der = pki(`${root}.pem`).split('-----')[2].replace(/\s+/g, '');
  return JSON.stringify({
    keys: [{ use: 'x509-svid', kty: 'EC', x5c: [der] }],
    spiffe_sequence: sequence,
    spiffe_refresh_hint: refreshHint,
  });
}

describe('BundleRefresher against a local HTTPS bundle endpoint', { skip: nodeOnly }, () => {
  const answers = [];
  const served = [];
  let server;
  let url;

  before(async () => {
    server = https.createServer(demoPki().server, (request, response) => {
      const answer = answers.shift() ?? { status: 503, body: 'no answer queued' };
      served.push(request.url);
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body);
    });
    url = `https://127.0.0.1:${await listen(server)}/bundle`;
  });
  after(() => close(server));

  const policyFor = (extra = {}) => ({
    trust: {
      spiffe_bundles: {
        'a.test': { endpoint: url, endpoint_ca: demoPki().text('ca.pem'), ...extra },
        'b.test': pki('spiffe-b-root.pem'),
      },
    },
    allow: [{ spiffe_trust_domain: 'a.test' }],
  });
  const decide = (verifier, leaf) => verifier.check(pki(`${leaf}.pem`), { at: AT });

  test('each answer is applied or refused, and decisions follow the bundle in force', async () => {
    const verifier = new Verifier(policyFor());
    assert.match(decide(verifier, 'leaf-a-payments').message, /bundle of its trust domain a\.test has not been fetched yet/);
    const errors = [];
    const updates = [];
    const refresher = new BundleRefresher(verifier, {
      start: false,
      onUpdate: (update) => updates.push(update),
      onError: (error, trustDomain) => errors.push({ error, trustDomain }),
    });
    assert.deepEqual(refresher.trustDomains, ['a.test']);

    answers.push({ status: 200, body: bundle('spiffe-a-root', 1) });
    const [first] = await refresher.refresh();
    assert.deepEqual(first, { trustDomain: 'a.test', ok: true, authorities: 1, refreshHint: 300, sequence: 1 });
    assert.equal(decide(verifier, 'leaf-a-payments').ok, true);
    assert.equal(decide(verifier, 'leaf-unbound-impersonator').code, 'UNKNOWN_ISSUER');

    // A rotated bundle: a.test's authority is now another root.
    answers.push({ status: 200, body: bundle('spiffe-unbound-root', 2) });
    assert.equal((await refresher.refresh('a.test'))[0].ok, true);
    assert.equal(decide(verifier, 'leaf-a-payments').code, 'UNKNOWN_ISSUER');
    assert.equal(decide(verifier, 'leaf-unbound-impersonator').ok, true);

    // Garbage, an error status, and a bundle older than the one in force: each refused,
    // reported through onError, and the rotated bundle stays.
    answers.push({ status: 200, body: 'this is not a bundle' });
    answers.push({ status: 500, body: '{}' });
    answers.push({ status: 200, body: bundle('spiffe-a-root', 1) });
    const refused = [];
    for (let round = 0; round < 3; round++) refused.push((await refresher.refresh())[0]);
    assert.deepEqual(refused.map((result) => result.ok), [false, false, false]);
    assert.ok(refused[0].error instanceof CertgateError);
    assert.equal(refused[0].error.code, 'INVALID_POLICY');
    assert.match(refused[0].error.message, /^trust\.spiffe_bundles\.a\.test: /);
    assert.match(refused[1].error.message, /answered HTTP 500/);
    assert.match(refused[2].error.message, /spiffe_sequence 1 is older than the bundle in force \(2\)/);
    assert.equal(decide(verifier, 'leaf-unbound-impersonator').ok, true);
    assert.equal(decide(verifier, 'leaf-a-payments').code, 'UNKNOWN_ISSUER');
    // b.test's static bundle never changed.
    assert.equal(decide(verifier, 'leaf-b-api').code, 'NOT_AUTHORIZED');

    assert.equal(updates.length, 2);
    assert.deepEqual(errors.map((e) => e.trustDomain), ['a.test', 'a.test', 'a.test']);
    assert.ok(served.every((path) => path === '/bundle'));
    refresher.stop();
  });

  test('the timers poll by themselves, at the policy bound when it is below the hint', async () => {
    const verifier = new Verifier(policyFor({ refresh_seconds: 1 }));
    answers.length = 0;
    answers.push({ status: 200, body: bundle('spiffe-a-root', 7) }, { status: 200, body: bundle('spiffe-a-root', 8) });
    const sequences = [];
    let refresher;
    await new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('no two polls within 15 s')), 15_000);
      refresher = new BundleRefresher(verifier, {
        onUpdate: (update) => {
          sequences.push(update.sequence);
          if (sequences.length === 2) {
            clearTimeout(deadline);
            resolve();
          }
        },
        onError: (error) => reject(error),
      });
    });
    refresher.stop();
    assert.deepEqual(sequences, [7, 8]);
    assert.equal(decide(verifier, 'leaf-a-payments').ok, true);
  });

  test('a verifier whose policy names no endpoint, and wrong options, are refused', () => {
    assert.throws(() => new BundleRefresher(new Verifier(vector('spiffe_exact_allowed').policy)), {
      name: 'TypeError',
      message: /names no SPIFFE bundle endpoint/,
    });
    const verifier = new Verifier(policyFor());
    assert.throws(() => new BundleRefresher(verifier, { onError: 'log' }), { name: 'TypeError' });
    assert.throws(() => new BundleRefresher(verifier, { timeoutMs: -1 }), { name: 'TypeError' });
    assert.throws(() => new BundleRefresher({}, {}), { name: 'TypeError' });
  });
});

describe('the refresh interval', { skip: nodeOnly }, () => {
  const { nextRefreshSeconds } = require('../lib/refresh');
  test('the hint, bounded by refresh_seconds, at least one second, 300 by default', () => {
    assert.equal(nextRefreshSeconds(60, undefined), 60);
    assert.equal(nextRefreshSeconds(60, 30), 30);
    assert.equal(nextRefreshSeconds(undefined, undefined), 300);
    assert.equal(nextRefreshSeconds(0, undefined), 300);
    assert.equal(nextRefreshSeconds(null, 900), 300);
    assert.equal(nextRefreshSeconds(0.2, 10), 1);
  });
});

describe('updateSpiffeBundle', () => {
  test('swaps one trust domain\'s authorities; a bad bundle keeps them', () => {
    const verifier = new Verifier({
      trust: { spiffe_bundles: { 'a.test': pki('spiffe-a-root.pem') } },
      allow: [{ spiffe_trust_domain: 'a.test' }],
    });
    const decide = (leaf) => verifier.check(pki(`${leaf}.pem`), { at: AT });
    assert.equal(decide('leaf-a-payments').ok, true);
    assert.deepEqual(verifier.updateSpiffeBundle('a.test', bundle('spiffe-unbound-root', 5, 60)), {
      authorities: 1,
      refreshHint: 60,
      sequence: 5,
    });
    assert.equal(decide('leaf-a-payments').code, 'UNKNOWN_ISSUER');
    assert.equal(decide('leaf-unbound-impersonator').ok, true);
    assert.throws(() => verifier.updateSpiffeBundle('a.test', '{"keys": []}'), { code: 'INVALID_POLICY' });
    assert.throws(() => verifier.updateSpiffeBundle('c.test', pki('spiffe-a-root.pem')), {
      code: 'INVALID_POLICY',
      message: /names no such trust domain/,
    });
    assert.throws(() => verifier.updateSpiffeBundle(42, 'x'), { name: 'TypeError' });
    assert.equal(decide('leaf-unbound-impersonator').ok, true);
  });
});
