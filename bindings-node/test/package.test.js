'use strict';
// Node-only: the artifact a user installs. Types match the core's codes and compile; the
// packed tarball and the folder install into a fresh project, from CommonJS and ESM.

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
  test('the Code union is exactly CODES, in order (fails when the core adds a code)', () => {
    const dts = fs.readFileSync(path.join(PACKAGE, 'index.d.ts'), 'utf8');
    const union = dts.match(/export type Code =([^;]+);/);
    assert.ok(union, 'index.d.ts declares `export type Code = ...;`');
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

describe('a fresh install', { skip: nodeOnly }, () => {
  let dir;
  let tarball;
  const c = vector('spiffe_exact_allowed');

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-install-'));
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], PACKAGE))[0];
    tarball = { path: path.join(dir, packed.filename), files: packed.files.map((file) => file.path) };
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

  test('the tarball holds the addon, the JS, the types and nothing of the build', () => {
    const files = tarball.files;
    for (const needed of ['package.json', 'index.js', 'index.mjs', 'index.d.ts', 'express.js', 'express.mjs', 'express.d.ts', 'lib/verifier.js', 'lib/native.js', 'README.md']) {
      assert.ok(files.includes(needed), `${needed} is packed`);
    }
    assert.ok(files.some((file) => /^certgate\..+\.node$/.test(file)), 'the native addon is packed');
    assert.ok(!files.some((file) => file.startsWith('src/') || file.startsWith('test/') || file.startsWith('node_modules/')));
  });

  test('npm install of the packed tarball: require and import work', () => {
    const root = project('tarball', tarball.path);
    const expected = { spiffe: 'spiffe://example.org/ns/prod/sa/payments', codes: certgate.CODES.length };
    assert.deepEqual(runIn(root, 'use.cjs', cjs), { ...expected, kinds: ['function', 'function', 'function', 'function', 'function'] });
    assert.deepEqual(runIn(root, 'use.mjs', esm), { ...expected, same: true });
  });

  test('npm install ./bindings-node (the folder): require and import work', () => {
    const root = project('folder', PACKAGE);
    const expected = { spiffe: 'spiffe://example.org/ns/prod/sa/payments', codes: certgate.CODES.length };
    assert.deepEqual(runIn(root, 'use.cjs', cjs).spiffe, expected.spiffe);
    assert.deepEqual(runIn(root, 'use.mjs', esm), { ...expected, same: true });
  });
});
