'use strict';
// Files as the `openssl` CLI writes them (tests/openssl/make-pki.sh: `openssl ca` text
// dumps, PKCS#7 and PKCS#12 bundles, BOM and CRLF files, scoped / delta / unusual CRLs),
// read by certgate as a user would hand them over. Valid now: verified with the clock.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { ROOT } = require('./fixtures');

const { Verifier, inspect } = certgate;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-openssl-'));
execFileSync('bash', [path.join(ROOT, 'tests', 'openssl', 'make-pki.sh'), dir], { stdio: ['ignore', 'ignore', 'ignore'] });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file of the openssl PKI, as bytes. */
const file = (name) => Uint8Array.from(fs.readFileSync(path.join(dir, name)));
/** A file of the openssl PKI, as text. */
const text = (name) => fs.readFileSync(path.join(dir, name), 'utf8');

const anchorsOnly = (anchors) => ({ trust: { anchors }, allow: [{ spiffe_trust_domain: 'openssl.test' }] });
const withCrls = (...crls) => ({ trust: { anchors: file('root.pem') }, revocation: { crls: crls.map(file) } });

describe('files written by the openssl CLI', () => {
  test('a policy file naming a text-dump anchor and text-dump CRLs (fromFile)', { skip: nodeOnly }, () => {
    const verifier = Verifier.fromFile(path.join(dir, 'policy.json'));
    assert.equal(verifier.verify(file('client.chain.pem')).spiffe_id, 'spiffe://openssl.test/ns/prod/sa/client');
    assert.equal(verifier.check(file('revoked.chain.pem')).code, 'REVOKED');
    assert.deepEqual(verifier.warnings, []);
  });

  test('every shape of the client chain verifies', () => {
    const verifier = new Verifier(anchorsOnly(text('root-text.pem')));
    for (const chain of [
      text('client.chain.pem'),
      [file('client.pem'), text('intermediate.pem')],
      text('client.chain.p7b'),
      file('client.chain.p7b.der'),
      file('client-with-key.pem'),
    ]) {
      assert.equal(verifier.verify(chain).subject, 'CN=client,O=Certgate OpenSSL Test');
    }
  });

  test('every shape of the root is a usable anchor', () => {
    for (const name of ['root.pem', 'root-text.pem', 'root.der', 'root-bom.pem', 'root-crlf.pem', 'anchors.p7b', 'anchors.p7b.der']) {
      assert.equal(new Verifier(anchorsOnly(file(name))).check(file('client.chain.pem')).ok, true, name);
    }
  });

  test('inspect reads text dumps and bundles; a PKCS#12 store is named', () => {
    assert.equal(inspect(text('root-text.pem')).subject, 'CN=OpenSSL Test Root,O=Certgate OpenSSL Test');
    assert.equal(inspect(file('client.chain.p7b.der')).subject, 'CN=client,O=Certgate OpenSSL Test');
    assert.throws(() => inspect(file('client.p12')), {
      code: 'MALFORMED_CERTIFICATE',
      message: /PKCS#12 .* `openssl pkcs12 -in FILE -nokeys/,
    });
  });

  test('a CA with an RSA-1024 key is named as UNSUPPORTED_ALGORITHM under both profiles', () => {
    // ring refuses the key, which webpki calls a bad signature; certgate names the key.
    for (const profile of ['strict', 'webpki']) {
      const outcome = new Verifier({ trust: { anchors: text('root.pem') }, profile }).check(text('weak-leaf.chain.pem'));
      assert.deepEqual([outcome.code, outcome.certIndex], ['UNSUPPORTED_ALGORITHM', 1], profile);
      assert.match(outcome.message, /OpenSSL Weak RSA-1024 CA.*1024 bits/, profile);
    }
  });

  test('CRLs as openssl publishes them: scoped, text dumps, DER, without a number', () => {
    for (const [rootCrl, intermediateCrl] of [
      ['root.crl.pem', 'intermediate.crl.pem'],
      ['root-text.crl.pem', 'intermediate-text.crl.pem'],
      ['root.crl.der', 'intermediate.crl.der'],
      ['root.crl.pem', 'intermediate-no-number.crl.pem'],
    ]) {
      const verifier = new Verifier(withCrls(rootCrl, intermediateCrl));
      assert.equal(verifier.check(file('client.chain.pem')).ok, true, intermediateCrl);
      assert.equal(verifier.check(file('revoked.chain.pem')).code, 'REVOKED', intermediateCrl);
    }
  });

  test('a delta CRL applies on top of its base', () => {
    const base = new Verifier(withCrls('root.crl.pem', 'intermediate.crl.pem'));
    assert.equal(base.check(file('revoked-later.chain.pem')).ok, true);
    const withDelta = new Verifier(withCrls('root.crl.pem', 'intermediate.crl.pem', 'intermediate-delta.crl.pem'));
    assert.equal(withDelta.check(file('revoked-later.chain.pem')).code, 'REVOKED');
    assert.equal(withDelta.check(file('client.chain.pem')).ok, true);
  });

  test('an unusable CRL is left out with a warning, at load and on update', () => {
    const verifier = new Verifier(withCrls('root.crl.pem', 'intermediate-unknown-critical.crl.pem'));
    assert.equal(verifier.check(file('client.chain.pem')).code, 'REVOCATION_UNKNOWN');
    assert.equal(verifier.warnings.length, 1);
    assert.equal(verifier.warnings[0].source, 'revocation.crls[1]');
    assert.match(verifier.warnings[0].message, /unsupported critical extension 1\.3\.6\.1\.4\.1\.55555\.9/);
    verifier.updateCrls([file('root.crl.pem'), file('intermediate.crl.pem')]);
    assert.deepEqual(verifier.warnings, []);
    assert.equal(verifier.check(file('client.chain.pem')).ok, true);
    verifier.updateCrls([file('root.crl.pem'), file('intermediate-delta.crl.pem')]);
    assert.deepEqual(verifier.warnings.map((w) => w.source), ['crls[1]']);
  });
});
