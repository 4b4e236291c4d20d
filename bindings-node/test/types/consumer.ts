// Compiled (never run) by test/package.test.js: index.d.ts and express.d.ts must describe
// the Node-only parts of the package well enough for a strict TypeScript consumer (Node
// inputs, verifyAsync, fromFile, the server helpers, the default export). The API shared
// with certgate-wasm is compiled against both installed packages by tests/dist/consumer.ts.
import * as https from 'node:https';
import { X509Certificate } from 'node:crypto';
import certgateDefault, { BundleRefresher, CertgateError, Verifier, clientOptions, enforce, inspect, protect, serverOptions } from 'certgate';
import type { Identity, Policy, VerifiedIdentity } from 'certgate';
import middleware from 'certgate/express';
import fastifyPlugin from 'certgate/fastify';
import { guardService, UNAUTHENTICATED } from 'certgate/grpc';
import * as http from 'node:http';
import * as tls from 'node:tls';

const policy: Policy = { trust: { anchors: [new X509Certificate('pem'), Buffer.from('der')] } };
const verifier = new Verifier(policy);
const fromFile: Verifier = Verifier.fromFile(new URL('file:///etc/certgate/policy.json'));
const plain: Identity = inspect(new X509Certificate('pem'));

async function later(): Promise<string> {
  const peer = await verifier.verifyAsync(Buffer.from('pem'));
  return peer.fingerprint_sha256;
}

const server = enforce(
  https.createServer(serverOptions(verifier, { key: 'k', cert: 'c' }), (req, res) => {
    const who: VerifiedIdentity | undefined = req.socket.certgate;
    res.end(who?.subject);
  }),
  verifier,
  { onReject: (error: CertgateError) => console.log(error.code) }
);
server.on('request', middleware(verifier));
const refresher = new BundleRefresher(fromFile, { start: false, onError: (error: Error, domain: string) => console.log(domain, error) });
refresher.stop();
const sameApi: typeof Verifier = certgateDefault.Verifier;

const behindProxy = new Verifier({ ...policy, forwarded: { format: 'nginx', trusted_proxies: ['127.0.0.1'] } });
const forwardedFormat: string | null = behindProxy.forwardedFormat;
const plainServer = http.createServer(protect(behindProxy, (req, res) => res.end(req.peer?.forwarded?.proxy)));
const viaHeaders: VerifiedIdentity = behindProxy.verifyForwarded({ 'x-client-cert': 'pem' }, '127.0.0.1');
fastifyPlugin({ decorateRequest: () => undefined, addHook: () => undefined }, { verifier: behindProxy }, () => undefined);
const guarded = guardService(verifier, { whoAmI: (call: { peer?: VerifiedIdentity }, callback: (error: null, reply: string) => void) => callback(null, call.peer?.subject ?? '') });
const unauthenticated: 16 = UNAUTHENTICATED;

const toPayments = clientOptions(verifier, { key: 'k', cert: 'c', identity: 'policy' });
https.request({ host: 'payments.internal', ...toPayments });
new https.Agent(clientOptions(verifier));
tls.connect({ host: 'payments.internal', port: 8443, ...toPayments });
// @ts-expect-error identity is "hostname" or "policy"
clientOptions(verifier, { identity: 'dns' });
// @ts-expect-error certgate refuses to run with Node's chain check off
clientOptions(verifier, { rejectUnauthorized: false });
