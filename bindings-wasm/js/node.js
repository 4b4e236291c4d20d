'use strict';
// The CommonJS entry of certgate-wasm for Node (pkg/nodejs/index.js once bundled): the
// wasm module is compiled synchronously when required, so the API is ready at once.

const raw = require('./certgate_wasm.js');
const { createApi } = require('./api.js');

const api = createApi(raw, raw.codes(), () => {});

// One assignment per name, so that Node's ESM loader sees the named exports too.
exports.Verifier = api.Verifier;
exports.inspect = api.inspect;
exports.CertgateError = api.CertgateError;
exports.CODES = api.CODES;
exports.prometheusText = api.prometheusText;
