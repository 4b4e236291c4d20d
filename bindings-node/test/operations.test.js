'use strict';
// Node-only: running certgate in production. Reloads (whole policy, from files, watched
// files swapped the way Kubernetes and editors do it), generations on every outcome,
// audit mode in enforce() and certgate/express with real servers, stats() and their
// Prometheus text, and CrlRefresher against a local HTTP server.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const { after, before, describe, test } = require('node:test');
const express = require('express');
const { certgate, nodeOnly } = require('./impl');
const { close, demoPki, listen } = require('./tls');

const { CertgateError, CrlRefresher, Verifier, enforce, prometheusText, serverOptions } = certgate;
const skip = nodeOnly;

const WEB = 'spiffe://demo.example/ns/prod/sa/web';

/** Resolves when `predicate()` holds, polling; rejects after `ms`. */
async function eventually(predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${predicate}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The demo policy with `allow` replaced. */
function allowing(pki, spiffeId) {
  return { ...pki.policy, allow: [{ spiffe_id: spiffeId }] };
}

describe('reload and generations', { skip }, () => {
  let pki;
  before(() => (pki = demoPki()));

  test('reload swaps the whole policy; every outcome and refusal says which generation decided', () => {
    const verifier = new Verifier(pki.policy);
    const chain = pki.text('allowed.pem');
    assert.equal(verifier.generation, 0);
    assert.equal(verifier.check(chain).generation, 0);
    verifier.reload(allowing(pki, 'spiffe://demo.example/ns/prod/sa/other'));
    assert.equal(verifier.generation, 1);
    const refused = verifier.check(chain);
    assert.deepEqual([refused.code, refused.generation], ['NOT_AUTHORIZED', 1]);
    assert.throws(() => verifier.verify(chain), (error) => error instanceof CertgateError && error.generation === 1);
    // A bad policy is refused by name; the one in force stays.
    assert.throws(
      () => verifier.reload({ trust: { anchors: 'not a certificate' } }),
      (error) => error.code === 'INVALID_POLICY' && /^trust\.anchors\[0\]/.test(error.message) && error.generation === null
    );
    assert.equal(verifier.generation, 1);
    assert.equal(verifier.check(chain).code, 'NOT_AUTHORIZED');
    verifier.updateCrls([pki.text('crl.pem')]);
    assert.equal(verifier.generation, 2, 'a CRL update is a generation too');
    assert.deepEqual([verifier.stats().reloads, verifier.stats().generation], [1, 2]);
    assert.throws(() => verifier.reload(42), TypeError);
  });

  test('verifications on the thread pool while the main thread reloads 1,000 times see one policy, never a mix', async () => {
    // A (even generations) admits `allowed` and refuses `revoked` as REVOKED; B (odd) has
    // no revocation and admits only `revoked`'s certificate by its fingerprint.
    const a = pki.policy;
    const revokedFingerprint = new (require('node:crypto').X509Certificate)(pki.text('revoked.pem')).fingerprint256.replace(/:/g, '').toLowerCase();
    const { revocation, ...withoutRevocation } = a;
    assert.ok(revocation);
    const b = { ...withoutRevocation, allow: [{ fingerprint_sha256: revokedFingerprint }] };
    const verifier = new Verifier(a);
    const good = pki.text('allowed.pem');
    const revoked = pki.text('revoked.pem');
    const pending = [];
    for (let round = 0; round < 1000; round++) {
      if (round % 10 === 0) {
        for (let i = 0; i < 4; i++) {
          pending.push(verifier.checkAsync(good).then((outcome) => ({ outcome, admittedUnderA: true })));
          pending.push(verifier.checkAsync(revoked).then((outcome) => ({ outcome, admittedUnderA: false })));
        }
      }
      verifier.reload(round % 2 === 0 ? b : a);
    }
    const results = await Promise.all(pending);
    assert.equal(verifier.generation, 1000);
    const generations = new Set();
    for (const { outcome, admittedUnderA } of results) {
      const underA = outcome.generation % 2 === 0;
      generations.add(outcome.generation);
      if (underA === admittedUnderA) {
        assert.equal(outcome.ok, true, `generation ${outcome.generation}: ${outcome.code}`);
      } else {
        assert.equal(outcome.code, underA ? 'REVOKED' : 'NOT_AUTHORIZED', `generation ${outcome.generation}`);
      }
    }
    assert.ok(generations.size > 1, 'the decisions spread over several generations');
    const counted = Object.values(verifier.stats().verifications).reduce((sum, count) => sum + count, 0);
    assert.equal(counted, results.length, 'every decision counted once');
  });
});

describe('Verifier.fromFile(path, { watch: true })', { skip }, () => {
  let pki;
  let dir;
  before(() => {
    pki = demoPki();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-watch-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes the policy files into `folder`: the demo trust by file, allowing `spiffeId`. */
  function writePolicy(folder, spiffeId, text) {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'ca.pem'), pki.text('ca.pem'));
    fs.writeFileSync(path.join(folder, 'intermediate.pem'), pki.text('intermediate.pem'));
    const policy = {
      trust: { anchors: { file: 'ca.pem' }, intermediates: { file: 'intermediate.pem' } },
      allow: [{ spiffe_id: spiffeId }],
    };
    fs.writeFileSync(path.join(folder, 'policy.json'), text ?? JSON.stringify(policy));
  }

  test('survives the Kubernetes ..data symlink swap of a mounted Secret / ConfigMap', async () => {
    const mount = path.join(dir, 'k8s');
    writePolicy(path.join(mount, '..2026_11_28_10_00_00.000000001'), WEB);
    fs.symlinkSync('..2026_11_28_10_00_00.000000001', path.join(mount, '..data'));
    for (const name of ['policy.json', 'ca.pem', 'intermediate.pem']) fs.symlinkSync(path.join('..data', name), path.join(mount, name));
    const reloads = [];
    const errors = [];
    const verifier = Verifier.fromFile(path.join(mount, 'policy.json'), {
      watch: true,
      debounceMs: 50,
      onReload: (generation) => reloads.push(generation),
      onError: (error) => errors.push(error),
    });
    try {
      const chain = pki.text('allowed.pem');
      assert.equal(verifier.check(chain).ok, true);
      // kubelet: a new timestamped folder, ..data_tmp pointing at it, renamed over ..data,
      // the old folder removed. policy.json itself is never written.
      writePolicy(path.join(mount, '..2026_11_28_10_05_00.000000002'), 'spiffe://demo.example/ns/prod/sa/other');
      fs.symlinkSync('..2026_11_28_10_05_00.000000002', path.join(mount, '..data_tmp'));
      fs.renameSync(path.join(mount, '..data_tmp'), path.join(mount, '..data'));
      fs.rmSync(path.join(mount, '..2026_11_28_10_00_00.000000001'), { recursive: true });
      await eventually(() => reloads.length > 0);
      assert.deepEqual(errors, []);
      assert.equal(verifier.generation, reloads.at(-1));
      assert.equal(verifier.check(chain).code, 'NOT_AUTHORIZED');
    } finally {
      verifier.close();
    }
  });

  test("an editor's write-then-rename reloads; a broken write keeps the policy in force and reports it", async () => {
    const folder = path.join(dir, 'editor');
    writePolicy(folder, WEB);
    const reloads = [];
    const errors = [];
    const verifier = Verifier.fromFile(path.join(folder, 'policy.json'), {
      watch: true,
      debounceMs: 50,
      onReload: (generation) => reloads.push(generation),
      onError: (error) => errors.push(error),
    });
    const save = (text) => {
      fs.writeFileSync(path.join(folder, '.policy.json.swp'), text);
      fs.renameSync(path.join(folder, '.policy.json.swp'), path.join(folder, 'policy.json'));
    };
    try {
      const chain = pki.text('allowed.pem');
      save('{ "trust": { "anchors": { "file": "ca.pem" } }, "allow": [ {"spiffe_id": ');
      await eventually(() => errors.length > 0);
      assert.equal(errors[0].code, 'INVALID_POLICY');
      assert.equal(verifier.generation, 0);
      assert.equal(verifier.check(chain).ok, true, 'the policy in force stayed');
      save(JSON.stringify({ trust: { anchors: { file: 'ca.pem' }, intermediates: { file: 'intermediate.pem' } }, allow: [{ spiffe_id: 'spiffe://demo.example/ns/prod/sa/other' }] }));
      await eventually(() => reloads.length > 0);
      assert.equal(verifier.check(chain).code, 'NOT_AUTHORIZED');
      assert.deepEqual(verifier.watchedPaths, ['policy.json', 'ca.pem', 'intermediate.pem'].map((name) => path.join(folder, name)));
    } finally {
      verifier.close();
    }
  });

  test('options are checked', () => {
    const file = path.join(dir, 'editor', 'policy.json');
    assert.throws(() => Verifier.fromFile(file, { watch: 'yes' }), TypeError);
    assert.throws(() => Verifier.fromFile(file, { onReload: 1 }), TypeError);
    assert.throws(() => Verifier.fromFile(file, { debounce: 10 }), /not an option/);
    assert.throws(() => new Verifier(pki.policy).reloadFromFile(), (error) => error.code === 'INVALID_POLICY');
  });
});

describe('audit mode in enforce() and certgate/express', { skip }, () => {
  let pki;
  let auditPolicy;
  before(() => {
    pki = demoPki();
    auditPolicy = { ...pki.policy, mode: 'audit' };
  });

  /** An https GET with `client`'s certificate; resolves to { status, body }. */
  function get(port, client) {
    return new Promise((resolve, reject) => {
      const request = https.get(
        { host: '127.0.0.1', port, servername: 'localhost', ca: pki.text('ca.pem'), agent: false, ...pki.client(client) },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode, body }));
        }
      );
      request.setTimeout(10000, () => request.destroy(new Error('timeout')));
      request.on('error', reject);
    });
  }

  test('certgate/express admits a revoked client under an audit-mode policy and reports it through onAudit', async () => {
    const verifier = new Verifier(auditPolicy);
    const audits = [];
    const app = express();
    app.use(require('../express')(verifier, { onAudit: (audit, identity, req) => audits.push([audit.code, identity.subject, req.method]) }));
    app.get('/', (req, res) => res.send(`${req.peer.spiffe_id} ${req.peer.audit?.code ?? 'enforced'}`));
    const server = https.createServer(serverOptions(verifier, pki.server), app);
    const port = await listen(server);
    try {
      assert.deepEqual(await get(port, 'revoked'), { status: 200, body: `${WEB} REVOKED` });
      assert.deepEqual(await get(port, 'allowed'), { status: 200, body: `${WEB} enforced` });
      assert.deepEqual(audits, [['REVOKED', 'CN=web-revoked,O=Certgate Demo', 'GET']]);
      assert.equal(verifier.stats().audit_admitted, 1);
    } finally {
      await close(server);
    }
  });

  test('an onAudit hook that throws is reported and the request goes on', async () => {
    const verifier = new Verifier(auditPolicy);
    const reported = [];
    const error = console.error;
    console.error = (...args) => reported.push(args);
    const app = express();
    app.use(require('../express')(verifier, { onAudit: () => { throw new Error('log sink down'); } }));
    app.get('/', (req, res) => res.send(req.peer.audit.code));
    const server = https.createServer(serverOptions(verifier, pki.server), app);
    const port = await listen(server);
    try {
      assert.deepEqual(await get(port, 'revoked'), { status: 200, body: 'REVOKED' });
    } finally {
      console.error = error;
      await close(server);
    }
    assert.equal(reported.length, 1);
    assert.match(String(reported[0][0]), /onAudit hook threw/);
    assert.equal(reported[0][1].message, 'log sink down');
  });

  test('enforce() reports audited sockets, by default as a console warning', async () => {
    const verifier = new Verifier(auditPolicy);
    const warnings = [];
    const warn = console.warn;
    console.warn = (line) => warnings.push(line);
    const server = enforce(https.createServer(serverOptions(verifier, pki.server), (req, res) => res.end(req.socket.certgate.audit.code)), verifier);
    const port = await listen(server);
    try {
      assert.deepEqual(await get(port, 'wrong-spiffe'), { status: 200, body: 'NOT_AUTHORIZED' });
    } finally {
      console.warn = warn;
      await close(server);
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^certgate audit: would refuse CN=web-dev,O=Certgate Demo with NOT_AUTHORIZED: /);
    assert.throws(() => enforce(tls.createServer(), verifier, { onAudit: 'log' }), TypeError);
    assert.throws(() => require('../express')(verifier, { onAudt() {} }), /not an option/);
  });

  test('input that does not decode is refused in audit mode too', () => {
    const outcome = new Verifier(auditPolicy).check('not a certificate');
    assert.deepEqual([outcome.ok, outcome.code], [false, 'MALFORMED_CERTIFICATE']);
  });
});

