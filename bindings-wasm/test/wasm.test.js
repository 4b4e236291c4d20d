'use strict';
// What only the wasm build has: the clock comes from the JS host, the web entry point
// (init, initSync, use before init), the code list and its TypeScript union, and the
// package's types (tsc --strict on both targets). The packed tarball is installed into a
// fresh project and used there by `make test-dist` (tests/dist/run.sh).

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const { pathToFileURL } = require('node:url');
const { PKG, ROOT, codeUnion, der, vector } = require('./helpers');

const certgate = require(path.join(PKG, 'nodejs'));
const raw = require(path.join(PKG, 'nodejs', 'certgate_wasm.js'));
const { CertgateError, Verifier } = certgate;

describe('the verification time', () => {
  const c = vector('spiffe_exact_allowed');
  const verifier = new Verifier(c.policy);
  const realNow = Date.now;
  after(() => {
    Date.now = realNow;
  });

  test('defaults to Date.now() of the JS host (wasm has no clock of its own)', () => {
    Date.now = () => c.at * 1000;
    assert.deepStrictEqual(verifier.verify(c.chain), c.expect.identity);
    Date.now = () => (c.expect.identity.not_before - 1) * 1000;
    assert.equal(verifier.check(c.chain).code, 'NOT_YET_VALID');
    assert.equal(verifier.check(c.chain, {}).code, 'NOT_YET_VALID');
    Date.now = () => (c.expect.identity.not_after + 1) * 1000;
    assert.equal(verifier.check(c.chain, { at: null }).code, 'EXPIRED');
    Date.now = realNow;
  });

  test('the raw layer refuses a time that is not whole unix seconds (RangeError)', () => {
    const rawVerifier = new raw.RawVerifier(JSON.stringify(c.policy), []);
    for (const at of [-1, NaN, Infinity, 2 ** 54]) {
      assert.throws(() => rawVerifier.check(c.chain, at), RangeError, String(at));
    }
    assert.equal(rawVerifier.check(c.chain, c.at + 0.9).ok, true);
  });
});

describe('codes', () => {
  test('CODES is the wasm core list (Code::ALL), frozen', () => {
    assert.deepEqual([...certgate.CODES], raw.codes());
    assert.ok(Object.isFrozen(certgate.CODES));
  });

  test('the Code union of the shared declarations and of each shipped copy is exactly CODES, in order', () => {
    for (const file of [path.join(ROOT, 'bindings-js', 'types.d.ts'), path.join(PKG, 'nodejs', 'types.d.ts'), path.join(PKG, 'web', 'types.d.ts')]) {
      assert.deepEqual(codeUnion(file), raw.codes(), file);
    }
  });
});

