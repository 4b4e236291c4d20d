'use strict';
// Node-only: serverOptions(), enforce() on tls/https servers, and certgate/express, with
// real handshakes on 127.0.0.1 against the demo PKI (valid now).

const assert = require('node:assert/strict');
const { X509Certificate } = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const tls = require('node:tls');
const { after, before, describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { CLIENTS, close, demoPki, listen } = require('./tls');

const { CertgateError, Verifier, enforce, inspect, serverOptions } = certgate;
const skip = nodeOnly;

/** A TLS client; resolves to the bytes the server sent before closing, or null on error/no data. */
function tlsClient(port, pki, name) {
  return new Promise((resolve) => {
    const chunks = [];
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: pki.text('ca.pem'),
      ...(name ? pki.client(name) : {}),
    });
    socket.setTimeout(10000, () => socket.destroy());
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(chunks.length ? Buffer.concat(chunks).toString() : null));
  });
}

/** An https GET; resolves to { status, body } or { error }. */
function get(port, pki, name, path = '/') {
  return new Promise((resolve) => {
    const request = https.get(
      { host: '127.0.0.1', port, path, servername: 'localhost', ca: pki.text('ca.pem'), agent: false, ...(name ? pki.client(name) : {}) },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
      }
    );
    request.setTimeout(10000, () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ error: error.code ?? error.message }));
  });
}

describe('serverOptions', { skip }, () => {
  let pki;
  before(() => (pki = demoPki()));

  test('asks for a client certificate and leaves the decision to certgate', () => {
    const verifier = new Verifier(pki.policy);
    const input = { ...pki.server, minVersion: 'TLSv1.2' };
    const options = serverOptions(verifier, input);
    assert.equal(options.requestCert, true);
    assert.equal(options.rejectUnauthorized, false);
    assert.deepEqual(options.ca, [pki.policy.trust.anchors]);
    assert.equal(options.key, pki.server.key);
    assert.equal(options.minVersion, 'TLSv1.2');
    assert.equal(input.ca, undefined, 'the caller\'s object is not changed');
    assert.deepEqual(serverOptions(verifier).ca, [pki.policy.trust.anchors]);
  });

  test('DER anchors become PEM; a ca of the caller is kept before them', () => {
    const der = new X509Certificate(pki.text('ca.pem')).raw;
    const verifier = new Verifier({ ...pki.policy, trust: { ...pki.policy.trust, anchors: [der] } });
    const options = serverOptions(verifier, { ca: 'CALLER PEM' });
    assert.equal(options.ca.length, 2);
    assert.equal(options.ca[0], 'CALLER PEM');
    assert.ok(new X509Certificate(options.ca[1]).raw.equals(der));
  });

  test('session tickets are off, other secureOptions kept', () => {
    const verifier = new Verifier(pki.policy);
    const { SSL_OP_NO_TICKET, SSL_OP_NO_RENEGOTIATION } = require('node:crypto').constants;
    assert.equal(serverOptions(verifier).secureOptions, SSL_OP_NO_TICKET);
    const options = serverOptions(verifier, { secureOptions: SSL_OP_NO_RENEGOTIATION });
    assert.equal(options.secureOptions, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  });

  test('a client reconnecting is verified in full again, even without an intermediates pool', async () => {
    // Resumed sessions lose the intermediates the client sent; serverOptions turns resumption off.
    const policy = { ...pki.policy, trust: { anchors: pki.policy.trust.anchors } };
    const verifier = new Verifier(policy);
    const refused = [];
    const server = https.createServer(serverOptions(verifier, pki.server), (req, res) => {
      res.end(JSON.stringify({ reused: req.socket.isSessionReused(), spiffe_id: req.socket.certgate.spiffe_id }));
    });
    enforce(server, verifier, { onReject: (error) => refused.push(error.code) });
    const port = await listen(server);
    const agent = new https.Agent({ maxCachedSessions: 10 }); // Node's client offers session resumption
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const reply = await new Promise((resolve) => {
          https
            .get({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.text('ca.pem'), agent, ...pki.client('allowed') }, (res) => {
              let body = '';
              res.on('data', (chunk) => (body += chunk));
              res.on('end', () => resolve(JSON.parse(body)));
            })
            .on('error', (error) => resolve({ error: error.code }));
        });
        assert.deepEqual(reply, { reused: false, spiffe_id: 'spiffe://demo.example/ns/prod/sa/web' }, `attempt ${attempt}`);
      }
      assert.deepEqual(refused, []);
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  test('wrong types are TypeErrors', () => {
    const verifier = new Verifier(pki.policy);
    assert.throws(() => serverOptions({}, {}), TypeError);
    assert.throws(() => serverOptions(verifier, 'key.pem'), TypeError);
    assert.throws(() => serverOptions(verifier, null), TypeError);
  });
});

describe('enforce on a tls server', { skip }, () => {
  let pki;
  let server;
  let port;
  const rejected = [];
  const seen = [];

  before(async () => {
    pki = demoPki();
    const verifier = new Verifier(pki.policy);
    server = tls.createServer(serverOptions(verifier, pki.server));
    enforce(server, verifier, { onReject: (error, socket) => rejected.push({ error, peer: socket.getPeerCertificate().subject?.CN ?? null }) });
    server.on('secureConnection', (socket) => {
      if (!socket.certgate) return; // destroyed by enforce()
      // the object Node hands a server, verified directly, gives the same identity
      seen.push(verifier.verify(socket.getPeerCertificate(true)));
      socket.end(JSON.stringify(socket.certgate));
    });
    port = await listen(server);
  });
  after(() => close(server));

  test('wrong arguments are TypeErrors', () => {
    const verifier = new Verifier(pki.policy);
    assert.throws(() => enforce({}, verifier), TypeError);
    assert.throws(() => enforce(tls.createServer(), {}), TypeError);
    assert.throws(() => enforce(tls.createServer(), verifier, { onReject: 'log' }), TypeError);
    const fresh = tls.createServer();
    assert.equal(enforce(fresh, verifier), fresh);
  });

  test('the allowed client is admitted and its identity is on socket.certgate', async () => {
    const reply = await tlsClient(port, pki, 'allowed');
    assert.ok(reply, 'the allowed client got a reply');
    const identity = JSON.parse(reply);
    const leaf = inspect(pki.text('allowed.pem'));
    assert.equal(identity.fingerprint_sha256, leaf.fingerprint_sha256);
    assert.equal(identity.spiffe_id, 'spiffe://demo.example/ns/prod/sa/web');
    assert.equal(identity.matched_rule, 0);
    assert.equal(identity.chain_fingerprints.length, 3);
    assert.deepEqual(seen.at(-1), identity);
  });

  for (const [name, code] of Object.entries(CLIENTS).filter(([, code]) => code)) {
    test(`the ${name} client is cut off with ${code}`, async () => {
      const before = rejected.length;
      assert.equal(await tlsClient(port, pki, name), null);
      assert.equal(rejected.length, before + 1);
      const { error, peer } = rejected.at(-1);
      assert.ok(error instanceof CertgateError);
      assert.equal(error.code, code);
      assert.match(peer, /^web/);
    });
  }

  test('a socket whose peer cannot be read is refused as INTERNAL, never a crash', () => {
    const verifier = new Verifier(pki.policy);
    const fake = tls.createServer();
    const seen = [];
    enforce(fake, verifier, { onReject: (error) => seen.push(error.code) });
    let destroyed = false;
    fake.emit('secureConnection', { getPeerCertificate: () => ({ subject: 'no raw bytes' }), destroy: () => (destroyed = true) });
    assert.deepEqual(seen, ['INTERNAL']);
    assert.ok(destroyed);
  });

  test('a client without a certificate is cut off with EMPTY_CHAIN', async () => {
    assert.equal(await tlsClient(port, pki, null), null);
    assert.equal(rejected.at(-1).error.code, 'EMPTY_CHAIN');
    assert.equal(rejected.at(-1).peer, null);
  });
});

describe('enforce on an http2 secure server', { skip }, () => {
  const http2 = require('node:http2');

  test('admits the allowed client (identity on stream.session.socket) and refuses a revoked one', async () => {
    const pki = demoPki();
    const verifier = new Verifier(pki.policy);
    const refused = [];
    const server = http2.createSecureServer(serverOptions(verifier, pki.server));
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify(stream.session.socket.certgate.spiffe_id));
    });
    enforce(server, verifier, { onReject: (error) => refused.push(error.code) });
    const port = await listen(server);
    const request = (name) =>
      new Promise((resolve) => {
        const session = http2.connect(`https://localhost:${port}`, { ca: pki.text('ca.pem'), host: '127.0.0.1', ...pki.client(name) });
        session.on('error', (error) => resolve({ error: error.code }));
        const stream = session.request({ ':path': '/' });
        let body = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk) => (body += chunk));
        stream.on('end', () => {
          session.close();
          resolve({ body });
        });
        stream.on('error', (error) => {
          session.destroy();
          resolve({ error: error.code });
        });
      });
    try {
      assert.deepEqual(await request('allowed'), { body: '"spiffe://demo.example/ns/prod/sa/web"' });
      const revoked = await request('revoked');
      assert.ok(!revoked.body, `no response for the revoked client: ${JSON.stringify(revoked)}`);
      assert.deepEqual(refused, ['REVOKED']);
    } finally {
      await close(server);
    }
  });
});

