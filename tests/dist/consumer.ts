// Compiled by run.sh (tsc --strict, never run) in a fresh project against the installed
// package's declarations, once per npm package: MODULE is replaced by `certgate` or
// `certgate-wasm`. It uses the API the two packages share (bindings-js/types.d.ts and
// each package's Verifier / inspect); a declaration file missing from a package, or a
// type that no longer describes the API, fails the compilation. Each package's own
// parts are compiled by its test/types/consumer.ts.
import { CODES, CertgateError, Verifier, inspect } from 'MODULE';
import type { Code, Identity, Outcome, Policy, SubjectAttribute, VerifiedIdentity } from 'MODULE';

const policy: Policy = {
  trust: { anchors: '-----BEGIN CERTIFICATE-----', intermediates: [new Uint8Array(2), [48, 0]] },
  usage: ['client', 'server'],
  revocation: { crls: ['-----BEGIN X509 CRL-----'], depth: 'leaf', unknown_status: 'allow', expired_crl: 'deny' },
  allow: [{ spiffe_id: 'spiffe://example.org/*' }, { subject: { CN: 'a', O: ['b', 'c'], STREET: 'Main St' } }],
  deny: [{ ip: '10.0.0.0/8' }],
  max_chain_length: 4,
  clock_skew_seconds: 30,
  profile: 'webpki',
};
const verifier = new Verifier(policy);
const fromJson = new Verifier(JSON.stringify(policy));

const identity: VerifiedIdentity = verifier.verify(['pem', new Uint8Array(1)], { at: new Date() });
const matched: number | null = identity.matched_rule;
const fingerprints: string[] = identity.chain_fingerprints;
const plain: Identity = inspect(new Uint8Array(4));
const spiffe: string | null = plain.spiffe_id;
const key: string = plain.public_key.algorithm;
const attribute: SubjectAttribute = 'serialNumber';

const outcome: Outcome = fromJson.check('pem', { at: 1780272000 });
if (outcome.ok) {
  const subject: string = outcome.identity.subject;
} else {
  const code: Code = outcome.code;
  const index: number | null = outcome.certIndex;
}
verifier.updateCrls(['crl', new Uint8Array(3)]);
verifier.updateCrls('crl');
const update: { authorities: number } = verifier.updateSpiffeBundle('example.org', '{"keys": []}');

try {
  verifier.verify([]);
} catch (error) {
  if (error instanceof CertgateError) {
    const code: Code = error.code;
    const index: number | null = error.certIndex;
    const name: 'CertgateError' = error.name;
  }
}
const made = new CertgateError('REVOKED', 'made up', 0);
const codes: readonly Code[] = CODES;

// @ts-expect-error: not a Code
const wrong: Code = 'NOT_A_CODE';
// @ts-expect-error: unknown policy key
const typo: Policy = { trust: { anchors: 'x' }, alow: [] };
// @ts-expect-error: not a profile
const lenient: Policy = { trust: { anchors: 'x' }, profile: 'lenient' };

export { attribute, codes, fingerprints, key, lenient, made, matched, spiffe, typo, update, wrong };
