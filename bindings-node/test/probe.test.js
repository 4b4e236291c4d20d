'use strict';
// Node-only: `certgate probe` (the CLI, built by make) against real Node TLS servers: one
// made with serverOptions() + enforce() that admits the demo client, the same server
// refusing a revoked client, a plain TLS server without client authentication, and a
// server whose chain has expired.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const tls = require('node:tls');
const { after, before, describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { ROOT } = require('./fixtures');
const { close, demoPki, listen, run } = require('./tls');

const { Verifier, enforce, serverOptions } = certgate;
const skip = nodeOnly;

const CLI = process.env.CERTGATE_CLI || path.join(ROOT, 'target', 'release', 'certgate');

/** Runs `certgate probe 127.0.0.1:PORT --json ...args`; resolves to { code, report }. */
async function probe(port, args, pki) {
  const { code, stdout, stderr } = await run(CLI, ['probe', `127.0.0.1:${port}`, '--sni', 'localhost', '--wait', '1s', '--json', ...args.map((arg) => arg.replace(/^@/, `${pki.dir}/`))]);
  assert.ok(stdout, `no report (exit ${code}): ${stderr}`);
  return { code, report: JSON.parse(stdout) };
}

/** Starts a TLS server; every admitted connection is answered with its client's subject. */
async function start(options, clientPolicy) {
  const server = tls.createServer(options, (socket) => socket.on('error', () => {}));
  if (clientPolicy) enforce(server, clientPolicy);
  return { server, port: await listen(server) };
}

describe('certgate probe against Node servers', { skip }, () => {
  let pki;
  const servers = {};
  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: make builds it (cargo build --release -p certgate-cli)`);
    pki = demoPki();
    const clientPolicy = new Verifier(pki.policy);
    servers.mtls = await start(serverOptions(clientPolicy, pki.client('payments')), clientPolicy);
    servers.plain = await start(pki.server);
    servers.expired = await start(pki.client('payments-expired'));
  });
  after(async () => {
    for (const { server } of Object.values(servers)) await close(server);
  });

  test('serverOptions + enforce: the allowed client is accepted, the server passes the policy', async () => {
    const { code, report } = await probe(servers.mtls.port, ['--policy', '@server-policy.json', '--cert', '@allowed.pem', '--key', '@allowed.key'], pki);
    assert.equal(code, 0);
    assert.equal(report.ok, true);
    assert.equal(report.tls.version, 'TLSv1.3');
    assert.deepEqual(
      report.server_chain.map((cert) => cert.subject),
      ['CN=payments,O=Certgate Demo', 'CN=Certgate Demo Issuing CA,O=Certgate Demo']
    );
    assert.equal(report.server_chain[0].spiffe_id, 'spiffe://demo.example/ns/prod/sa/payments');
    assert.deepEqual(
      { judged: report.decision.judged, allowed: report.decision.allowed, spiffe: report.decision.identity.spiffe_id },
      { judged: true, allowed: true, spiffe: 'spiffe://demo.example/ns/prod/sa/payments' }
    );
    const client = report.client_certificate;
    assert.equal(client.requested, true);
    assert.deepEqual(client.ca_names, ['CN=Certgate Demo Root,O=Certgate Demo'], 'serverOptions names the policy\'s anchors');
    assert.equal(client.issuer_listed, true, 'the intermediate sent with the leaf was issued by the listed root');
    assert.equal(client.given, 'CN=web,O=Certgate Demo');
    assert.equal(client.outcome, 'accepted');
  });

  test('the same server refuses a revoked client: the probe reports it and exits 1', async () => {
    const { code, report } = await probe(servers.mtls.port, ['--policy', '@server-policy.json', '--cert', '@revoked.pem', '--key', '@revoked.key'], pki);
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    assert.equal(report.decision.allowed, true, 'the server itself passed');
    assert.equal(report.client_certificate.outcome, 'refused');
    assert.match(report.client_certificate.evidence, /_after_handshake$/);
  });

  test('without a client certificate the mTLS server refuses too', async () => {
    const { code, report } = await probe(servers.mtls.port, [], pki);
    assert.equal(code, 1);
    assert.equal(report.client_certificate.requested, true);
    assert.equal(report.client_certificate.given, null);
    assert.notEqual(report.client_certificate.outcome, 'accepted');
  });

  test('a plain TLS server asks for no client certificate; without --policy the chain is shown, not judged', async () => {
    const { code, report } = await probe(servers.plain.port, [], pki);
    assert.equal(code, 0);
    assert.equal(report.client_certificate.requested, false);
    assert.equal(report.client_certificate.outcome, 'not_requested');
    assert.equal(report.decision.judged, false);
    assert.equal(report.server_chain[0].subject, 'CN=localhost,O=Certgate Demo');
    assert.deepEqual(report.server_chain[0].san.dns, ['localhost']);
  });

  test('a server whose chain has expired: EXPIRED under the policy, the dates in the chain', async () => {
    const { code, report } = await probe(servers.expired.port, ['--policy', '@server-policy.json'], pki);
    assert.equal(code, 1);
    assert.equal(report.handshake.completed, true, 'the probe finishes the handshake to report');
    assert.equal(report.decision.code, 'EXPIRED');
    assert.equal(report.decision.cert_index, 0);
    assert.equal(report.server_chain[0].expired, true);
    assert.ok(report.server_chain[0].days_left < 0);
  });
});
