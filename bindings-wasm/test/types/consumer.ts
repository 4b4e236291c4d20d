// Compiled (never run) by test/wasm.test.js: the .d.ts files shipped in pkg/nodejs and
// pkg/web must describe the package well enough for a strict TypeScript consumer.
import { CODES, CertgateError, Verifier, inspect } from 'certgate-wasm';
import type { Code, Identity, Outcome, Policy, VerifiedIdentity } from 'certgate-wasm';
import init, { initSync, Verifier as WebVerifier, inspect as webInspect } from 'certgate-wasm/web';

const policy: Policy = {
  trust: { anchors: '-----BEGIN CERTIFICATE-----', intermediates: [new Uint8Array(2), [48, 0]] },
  usage: ['client', 'server'],
  revocation: { crls: ['-----BEGIN X509 CRL-----'], depth: 'leaf', unknown_status: 'allow', expired_crl: 'deny' },
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
const plain: Identity = inspect(new Uint8Array(4));
const spiffe: string | null = plain.spiffe_id;
const first: Code | undefined = CODES[0];

const outcome: Outcome = fromJson.check('pem', { at: 1780272000 });
if (outcome.ok) {
  const subject: string = outcome.identity.subject;
} else {
  const code: Code = outcome.code;
  const index: number | null = outcome.certIndex;
}
verifier.updateCrls(['crl', new Uint8Array(3)]);
verifier.updateCrls('crl');

try {
  verifier.verify([]);
} catch (error) {
  if (error instanceof CertgateError) {
    const code: Code = error.code;
    const index: number | null = error.certIndex;
    const name: 'CertgateError' = error.name;
  }
}
const made = new CertgateError('REVOKED', 'made up');

async function browser(): Promise<string | null> {
  await init();
  await init({ module_or_path: new URL('https://example.invalid/certgate_wasm_bg.wasm') });
  initSync({ module: new Uint8Array(8) });
  const web = new WebVerifier(policy);
  webInspect('pem');
  return web.verify('pem').spiffe_id;
}
