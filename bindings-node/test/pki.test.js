'use strict';
// Node-only: the README quick start, end to end. `certgate pki` (the CLI, built by make)
// makes a development PKI, examples/server.js serves it, real curl knocks with the PEM and
// PKCS#12 files it wrote, and `certgate pki revoke` applies without a restart.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const { nodeOnly } = require('./impl');
const { ROOT } = require('./fixtures');
const { run, waitFor } = require('./tls');

const CLI = process.env.CERTGATE_CLI || path.join(ROOT, 'target', 'release', 'certgate');
const SERVER = path.join(__dirname, '..', 'examples', 'server.js');

describe('certgate pki + examples/server.js + curl', { skip: nodeOnly }, () => {
  let dir;
  let server;
  let port;
  const log = [];
  const pki = async (...args) => {
    const { code, stdout, stderr } = await run(CLI, ['pki', ...args]);
    assert.equal(code, 0, `certgate pki ${args.join(' ')}: ${stderr}`);
    return stdout;
  };
  /** curl's exit code and body, and the server's log line for that connection. */
  const knock = async (certArgs) => {
    const seen = log.length;
    const { code, stdout } = await run('curl', ['--silent', '--max-time', '10', '--cacert', path.join(dir, 'root.pem'), '--resolve', `localhost:${port}:127.0.0.1`, ...certArgs, `https://localhost:${port}/`]);
    for (let i = 0; i < 100 && log.length === seen; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return { code, body: stdout, decision: log[seen]?.split('\t') };
  };
  const pem = (name) => ['--cert', path.join(dir, `${name}.pem`), '--key', path.join(dir, `${name}.key`)];

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: make builds it (cargo build --release -p certgate-cli)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certgate-pki-'));
    await pki('init', dir);
    await pki('issue', dir, 'web', '--spiffe', 'spiffe://example.org/ns/prod/sa/web');
    await pki('issue', dir, 'batch', '--spiffe', 'spiffe://example.org/ns/prod/sa/batch', '--key', 'rsa');
    await pki('issue', dir, 'laptop', '--dns', 'laptop.example.org');
    await pki('issue', dir, 'server', '--server', '--dns', 'localhost', '--ip', '127.0.0.1');
    server = spawn(process.execPath, [SERVER, dir, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.setEncoding('utf8');
    server.stderr.setEncoding('utf8');
    const listening = await waitFor(server.stdout, (text) => text.match(/listening https:\/\/127\.0\.0\.1:(\d+)/), 'the server');
    port = Number(listening[1]);
    let pending = '';
    server.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      log.push(...lines.filter((line) => !line.startsWith('listening')));
    });
  });
  after(() => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the PEM files of both clients the policy allows are admitted', async () => {
    for (const name of ['web', 'batch']) {
      const { code, body, decision } = await knock(pem(name));
      assert.equal(code, 0, name);
      assert.equal(JSON.parse(body).hello, `spiffe://example.org/ns/prod/sa/${name}`);
      assert.deepEqual(decision, ['admitted', '-', `CN=${name}`, `spiffe://example.org/ns/prod/sa/${name}`]);
    }
  });

  test('the PKCS#12 file is accepted by curl as it is written', async () => {
    const { code, decision } = await knock(['--cert-type', 'P12', '--cert', `${path.join(dir, 'web.p12')}:certgate`]);
    assert.equal(code, 0);
    assert.equal(decision[0], 'admitted');
  });

  test('a client the policy does not name is refused, and so is no certificate', async () => {
    const laptop = await knock(pem('laptop'));
    assert.notEqual(laptop.code, 0);
    assert.deepEqual(laptop.decision.slice(0, 3), ['refused', 'NOT_AUTHORIZED', 'CN=laptop']);
    const none = await knock([]);
    assert.notEqual(none.code, 0);
    assert.equal(none.decision[1], 'EMPTY_CHAIN');
  });

  test('certgate pki revoke reaches the running server without a restart', async () => {
    const reloaded = waitFor(server.stderr, (text) => text.match(/policy reloaded: generation (\d+)/), 'the reload');
    await pki('revoke', dir, 'web');
    assert.ok(Number((await reloaded)[1]) >= 1);
    const { code, decision } = await knock(pem('web'));
    assert.notEqual(code, 0);
    assert.deepEqual(decision.slice(0, 3), ['refused', 'REVOKED', 'CN=web']);
    // Another client of the same CA is untouched.
    assert.equal((await knock(pem('batch'))).decision[0], 'admitted');
  });
});
