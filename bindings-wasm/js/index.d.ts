// Types of certgate-wasm (the same API as the Node addon `certgate`; see README.md).

/** Every rejection code (docs/errors.md), in number order; `CODES` holds the same list at run time. */
export type Code =
  | 'INVALID_POLICY'
  | 'MALFORMED_CERTIFICATE'
  | 'EMPTY_CHAIN'
  | 'INPUT_TOO_LARGE'
  | 'UNKNOWN_ISSUER'
  | 'BAD_SIGNATURE'
  | 'UNSUPPORTED_ALGORITHM'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'INVALID_USAGE'
  | 'CA_CONSTRAINT_VIOLATION'
  | 'NAME_CONSTRAINT_VIOLATION'
  | 'REVOKED'
  | 'REVOCATION_UNKNOWN'
  | 'CRL_EXPIRED'
  | 'NOT_AUTHORIZED'
  | 'INTERNAL';

/** Every code, in number order (from the Rust core's `Code::ALL`). */
export const CODES: readonly Code[];

/** DER (or PEM) bytes: a Uint8Array (a Node Buffer is one). */
export type Der = Uint8Array;
/** One or more PEM blocks, or DER. */
export type Source = string | Der;
/** A SPIFFE trust bundle (the JWK set SPIRE exports), as an object or its JSON text. */
export type SpiffeBundle = { keys: Array<Record<string, unknown>>; [key: string]: unknown } | string;
/**
 * Where certificates or CRLs come from: PEM text (explanatory text, BOM and CRLF
 * allowed), DER, a PKCS#7 bundle, or an object naming a file or folder (read by
 * fromFile; relative to the policy file) or holding a SPIFFE bundle (anchors only).
 */
export type SourceItem = Source | number[] | { file: string } | { dir: string } | { spiffe_bundle: SpiffeBundle };
/** One source, or a list of them; DER may also be spelled as an array of byte values. */
export type Sources = SourceItem | SourceItem[];
/** A chain, leaf first, then any intermediates: one item (a PEM string may hold the whole chain) or a list. */
export type Chain = Source | Source[];

/** A SPIFFE bundle endpoint (https_web profile), polled by BundleRefresher in Node. */
export interface BundleEndpoint {
  endpoint: string;
  /** Upper bound on the refresh interval, seconds (the bundle's spiffe_refresh_hint may be shorter). */
  refresh_seconds?: number;
  /** CAs that authenticate the endpoint's HTTPS server (default: Node's roots). */
  endpoint_ca?: Sources;
  /** The bundle in force until the first fetch succeeds. */
  bundle?: Sources;
}

/** What updateSpiffeBundle took in. */
export interface SpiffeBundleUpdate {
  authorities: number;
  refreshHint: number | null;
  sequence: number | null;
}

/** A value or a list of values (the matcher then matches when any value does). */
export type OneOrMany<T> = T | T[];

/** Attributes a `subject` matcher may name. */
export type SubjectAttribute =
  | 'CN' | 'O' | 'OU' | 'C' | 'ST' | 'L' | 'STREET' | 'DC' | 'UID' | 'serialNumber' | 'emailAddress';

/** A rule: every matcher given must match (AND); a list matches when any value does (OR). */
export interface Rule {
  spiffe_id?: OneOrMany<string>;
  spiffe_trust_domain?: OneOrMany<string>;
  dns?: OneOrMany<string>;
  uri?: OneOrMany<string>;
  email?: OneOrMany<string>;
  ip?: OneOrMany<string>;
  subject?: Partial<Record<SubjectAttribute, OneOrMany<string>>>;
  fingerprint_sha256?: OneOrMany<string>;
  spki_sha256?: OneOrMany<string>;
}

export type Usage = 'client' | 'server';

