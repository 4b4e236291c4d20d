// certgate's Node addon against what a Node user would otherwise write, on one P-256
// root → intermediate → leaf chain, without and with a 100,000-entry CRL of the
// intermediate. Every figure is measured in this run and printed as ops/s and ratios.
//
//   node bench/bench.mjs FIXTURE_DIR [CORE_BENCH_EXECUTABLE]
//
// FIXTURE_DIR: written by `certgate-vectors bench` (root/intermediate/leaf .der, policy.json,
// policy-crl.json, crl-100k.der, root-crl.der). CORE_BENCH_EXECUTABLE: the built
// `cargo bench -p certgate-node --bench core_verify` program, which times the core's own
// verify on the same fixtures (the baseline of the binding-overhead target); it is run once
// per round, between the Node contenders. scripts/bench.sh passes both.
//
// The machine may be shared, so contenders are measured round-robin: ROUNDS rounds, each
// giving every contender a slice of BUDGET_MS / ROUNDS, and each contender's best slice
// counts. Load from elsewhere then hits all contenders alike instead of deciding a ratio.
//
// Each contender does the same job per call: parse the peer's two certificates from DER,
// check both signatures up to the pre-parsed root, validity now, CA flag / clientAuth where
// the library offers it, and the SPIFFE trust domain of the URI SAN; with the CRL, look the
// leaf and intermediate up in the CRL parsed once beforehand.

import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs it loaded first
import { execFileSync } from 'node:child_process';
import { X509Certificate as NodeX509, webcrypto } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { BUDGET_MS, TRUST_DOMAIN, fixtures, now, opsPerSecond, opsPerSecondAsync } from '../../bindings-js/bench.mjs';

const require = createRequire(import.meta.url);
const { Verifier } = require('..');

const {
  args: [dir, coreBench],
  read,
} = fixtures('node bench/bench.mjs FIXTURE_DIR [CORE_BENCH_EXECUTABLE]');
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const BIG_ASN1 = { maxNodes: 10_000_000 };

const leafDer = read('leaf.der');
const intermediateDer = read('intermediate.der');
const rootDer = read('root.der');
const chain = [leafDer, intermediateDer];
const bigCrlDer = read('crl-100k.der');
const rootCrlDer = read('root-crl.der');

// ---- timing ------------------------------------------------------------------------------

const ROUNDS = 10;
const SLICE_MS = BUDGET_MS / ROUNDS;

/** One slice of a sync `fn`: ops/s. */
const sliceSync = (fn) => opsPerSecond(fn, SLICE_MS);

/** One slice of an async `fn`, awaited one call at a time (at least one call): ops/s. */
const sliceAsync = (fn) => opsPerSecondAsync(fn, SLICE_MS);

