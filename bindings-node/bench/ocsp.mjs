// OCSP from Node (docs/decision.md#ocsp): the first verifyAsync of a certificate, which
// fetches its response from the responder, against the calls that follow and use the
// response kept until its nextUpdate, and against the same policy without revocation.
// The responder is tests/ocsp/responder.py (OpenSSL's `openssl ocsp -index`, run once per
// request, on 127.0.0.1), so the first call's figure is mostly that process starting.
//
//   node bench/ocsp.mjs

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUDGET_MS, now, opsPerSecond, opsPerSecondAsync } from '../../bindings-js/bench.mjs';

const require = createRequire(import.meta.url);
const { Verifier } = require('..');
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIRST_CALLS = 10;

const dir = mkdtempSync(path.join(tmpdir(), 'certgate-ocsp-bench-'));
const responder = spawn('python3', [path.join(ROOT, 'tests', 'ocsp', 'responder.py'), dir], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const url = await new Promise((resolve, reject) => {
    let text = '';
    responder.stdout.on('data', (chunk) => {
      text += chunk;
      const found = text.match(/listening (http:\/\/127\.0\.0\.1:\d+)/);
      if (found) resolve(found[1]);
    });
    responder.on('exit', () => reject(new Error('the responder stopped')));
  });
  execFileSync('bash', [path.join(ROOT, 'tests', 'ocsp', 'make-pki.sh'), dir, url], { stdio: 'ignore' });
  const file = (name) => readFileSync(path.join(dir, name), 'utf8');
  const trust = { anchors: file('root.pem'), intermediates: file('intermediate.pem') };
  const chain = file('good.pem');
  const fetching = () => new Verifier({ trust, revocation: { depth: 'leaf', ocsp: { fetch: true } } });

  // The first call of a fresh verifier: plan, POST, add, verify. Each round a new verifier.
  const firsts = [];
  for (let i = 0; i < FIRST_CALLS; i++) {
    const verifier = fetching();
    const start = now();
    await verifier.verifyAsync(chain);
    firsts.push(now() - start);
  }
  firsts.sort((a, b) => a - b);
  const verifier = fetching();
  await verifier.verifyAsync(chain);
  const plain = new Verifier({ trust });
  const cachedAsync = await opsPerSecondAsync(() => verifier.verifyAsync(chain), BUDGET_MS);
  const plainAsync = await opsPerSecondAsync(() => plain.verifyAsync(chain), BUDGET_MS);
  const cachedSync = opsPerSecond(() => verifier.verify(chain), BUDGET_MS);
  const plainSync = opsPerSecond(() => plain.verify(chain), BUDGET_MS);
  const us = (opsPerSecondValue) => (1e6 / opsPerSecondValue).toFixed(1);
  console.log('OCSP from Node (one P-256 leaf, its response from a delegated responder)');
  console.log(`first verifyAsync, with the fetch: median ${firsts[FIRST_CALLS >> 1].toFixed(1)} ms (best ${firsts[0].toFixed(1)} ms, ${FIRST_CALLS} fresh verifiers)`);
  console.log(`verifyAsync, response kept: ${us(cachedAsync)} µs; without revocation ${us(plainAsync)} µs: ${(plainAsync / cachedAsync).toFixed(3)}x`);
  console.log(`verify, response kept: ${us(cachedSync)} µs; without revocation ${us(plainSync)} µs: ${(plainSync / cachedSync).toFixed(3)}x`);
} finally {
  responder.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
