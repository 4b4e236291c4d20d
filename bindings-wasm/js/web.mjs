// The ES module entry of certgate-wasm for browsers and bundlers (pkg/web/index.js once
// bundled): the wasm module is fetched by init(), which must be awaited before use.
// CERTGATE_CODES is core's Code::ALL, replaced at bundle time, so that CODES is usable
// before init().

import * as raw from './certgate_wasm.js';
import initWasm, { initSync as initWasmSync } from './certgate_wasm.js';
import { createApi } from './api.js';

let ready = false;
const api = createApi(raw, CERTGATE_CODES, () => {
  if (!ready) throw new Error('certgate-wasm: await init() (the default export) before use');
});

/** Loads and instantiates the wasm module; options as wasm-bindgen's: { module_or_path }. */
export default async function init(options) {
  await initWasm(options);
  ready = true;
}

/** Instantiates the wasm module synchronously from its bytes or a compiled module: { module }. */
export function initSync(options) {
  initWasmSync(options);
  ready = true;
}

export const { Verifier, inspect, CertgateError, CODES, prometheusText } = api;