describe('rejections', () => {
  test('raw rejections become CertgateErrors; argument errors stay TypeErrors', () => {
    const c = vector('revoked_leaf');
    let caught;
    try {
      new Verifier(c.policy).verify(c.chain, { at: c.at });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof CertgateError && caught instanceof Error);
    assert.deepEqual({ code: caught.code, certIndex: caught.certIndex }, { code: 'REVOKED', certIndex: 0 });
    assert.match(caught.stack, /^CertgateError: certificate #0/);
    assert.throws(() => new Verifier(c.policy).verify([42]), { name: 'TypeError', message: /chain\[0\] must be a PEM string or a Uint8Array/ });
    // What crosses the boundary: a plain outcome object, not an Error.
    assert.throws(
      () => new raw.RawVerifier('{"trust": {}}', []),
      (thrown) => !(thrown instanceof Error) && thrown.ok === false && thrown.code === 'INVALID_POLICY' && thrown.certIndex === null
    );
  });

  test('a trap fails closed as INTERNAL and poisons the instance', () => {
    // The wrapper over a stand-in raw module whose first call traps as a Rust panic would;
    // later calls would succeed, but a trapped instance must never be used again.
    const { createApi } = require('../js/api.js');
    let trapped = false;
    const trapOnce = (result) => () => {
      if (!trapped) {
        trapped = true;
        throw new WebAssembly.RuntimeError('unreachable executed');
      }
      return result;
    };
    const allowed = { ok: true, code: null, message: null, certIndex: null, identity: {} };
    const standIn = {
      RawVerifier: class { check = trapOnce(allowed); updateCrls = trapOnce(undefined); warnings = trapOnce([]); },
      inspect: trapOnce({}),
    };
    const api = createApi(standIn, raw.codes(), () => {});
    const verifier = new api.Verifier('{}');
    const c = vector('spiffe_exact_allowed');
    assert.deepEqual(verifier.check(c.chain, { at: c.at }), {
      ok: false,
      code: 'INTERNAL',
      message: 'certgate-wasm: the WebAssembly module trapped (unreachable executed)',
      certIndex: null,
      identity: null,
      generation: null,
    });
    const poisoned = /^certgate-wasm: refused, the WebAssembly instance trapped earlier \(unreachable executed\)/;
    assert.throws(() => verifier.verify(c.chain, { at: c.at }), (error) => error instanceof api.CertgateError && error.code === 'INTERNAL' && poisoned.test(error.message));
    assert.throws(() => verifier.updateCrls('crl'), { code: 'INTERNAL', message: poisoned });
    assert.throws(() => verifier.warnings, { code: 'INTERNAL', message: poisoned });
    assert.throws(() => api.inspect(c.chain[0]), { code: 'INTERNAL', message: poisoned });
    assert.throws(() => new api.Verifier('{}'), { code: 'INTERNAL', message: poisoned });
  });

  test('a real abort in the shipped module (after wasm-opt) traps, fails closed and poisons', () => {
    // More than isize::MAX bytes on wasm32: the allocator wasm-bindgen copies arguments
    // with cannot lay it out, and aborts (panic=abort, no unwinding) before any copy. A
    // child process, so the poisoned instance is not this file's.
    const script = `
      const { inspect, CertgateError } = require(${JSON.stringify(path.join(PKG, 'nodejs'))});
      const outcomes = [];
      for (const bytes of [new Uint8Array(2 ** 31 + 16), new Uint8Array([0x30, 0])]) {
        try { inspect(bytes); outcomes.push('returned'); }
        catch (error) { outcomes.push(error instanceof CertgateError ? error.code + ': ' + error.message : String(error)); }
      }
      console.log(JSON.stringify(outcomes));`;
    const outcomes = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    assert.equal(outcomes.length, 2);
    assert.match(outcomes[0], /^INTERNAL: certgate-wasm: the WebAssembly module trapped \(unreachable/);
    assert.match(outcomes[1], /^INTERNAL: certgate-wasm: refused, the WebAssembly instance trapped earlier/);
  });

  test('a Uint8Array from another realm is accepted as bytes', () => {
    const vm = require('node:vm');
    const c = vector('spiffe_exact_allowed');
    const bytes = der(c.chain[0]);
    const leaf = vm.runInNewContext('new Uint8Array(length)', { length: bytes.length });
    leaf.set(bytes);
    assert.equal(leaf instanceof Uint8Array, false);
    assert.deepStrictEqual(new Verifier(c.policy).verify([leaf, ...c.chain.slice(1)], { at: c.at }), c.expect.identity);
  });
});

describe('the web build (ES module, explicit init)', () => {
  let web;
  before(async () => {
    web = await import(pathToFileURL(path.join(PKG, 'web', 'index.js')).href);
  });

  test('refuses use before init with a clear error, CODES aside', () => {
    assert.deepEqual([...web.CODES], raw.codes());
    const c = vector('spiffe_exact_allowed');
    assert.throws(() => new web.Verifier(c.policy), /await init\(\)/);
    assert.throws(() => web.inspect(c.chain[0]), /await init\(\)/);
  });

  test('after initSync decides like the Node build', () => {
    web.initSync({ module: fs.readFileSync(path.join(PKG, 'web', 'certgate_wasm_bg.wasm')) });
    for (const name of ['spiffe_exact_allowed', 'revoked_leaf', 'policy_bad_cidr']) {
      const c = vector(name);
      const outcome = (impl) => {
        try {
          return new impl.Verifier(c.policy).check(c.chain, { at: c.at });
        } catch (error) {
          assert.ok(error instanceof impl.CertgateError);
          return { code: error.code, message: error.message };
        }
      };
      assert.deepStrictEqual(outcome(web), outcome(certgate), name);
    }
    const c = vector('inspect_spiffe');
    assert.deepStrictEqual(web.inspect(c.cert), c.expect.identity);
  });
});

describe('the package types', () => {
  test('a strict TypeScript consumer compiles against both targets', () => {
    const tsc = path.join(__dirname, '..', 'node_modules', '.bin', 'tsc');
    try {
      execFileSync(tsc, ['-p', path.join(__dirname, 'types', 'tsconfig.json')], { encoding: 'utf8' });
    } catch (error) {
      assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
    }
  });
});
