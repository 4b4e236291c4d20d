// Type declarations of the `certgate` npm package (hand-written; the reference is docs/).
// test/package.test.js fails if `Code` drifts from the core's list (CODES).

/// <reference types="node" />

import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate, DetailedPeerCertificate, TlsOptions, Server as TlsServer, TLSSocket } from 'node:tls';

/** A stable rejection code (docs/errors.md). */
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

/** Every code, in number order (the core's `Code::ALL`). */
export const CODES: readonly Code[];

/** DER bytes, as a Uint8Array / Buffer or a crypto.X509Certificate. */
export type Der = Uint8Array | X509Certificate;
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

/** Subject attributes a `subject` matcher can test. */
export type SubjectAttribute = 'CN' | 'O' | 'OU' | 'C' | 'ST' | 'L' | 'STREET' | 'DC' | 'UID' | 'serialNumber' | 'emailAddress';

/** A rule: an object of matchers that matches when all of them match (docs/policy.md). */
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

/** The one policy schema (docs/policy.md). Unknown keys are an INVALID_POLICY error. */
export interface Policy {
  trust: {
    /** CAs that vouch for leaves without a SPIFFE ID (and, bound by their own SPIFFE ID, for SPIFFE leaves). */
    anchors?: Sources;
    intermediates?: Sources;
    /** Per SPIFFE trust domain, the authorities that alone may vouch for its SPIFFE IDs. */
    spiffe_bundles?: Record<string, Sources | BundleEndpoint>;
  };
  usage?: OneOrMany<'client' | 'server'>;
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

/** Who a certificate names (docs/identity.md): exactly the canonical snake_case keys. */
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
  public_key: { algorithm: 'EC'; curve: string } | { algorithm: 'RSA'; bits: number } | { algorithm: string; [key: string]: unknown };
  key_usage: string[];
  extended_key_usage: string[];
  is_ca: boolean;
}

/** An Identity returned by verification: adds the built path and the matched allow rule. */
export interface VerifiedIdentity extends Identity {
  /** SHA-256 of each certificate of the built path: leaf, intermediates, anchor. */
  chain_fingerprints: string[];
  /** Index into the policy's `allow` of the rule that matched; null when the policy has no `allow`. */
  matched_rule: number | null;
}

/** The result of check(): never thrown. */
export type Outcome =
  | { ok: true; code: null; message: null; certIndex: null; identity: VerifiedIdentity }
  | { ok: false; code: Code; message: string; certIndex: number | null; identity: null };

/** A chain: leaf first, then any intermediates; one PEM string may hold the whole chain. */
export type Chain = Source | Source[] | PeerCertificate | DetailedPeerCertificate;

export interface VerifyOptions {
  /** Verification time: a Date or unix seconds. Default: now. */
  at?: Date | number;
}

/** Something the policy load or a CRL update left out, and why (e.g. an unusable CRL). */
export interface Warning {
  /** Where it came from: a policy path such as `revocation.crls[1] (crls/a.crl)`, or `crls[0]`. */
  source: string;
  message: string;
}

/** A rejection. `certIndex` is the position in the input chain (0 = leaf) when one applies. */
export class CertgateError extends Error {
  readonly name: 'CertgateError';
  readonly code: Code;
  readonly certIndex: number | null;
  constructor(code: Code, message: string, certIndex?: number | null);
}

/** A compiled policy; immutable apart from updateCrls(); safe to share. */
export class Verifier {
  /** Throws CertgateError (INVALID_POLICY) for a bad policy, TypeError for a wrong argument type. */
  constructor(policy: Policy | string);
  /** Compiles the policy in a JSON file, reading the files it references; throws CertgateError (INVALID_POLICY). */
  static fromFile(path: string | URL): Verifier;
  /** What the policy load and the latest CRL update left out (unusable CRLs), and why. */
  readonly warnings: Warning[];
  /** The peer's identity; throws CertgateError for a rejection. */
  verify(chain: Chain, options?: VerifyOptions): VerifiedIdentity;
  /** The decision as an Outcome; throws only TypeError. */
  check(chain: Chain, options?: VerifyOptions): Outcome;
  /** verify() on the libuv thread pool. */
  verifyAsync(chain: Chain, options?: VerifyOptions): Promise<VerifiedIdentity>;
  /** Replaces one trust domain's SPIFFE bundle atomically; on error (CertgateError) the old bundle stays. */
  updateSpiffeBundle(trustDomain: string, bundle: string | Uint8Array): SpiffeBundleUpdate;
  /** Replaces the CRL set atomically; on error the old set stays. */
  updateCrls(crls: string | Uint8Array | Array<string | Uint8Array>): void;
}

/** Parses one certificate into an Identity, with no verification. */
export function inspect(cert: Source | PeerCertificate): Identity;

/** One fetch of a SPIFFE bundle endpoint. */
export type BundleRefresh =
  | { trustDomain: string; ok: true; authorities: number; refreshHint: number | null; sequence: number | null }
  | { trustDomain: string; ok: false; error: Error };

export interface BundleRefresherOptions {
  /** Called after a bundle was fetched and swapped in. */
  onUpdate?: (update: Extract<BundleRefresh, { ok: true }>) => void;
  /** Called when a fetch or the bundle fails; the bundle in force stays. */
  onError?: (error: Error, trustDomain: string) => void;
  /** Per request, milliseconds; default 10000. */
  timeoutMs?: number;
  /** Poll on timers from the start (default true); false: only refresh() fetches. */
  start?: boolean;
}

/** Polls the policy's SPIFFE bundle endpoints and swaps each domain's authorities atomically. */
export class BundleRefresher {
  constructor(verifier: Verifier, options?: BundleRefresherOptions);
  readonly trustDomains: string[];
  /** Fetches now (every endpoint, or one trust domain's); never rejects for a failed fetch. */
  refresh(trustDomain?: string): Promise<BundleRefresh[]>;
  /** Stops the timers. */
  stop(): void;
}

/** TLS options that request a client certificate and leave the decision to certgate (session tickets off). */
export function serverOptions<T extends TlsOptions>(
  verifier: Verifier,
  tlsOptions?: T
): T & { ca: Array<string | Buffer>; secureOptions: number; requestCert: true; rejectUnauthorized: false };

export interface EnforceOptions {
  /** Called with the rejection and the socket, just before the socket is destroyed. */
  onReject?: (error: CertgateError, socket: TLSSocket) => void;
}

/** Verifies every connection of `server`; the identity goes on `socket.certgate`. */
export function enforce<S extends TlsServer>(server: S, verifier: Verifier, options?: EnforceOptions): S;

declare module 'node:net' {
  interface Socket {
    /** The TLS peer's identity, set by certgate's enforce() on admitted connections (`req.socket.certgate`). */
    certgate?: VerifiedIdentity;
  }
}

declare const certgate: {
  CODES: typeof CODES;
  CertgateError: typeof CertgateError;
  Verifier: typeof Verifier;
  enforce: typeof enforce;
  inspect: typeof inspect;
  serverOptions: typeof serverOptions;
};
export default certgate;
