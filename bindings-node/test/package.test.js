'use strict';
// Node-only: the package as a developer uses it from this repository. Types match the
// core's codes and compile; the folder installs into a fresh project, from CommonJS and
// ESM. The packed tarballs (napi-rs layout) are installed and used by `make test-dist`
// (tests/dist/run.sh).

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { vector } = require('./fixtures');

const PACKAGE = path.join(__dirname, '..');
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('index.d.ts', { skip: nodeOnly }, () => {
  test('the Code union of the shared declarations is exactly CODES, in order (fails when the core adds a code)', () => {
    const dts = fs.readFileSync(path.join(PACKAGE, 'lib', 'types.d.ts'), 'utf8');
    assert.equal(dts, fs.readFileSync(path.join(PACKAGE, '..', 'bindings-js', 'types.d.ts'), 'utf8'), 'lib/types.d.ts is the build\'s copy of bindings-js/types.d.ts');
    const union = dts.match(/export type Code =([^;]+);/);
    assert.ok(union, 'types.d.ts declares `export type Code = ...;`');
    const names = [...union[1].matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]);
    assert.deepEqual(names, [...certgate.CODES]);
  });

  test('a strict TypeScript consumer compiles against index.d.ts and express.d.ts', () => {
    const tsc = path.join(PACKAGE, 'node_modules', '.bin', 'tsc');
    try {
      execFileSync(tsc, ['-p', path.join(__dirname, 'types', 'tsconfig.json')], { encoding: 'utf8' });
    } catch (error) {
      assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
    }
  });
});

describe('a fresh install of the folder', { skip: nodeOnly }, () => {
  let dir;
  const c = vector('spiffe_exact_allowed');

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-install-'));
    fs.writeFileSync(path.join(dir, 'case.json'), JSON.stringify(c));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A new project in `dir/name` with `spec` installed, offline (certgate has no dependencies). */
  function project(name, spec) {
    const root = path.join(dir, name);
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true }));
    npm(['install', '--offline', '--no-audit', '--no-fund', spec], root);
    return root;
  }

  const cjs = `
    const { Verifier, CODES, CertgateError, inspect, enforce, serverOptions } = require('certgate');
    const middleware = require('certgate/express');
    const c = require('../case.json');
    const identity = new Verifier(c.policy).verify(c.chain, { at: c.at });
    console.log(JSON.stringify({ spiffe: identity.spiffe_id, codes: CODES.length, kinds: [typeof CertgateError, typeof inspect, typeof enforce, typeof serverOptions, typeof middleware] }));
  `;
  const esm = `
    import certgate, { Verifier, CODES } from 'certgate';
    import middleware, { certgate as named } from 'certgate/express';
    import { createRequire } from 'node:module';
    const c = createRequire(import.meta.url)('../case.json');
    const identity = new Verifier(c.policy).verify(c.chain, { at: c.at });
    console.log(JSON.stringify({ spiffe: identity.spiffe_id, codes: CODES.length, same: certgate.Verifier === Verifier && middleware === named }));
  `;

  function runIn(root, file, source) {
    fs.writeFileSync(path.join(root, file), source);
    return JSON.parse(execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8' }));
  }

  test('npm install ./bindings-node (the folder): require and import work', () => {
    const root = project('folder', PACKAGE);
    const expected = { spiffe: 'spiffe://example.org/ns/prod/sa/payments', codes: certgate.CODES.length };
    assert.deepEqual(runIn(root, 'use.cjs', cjs).spiffe, expected.spiffe);
    assert.deepEqual(runIn(root, 'use.mjs', esm), { ...expected, same: true });
  });
});
