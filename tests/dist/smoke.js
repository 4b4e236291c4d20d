'use strict';
// Run by run.sh inside a fresh project where a packed certgate JS package is installed
// (`node smoke.js MODULE CASES_JSON`; MODULE is `certgate` or `certgate-wasm`): the
// installed package, reached by name from CommonJS and from ESM, decides an allowed and
// a rejected vector case as the vectors say. Prints one line; exits non-zero on a mismatch.

const assert = require('node:assert/strict');

const [moduleName, casesFile] = process.argv.slice(2);
const { cases } = require(casesFile);
const byName = (name) => cases.find((c) => c.name === name);
const allowed = byName('spiffe_exact_allowed');
const revoked = byName('revoked_leaf');

function decide(api) {
  const identity = new api.Verifier(allowed.policy).verify(allowed.chain, { at: allowed.at });
  assert.deepEqual(identity, allowed.expect.identity);
  const outcome = new api.Verifier(revoked.policy).check(revoked.chain, { at: revoked.at });
  assert.deepEqual([outcome.code, outcome.certIndex], [revoked.expect.code, revoked.expect.cert_index]);
  assert.throws(() => new api.Verifier(revoked.policy).verify(revoked.chain, { at: revoked.at }), api.CertgateError);
  assert.ok(api.CODES.includes('REVOKED'));
  return identity.spiffe_id;
}

async function main() {
  const required = decide(require(moduleName));
  const imported = decide(await import(moduleName));
  const extra = [];
  if (moduleName === 'certgate') {
    // The Node addon's own parts: the thread-pool verify and the express subpath.
    const certgate = require(moduleName);
    const identity = await new certgate.Verifier(allowed.policy).verifyAsync(allowed.chain, { at: allowed.at });
    assert.equal(identity.spiffe_id, required);
    assert.equal(typeof require('certgate/express'), 'function');
    assert.equal(typeof (await import('certgate/express')).default, 'function');
    extra.push('verifyAsync', 'certgate/express');
  }
  console.log(`${moduleName}: require and import decide as the vectors (${[required === imported ? 'same identity' : 'DIFFERENT', ...extra].join(', ')})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