/** Parses Prometheus text (exposition format 0.0.4), checking its grammar as it goes. */
function parsePrometheus(text) {
  const families = new Map();
  let current = null;
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?[0-9]+(?:\.[0-9]+)?)$/;
  for (const line of text.trimEnd().split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/.exec(line);
    if (help) {
      current = { name: help[1], samples: [] };
      assert.ok(!families.has(current.name), `${current.name} twice`);
      families.set(current.name, current);
    } else if (type) {
      assert.equal(type[1], current.name);
      current.type = type[2];
    } else {
      const match = sample.exec(line);
      assert.ok(match, `not a sample line: ${line}`);
      assert.equal(match[1], current.name, 'samples follow their family');
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2].replace(/\\(.)/g, '$1')]));
      current.samples.push({ labels, value: Number(match[3]) });
    }
  }
  const value = (name, labels = {}) =>
    families.get(name).samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)).value;
  return { families, value };
}

describe('stats() and prometheusText()', { skip }, () => {
  test('the text parses as the Prometheus exposition format and carries the counters', () => {
    const pki = demoPki();
    const verifier = new Verifier({ ...pki.policy, warn_before_expiry_seconds: 365 * 86400 });
    verifier.check(pki.text('allowed.pem'));
    verifier.check(pki.text('revoked.pem'));
    verifier.check('garbage');
    verifier.reload({ ...pki.policy, warn_before_expiry_seconds: 365 * 86400 });
    const stats = verifier.stats();
    assert.equal(stats.verifications.OK, 1);
    assert.equal(stats.verifications.REVOKED, 1);
    assert.equal(stats.warnings.LEAF_EXPIRES_SOON, 1, 'the demo leaf runs out within a year');
    assert.deepEqual(stats.crls.map((crl) => crl.issuer), ['CN=Certgate Demo Root,O=Certgate Demo', 'CN=Certgate Demo Issuing CA,O=Certgate Demo']);

    const text = prometheusText(stats);
    assert.ok(text.endsWith('\n'));
    const { families, value } = parsePrometheus(text);
    assert.equal(families.get('certgate_verifications_total').type, 'counter');
    assert.equal(value('certgate_verifications_total', { code: 'OK' }), 1);
    assert.equal(value('certgate_verifications_total', { code: 'REVOKED' }), 1);
    assert.equal(value('certgate_verifications_total', { code: 'MALFORMED_CERTIFICATE' }), 1);
    assert.equal(value('certgate_expiry_warnings_total', { code: 'LEAF_EXPIRES_SOON' }), 1);
    assert.equal(value('certgate_reloads_total'), 1);
    assert.equal(value('certgate_policy_generation'), 1);
    assert.equal(families.get('certgate_policy_generation').type, 'gauge');
    assert.equal(value('certgate_crl_next_update_timestamp_seconds', { issuer: 'CN=Certgate Demo Root,O=Certgate Demo' }), stats.crls[0].next_update);
    assert.equal(families.get('certgate_crl_entries').samples.length, 2);
    assert.throws(() => prometheusText(verifier), TypeError, 'the stats, not the verifier');
    assert.equal(stats.cache, null, 'no cache section without "cache"');
    assert.ok(!families.has('certgate_cache_entries'));
  });

  test('the decision cache answers a repeat chain; stats() and the text show it', () => {
    const pki = demoPki();
    const verifier = new Verifier({ ...pki.policy, cache: { entries: 2 } });
    const first = verifier.verify(pki.text('allowed.pem'));
    assert.deepEqual(verifier.verify(pki.text('allowed.pem')), first);
    assert.equal(verifier.check(pki.text('revoked.pem')).code, 'REVOKED');
    assert.equal(verifier.check(pki.text('revoked.pem')).code, 'REVOKED', 'refusals are not remembered');
    for (const n of [1, 2, 3]) verifier.verify(`variant ${n}\n${pki.text('allowed.pem')}`);
    assert.deepEqual(verifier.stats().cache, { entries: 2, capacity: 2, hits: 1, misses: 6, evictions: 2 });
    verifier.updateCrls([pki.text('crl.pem')]);
    verifier.verify(pki.text('allowed.pem'));
    assert.equal(verifier.stats().cache.hits, 1, 'a CRL update is a new generation: a miss');
    const { families, value } = parsePrometheus(prometheusText(verifier.stats()));
    assert.equal(value('certgate_cache_lookups_total', { result: 'hit' }), 1);
    assert.equal(value('certgate_cache_lookups_total', { result: 'miss' }), 7);
    assert.equal(value('certgate_cache_evictions_total'), 3);
    assert.equal(families.get('certgate_cache_entries').type, 'gauge');
    assert.throws(() => new Verifier({ ...pki.policy, cache: { entries: 0 } }), /cache\.entries: 0 is out of range/);
  });
});