/** One slice with `inFlight` calls of an async `fn` kept running: ops/s. */
async function sliceConcurrent(fn, inFlight) {
  let calls = 0;
  let stop = false;
  const start = now();
  const timer = setTimeout(() => (stop = true), SLICE_MS);
  const lane = async () => {
    while (!stop) {
      await fn();
      calls++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  clearTimeout(timer);
  return (calls * 1000) / (now() - start);
}

// ---- contenders --------------------------------------------------------------------------

function assertOk(condition, what) {
  if (!condition) throw new Error(`benchmark sanity check failed: ${what}`);
}

/** certgate: one compiled Verifier per policy. */
function certgate(policyFile) {
  const started = now();
  const policy = JSON.parse(read(policyFile).toString());
  const verifier = new Verifier(policy);
  const compileMs = now() - started;
  assertOk(verifier.verify(chain).spiffe_id.startsWith(TRUST_DOMAIN), 'certgate admits the leaf');
  const cached = new Verifier({ ...policy, cache: { entries: 64 } });
  return {
    compileMs,
    verify: () => verifier.verify(chain),
    cacheHit: () => cached.verify(chain),
    check: () => verifier.check(chain),
    verifyAsync: () => verifier.verifyAsync(chain),
  };
}

/** Hand-written node:crypto X509Certificate checks; `revoked` is a Set of hex serials or null. */
function nodeCrypto(revoked) {
  const root = new NodeX509(rootDer);
  const serial = (cert) => cert.serialNumber.toLowerCase().replace(/^(00)+/, '');
  const valid = (cert, at) => Date.parse(cert.validFrom) <= at && at <= Date.parse(cert.validTo);
  return () => {
    const leaf = new NodeX509(leafDer);
    const intermediate = new NodeX509(intermediateDer);
    const at = Date.now();
    const ok =
      leaf.checkIssued(intermediate) &&
      leaf.verify(intermediate.publicKey) &&
      intermediate.checkIssued(root) &&
      intermediate.verify(root.publicKey) &&
      intermediate.ca &&
      !leaf.ca &&
      valid(leaf, at) &&
      valid(intermediate, at) &&
      (leaf.keyUsage ?? [CLIENT_AUTH]).includes(CLIENT_AUTH) &&
      /(^|, )URI:spiffe:\/\/bench\.example\//.test(leaf.subjectAltName ?? '') &&
      !(revoked && (revoked.has(serial(leaf)) || revoked.has(serial(intermediate))));
    if (!ok) throw new Error('node:crypto refused the leaf');
  };
}

/** The floor: the two signature checks on certificates parsed once. */
function signatureFloor() {
  const root = new NodeX509(rootDer);
  const leaf = new NodeX509(leafDer);
  const intermediate = new NodeX509(intermediateDer);
  return () => {
    if (!(leaf.verify(intermediate.publicKey) && intermediate.verify(root.publicKey))) throw new Error('floor');
  };
}

/** pkijs CertificateChainValidationEngine (WebCrypto), CRLs parsed once beforehand. */
function pkijsEngine(withCrl) {
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }));
  const root = pkijs.Certificate.fromBER(rootDer);
  // asn1js refuses more than 10,000 nodes by default; the big CRL has ~700,000.
  const parseCrl = (der) => new pkijs.CertificateRevocationList({ schema: asn1js.fromBER(der, BIG_ASN1).result });
  const crls = withCrl ? [parseCrl(bigCrlDer), parseCrl(rootCrlDer)] : [];
  return async () => {
    const leaf = pkijs.Certificate.fromBER(leafDer);
    const intermediate = pkijs.Certificate.fromBER(intermediateDer);
    const engine = new pkijs.CertificateChainValidationEngine({
      trustedCerts: [root],
      certs: [intermediate, leaf], // pkijs takes the last certificate as the end entity
      crls,
      checkDate: new Date(),
    });
    const result = await engine.verify();
    if (!result.result || result.certificatePath.length !== 3) throw new Error(`pkijs refused the leaf: ${result.resultMessage}`);
    const san = leaf.extensions?.find((ext) => ext.extnID === '2.5.29.17');
    const uris = san?.parsedValue?.altNames?.filter((name) => name.type === 6).map((name) => name.value) ?? [];
    if (!uris.some((uri) => uri.startsWith(TRUST_DOMAIN))) throw new Error('pkijs: no SPIFFE ID');
  };
}

/** @peculiar/x509 X509ChainBuilder (signatures) + validity, CA, EKU, SAN; CRL parsed once. */
function peculiar(withCrl) {
  x509.cryptoProvider.set(webcrypto);
  const root = new x509.X509Certificate(rootDer);
  const crl = withCrl ? new x509.X509Crl(bigCrlDer, { berOptions: BIG_ASN1 }) : null;
  return async () => {
    const leaf = new x509.X509Certificate(leafDer);
    const intermediate = new x509.X509Certificate(intermediateDer);
    const built = await new x509.X509ChainBuilder({ certificates: [intermediate, root] }).build(leaf);
    const at = new Date();
    const ok =
      built.length === 3 &&
      built[2].equal(root) &&
      built.every((cert) => cert.notBefore <= at && at <= cert.notAfter) &&
      intermediate.getExtension(x509.BasicConstraintsExtension)?.ca === true &&
      (leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [CLIENT_AUTH]).includes(CLIENT_AUTH) &&
      (leaf.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? []).some(
        (name) => name.type === 'url' && name.value.startsWith(TRUST_DOMAIN)
      ) &&
      !(crl && (crl.findRevoked(leaf) || crl.findRevoked(intermediate)));
    if (!ok) throw new Error('@peculiar/x509 refused the leaf');
  };
}

