// Types of certgate-wasm's web entry: the API of ./api.d.ts (the Node entry's index.d.ts)
// and the loader of the wasm module.

export * from './api';

/** What the wasm module is loaded from: a URL, a fetch Response, bytes or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads and instantiates the wasm module (default: certgate_wasm_bg.wasm next to
 * this file, fetched). Await it once before using anything else.
 */
export default function init(options?: { module_or_path?: InitInput | Promise<InitInput> }): Promise<void>;

/** Instantiates the wasm module synchronously. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): void;
