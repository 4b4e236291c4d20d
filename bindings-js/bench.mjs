// What certgate's JS benchmarks share (bindings-node/bench/bench.mjs,
// bindings-wasm/bench/verify.mjs): the fixture folder `certgate-vectors bench` writes,
// the time budget, and how a contender is timed (calls in a loop for a wall-clock
// budget, as ops/s).

import fs from 'node:fs';
import path from 'node:path';

/** Milliseconds each contender is measured for (BENCH_MS, default 2000). */
export const BUDGET_MS = Number(process.env.BENCH_MS || 2000);

/** The trust domain of the bench leaf's SPIFFE ID. */
export const TRUST_DOMAIN = 'spiffe://bench.example/';

/**
 * The command-line arguments (the first is the fixture folder; `usage` is printed and the
 * process exits 2 without it) and `read(file)`, the bytes of a fixture file.
 */
export function fixtures(usage) {
  const args = process.argv.slice(2);
  if (!args[0]) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return { args, read: (file) => fs.readFileSync(path.join(args[0], file)) };
}

/** Milliseconds from a monotonic clock. */
export function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Calls a sync `fn` for `ms` milliseconds (in batches, so the clock is read rarely): ops/s. */
export function opsPerSecond(fn, ms) {
  const BATCH = 20;
  let calls = 0;
  const start = now();
  while (now() - start < ms) {
    for (let i = 0; i < BATCH; i++) fn();
    calls += BATCH;
  }
  return (calls * 1000) / (now() - start);
}

/** Awaits an async `fn` one call at a time for `ms` milliseconds and at least `minCalls` calls: ops/s. */
export async function opsPerSecondAsync(fn, ms, minCalls = 1) {
  let calls = 0;
  const start = now();
  while (now() - start < ms || calls < minCalls) {
    await fn();
    calls++;
  }
  return (calls * 1000) / (now() - start);
}