describe('CrlRefresher', { skip }, () => {
  let pki;
  let server;
  let port;
  let serve = 'current';
  let forged;
  const hung = [];
  before(async () => {
    pki = demoPki();
    server = http.createServer((req, res) => {
      if (req.url === '/root.crl') return res.end(pki.text('root-crl.pem'));
      // CDNs and http-to-https moves answer CRL URLs with redirects.
      if (req.url === '/moved/root.crl') return res.writeHead(302, { location: '/root.crl' }).end();
      switch (serve) {
        case 'current': return res.end(pki.text('intermediate-crl.pem'));
        case 'next': return res.end(pki.text('intermediate-crl-next.pem'));
        case 'garbage': return res.end('this is no CRL');
        case 'forged': return res.end(forged);
        case 'error': res.statusCode = 500; return res.end('boom');
        case 'hang': hung.push(res); return undefined;
        default: throw new Error(serve);
      }
    });
    port = await listen(server);
  });
  after(async () => {
    for (const res of hung) res.destroy();
    await close(server);
  });

  test('downloads the CRLs, follows a newer one, and keeps the last good one through garbage, a 500 and a hang', async () => {
    const policy = { ...pki.policy, revocation: { ...pki.policy.revocation, fetch: { urls: [`http://127.0.0.1:${port}/moved/root.crl`, `http://127.0.0.1:${port}/intermediate.crl`], refresh_seconds: 60 } } };
    const verifier = new Verifier(policy);
    const errors = [];
    const refresher = new CrlRefresher(verifier, { start: false, timeoutMs: 500, onError: (error, url) => errors.push([url, error.message]) });
    const allowed = pki.text('allowed.pem');
    try {
      assert.deepEqual(refresher.urls, policy.revocation.fetch.urls);
      const first = await refresher.refresh();
      assert.deepEqual(first.map((r) => [r.ok, r.generation]), [[true, null], [true, 1]], 'the set is swapped in once both answered');
      assert.equal(verifier.check(allowed).ok, true);

      serve = 'next';
      const [newer] = await refresher.refresh(`http://127.0.0.1:${port}/intermediate.crl`);
      assert.equal(newer.ok, true);
      assert.equal(verifier.check(allowed).code, 'REVOKED', 'the newer CRL revokes the client');

      for (const failure of ['garbage', 'error', 'hang']) {
        serve = failure;
        const [result] = await refresher.refresh(`http://127.0.0.1:${port}/intermediate.crl`);
        assert.equal(result.ok, false, failure);
        assert.equal(verifier.check(allowed).code, 'REVOKED', `${failure}: the last good CRL stays`);
      }
      assert.equal(verifier.stats().crl_fetch_failures, 3);
      assert.equal(errors.length, 3);
      assert.match(errors[1][1], /HTTP 500/);
      assert.match(errors[2][1], /abort|timeout/i);
      assert.equal(verifier.stats().crls[1].number, '2');

      // Well formed but not signed by its CA (one bit of the signature flipped): the core
      // would leave it out, so the refresher keeps the last good CRL in force.
      const der = Buffer.from(pki.text('intermediate-crl-next.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64');
      der[der.length - 1] ^= 1;
      forged = der;
      serve = 'forged';
      const [unsigned] = await refresher.refresh(`http://127.0.0.1:${port}/intermediate.crl`);
      assert.equal(unsigned.ok, false);
      assert.equal(unsigned.error.code, 'INVALID_POLICY');
      assert.match(unsigned.error.message, /signature/);
      assert.equal(verifier.check(allowed).code, 'REVOKED', 'the last good CRL stays');
      assert.deepEqual(verifier.warnings, []);
      assert.equal(verifier.stats().crl_fetch_failures, 4);
    } finally {
      refresher.stop();
    }
  });

  test('a reload brings the policy\'s own CRLs; a started refresher puts its downloads back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-crl-reload-'));
    try {
      for (const file of ['ca.pem', 'intermediate-crl.pem', 'root-crl.pem']) fs.copyFileSync(path.join(pki.dir, file), path.join(dir, file));
      const urls = [`http://127.0.0.1:${port}/root.crl`, `http://127.0.0.1:${port}/intermediate.crl`];
      fs.writeFileSync(
        path.join(dir, 'policy.json'),
        JSON.stringify({
          trust: { anchors: { file: 'ca.pem' } },
          revocation: { crls: [{ file: 'root-crl.pem' }, { file: 'intermediate-crl.pem' }], fetch: { urls } },
          allow: pki.policy.allow,
        })
      );
      serve = 'next';
      const verifier = Verifier.fromFile(path.join(dir, 'policy.json'));
      const allowed = pki.text('allowed.pem');
      assert.equal(verifier.check(allowed).ok, true, 'the policy\'s own CRL does not list it');
      const refresher = new CrlRefresher(verifier, { timeoutMs: 500 });
      try {
        await eventually(() => verifier.check(allowed).code === 'REVOKED');
        verifier.reloadFromFile();
        assert.equal(verifier.check(allowed).ok, true, 'right after the reload: the files\' CRLs');
        await eventually(() => verifier.check(allowed).code === 'REVOKED', 3000);
        assert.equal(verifier.stats().reloads, 1);
      } finally {
        refresher.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('schedules each download before nextUpdate, within the floor and the ceiling', () => {
    const { nextFetchSeconds } = require('../lib/crl-refresh');
    const options = { ceiling: 3600, minimum: 10 };
    assert.equal(nextFetchSeconds(null, 0, { ...options, jitter: 0 }), 3600);
    assert.equal(nextFetchSeconds(1000, 0, { ...options, jitter: 0 }), 900);
    assert.equal(nextFetchSeconds(1000, 0, { ...options, jitter: 0.5 }), 850);
    assert.equal(nextFetchSeconds(100_000, 0, { ...options, jitter: 0 }), 3600);
    assert.equal(nextFetchSeconds(5, 0, { ...options, jitter: 0 }), 10);
    assert.equal(nextFetchSeconds(-50, 0, { ...options, jitter: 0 }), 10, 'a CRL past nextUpdate is asked again soon');
    assert.throws(() => new CrlRefresher(new Verifier(pki.policy)), /no revocation.fetch/);
  });
});
