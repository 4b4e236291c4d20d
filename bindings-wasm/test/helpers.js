'use strict';
// Shared by the certgate-wasm tests: where things are, and the vectors.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const PKG = path.join(__dirname, '..', 'pkg');

/** tests/vectors/cases.json, parsed. */
function cases() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'vectors', 'cases.json'), 'utf8')).cases;
}

/** The case with this name. */
function vector(name) {
  const found = cases().find((c) => c.name === name);
  if (!found) throw new Error(`no vector named ${name} in tests/vectors/cases.json`);
  return found;
}

/** DER bytes of the first PEM block of `pem`. */
function der(pem) {
  const body = pem.split('-----')[2].replace(/\s+/g, '');
  return Uint8Array.from(Buffer.from(body, 'base64'));
}

/** The `export type Code = ...;` union of a .d.ts file, as a list of names. */
function codeUnion(file) {
  const union = fs.readFileSync(file, 'utf8').match(/export type Code =([^;]+);/);
  if (!union) throw new Error(`${file} declares no \`export type Code = ...;\``);
  return [...union[1].matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]);
}

module.exports = { PKG, ROOT, cases, codeUnion, der, vector };
