'use strict';
// The JavaScript API shared by the native addon and the WASM build: exports, CODES,
// CertgateError, check outcomes, `at`, policies as objects / JSON / bytes, updateCrls, inspect.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, test } = require('node:test');
const { certgate } = require('./impl');
const { vector } = require('./fixtures');

const { CODES, CertgateError, Verifier, inspect } = certgate;

const IDENTITY_KEYS = [
  'subject',
  'subject_fields',
  'issuer',
  'serial',
  'fingerprint_sha256',
  'spki_sha256',
  'not_before',
  'not_after',
  'san',
  'spiffe_id',
  'public_key',
  'key_usage',
  'extended_key_usage',
  'is_ca',
];
const VERIFIED_KEYS = [...IDENTITY_KEYS, 'chain_fingerprints', 'matched_rule'];
const sorted = (keys) => [...keys].sort();

/** Base64 body of the first PEM block → DER bytes. */
function der(pem) {
  const body = pem.split('-----')[2].replace(/\s+/g, '');
  return Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
}

/** The error `fn` throws (asserting it throws one). */
function thrown(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected an exception');
}

describe('exports', () => {
  test('Verifier, inspect, CertgateError and CODES', () => {
    assert.equal(typeof Verifier, 'function');
    assert.equal(typeof inspect, 'function');
    assert.equal(typeof CertgateError, 'function');
    assert.ok(Array.isArray(CODES));
  });

  test('CODES is the core list of docs/errors.md, in number order, frozen', () => {
    // The table rows `| N | [`CODE`](#…)` (core's docs test keeps them equal to Code::ALL).
    const errorsMd = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
    const rows = [...errorsMd.matchAll(/^\| (\d+) \| \[`([A-Z_]+)`\]/gm)];
    const documented = rows.map((row) => [Number(row[1]), row[2]]).sort((a, b) => a[0] - b[0]).map((row) => row[1]);
    assert.deepEqual(CODES, documented);
    assert.ok(Object.isFrozen(CODES));
    assert.throws(() => CODES.push('NEW'), TypeError);
  });
});

describe('CertgateError', () => {
  test('is a real Error subclass with code, message and certIndex', () => {
    const c = vector('revoked_leaf');
    const error = thrown(() => new Verifier(c.policy).verify(c.chain, { at: c.at }));
    assert.ok(error instanceof CertgateError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'CertgateError');
    assert.equal(error.code, 'REVOKED');
    assert.equal(error.certIndex, 0);
    assert.match(error.message, /revoked/i);
    assert.match(error.stack, /CertgateError/);
    assert.equal(Object.prototype.toString.call(error), '[object Error]');
  });

  test('certIndex is null when no single certificate is at fault', () => {
    const c = vector('untrusted_root');
    const error = thrown(() => new Verifier(c.policy).verify(c.chain, { at: c.at }));
    assert.equal(error.code, 'UNKNOWN_ISSUER');
    assert.equal(error.certIndex, null);
  });

  test('can be constructed by callers, certIndex defaulting to null', () => {
    const error = new CertgateError('REVOKED', 'made up');
    assert.equal(error.code, 'REVOKED');
    assert.equal(error.message, 'made up');
    assert.equal(error.certIndex, null);
  });
});

