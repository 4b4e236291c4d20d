'use strict';
// The --target web build in a real browser: Debian's chromium, headless, driven by
// playwright-core, loads a page from a small HTTP server on 127.0.0.1 that imports
// pkg/web, verifies an allowed and a revoked chain of the vectors, and reports back.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { after, before, test } = require('node:test');
const { chromium } = require('playwright-core');
const { PKG, vector } = require('./helpers');

const CHROMIUM = '/usr/bin/chromium';
const ALLOWED = vector('spiffe_exact_allowed');
const REVOKED = vector('revoked_leaf');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Serves the page, its script, the cases and pkg/web; nothing else. */
function serve() {
  const routes = new Map([
    ['/', path.join(__dirname, 'browser', 'index.html')],
    ['/page.js', path.join(__dirname, 'browser', 'page.js')],
  ]);
  for (const file of fs.readdirSync(path.join(PKG, 'web'))) routes.set(`/pkg/web/${file}`, path.join(PKG, 'web', file));
  const cases = JSON.stringify([ALLOWED, REVOKED]);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/cases.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'] }).end(cases);
    } else if (routes.has(url.pathname)) {
      const file = routes.get(url.pathname);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      fs.createReadStream(file).pipe(res);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server;
let context;
let profile;
const pageLog = [];

before(async () => {
  server = await serve();
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

test('chromium verifies an allowed and a revoked chain with the web build', { timeout: 120_000 }, async () => {
  const page = await context.newPage();
  page.on('console', (message) => pageLog.push(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => pageLog.push(`pageerror: ${error.message}`));
  const { port } = server.address();
  await page.goto(`http://127.0.0.1:${port}/`, { timeout: 30_000 });
  await page.waitForFunction(() => window.certgateReport !== undefined, null, { timeout: 60_000 });
  const report = await page.evaluate(() => window.certgateReport);
  assert.equal(report.failure, undefined, `the page failed: ${report.failure}\n${pageLog.join('\n')}`);
  assert.match(report.userAgent, /Chrome\//);

  const allowed = report.results[ALLOWED.name];
  assert.deepStrictEqual(allowed.identity, ALLOWED.expect.identity);
  assert.equal(allowed.error, undefined);
  assert.deepStrictEqual(allowed.check, { ok: true, code: null, message: null, certIndex: null, identity: ALLOWED.expect.identity, generation: 0 });

  const revoked = report.results[REVOKED.name];
  assert.equal(revoked.identity, undefined);
  assert.equal(revoked.error.isCertgateError, true, 'a CertgateError in the page');
  assert.equal(revoked.error.isError, true, 'a real Error in the page');
  assert.equal(revoked.error.name, 'CertgateError');
  assert.equal(revoked.error.code, REVOKED.expect.code);
  assert.equal(revoked.error.certIndex, REVOKED.expect.cert_index);
  assert.match(revoked.error.message, /revoked/i);
  assert.equal(revoked.check.ok, false);
  assert.equal(revoked.check.code, 'REVOKED');

  assert.deepEqual(report.codes, require(path.join(PKG, 'nodejs')).CODES);
  await page.close();
});
