// Node https server soak (`make soak`): an https server made with serverOptions() and
// enforce() takes 1,000 handshakes from real curl clients, 200 at a time: allowed,
// revoked, wrong-SPIFFE, untrusted and certificate-less clients mixed. Every client must
// get the answer its certificate deserves (HTTP 200 with its identity, or a closed
// connection), the server's decisions must match one for one, nothing may go unhandled,
// and the server's RSS must stay flat (growth after warm-up under 5%).
//
//   node --expose-gc tests/soak/server-soak.mjs DEMO_DIR [HANDSHAKES] [CONCURRENCY]

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { rssGrowth } from './rss.mjs';

const require = createRequire(import.meta.url);
const { Verifier, enforce, serverOptions } = require(path.join(path.dirname(new URL(import.meta.url).pathname), '../../bindings-node'));

const [dir, total = '1000', concurrency = '200'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node tests/soak/server-soak.mjs DEMO_DIR [HANDSHAKES] [CONCURRENCY]');
  process.exit(2);
}
const file = (name) => path.join(dir, name);
const read = (name) => readFileSync(file(name), 'utf8');

let unhandled = 0;
process.on('uncaughtException', (error) => {
  unhandled += 1;
  console.error('unhandled:', error);
});
process.on('unhandledRejection', (error) => {
  unhandled += 1;
  console.error('unhandled rejection:', error);
});

const verifier = new Verifier(JSON.parse(read('policy.json')));
const decisions = new Map();
const count = (key) => decisions.set(key, (decisions.get(key) ?? 0) + 1);
const server = https.createServer(serverOptions(verifier, { key: read('server.key'), cert: read('server.pem') }), (req, res) => {
  res.end(req.socket.certgate.spiffe_id ?? req.socket.certgate.subject);
});
enforce(server, verifier, { onReject: (error) => count(error.code) });
server.on('secureConnection', (socket) => {
  if (socket.certgate) count('OK');
});
server.on('tlsClientError', () => count('tls-error'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

// What each client sends, what it must see, and the decision the server must log.
const clients = [
  { name: 'allowed', args: ['--cert', file('allowed.pem'), '--key', file('allowed.key')], admitted: true, code: 'OK' },
  { name: 'revoked', args: ['--cert', file('revoked.pem'), '--key', file('revoked.key')], admitted: false, code: 'REVOKED' },
  { name: 'wrong-spiffe', args: ['--cert', file('wrong-spiffe.pem'), '--key', file('wrong-spiffe.key')], admitted: false, code: 'NOT_AUTHORIZED' },
  { name: 'untrusted', args: ['--cert', file('untrusted.pem'), '--key', file('untrusted.key')], admitted: false, code: 'UNKNOWN_ISSUER' },
  { name: 'none', args: [], admitted: false, code: 'EMPTY_CHAIN' },
];
const curl = (client) =>
  new Promise((resolve) => {
    const args = ['--silent', '--max-time', '30', '--cacert', file('ca.pem'), '--resolve', `localhost:${port}:127.0.0.1`, ...client.args, `https://localhost:${port}/`];
    execFile('curl', args, (error, stdout) => resolve({ code: error ? error.code : 0, body: stdout }));
  });

const samples = [];
// With --expose-gc (make soak), collect first: what is sampled is what the server keeps.
const sampler = setInterval(() => {
  globalThis.gc?.();
  samples.push(process.memoryUsage().rss);
}, 100);
const started = performance.now();
let next = 0;
let wrong = 0;
const expected = new Map();
async function lane() {
  while (next < Number(total)) {
    const client = clients[next++ % clients.length];
    expected.set(client.code, (expected.get(client.code) ?? 0) + 1);
    const { code, body } = await curl(client);
    const admitted = code === 0 && body.startsWith('spiffe://');
    if (admitted !== client.admitted) {
      wrong += 1;
      console.error(`wrong: ${client.name} got curl exit ${code}, body ${JSON.stringify(body)}`);
    }
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, lane));
const seconds = (performance.now() - started) / 1000;
await new Promise((resolve) => setTimeout(resolve, 500)); // the last decisions' log lines
clearInterval(sampler);
server.close();
server.closeAllConnections();

for (const [code, n] of expected) {
  if (decisions.get(code) !== n) {
    wrong += 1;
    console.error(`the server decided ${code} ${decisions.get(code) ?? 0} times, expected ${n}`);
  }
}
const { warm, end, growth } = rssGrowth(samples);
console.log(`server soak (Node ${process.version}): ${total} curl handshakes, ${concurrency} at a time, in ${seconds.toFixed(1)} s`);
console.log(`decisions: ${[...decisions].map(([code, n]) => `${code} ${n}`).join(', ')}; ${wrong} wrong, ${unhandled} unhandled errors`);
console.log(`server RSS: ${(warm / 2 ** 20).toFixed(1)} MiB after warm-up, ${(end / 2 ** 20).toFixed(1)} MiB at the end (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%, limit +5%), max ${(Math.max(...samples) / 2 ** 20).toFixed(1)} MiB`);
process.exit(wrong > 0 || unhandled > 0 || growth >= 5 ? 1 : 0);
