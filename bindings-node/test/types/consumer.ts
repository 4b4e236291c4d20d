// Compiled (never run) by test/package.test.js: index.d.ts and express.d.ts must describe
// the Node-only parts of the package well enough for a strict TypeScript consumer (Node
// inputs, verifyAsync, fromFile, the server helpers, the default export). The API shared
// with certgate-wasm is compiled against both installed packages by tests/dist/consumer.ts.
import * as https from 'node:https';
import { X509Certificate } from 'node:crypto';
import certgateDefault, { BundleRefresher, CertgateError, CrlRefresher, Verifier, clientOptions, enforce, inspect, prometheusText, protect, serverOptions } from 'certgate';
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

const watched = Verifier.fromFile('/etc/certgate/policy.json', { watch: true, debounceMs: 50, onReload: (generation: number) => console.log(generation) });
watched.reload({ ...policy, mode: 'audit', warn_before_expiry_seconds: 86400 });
const generation: number = watched.generation;
const mode: 'enforce' | 'audit' = watched.mode;
const metrics: string = certgateDefault.prometheusText(watched.stats());
const revokedCount: number = watched.stats().verifications.REVOKED;
watched.close();
const crlRefresher = new CrlRefresher(watched, { start: false, onError: (error: Error, url: string) => console.log(url, error) });
crlRefresher.stop();
const audited = middleware(verifier, { onAudit: (audit, identity, req) => console.log(audit.code, identity.subject, req.url) });
async function outcomeGeneration(): Promise<number | null> {
  const outcome = await verifier.checkAsync(Buffer.from('pem'));
  return outcome.ok ? outcome.identity.warnings?.[0]?.seconds_left ?? outcome.generation : outcome.generation;
}
const text: string = prometheusText(verifier.stats());
