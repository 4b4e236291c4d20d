'use strict';
// The implementation under test. Every test file loads certgate through here, so the same
// suite runs against the native addon (default) and, with CERTGATE_IMPL=wasm, against the
// WASM build (`bindings-wasm/pkg/nodejs`, which exports the same Verifier, inspect,
// CertgateError and CODES).

const path = require('node:path');

const name = process.env.CERTGATE_IMPL || 'native';
if (name !== 'native' && name !== 'wasm') {
  throw new Error(`CERTGATE_IMPL must be "native" or "wasm", not ${JSON.stringify(name)}`);
}
const isWasm = name === 'wasm';
const certgate = isWasm
  ? require(path.join(__dirname, '..', '..', 'bindings-wasm', 'pkg', 'nodejs'))
  : require('..');

module.exports = {
  certgate,
  isWasm,
  name,
  /** `skip` option for Node-only test files and cases: false, or the reason to skip. */
  nodeOnly: isWasm && 'Node-only feature: not part of the WASM build (CERTGATE_IMPL=wasm)',
};
