// Compiled (never run) by test/package.test.js: index.d.ts and express.d.ts must describe
// the package well enough for a strict TypeScript consumer.
import * as https from 'node:https';
import { X509Certificate } from 'node:crypto';
import certgateDefault, { CODES, CertgateError, Verifier, enforce, inspect, serverOptions } from 'certgate';
import type { Code, Identity, Outcome, Policy, VerifiedIdentity } from 'certgate';
import middleware from 'certgate/express';

const policy: Policy = {
  trust: { anchors: '-----BEGIN CERTIFICATE-----', intermediates: [new Uint8Array(2), [48, 0]] },
  usage: ['client', 'server'],
  revocation: { crls: ['-----BEGIN X509 CRL-----'], depth: 'leaf', unknown_status: 'allow' },
  allow: [{ spiffe_id: 'spiffe://example.org/*' }, { subject: { CN: 'a', O: ['b', 'c'] } }],
  deny: [{ ip: '10.0.0.0/8' }],
  max_chain_length: 4,
  clock_skew_seconds: 30,
};
const verifier = new Verifier(policy);
const fromJson = new Verifier(JSON.stringify(policy));

const identity: VerifiedIdentity = verifier.verify(['pem', new Uint8Array(1)], { at: new Date() });
const matched: number | null = identity.matched_rule;
const fingerprints: string[] = identity.chain_fingerprints;
const plain: Identity = inspect(new X509Certificate('pem'));
const spiffe: string | null = plain.spiffe_id;

const outcome: Outcome = fromJson.check('pem', { at: 1780272000 });
if (outcome.ok) {
  const subject: string = outcome.identity.subject;
} else {
  const code: Code = outcome.code;
  const index: number | null = outcome.certIndex;
}

async function later(): Promise<string> {
  const peer = await verifier.verifyAsync(Buffer.from('pem'));
  verifier.updateCrls(['crl', new Uint8Array(3)]);
  return peer.fingerprint_sha256;
}

try {
  verifier.verify([]);
} catch (error) {
  if (error instanceof CertgateError) {
    const code: Code = error.code;
    const index: number | null = error.certIndex;
    const name: 'CertgateError' = error.name;
  }
}

const codes: readonly Code[] = CODES;
const server = enforce(
  https.createServer(serverOptions(verifier, { key: 'k', cert: 'c' }), (req, res) => {
    const who: VerifiedIdentity | undefined = req.socket.certgate;
    res.end(who?.subject);
  }),
  verifier,
  { onReject: (error: CertgateError) => console.log(error.code) }
);
server.on('request', middleware(verifier));
const sameApi: typeof Verifier = certgateDefault.Verifier;

// @ts-expect-error: not a Code
const wrong: Code = 'NOT_A_CODE';
// @ts-expect-error: unknown policy key
const typo: Policy = { trust: { anchors: 'x' }, alow: [] };