/** Serials of the big CRL as lowercase hex, for the hand-written revocation check (parsed once). */
function revokedSerials() {
  const crl = new x509.X509Crl(bigCrlDer, { berOptions: BIG_ASN1 });
  return new Set(crl.entries.map((entry) => entry.serialNumber.toLowerCase().replace(/^(00)+/, '')));
}

// ---- run ---------------------------------------------------------------------------------

/** One round of the core's own verify (both policies), from the cargo bench program. */
function coreRound() {
  const output = execFileSync(coreBench, [dir, String(SLICE_MS)], { encoding: 'utf8' });
  return new Map(output.split('\n').filter(Boolean).map((line) => {
    const { name, ops_per_sec: ops } = JSON.parse(line);
    return [name, ops];
  }));
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const us = (ops) => (ops >= 1000 ? `${fmt(1e6 / ops, 1)} µs` : `${fmt(1000 / ops, 1)} ms`);

/**
 * Measures `contenders` round-robin; each is { name, note, slice: () => ops/s (maybe a
 * Promise) }. Returns the best slice's ops/s of each.
 */
async function roundRobin(contenders) {
  const best = new Map(contenders.map((c) => [c.name, 0]));
  for (const contender of contenders) await contender.slice(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of contenders) {
      best.set(contender.name, Math.max(best.get(contender.name), await contender.slice()));
    }
    process.stderr.write(`  round ${round + 1}/${ROUNDS} done\n`);
  }
  return best;
}

async function scenario(title, withCrl) {
  const cg = certgate(withCrl ? 'policy-crl.json' : 'policy.json');
  console.log(`\n## ${title}`);
  console.log(`certgate Verifier compiled in ${fmt(cg.compileMs, 1)} ms`);
  const coreName = withCrl ? 'core verify, 100k CRL' : 'core verify';
  const contenders = [
    ...(coreBench ? [{ name: 'Rust core verify (no binding)', note: 'cargo bench core_verify', slice: () => coreRound().get(coreName) }] : []),
    { name: 'certgate verify (sync)', note: 'the same chain: its signatures are cached', slice: () => sliceSync(cg.verify) },
    { name: 'certgate verify, decision-cache hit', note: '"cache": {"entries": 64}', slice: () => sliceSync(cg.cacheHit) },
    { name: 'certgate check (sync)', slice: () => sliceSync(cg.check) },
    {
      name: 'certgate verifyAsync (2 pool threads)',
      note: `16 in flight, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}`,
      slice: () => sliceConcurrent(cg.verifyAsync, 16),
    },
    { name: 'node:crypto X509Certificate checks', note: withCrl ? 'CRL serials in a Set' : '', slice: ((fn) => () => sliceSync(fn))(nodeCrypto(withCrl ? revokedSerials() : null)) },
    { name: '@peculiar/x509 X509ChainBuilder', note: withCrl ? 'X509Crl.findRevoked' : '', slice: ((fn) => () => sliceAsync(fn))(peculiar(withCrl)) },
    { name: 'pkijs CertificateChainValidationEngine', note: withCrl ? 'CRL parsed once' : '', slice: ((fn) => () => sliceAsync(fn))(pkijsEngine(withCrl)) },
    ...(withCrl ? [] : [{ name: 'signature floor (2× X509Certificate.verify)', note: 'certificates pre-parsed', slice: ((fn) => () => sliceSync(fn))(signatureFloor()) }]),
  ];
  const best = await roundRobin(contenders);

  const sync = best.get('certgate verify (sync)');
  console.log('');
  console.log(`${'contender'.padEnd(46)} ${'ops/s'.padStart(10)} ${'per call'.padStart(10)}  certgate verify is   note`);
  for (const { name, note = '' } of contenders) {
    const ops = best.get(name);
    const ratio = sync / ops;
    const relation = name === 'certgate verify (sync)' ? '—' : ratio >= 1 ? `${fmt(ratio, ratio < 10 ? 2 : 0)}× faster` : `${fmt(1 / ratio, 2)}× slower`;
    console.log(`${name.padEnd(46)} ${fmt(ops, ops < 10 ? 2 : 0).padStart(10)} ${us(ops).padStart(10)}  ${relation.padEnd(19)} ${note}`);
  }
  return Object.fromEntries(best);
}

