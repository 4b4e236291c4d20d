'use strict';
// Node-only input forms: Buffer, crypto.X509Certificate, arrays of these, and the object
// tlsSocket.getPeerCertificate(true) returns (walked through issuerCertificate).

const assert = require('node:assert/strict');
const { X509Certificate } = require('node:crypto');
const { describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { vector } = require('./fixtures');

const { CertgateError, Verifier, inspect } = certgate;

/** The PEM blocks of a text, each as a Buffer of DER. */
function ders(pem) {
  return pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g).map((block) => new X509Certificate(block).raw);
}

/** A getPeerCertificate(true)-shaped object for `chain` (DER buffers, leaf first). */
function peerObject(chain, { selfLoop = true } = {}) {
  const objects = chain.map((raw) => {
    const x509 = new X509Certificate(raw);
    return { subject: x509.subject, issuer: x509.issuer, raw, fingerprint256: x509.fingerprint256 };
  });
  objects.forEach((object, index) => {
    if (index + 1 < objects.length) object.issuerCertificate = objects[index + 1];
  });
  if (selfLoop) objects[objects.length - 1].issuerCertificate = objects[objects.length - 1];
  return objects[0];
}

describe('Node input forms', { skip: nodeOnly }, () => {
  const c = vector('chain_includes_root'); // leaf, intermediate, root
  const verifier = new Verifier(c.policy);
  const at = { at: c.at };
  const raw = c.chain.map((pem) => ders(pem)[0]);

  test('Buffers, one or in an array', () => {
    assert.ok(Buffer.isBuffer(raw[0]));
    assert.deepEqual(verifier.verify(raw, at), c.expect.identity);
    assert.deepEqual(verifier.verify(Buffer.from(c.chain.join('')), at), c.expect.identity);
  });

  test('a Buffer that is a view into a larger ArrayBuffer', () => {
    const pool = Buffer.alloc(raw[0].length + 100, 0xff);
    raw[0].copy(pool, 37);
    const view = pool.subarray(37, 37 + raw[0].length);
    assert.deepEqual(verifier.verify([view, raw[1]], at), c.expect.identity);
  });

  test('crypto.X509Certificate, one or in an array, mixed with other forms', () => {
    const x509 = raw.map((der) => new X509Certificate(der));
    assert.deepEqual(verifier.verify(x509, at), c.expect.identity);
    assert.deepEqual(verifier.verify([x509[0], c.chain[1], raw[2]], at), c.expect.identity);
    const leafOnly = vector('long_chain_at_limit_from_pool');
    assert.deepEqual(
      new Verifier(leafOnly.policy).verify(new X509Certificate(leafOnly.chain[0]), { at: leafOnly.at }),
      leafOnly.expect.identity
    );
  });

  test('a getPeerCertificate(true) object: the issuerCertificate links are the chain', () => {
    assert.deepEqual(verifier.verify(peerObject(raw), at), c.expect.identity);
    assert.deepEqual(verifier.verify(peerObject(raw.slice(0, 2), { selfLoop: false }), at), c.expect.identity);
  });

  test('a getPeerCertificate object that is a long cycle stops at the repeat', () => {
    const peer = peerObject(raw, { selfLoop: false });
    peer.issuerCertificate.issuerCertificate.issuerCertificate = peer; // root → leaf: a cycle
    assert.deepEqual(verifier.verify(peer, at).chain_fingerprints, c.expect.identity.chain_fingerprints);
  });

  test('an endless getPeerCertificate chain is INPUT_TOO_LARGE, not a hang', () => {
    let links = 0;
    const link = () => ({
      raw: raw[1],
      get issuerCertificate() {
        links++;
        return link(); // a new object every time: the links never repeat
      },
    });
    const endless = { raw: raw[0], issuerCertificate: link() };
    const outcome = verifier.check(endless, at);
    assert.equal(outcome.code, 'INPUT_TOO_LARGE');
    assert.ok(links <= 17, `walked ${links} links`);
  });

  test('getPeerCertificate() of a socket without a client certificate ({}) is EMPTY_CHAIN', () => {
    assert.equal(verifier.check({}, at).code, 'EMPTY_CHAIN');
  });

  test('inspect takes an X509Certificate, a Buffer, or a getPeerCertificate object', () => {
    const expected = inspect(c.chain[0]);
    assert.deepEqual(inspect(new X509Certificate(raw[0])), expected);
    assert.deepEqual(inspect(raw[0]), expected);
    assert.deepEqual(inspect(peerObject(raw)), expected);
  });

  test('a policy may hold Buffers and X509Certificates as anchors and intermediates', () => {
    const pooled = vector('spiffe_exact_allowed');
    const { anchors, intermediates } = pooled.policy.trust;
    for (const trust of [
      { anchors: ders(anchors)[0], intermediates: ders(intermediates)[0] },
      { anchors: new X509Certificate(anchors), intermediates: [new X509Certificate(intermediates)] },
    ]) {
      const identity = new Verifier({ ...pooled.policy, trust }).verify(pooled.chain, { at: pooled.at });
      assert.deepEqual(identity, pooled.expect.identity);
    }
  });

  test('a policy read from a Buffer is not a policy', () => {
    assert.throws(() => new Verifier(Buffer.from(JSON.stringify(c.policy))), TypeError);
  });
});
