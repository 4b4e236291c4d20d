'use strict';
// Node-only: clientOptions(), the calling side of mTLS. Real TLS servers on 127.0.0.1
// present the demo PKI's payment-service certificates (right SPIFFE ID, wrong SPIFFE ID,
// revoked, from an untrusted CA) and ask the client for its own certificate (both
// directions); https.request, fetch through an undici Agent and tls.connect call them.
// Every refused connection must reach the server without a single request byte.

const assert = require('node:assert/strict');
const { X509Certificate } = require('node:crypto');
const https = require('node:https');
const tls = require('node:tls');
const { after, before, describe, test } = require('node:test');
const undici = require('undici');
const { certgate, nodeOnly } = require('./impl');
const { close, demoPki, listen } = require('./tls');

const { CertgateError, Verifier, clientOptions, enforce, serverOptions } = certgate;
const skip = nodeOnly;

/** The four servers and how a client under server-policy.json must end. */
const SERVERS = {
  payments: { ok: true },
  'payments-wrong-spiffe': { certgate: 'NOT_AUTHORIZED' },
  'payments-revoked': { certgate: 'REVOKED' },
  // Node's own chain check (against the policy's anchors) refuses it before certgate runs.
  'payments-untrusted': { node: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
};

/**
 * A TLS server with `name`'s certificate answering one HTTP request per connection with
 * the client's SPIFFE ID. With `clientPolicy` it admits clients under that policy (both
 * directions; serverOptions turns session tickets off); without, it asks for no client
 * certificate and issues tickets. `received` counts the application bytes each connection
 * delivered, `resumed` whether it resumed a session.
 */
async function paymentService(pki, name, clientPolicy) {
  const server = clientPolicy
    ? enforce(tls.createServer(serverOptions(clientPolicy, pki.client(name))), clientPolicy)
    : tls.createServer(pki.client(name));
  const received = [];
  const resumed = [];
  server.on('secureConnection', (socket) => {
    const connection = received.push(0) - 1;
    resumed.push(socket.isSessionReused());
    let request = '';
    socket.on('data', (chunk) => {
      received[connection] += chunk.length;
      request += chunk;
      if (!request.includes('\r\n\r\n')) return;
      const body = JSON.stringify({ caller: socket.certgate?.spiffe_id ?? null });
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    });
    socket.on('error', () => {});
  });
  const port = await listen(server);
  return { server, port, received, resumed };
}

/** What a call ended with: `{ body }`, or `{ error }` (the error the client library gave). */
function settle(promise) {
  return promise.then(
    (body) => ({ body }),
    (error) => ({ error })
  );
}

/** GET / with https.request and `options`; resolves to the parsed body. */
function httpsGet(port, options) {
  return new Promise((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port, path: '/', servername: 'localhost', ...options }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(JSON.parse(body)));
    });
    request.setTimeout(10000, () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end();
  });
}

/**
 * GET / with `fetchFunction` (Node's global fetch or undici's) through an undici Agent
 * built from `options`; resolves to the parsed body.
 */
async function fetchGet(fetchFunction, port, options) {
  const dispatcher = new undici.Agent({ connect: { servername: 'localhost', ...options } });
  try {
    const response = await fetchFunction(`https://127.0.0.1:${port}/`, { dispatcher, signal: AbortSignal.timeout(10000) });
    return await response.json();
  } catch (error) {
    // fetch reports every network failure as "fetch failed"; what failed is the cause.
    throw error.cause ?? error;
  } finally {
    await dispatcher.close();
  }
}

/** The same request over tls.connect; resolves to the parsed body. */
function tlsGet(port, options) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      socket.write('GET / HTTP/1.1\r\nhost: localhost\r\n\r\n');
    });
    let response = '';
    socket.setTimeout(10000, () => socket.destroy(new Error('timeout')));
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (response += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))));
  });
}

const CLIENTS = {
  'https.request': httpsGet,
  'fetch with an undici Agent as dispatcher': (port, options) => fetchGet(fetch, port, options),
  "undici's fetch": (port, options) => fetchGet(undici.fetch, port, options),
  'tls.connect': tlsGet,
};