/** The policy schema (docs/policy.md). Unknown keys are refused with INVALID_POLICY. */
export interface Policy {
  trust: {
    /** CAs that vouch for leaves without a SPIFFE ID (and, bound by their own SPIFFE ID, for SPIFFE leaves). */
    anchors?: Sources;
    intermediates?: Sources;
    /** Per SPIFFE trust domain, the authorities that alone may vouch for its SPIFFE IDs. */
    spiffe_bundles?: Record<string, Sources | BundleEndpoint>;
  };
  usage?: OneOrMany<Usage>;
  revocation?: {
    crls?: Sources;
    depth?: 'chain' | 'leaf';
    unknown_status?: 'deny' | 'allow';
    expired_crl?: 'deny' | 'allow';
  };
  allow?: Rule[];
  deny?: Rule[];
  max_chain_length?: number;
  clock_skew_seconds?: number;
}

export type PublicKey =
  | { algorithm: 'EC'; curve: string }
  | { algorithm: 'RSA'; bits: number }
  | { algorithm: 'Ed25519' }
  | { algorithm: 'Ed448' }
  | { algorithm: string };

/** The canonical identity (docs/identity.md): a plain object with exactly these keys. */
export interface Identity {
  subject: string;
  subject_fields: Record<string, string[]>;
  issuer: string;
  serial: string;
  fingerprint_sha256: string;
  spki_sha256: string;
  not_before: number;
  not_after: number;
  san: { dns: string[]; uri: string[]; email: string[]; ip: string[] };
  spiffe_id: string | null;
  public_key: PublicKey;
  key_usage: string[];
  extended_key_usage: string[];
  is_ca: boolean;
}

/** An identity returned by `verify`: adds the built path and the matching rule. */
export interface VerifiedIdentity extends Identity {
  /** SHA-256 (lowercase hex) of leaf, intermediates and anchor of the built path. */
  chain_fingerprints: string[];
  /** Index into `allow` of the first rule that matched; null when the policy has no `allow`. */
  matched_rule: number | null;
}

export interface VerifyOptions {
  /** Verification time: a Date or unix seconds. Default: now (`Date.now()`). */
  at?: Date | number;
}

/** The result of check(): never thrown. */
export type Outcome =
  | { ok: true; code: null; message: null; certIndex: null; identity: VerifiedIdentity }
  | { ok: false; code: Code; message: string; certIndex: number | null; identity: null };

/** Something the policy load or a CRL update left out, and why (e.g. an unusable CRL). */
export interface Warning {
  /** Where it came from: a policy path such as `revocation.crls[1]`, or `crls[0]` for updateCrls. */
  source: string;
  message: string;
}

/** A rejection: a real Error with the stable `code` and the index of the certificate concerned. */
export class CertgateError extends Error {
  constructor(code: Code, message: string, certIndex?: number | null);
  readonly name: 'CertgateError';
  readonly code: Code;
  /** Position in the input chain (0 = leaf) of the certificate the rejection is about, or null. */
  readonly certIndex: number | null;
}

/** A compiled policy. Throws CertgateError (INVALID_POLICY) for a bad policy. */
export class Verifier {
  /** A policy object, or its JSON text. Throws TypeError for a wrong argument type. */
  constructor(policy: Policy | string);
  /** What the policy load and the latest CRL update left out (unusable CRLs), and why. */
  readonly warnings: Warning[];
  /** The peer's identity if the chain may in; throws CertgateError otherwise, TypeError for a wrong argument type. */
  verify(chain: Chain, options?: VerifyOptions): VerifiedIdentity;
  /** The non-throwing twin of `verify`: throws only TypeError. */
  check(chain: Chain, options?: VerifyOptions): Outcome;
  /** Replaces one trust domain's SPIFFE bundle atomically; on error (CertgateError) the old bundle stays. */
  updateSpiffeBundle(trustDomain: string, bundle: string | Uint8Array): SpiffeBundleUpdate;
  /** Replaces the CRL set atomically (each PEM, possibly several CRLs, or DER); the old set stays on error. */
  updateCrls(crls: Source | Source[]): void;
}

/** Parses one certificate (DER, or the first of a PEM bundle) into its identity; no verification. */
export function inspect(cert: Source): Identity;
