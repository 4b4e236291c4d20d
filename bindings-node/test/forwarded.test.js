'use strict';
// Node-only: the middlewares behind a TLS-terminating proxy (certgate/express,
// certgate/fastify, protect) over real loopback HTTP, with the certificate header a
// proxy would set — and the same header sent by a client that is not a trusted proxy,
// which must be refused as UNTRUSTED_FORWARDER; and certgate/grpc on a real grpc-js
// server with mTLS clients. The real proxies are exercised by tests/proxies.

const assert = require('node:assert/strict');
const http = require('node:http');
const { after, before, describe, test } = require('node:test');
const { certgate, nodeOnly } = require('./impl');
const { close, demoPki, listen } = require('./tls');

const { Verifier, protect } = certgate;

/** The PEM of a demo client's leaf, as nginx's $ssl_client_escaped_cert forwards it. */
function nginxHeader(pki, name) {
  const leaf = pki.text(`${name}.pem`).split(/(?<=-----END CERTIFICATE-----\n)/)[0];
  return encodeURIComponent(leaf);
}

/** One plain HTTP request to 127.0.0.1:port; resolves to { status, body }. */
function get(port, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The demo policy with a forwarded section for nginx trusting `proxies`. */
function forwardedPolicy(pki, proxies) {
  return { ...pki.policy, forwarded: { format: 'nginx', trusted_proxies: proxies } };
}

const APPS = {
  'certgate/express': (verifier) => {
    const express = require('express');
    const app = express();
    app.use(require('../express')(verifier));
    app.get('/', (req, res) => res.json({ spiffe: req.peer.spiffe_id, forwarded: req.peer.forwarded }));
    return http.createServer(app);
  },
  'certgate/fastify': (verifier) => {
    const fastify = require('fastify')({ logger: false });
    fastify.register(require('../fastify'), { verifier });
    fastify.get('/', async (request) => ({ spiffe: request.peer.spiffe_id, forwarded: request.peer.forwarded }));
    return { fastify };
  },
  protect: (verifier) =>
    http.createServer(
      protect(verifier, (req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ spiffe: req.peer.spiffe_id, forwarded: req.peer.forwarded }));
      })
    ),
};

/** Starts one of APPS on 127.0.0.1; resolves to { port, stop }. */
async function start(kind, verifier) {
  const made = APPS[kind](verifier);
  if (made.fastify) {
    await made.fastify.listen({ host: '127.0.0.1', port: 0 });
    return { port: made.fastify.server.address().port, stop: () => made.fastify.close() };
  }
  return { port: await listen(made), stop: () => close(made) };
}

describe('middlewares behind a proxy (forwarded headers)', { skip: nodeOnly }, () => {
  let pki;
  before(() => {
    pki = demoPki();
  });

  for (const kind of Object.keys(APPS)) {
    describe(kind, () => {
      let trusted;
      let spoofed;
      before(async () => {
        trusted = await start(kind, new Verifier(forwardedPolicy(pki, ['127.0.0.1', '::1'])));
        spoofed = await start(kind, new Verifier(forwardedPolicy(pki, ['10.9.9.9'])));
      });
      after(async () => {
        await trusted?.stop();
        await spoofed?.stop();
      });

      test('a header from a trusted proxy: the identity, and how it came', async () => {
        const { status, body } = await get(trusted.port, { 'X-Client-Cert': nginxHeader(pki, 'allowed') });
        assert.equal(status, 200);
        assert.equal(body.spiffe, 'spiffe://demo.example/ns/prod/sa/web');
        assert.deepEqual(body.forwarded, { format: 'nginx', header: 'x-client-cert', proxy: '127.0.0.1' });
      });

      test('revoked, wrong-SPIFFE and no certificate are refused with their codes', async () => {
        for (const [name, code] of [['revoked', 'REVOKED'], ['wrong-spiffe', 'NOT_AUTHORIZED'], [null, 'EMPTY_CHAIN']]) {
          const headers = name ? { 'X-Client-Cert': nginxHeader(pki, name) } : {};
          const { status, body } = await get(trusted.port, headers);
          assert.deepEqual([status, body.code], [403, code], JSON.stringify(body));
        }
      });

      test('spoofing: the same header from an address that is no trusted proxy is UNTRUSTED_FORWARDER', async () => {
        const { status, body } = await get(spoofed.port, { 'X-Client-Cert': nginxHeader(pki, 'allowed') });
        assert.deepEqual([status, body.code], [403, 'UNTRUSTED_FORWARDER']);
        assert.match(body.message, /127\.0\.0\.1, which is not a trusted proxy/);
      });
    });
  }
});

describe('certgate/grpc on a real grpc-js server with mTLS', { skip: nodeOnly }, () => {
  const grpc = require('@grpc/grpc-js');
  const { guardService, PERMISSION_DENIED, UNAUTHENTICATED } = require('../grpc');
  const passThrough = (value) => value;
  const service = {
    whoAmI: {
      path: '/certgate.test.Echo/WhoAmI',
      requestStream: false,
      responseStream: false,
      requestSerialize: passThrough,
      requestDeserialize: passThrough,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
    },
  };
  let pki;
  let server;
  let port;
  before(async () => {
    pki = demoPki();
    const verifier = new Verifier(pki.policy);
    server = new grpc.Server();
    server.addService(service, guardService(verifier, {
      whoAmI: (call, callback) => callback(null, Buffer.from(call.peer.spiffe_id)),
    }));
    const credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(pki.text('ca.pem')),
      [{ private_key: Buffer.from(pki.server.key), cert_chain: Buffer.from(pki.server.cert) }],
      true
    );
    port = await new Promise((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound)))
    );
  });
  after(() => server?.forceShutdown());

  /** One call as the named demo client; resolves to { reply } or { error }. */
  function call(name) {
    const Client = grpc.makeGenericClientConstructor(service, 'Echo');
    const { key, cert } = pki.client(name);
    const credentials = grpc.credentials.createSsl(Buffer.from(pki.text('ca.pem')), Buffer.from(key), Buffer.from(cert));
    const client = new Client(`localhost:${port}`, credentials);
    return new Promise((resolve) => {
      client.whoAmI(Buffer.alloc(0), { deadline: Date.now() + 10000 }, (error, reply) => {
        client.close();
        resolve(error ? { error } : { reply: reply.toString() });
      });
    });
  }

  test('allowed: the handler sees the identity', async () => {
    assert.deepEqual(await call('allowed'), { reply: 'spiffe://demo.example/ns/prod/sa/web' });
  });

  test('revoked: UNAUTHENTICATED with the code; wrong-SPIFFE: PERMISSION_DENIED', async () => {
    const revoked = (await call('revoked')).error;
    assert.equal(revoked?.code, UNAUTHENTICATED);
    assert.match(revoked.details, /^REVOKED: /);
    assert.deepEqual(revoked.metadata.get('certgate-code'), ['REVOKED']);
    const wrong = (await call('wrong-spiffe')).error;
    assert.equal(wrong?.code, PERMISSION_DENIED);
    assert.match(wrong.details, /^NOT_AUTHORIZED: /);
  });
});
