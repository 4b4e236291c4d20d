// Node soak (`make soak`): worker threads, each with its own Verifier, run checkAsync on
// the libuv pool (16 in flight) over a mix of good, revoked, expired, untrusted,
// wrong-SPIFFE, garbage and oversized chains while their CRL set is swapped every 10 ms
// and their policy reloaded every 100 ms. Every outcome is checked against the code
// expected under the CRL set of the generation that decided it; the process's RSS is
// sampled, and its growth after warm-up must stay under 5%.
//
//   node tests/soak/soak.mjs DEMO_DIR [VERIFICATIONS]   (DEMO_DIR: certgate-vectors demo)

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { rssGrowth } from './rss.mjs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const WORKERS = 4;
const IN_FLIGHT = 16;

async function work({ dir, count }) {
  const { Verifier } = require(path.join(path.dirname(new URL(import.meta.url).pathname), '../../bindings-node'));
  const read = (name) => readFileSync(path.join(dir, name), 'utf8');
  const sets = {
    current: [read('root-crl.pem'), read('intermediate-crl.pem')],
    revoking: [read('root-crl.pem'), read('intermediate-crl-next.pem')],
  };
  const policy = { ...JSON.parse(read('policy.json')), cache: { entries: 256 } };
  policy.revocation = { ...policy.revocation, crls: sets.current };
  const verifier = new Verifier(policy);
  const setOf = new Map([[0, 'current']]);
  let next = 'revoking';
  let swaps = 0;
  const swapper = setInterval(() => {
    if (swaps % 10 === 9) {
      verifier.reload(policy);
      setOf.set(verifier.generation, 'current');
      next = 'revoking';
    } else {
      verifier.updateCrls(sets[next]);
      setOf.set(verifier.generation, next);
      next = next === 'revoking' ? 'current' : 'revoking';
    }
    swaps += 1;
    // A check never lags 1,000 swaps behind: older records go (the RSS is being measured).
    setOf.delete(verifier.generation - 1000);
  }, 10);
  const inputs = [
    ['allowed', read('allowed.pem'), (set) => (set === 'current' ? null : 'REVOKED')],
    ['revoked', read('revoked.pem'), () => 'REVOKED'],
    ['expired', read('expired.pem'), () => 'EXPIRED'],
    ['untrusted', read('untrusted.pem'), () => 'UNKNOWN_ISSUER'],
    ['wrong-spiffe', read('wrong-spiffe.pem'), () => 'NOT_AUTHORIZED'],
    ['garbage', Buffer.from('0\x82\xff\xff not a certificate', 'latin1'), () => 'MALFORMED_CERTIFICATE'],
    ['oversized', Buffer.alloc(2 * 1024 * 1024, 0x30), () => 'INPUT_TOO_LARGE'],
  ];
  let issued = 0;
  let wrong = 0;
  async function lane() {
    while (issued < count) {
      const [name, chain, expected] = inputs[issued++ % inputs.length];
      const outcome = await verifier.checkAsync(chain);
      const want = expected(setOf.get(outcome.generation));
      if ((outcome.ok ? null : outcome.code) !== want) {
        wrong += 1;
        console.error(`wrong: ${name} under generation ${outcome.generation}: ${outcome.code}, expected ${want}`);
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  clearInterval(swapper);
  return { wrong, swaps, stats: verifier.stats() };
}

if (isMainThread) {
  const [dir, total = '1000000'] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node tests/soak/soak.mjs DEMO_DIR [VERIFICATIONS]');
    process.exit(2);
  }
  const count = Math.ceil(Number(total) / WORKERS);
  const samples = [];
  const sampler = setInterval(() => samples.push(process.memoryUsage().rss), 100);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: WORKERS }, () => new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { dir, count } });
      worker.once('message', resolve);
      worker.once('error', reject);
    }))
  );
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const { warm, end, growth } = rssGrowth(samples);
  const wrong = results.reduce((sum, r) => sum + r.wrong, 0);
  const sum = (key) => results.reduce((total, r) => total + r.stats.verifications[key], 0);
  const hits = results.reduce((total, r) => total + r.stats.cache.hits, 0);
  console.log(`soak (Node ${process.version}): ${count * WORKERS} checkAsync on ${WORKERS} worker threads × ${IN_FLIGHT} in flight in ${seconds.toFixed(1)} s (${Math.round((count * WORKERS) / seconds)}/s); ${results.reduce((s, r) => s + r.swaps, 0)} CRL swaps and reloads`);
  console.log(`decisions: ${wrong} wrong; OK ${sum('OK')}, REVOKED ${sum('REVOKED')}, EXPIRED ${sum('EXPIRED')}, UNKNOWN_ISSUER ${sum('UNKNOWN_ISSUER')}, NOT_AUTHORIZED ${sum('NOT_AUTHORIZED')}, MALFORMED_CERTIFICATE ${sum('MALFORMED_CERTIFICATE')}, INPUT_TOO_LARGE ${sum('INPUT_TOO_LARGE')}; cache hits ${hits}`);
  console.log(`RSS: ${(warm / 2 ** 20).toFixed(1)} MiB after warm-up, ${(end / 2 ** 20).toFixed(1)} MiB at the end (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%, limit +5%), max ${(Math.max(...samples) / 2 ** 20).toFixed(1)} MiB; ${samples.length} samples`);
  if (wrong > 0 || growth >= 5) process.exit(1);
} else {
  parentPort.postMessage(await work(workerData));
}
