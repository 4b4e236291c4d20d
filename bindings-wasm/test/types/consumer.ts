// Compiled (never run) by test/wasm.test.js: the .d.ts files shipped in pkg/nodejs and
// pkg/web must describe what only certgate-wasm has (the web entry's init / initSync)
// for a strict TypeScript consumer. The API shared with the Node addon is compiled
// against both installed packages by tests/dist/consumer.ts.
import { Verifier } from 'certgate-wasm';
import type { Policy } from 'certgate-wasm';
import init, { initSync, Verifier as WebVerifier, inspect as webInspect, CODES as webCodes } from 'certgate-wasm/web';
import type { Code } from 'certgate-wasm/web';

const policy: Policy = { trust: { anchors: new Uint8Array(4) } };
const sameClassShape: Verifier = new WebVerifier(policy);

async function browser(): Promise<string | null> {
  await init();
  await init({ module_or_path: new URL('https://example.invalid/certgate_wasm_bg.wasm') });
  initSync({ module: new Uint8Array(8) });
  const web = new WebVerifier(policy);
  webInspect('pem');
  const first: Code | undefined = webCodes[0];
  return web.verify('pem').spiffe_id;
}
