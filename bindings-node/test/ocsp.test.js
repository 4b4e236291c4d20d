'use strict';
// Node-only: OCSP fetched from a real responder. tests/ocsp/responder.py answers on
// 127.0.0.1 with `openssl ocsp -index` (OpenSSL's responder, as a delegated responder,
// as the CA itself, or as a certificate not meant for it), for the PKI of
// tests/ocsp/make-pki.sh whose leaves name it in their authorityInfoAccess; verifyAsync
// fetches, the sync verify uses what was fetched.

const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { ROOT } = require('./fixtures');
const { waitFor } = require('./tls');

const { Verifier } = certgate;

describe('OCSP from a real responder', { skip: nodeOnly }, () => {
  let dir;
  let responder;
  let url;
  const file = (name) => fs.readFileSync(path.join(dir, name), 'utf8');
  const signer = (name) => fs.writeFileSync(path.join(dir, 'signer'), name);
  const served = async () => Number(await (await fetch(`${url}/requests`)).text());
  const verifier = ({ fetch = true, unknown = 'deny' } = {}) =>
    new Verifier({
      trust: { anchors: file('root.pem'), intermediates: file('intermediate.pem') },
      revocation: { depth: 'leaf', unknown_status: unknown, ocsp: { fetch } },
    });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-ocsp-'));
    responder = spawn('python3', [path.join(ROOT, 'tests', 'ocsp', 'responder.py'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    [, url] = await waitFor(responder.stdout, (text) => text.match(/listening (http:\/\/127\.0\.0\.1:\d+)/), 'the responder');
    execFileSync('bash', [path.join(ROOT, 'tests', 'ocsp', 'make-pki.sh'), dir, url], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  after(() => {
    if (responder && responder.exitCode === null) responder.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a delegated responder says good, revoked and unknown', async () => {
    signer('responder');
    const check = verifier();
    const identity = await check.verifyAsync(file('good.pem'));
    assert.equal(identity.subject, 'CN=good,O=Certgate OCSP Test');
    const revoked = await check.checkAsync(file('revoked.pem'));
    assert.equal(revoked.code, 'REVOKED');
    assert.match(revoked.message, /OCSP response of the delegated responder CN=responder,O=Certgate OCSP Test says revoked at .* \(keyCompromise\)/);
    const unknown = await check.checkAsync(file('unknown.pem'));
    assert.equal(unknown.code, 'REVOCATION_UNKNOWN');
    assert.match(unknown.message, /says unknown/);
  });

  test('the sync verify uses what was fetched, and a miss is unknown', async () => {
    signer('responder');
    const check = verifier();
    const miss = check.check(file('good.pem'));
    assert.equal(miss.code, 'REVOCATION_UNKNOWN');
    assert.match(miss.message, /no OCSP response for serial 2000/);
    const before = await served();
    await check.verifyAsync(file('good.pem'));
    assert.equal(check.check(file('good.pem')).ok, true);
    // Current until its nextUpdate (a day): not fetched again.
    await check.verifyAsync(file('good.pem'));
    assert.equal((await served()) - before, 1);
  });

  test('concurrent verifications of one certificate share one request', async () => {
    signer('responder');
    const check = verifier();
    const before = await served();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => check.checkAsync(file('good.pem'))));
    assert.deepEqual(outcomes.map((outcome) => outcome.ok), Array(20).fill(true));
    assert.equal((await served()) - before, 1);
  });

  test('the CA itself as the responder', async () => {
    signer('intermediate');
    const identity = await verifier().verifyAsync(file('good.pem'));
    assert.equal(identity.subject, 'CN=good,O=Certgate OCSP Test');
  });

  test('a signer without id-kp-OCSPSigning is refused, whatever unknown_status says', async () => {
    signer('not-responder');
    const outcome = await verifier({ unknown: 'allow' }).checkAsync(file('good.pem'));
    assert.equal(outcome.code, 'REVOCATION_UNKNOWN');
    assert.match(outcome.message, /lacks the OCSP-signing extended key usage/);
  });

  test('a responder that does not answer in time leaves the status unknown', async () => {
    signer('hang');
    const outcome = await verifier().checkAsync(file('good.pem'));
    assert.equal(outcome.code, 'REVOCATION_UNKNOWN');
    assert.match(outcome.message, /no OCSP response for serial 2000/);
  });

  test('a refusal with nothing to fetch is the first decision', async () => {
    signer('responder');
    const check = verifier();
    const before = await served();
    const sync = check.check(file('intermediate.pem'));
    assert.equal(sync.ok, false);
    assert.deepEqual(await check.checkAsync(file('intermediate.pem')), sync);
    assert.equal(await served(), before);
  });

  test('without fetch nothing is fetched', async () => {
    signer('responder');
    const before = await served();
    const outcome = await verifier({ fetch: false }).checkAsync(file('good.pem'));
    assert.equal(outcome.code, 'REVOCATION_UNKNOWN');
    assert.equal(await served(), before);
  });
});