describe('clientOptions: a client checks its server by policy', { skip }, () => {
  let pki;
  let serverPolicy;
  const services = {};
  before(async () => {
    pki = demoPki();
    serverPolicy = new Verifier(JSON.parse(pki.text('server-policy.json')));
    const clientPolicy = new Verifier(pki.policy);
    for (const name of Object.keys(SERVERS)) services[name] = await paymentService(pki, name, clientPolicy);
    services.ticketing = await paymentService(pki, 'payments');
  });
  after(async () => {
    for (const { server } of Object.values(services)) await close(server);
  });

  for (const [client, get] of Object.entries(CLIENTS)) {
    for (const [name, expected] of Object.entries(SERVERS)) {
      test(`${client} → ${name}`, async () => {
        const service = services[name];
        const connections = service.received.length;
        const options = clientOptions(serverPolicy, { ...pki.client('allowed'), identity: 'policy' });
        const { body, error } = await settle(get(service.port, options));
        if (expected.ok) {
          assert.equal(error, undefined, `${error?.stack}`);
          assert.deepEqual(body, { caller: 'spiffe://demo.example/ns/prod/sa/web' }, 'the server saw our identity too');
          return;
        }
        if (expected.certgate) {
          assert.ok(error instanceof CertgateError, `expected a CertgateError, got ${error?.stack ?? error}`);
          assert.equal(error.code, expected.certgate);
          assert.equal(error.certIndex, 0);
        } else {
          assert.equal(error?.code, expected.node, `${error?.stack}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        const sent = service.received.slice(connections);
        assert.ok(sent.every((bytes) => bytes === 0), `request bytes reached the server: ${sent}`);
      });
    }
  }

  test('identity "hostname" (the default) keeps Node\'s hostname check as well', async () => {
    const { port } = services.payments;
    const options = clientOptions(serverPolicy, pki.client('allowed'));
    assert.deepEqual(await httpsGet(port, options), { caller: 'spiffe://demo.example/ns/prod/sa/web' });
    const { error } = await settle(httpsGet(port, { ...options, servername: 'payments.example' }));
    assert.equal(error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    const byPolicy = clientOptions(serverPolicy, { ...pki.client('allowed'), identity: 'policy' });
    assert.ok(await httpsGet(port, { ...byPolicy, servername: 'payments.example' }));
  });

  test('a server the client certificate does not satisfy refuses it: both directions are checked', async () => {
    const options = clientOptions(serverPolicy, { ...pki.client('revoked'), identity: 'policy' });
    const { error } = await settle(httpsGet(services.payments.port, options));
    assert.ok(error, 'the revoked client was refused by the server');
    assert.ok(!(error instanceof CertgateError), 'the server, not the client policy, refused');
  });

  test('an https.Agent shared by two policies never resumes one policy\'s session under the other', async () => {
    // Node skips checkServerIdentity on a resumed session, so resumption must be off.
    const agent = new https.Agent({ keepAlive: false });
    const { port, resumed } = services.ticketing;
    const ledgerOnly = new Verifier({ ...JSON.parse(pki.text('server-policy.json')), allow: [{ spiffe_id: 'spiffe://demo.example/ns/prod/sa/ledger' }] });
    try {
      const first = resumed.length;
      assert.deepEqual(await httpsGet(port, { ...clientOptions(serverPolicy, { identity: 'policy' }), agent }), { caller: null });
      const { error } = await settle(httpsGet(port, { ...clientOptions(ledgerOnly, { identity: 'policy' }), agent }));
      assert.ok(error instanceof CertgateError, `${error?.stack ?? 'allowed on a resumed session'}`);
      assert.equal(error.code, 'NOT_AUTHORIZED');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(!resumed.slice(first).includes(true), 'no connection resumed a session');
      // The control: without clientOptions the same agent does resume.
      const plain = { ca: pki.text('ca.pem'), agent };
      await httpsGet(port, plain);
      await httpsGet(port, plain);
      assert.equal(resumed.at(-1), true, 'the server issues tickets and the agent resumes');
    } finally {
      agent.destroy();
    }
  });

  test('options: the policy\'s anchors and intermediates as ca, resumption off, the caller\'s object unchanged', () => {
    const input = { ...pki.client('allowed'), minVersion: 'TLSv1.3' };
    const options = clientOptions(serverPolicy, input);
    const subjects = options.ca.map((pem) => new X509Certificate(pem).subject);
    assert.deepEqual(subjects, ['O=Certgate Demo\nCN=Certgate Demo Root', 'O=Certgate Demo\nCN=Certgate Demo Issuing CA']);
    assert.equal(options.rejectUnauthorized, true);
    assert.equal(options.session, undefined);
    assert.ok('session' in options);
    assert.equal(options.maxCachedSessions, 0);
    assert.equal(options.minVersion, 'TLSv1.3');
    assert.equal(options.identity, undefined);
    assert.equal(input.ca, undefined);
    assert.deepEqual(clientOptions(serverPolicy, { ca: 'CALLER PEM' }).ca.slice(0, 1), ['CALLER PEM']);
  });

  test('an anchor that is not a root: a partial chain, which Node accepts from 20.18 / 22.9 on', async () => {
    const issuingCaOnly = { ...JSON.parse(pki.text('server-policy.json')), trust: { anchors: pki.text('intermediate.pem') } };
    delete issuingCaOnly.revocation; // the root's CRL cannot be checked without the root
    const options = clientOptions(new Verifier(issuingCaOnly), { ...pki.client('allowed'), identity: 'policy' });
    assert.equal(options.allowPartialTrustChain, true);
    assert.equal('allowPartialTrustChain' in clientOptions(serverPolicy), false, 'not with a root anchor');
    const [major, minor] = process.versions.node.split('.').map(Number);
    const { body, error } = await settle(tlsGet(services.payments.port, options));
    const partialChains = major > 22 || (major === 22 && minor >= 9) || (major === 20 && minor >= 18);
    if (partialChains) assert.deepEqual(body, { caller: 'spiffe://demo.example/ns/prod/sa/web' }, `${error?.stack}`);
    else assert.equal(error?.code, 'UNABLE_TO_GET_ISSUER_CERT');
  });

  test('wrong arguments are TypeErrors', () => {
    assert.throws(() => clientOptions({}, {}), TypeError);
    assert.throws(() => clientOptions(serverPolicy, 'tls'), TypeError);
    assert.throws(() => clientOptions(serverPolicy, { identity: 'dns' }), /"hostname" or "policy"/);
    assert.throws(() => clientOptions(serverPolicy, { rejectUnauthorized: false }), /unchecked/);
    assert.throws(() => clientOptions(serverPolicy, { checkServerIdentity: () => undefined }), TypeError);
  });

  test('the refusal names the server\'s certificate', async () => {
    const options = clientOptions(serverPolicy, { ...pki.client('allowed'), identity: 'policy' });
    const { error } = await settle(tlsGet(services['payments-wrong-spiffe'].port, options));
    assert.match(error.message, /CN=payments-dev/);
    assert.match(error.message, /spiffe:\/\/demo\.example\/ns\/dev\/sa\/payments/);
  });
});