describe('verify and check', () => {
  const ok = vector('spiffe_exact_allowed');
  const verifier = new Verifier(ok.policy);

  test('verify returns exactly the canonical identity keys', () => {
    const identity = verifier.verify(ok.chain, { at: ok.at });
    assert.deepEqual(sorted(Object.keys(identity)), sorted(VERIFIED_KEYS));
    assert.deepEqual(sorted(Object.keys(identity.san)), ['dns', 'email', 'ip', 'uri']);
    assert.equal(identity.spiffe_id, 'spiffe://example.org/ns/prod/sa/payments');
    assert.equal(identity.matched_rule, 0);
    assert.equal(identity.chain_fingerprints.length, 3);
    assert.equal(identity.chain_fingerprints[0], identity.fingerprint_sha256);
  });

  test('check returns { ok, code, message, certIndex, identity, generation }', () => {
    const good = verifier.check(ok.chain, { at: ok.at });
    assert.deepEqual(sorted(Object.keys(good)), ['certIndex', 'code', 'generation', 'identity', 'message', 'ok']);
    assert.deepEqual(good, { ok: true, code: null, message: null, certIndex: null, identity: ok.expect.identity, generation: 0 });

    const bad = vector('revoked_leaf');
    const outcome = new Verifier(bad.policy).check(bad.chain, { at: bad.at });
    assert.deepEqual(sorted(Object.keys(outcome)), ['certIndex', 'code', 'generation', 'identity', 'message', 'ok']);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.generation, 0);
    assert.equal(outcome.code, 'REVOKED');
    assert.equal(outcome.certIndex, 0);
    assert.equal(outcome.identity, null);
    assert.match(outcome.message, /certificate #0/);
  });

  test('matched_rule is null when the policy has no allow list', () => {
    const c = vector('no_allow_key_allows_any');
    assert.equal(new Verifier(c.policy).verify(c.chain, { at: c.at }).matched_rule, null);
  });

  test('a single PEM string may hold the whole chain', () => {
    const c = vector('chain_includes_root');
    const identity = new Verifier(c.policy).verify(c.chain.join(''), { at: c.at });
    assert.deepEqual(identity, c.expect.identity);
  });

  test('items may mix PEM strings and DER bytes', () => {
    const c = vector('chain_includes_root');
    const mixed = [der(c.chain[0]), c.chain[1], der(c.chain[2])];
    assert.deepEqual(new Verifier(c.policy).verify(mixed, { at: c.at }), c.expect.identity);
  });

  test('one DER Uint8Array is a one-certificate chain', () => {
    const c = vector('long_chain_at_limit_from_pool');
    assert.equal(c.chain.length, 1);
    assert.deepEqual(new Verifier(c.policy).verify(der(c.chain[0]), { at: c.at }), c.expect.identity);
  });
});

describe('at', () => {
  const c = vector('spiffe_exact_allowed');
  const verifier = new Verifier(c.policy);

  test('a Date and unix seconds give the same decision', () => {
    const bySeconds = verifier.verify(c.chain, { at: c.at });
    assert.deepEqual(verifier.verify(c.chain, { at: new Date(c.at * 1000) }), bySeconds);
    assert.deepEqual(verifier.verify(c.chain, { at: c.at + 0.75 }), bySeconds);
  });

  test('at picks the instant: before notBefore is NOT_YET_VALID', () => {
    const leafStart = c.expect.identity.not_before;
    assert.equal(verifier.check(c.chain, { at: leafStart - 1 }).code, 'NOT_YET_VALID');
    assert.equal(verifier.check(c.chain, { at: new Date((leafStart - 1) * 1000) }).code, 'NOT_YET_VALID');
    assert.equal(verifier.check(c.chain, { at: leafStart }).ok, true);
    assert.equal(verifier.check(c.chain, { at: 0 }).code, 'NOT_YET_VALID');
  });

  test('no options, no at, or at: null mean now', () => {
    const expired = vector('expired_leaf'); // expired before its pinned instant, so also now
    const old = new Verifier(expired.policy);
    assert.equal(old.check(expired.chain).code, 'EXPIRED');
    assert.equal(old.check(expired.chain, {}).code, 'EXPIRED');
    assert.equal(old.check(expired.chain, { at: null }).code, 'EXPIRED');
    assert.equal(old.check(expired.chain, { at: undefined }).code, 'EXPIRED');
    assert.equal(old.check(expired.chain, { at: inspect(expired.chain[0]).not_after - 86400 }).ok, true);
  });

  test('the range is 0 to 2^53 - 1 seconds (docs/decision.md); beyond is a TypeError', () => {
    assert.equal(verifier.check(c.chain, { at: Number.MAX_SAFE_INTEGER }).code, 'EXPIRED');
    for (const at of [Number.MAX_SAFE_INTEGER + 1, 2 ** 64, -0.5]) {
      assert.throws(() => verifier.check(c.chain, { at }), { name: 'TypeError', message: /from 0 to 9007199254740991/ }, String(at));
    }
  });
});