describe('certgate/express', { skip }, () => {
  const express = require('express');
  const middleware = require('../express');
  let pki;
  let secure;
  let plain;

  before(async () => {
    pki = demoPki();
    const verifier = new Verifier(pki.policy);
    const app = express();
    app.use(middleware(verifier));
    app.get('/', (req, res) => res.json({ spiffe_id: req.peer.spiffe_id, subject: req.peer.subject }));
    secure = https.createServer(serverOptions(verifier, pki.server), app);
    plain = http.createServer(app);
    secure.port = await listen(secure);
    plain.port = await listen(plain);
  });
  after(async () => {
    await close(secure);
    await close(plain);
  });

  test('exports the middleware factory under every name', () => {
    assert.equal(middleware.certgate, middleware);
    assert.equal(middleware.default, middleware);
    assert.throws(() => middleware('policy'), TypeError);
  });

  test('puts the identity on req.peer for an allowed client', async () => {
    const { status, body } = await get(secure.port, pki, 'allowed');
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(body), { spiffe_id: 'spiffe://demo.example/ns/prod/sa/web', subject: 'CN=web,O=Certgate Demo' });
  });

  for (const [name, code] of Object.entries(CLIENTS).filter(([, code]) => code)) {
    test(`answers 403 { code: ${code}, message } to the ${name} client`, async () => {
      const { status, body } = await get(secure.port, pki, name);
      assert.equal(status, 403);
      const json = JSON.parse(body);
      assert.deepEqual(Object.keys(json), ['code', 'message']);
      assert.equal(json.code, code);
      assert.match(json.message, /certificate|path/);
    });
  }

  test('answers 403 EMPTY_CHAIN without a client certificate, and over plain HTTP', async () => {
    const none = await get(secure.port, pki, null);
    assert.equal(none.status, 403);
    assert.equal(JSON.parse(none.body).code, 'EMPTY_CHAIN');
    const response = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: plain.port, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      }).on('error', reject);
    });
    assert.equal(response.status, 403);
    assert.equal(JSON.parse(response.body).code, 'EMPTY_CHAIN');
  });
});
