// certgate-wasm against the native addon and pkijs, in Node, on one P-256 root →
// intermediate → leaf chain, without and with a 100,000-entry CRL of the intermediate.
// Every figure is measured in this run and printed as ops/s and ratios.
//
//   node bench/verify.mjs FIXTURE_DIR
//
// FIXTURE_DIR: written by `certgate-vectors bench` (root/intermediate/leaf .der,
// policy.json, policy-crl.json, crl-100k.der, root-crl.der); `make bench-wasm` makes a
// fresh one (its CRLs are valid for a week). Each contender does the same job per call:
// parse the two peer certificates from DER, check both signatures up to the pre-parsed
// root, validity now and, with the CRL, the revocation of both; certgate also matches
// the policy's SPIFFE trust domain, pkijs has no policy and checks the URI SAN by hand.

import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { BUDGET_MS, TRUST_DOMAIN, fixtures, now, opsPerSecond, opsPerSecondAsync } from '../../bindings-js/bench.mjs';

const require = createRequire(import.meta.url);
const native = require('../../bindings-node');
const wasm = require('../pkg/nodejs');

const {
  args: [dir],
  read,
} = fixtures('node bench/verify.mjs FIXTURE_DIR');

const chain = [read('leaf.der'), read('intermediate.der')];

/** Calls a sync `fn` for BUDGET_MS after a warm-up; ops/s. */
function measure(fn) {
  const warm = now();
  while (now() - warm < BUDGET_MS / 5) fn();
  return opsPerSecond(fn, BUDGET_MS);
}

/** Awaits `fn` one call at a time for BUDGET_MS (at least 3 calls) after one warm-up call; ops/s. */
async function measureAsync(fn) {
  await fn();
  return opsPerSecondAsync(fn, BUDGET_MS, 3);
}

/** A certgate Verifier of `impl` (native or wasm) for a policy file, checked to admit the leaf. */
function certgate(impl, policyFile) {
  const policy = read(policyFile).toString();
  const started = now();
  const verifier = new impl.Verifier(policy);
  const compileMs = now() - started;
  const identity = verifier.verify(chain);
  if (!identity.spiffe_id?.startsWith(TRUST_DOMAIN)) throw new Error('certgate refused the bench leaf');
  return { compileMs, verify: () => verifier.verify(chain) };
}

/**
 * A CRL for pkijs. CertificateRevocationList.fromBER refuses the 100k CRL (asn1js 4 caps
 * a parse at 10,000 nodes), so it is parsed with asn1js and a higher cap, as a pkijs user
 * with big CRLs has to.
 */
function pkijsCrl(file) {
  const asn1 = asn1js.fromBER(read(file), { maxNodes: 10_000_000 });
  if (asn1.offset === -1) throw new Error(`asn1js cannot parse ${file}: ${asn1.result.error}`);
  return new pkijs.CertificateRevocationList({ schema: asn1.result });
}

/** pkijs CertificateChainValidationEngine (WebCrypto), root and CRLs parsed once. */
function pkijsEngine(withCrl) {
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }));
  const root = pkijs.Certificate.fromBER(read('root.der'));
  const crls = withCrl ? [pkijsCrl('crl-100k.der'), pkijsCrl('root-crl.der')] : [];
  return async () => {
    const leaf = pkijs.Certificate.fromBER(chain[0]);
    const intermediate = pkijs.Certificate.fromBER(chain[1]);
    // pkijs takes the LAST certificate of `certs` as the end entity.
    const engine = new pkijs.CertificateChainValidationEngine({ trustedCerts: [root], certs: [intermediate, leaf], crls, checkDate: new Date() });
    const result = await engine.verify();
    if (!result.result || result.certificatePath.length !== 3) throw new Error(`pkijs refused the leaf: ${result.resultMessage}`);
    const san = leaf.extensions?.find((ext) => ext.extnID === '2.5.29.17');
    const uris = san?.parsedValue?.altNames?.filter((name) => name.type === 6).map((name) => name.value) ?? [];
    if (!uris.some((uri) => uri.startsWith(TRUST_DOMAIN))) throw new Error('pkijs: no SPIFFE ID');
  };
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const perCall = (ops) => (ops >= 1000 ? `${fmt(1e6 / ops, 1)} µs` : `${fmt(1000 / ops, 2)} ms`);

async function scenario(title, withCrl) {
  const policyFile = withCrl ? 'policy-crl.json' : 'policy.json';
  const onNative = certgate(native, policyFile);
  const onWasm = certgate(wasm, policyFile);
  console.log(`\n## ${title}`);
  console.log(`Verifier compiled in ${fmt(onNative.compileMs, 1)} ms native, ${fmt(onWasm.compileMs, 1)} ms wasm`);
  const rows = [];
  const add = (name, ops) => {
    rows.push({ name, ops });
    process.stderr.write(`  measured ${name}\n`);
  };
  add('certgate-wasm verify (sync, in Node)', measure(onWasm.verify));
  add('certgate native addon verify (sync)', measure(onNative.verify));
  add('pkijs CertificateChainValidationEngine', await measureAsync(pkijsEngine(withCrl)));

  const wasmOps = rows[0].ops;
  console.log('');
  console.log(`${'contender'.padEnd(42)} ${'ops/s'.padStart(9)} ${'per call'.padStart(10)}  wasm verify is`);
  for (const { name, ops } of rows) {
    const ratio = wasmOps / ops;
    const relation = ops === wasmOps ? '—' : ratio >= 1 ? `${fmt(ratio, 2)}× faster` : `${fmt(1 / ratio, 2)}× slower`;
    console.log(`${name.padEnd(42)} ${fmt(ops).padStart(9)} ${perCall(ops).padStart(10)}  ${relation}`);
  }
  return Object.fromEntries(rows.map((row) => [row.name, row.ops]));
}

console.log(`certgate-wasm benchmark: fixtures ${dir}, ${BUDGET_MS} ms per contender, node ${process.version}`);
const plain = await scenario('P-256 chain, no CRL', false);
const crl = await scenario('P-256 chain, 100,000-entry CRL of the intermediate', true);

console.log('\n## target (issue 6): wasm verify within 2× of the native addon');
for (const [title, rows] of [['no CRL', plain], ['100k CRL', crl]]) {
  const slowdown = rows['certgate native addon verify (sync)'] / rows['certgate-wasm verify (sync, in Node)'];
  console.log(`${slowdown <= 2 ? 'met    ' : 'MISSED '} ${title}: wasm takes ${fmt(slowdown, 2)}× the native time per verify`);
}