describe('policies', () => {
  const c = vector('spiffe_exact_allowed'); // anchors and an intermediates pool

  test('an object and its JSON text compile to the same verifier', () => {
    const fromObject = new Verifier(c.policy).verify(c.chain, { at: c.at });
    const fromJson = new Verifier(JSON.stringify(c.policy)).verify(c.chain, { at: c.at });
    assert.deepEqual(fromJson, fromObject);
    assert.deepEqual(fromObject, c.expect.identity);
  });

  test('anchors and intermediates may be DER bytes, alone or in lists', () => {
    const { anchors, intermediates } = c.policy.trust;
    const policies = [
      { ...c.policy, trust: { anchors: der(anchors), intermediates: der(intermediates) } },
      { ...c.policy, trust: { anchors: [der(anchors)], intermediates: [intermediates, der(intermediates)] } },
      { ...c.policy, trust: { anchors: Array.from(der(anchors)), intermediates } },
    ];
    for (const policy of policies) {
      assert.deepEqual(new Verifier(policy).verify(c.chain, { at: c.at }), c.expect.identity);
    }
  });

  test('the core reports schema errors as INVALID_POLICY with their path', () => {
    const bad = { ...c.policy, allow: [{ dns: ['ok.example.com'] }, { ip: ['10.0.0.0/33'] }] };
    const error = thrown(() => new Verifier(bad));
    assert.ok(error instanceof CertgateError);
    assert.equal(error.code, 'INVALID_POLICY');
    assert.equal(error.certIndex, null);
    assert.match(error.message, /allow\[1\]\.ip/);

    const typo = thrown(() => new Verifier({ ...c.policy, alow: [] }));
    assert.equal(typo.code, 'INVALID_POLICY');
    assert.match(typo.message, /alow/);

    const notJson = thrown(() => new Verifier('{"trust": '));
    assert.equal(notJson.code, 'INVALID_POLICY');
    assert.match(notJson.message, /JSON/);
  });

  test('values JSON cannot hold are a TypeError, never silently dropped', () => {
    for (const [policy, where] of [
      [{ ...c.policy, allow: undefined }, /policy\.allow/],
      [{ ...c.policy, max_chain_length: NaN }, /policy\.max_chain_length/],
      [{ ...c.policy, allow: [{ dns: () => 'x' }] }, /policy\.allow\[0\]\.dns/],
      [{ ...c.policy, clock_skew_seconds: new Date() }, /policy\.clock_skew_seconds/],
      [{ ...c.policy, deny: new Map() }, /policy\.deny/],
    ]) {
      const error = thrown(() => new Verifier(policy));
      assert.ok(error instanceof TypeError, String(error));
      assert.match(error.message, where);
    }
  });

  test('a policy that is neither an object nor a string is a TypeError', () => {
    for (const policy of [undefined, null, 42, true, [c.policy], new Uint8Array(4)]) {
      assert.throws(() => new Verifier(policy), TypeError);
    }
  });
});

