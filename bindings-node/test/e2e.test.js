'use strict';
// Node-only, end to end: a real https.createServer with enforce() on 127.0.0.1, reached by
// real clients — Node's https client, `curl --cert/--key` and `openssl s_client` — with the
// demo PKI's allowed, revoked, untrusted, unauthorized (wrong SPIFFE ID), expired and
// certificate-less clients. Asserts who got a response and the identity the handler saw.

const assert = require('node:assert/strict');
const https = require('node:https');
const { after, before, describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { CLIENTS, close, demoPki, listen, run } = require('./tls');

const { Verifier, enforce, inspect, serverOptions } = certgate;

describe('https server with enforce(), real clients', { skip: nodeOnly }, () => {
  let pki;
  let server;
  let port;
  let served; // identities the request handler saw, in order
  let refused; // codes enforce() refused, in order

  before(async () => {
    pki = demoPki();
    const verifier = new Verifier(pki.policy);
    server = https.createServer(serverOptions(verifier, pki.server), (req, res) => {
      const identity = req.socket.certgate;
      served.push(identity);
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'close');
      res.end(JSON.stringify({ spiffe_id: identity.spiffe_id, fingerprint: identity.fingerprint_sha256 }));
    });
    enforce(server, verifier, { onReject: (error) => refused.push(error.code) });
    port = await listen(server);
  });
  after(() => close(server));

  /** Runs one client attempt and returns what the server side recorded for it. */
  async function attempt(client) {
    served = [];
    refused = [];
    const result = await client();
    return { result, served, refused };
  }

  const expectedIdentity = (name) => {
    const leaf = inspect(pki.text(`${name}.pem`));
    return { spiffe_id: leaf.spiffe_id, fingerprint: leaf.fingerprint_sha256 };
  };

  describe('Node https client', () => {
    const request = (name) =>
      new Promise((resolve) => {
        const req = https.get(
          { host: '127.0.0.1', port, servername: 'localhost', ca: pki.text('ca.pem'), agent: false, ...(name ? pki.client(name) : {}) },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode, body }));
          }
        );
        req.setTimeout(10000, () => req.destroy(new Error('timeout')));
        req.on('error', (error) => resolve({ error: error.code ?? error.message }));
      });

    test('allowed: 200, and the handler saw the client\'s identity', async () => {
      const { result, served, refused } = await attempt(() => request('allowed'));
      assert.equal(result.status, 200);
      assert.deepEqual(JSON.parse(result.body), expectedIdentity('allowed'));
      assert.equal(served.length, 1);
      assert.equal(served[0].subject, 'CN=web,O=Certgate Demo');
      assert.deepEqual(refused, []);
    });

    for (const [name, code] of Object.entries({ ...CLIENTS, 'no certificate': 'EMPTY_CHAIN' })) {
      if (!code) continue;
      test(`${name}: no response, the handler never ran, refused as ${code}`, async () => {
        const { result, served, refused } = await attempt(() => request(name === 'no certificate' ? null : name));
        assert.ok(result.error, `expected a failed request, got ${JSON.stringify(result)}`);
        assert.deepEqual(served, []);
        assert.deepEqual(refused, [code]);
      });
    }
  });

  describe('curl --cert/--key', () => {
    const curl = (name) => {
      const args = ['--silent', '--show-error', '--max-time', '10', '--cacert', pki.file('ca.pem'), `https://localhost:${port}/`];
      args.push('--resolve', `localhost:${port}:127.0.0.1`);
      if (name) args.push('--cert', pki.file(`${name}.pem`), '--key', pki.file(`${name}.key`));
      return run('curl', args);
    };

    test('allowed: 200 with the identity the handler saw', async () => {
      const { result, served, refused } = await attempt(() => curl('allowed'));
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), expectedIdentity('allowed'));
      assert.equal(served.length, 1);
      assert.deepEqual(refused, []);
    });

    for (const [name, code] of Object.entries({ ...CLIENTS, 'no certificate': 'EMPTY_CHAIN' })) {
      if (!code) continue;
      test(`${name}: curl fails with no body, refused as ${code}`, async () => {
        const { result, served, refused } = await attempt(() => curl(name === 'no certificate' ? null : name));
        assert.notEqual(result.code, 0);
        assert.equal(result.stdout, '');
        assert.deepEqual(served, []);
        assert.deepEqual(refused, [code]);
      });
    }
  });

  describe('openssl s_client', () => {
    const sClient = (name) =>
      run(
        'openssl',
        [
          's_client',
          '-connect', `127.0.0.1:${port}`,
          '-servername', 'localhost',
          '-CAfile', pki.file('ca.pem'),
          '-verify_return_error',
          '-quiet',
          '-ign_eof',
          '-cert', pki.file(`${name}.pem`),
          '-key', pki.file(`${name}.key`),
          '-cert_chain', pki.file(`${name}.pem`),
        ],
        { input: 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' }
      );

    test('allowed: an HTTP 200 with the identity the handler saw', async () => {
      const { result, served, refused } = await attempt(() => sClient('allowed'));
      assert.match(result.stdout, /^HTTP\/1\.1 200 OK/);
      const body = result.stdout.slice(result.stdout.indexOf('\r\n\r\n') + 4);
      assert.deepEqual(JSON.parse(body), expectedIdentity('allowed'));
      assert.equal(served.length, 1);
      assert.deepEqual(refused, []);
    });

    for (const name of ['revoked', 'untrusted', 'wrong-spiffe']) {
      test(`${name}: no HTTP response, refused as ${CLIENTS[name]}`, async () => {
        const { result, served, refused } = await attempt(() => sClient(name));
        assert.doesNotMatch(result.stdout, /HTTP\/1\.1/);
        assert.deepEqual(served, []);
        assert.deepEqual(refused, [CLIENTS[name]]);
      });
    }
  });
});