console.log(`certgate Node benchmark — fixtures ${dir}, node ${process.version}, ${ROUNDS} rounds of ${SLICE_MS} ms per contender (best round counts)`);
/**
 * Milliseconds `op` takes, and how far the process's peak RSS rose above its RSS before
 * (the peak is reset through /proc/self/clear_refs first), in bytes. `op`'s result is
 * kept until both are read.
 */
function peakGrowth(op) {
  const status = (field) => Number(/\s(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8').split('\n').find((line) => line.startsWith(`${field}:`)))[1]) * 1024;
  writeFileSync('/proc/self/clear_refs', '5');
  const before = status('VmRSS');
  const started = now();
  const result = op();
  const ms = now() - started;
  const peak = status('VmHWM') - before;
  return { ms, peak, result };
}

// First, while the process is fresh (its peak RSS is read): a policy object carrying the
// 100k CRL as DER bytes, against the same CRL given to updateCrls. The bytes are handed to
// the core beside the JSON, never as JSON numbers.
const derPolicy = { trust: { anchors: rootDer }, revocation: { crls: [rootCrlDer, bigCrlDer] }, allow: [{ spiffe_trust_domain: TRUST_DOMAIN.replace(/^spiffe:\/\//, '').replace(/\/.*$/, '') }] };
const built = peakGrowth(() => new Verifier(derPolicy));
const bare = new Verifier({ ...derPolicy, revocation: {} });
const updated = peakGrowth(() => bare.updateCrls([rootCrlDer, bigCrlDer]));
const mib = (bytes) => `${fmt(bytes / 2 ** 20, 1)} MiB`;
console.log(`\n## the 100k CRL as DER bytes in a policy object (${mib(bigCrlDer.length)})`);
console.log(`new Verifier(policy) ${fmt(built.ms, 1)} ms, peak +${mib(built.peak)}; updateCrls ${fmt(updated.ms, 1)} ms, peak +${mib(updated.peak)}`);

const plain = await scenario('P-256 chain, no CRL', false);
const crl = await scenario('P-256 chain, 100,000-entry CRL of the intermediate', true);

const targets = [];
const builtRatio = built.ms / updated.ms;
targets.push([`a policy carrying the DER CRL vs updateCrls: ${fmt(builtRatio, 2)}× the time`, builtRatio <= 1.3, '≤ 1.3×']);
const peakRatio = built.peak / bigCrlDer.length;
targets.push([`its peak RSS growth: ${fmt(peakRatio, 2)}× the CRL's size`, peakRatio <= 2, '≤ 2×']);
const sync = plain['certgate verify (sync)'];
const coreOps = plain['Rust core verify (no binding)'];
if (coreOps) {
  const slowdown = coreOps / sync;
  const overhead = 1e6 / sync - 1e6 / coreOps;
  targets.push([`sync verify / Rust core verify time: ${fmt(slowdown, 3)}× (binding adds ${fmt(overhead, 1)} µs)`, slowdown <= 1.15, '≤ 1.15×']);
}
const hit = plain['certgate verify, decision-cache hit'];
targets.push([`a warm decision-cache hit, end to end from JS: ${fmt(1e6 / hit, 2)} µs`, 1e6 / hit <= 5, '≤ 5 µs']);
const crlHit = crl['certgate verify, decision-cache hit'] / hit;
targets.push([`the same hit with the 100k CRL in force: ${fmt(1 / crlHit, 3)}× its time without`, 1 / crlHit <= 1.1, '≤ 1.1×']);
const handWritten = sync / plain['node:crypto X509Certificate checks'];
targets.push([`sync verify vs hand-written X509Certificate checks: ${fmt(handWritten, 2)}×`, handWritten >= 3, '≥ 3×']);
const crlRatio = crl['certgate verify (sync)'] / crl['pkijs CertificateChainValidationEngine'];
targets.push([`with the 100k CRL, sync verify vs pkijs: ${fmt(crlRatio, 0)}×`, crlRatio >= 1000, '≥ 1000×']);
console.log('\n## targets (issues 3 and 16)');
for (const [text, met, goal] of targets) console.log(`${met ? 'met    ' : 'MISSED '} ${text}   (target ${goal})`);