describe('updateCrls', () => {
  const revoked = vector('revoked_leaf');
  const empty = vector('revocation_empty_crl');

  test('swaps the CRL set: a certificate becomes revoked, and back', () => {
    assert.deepEqual(empty.chain, revoked.chain); // the same leaf under both CRL sets
    const verifier = new Verifier(empty.policy);
    const at = { at: revoked.at };
    assert.equal(verifier.check(revoked.chain, at).ok, true);

    verifier.updateCrls(revoked.policy.revocation.crls);
    const error = thrown(() => verifier.verify(revoked.chain, at));
    assert.equal(error.code, 'REVOKED');
    assert.equal(error.certIndex, 0);

    verifier.updateCrls(empty.policy.revocation.crls);
    assert.equal(verifier.check(revoked.chain, at).ok, true);
  });

  test('takes one PEM string with several CRLs, DER bytes, or a list', () => {
    const verifier = new Verifier(empty.policy);
    const at = { at: revoked.at };
    verifier.updateCrls(revoked.policy.revocation.crls.join(''));
    assert.equal(verifier.check(revoked.chain, at).code, 'REVOKED');
    verifier.updateCrls(empty.policy.revocation.crls.map(der));
    assert.equal(verifier.check(revoked.chain, at).ok, true);
  });

  test('a bad CRL is refused and the old set stays', () => {
    const verifier = new Verifier(revoked.policy);
    const at = { at: revoked.at };
    const error = thrown(() => verifier.updateCrls(['-----BEGIN X509 CRL-----\nnot base64!\n-----END X509 CRL-----\n']));
    assert.ok(error instanceof CertgateError);
    assert.equal(error.code, 'INVALID_POLICY');
    assert.equal(verifier.check(revoked.chain, at).code, 'REVOKED');
  });

  test('a policy without a revocation section refuses CRLs', () => {
    const plain = vector('spiffe_exact_allowed');
    const error = thrown(() => new Verifier(plain.policy).updateCrls(revoked.policy.revocation.crls));
    assert.equal(error.code, 'INVALID_POLICY');
    assert.match(error.message, /revocation/);
  });

  test('wrong types are a TypeError', () => {
    const verifier = new Verifier(empty.policy);
    for (const crls of [undefined, null, 7, {}, [7], [null]]) {
      assert.throws(() => verifier.updateCrls(crls), TypeError);
    }
  });
});

describe('updateOcsp', () => {
  const good = vector('ocsp_good');
  const expired = vector('ocsp_expired');

  test('swaps the OCSP responses; a bad one is refused and the old ones stay', () => {
    const verifier = new Verifier(good.policy);
    const at = { at: good.at };
    assert.equal(verifier.check(good.chain, at).ok, true);
    verifier.updateOcsp(expired.policy.revocation.ocsp.responses);
    assert.equal(verifier.check(good.chain, at).code, 'REVOCATION_UNKNOWN');
    verifier.updateOcsp(good.policy.revocation.ocsp.responses[0]);
    assert.equal(verifier.check(good.chain, at).ok, true);
    const error = thrown(() => verifier.updateOcsp([new Uint8Array([0x30, 0x00])]));
    assert.equal(error.code, 'INVALID_POLICY');
    assert.match(error.message, /^responses\[0\]: not an OCSP response/);
    assert.equal(verifier.check(good.chain, at).ok, true);
    assert.throws(() => verifier.updateOcsp([7]), TypeError);
  });
});

describe('inspect', () => {
  const c = vector('inspect_spiffe');

  test('returns exactly the canonical keys, without the verification-only ones', () => {
    const identity = inspect(c.cert);
    assert.deepEqual(sorted(Object.keys(identity)), sorted(IDENTITY_KEYS));
    assert.deepEqual(identity, c.expect.identity);
  });

  test('takes DER bytes, and the first certificate of a PEM bundle', () => {
    assert.deepEqual(inspect(der(c.cert)), c.expect.identity);
    const other = vector('inspect_root');
    assert.deepEqual(inspect(c.cert + other.cert), c.expect.identity);
  });

  test('garbage is MALFORMED_CERTIFICATE', () => {
    const error = thrown(() => inspect(new Uint8Array([0x30, 0x03, 0x02, 0x01])));
    assert.ok(error instanceof CertgateError);
    assert.equal(error.code, 'MALFORMED_CERTIFICATE');
  });
});
