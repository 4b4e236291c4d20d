// The TypeScript declarations certgate's two JavaScript packages share: the Node addon
// (`certgate`) and the WebAssembly build (`certgate-wasm`). Each package ships a copy
// beside its own index.d.ts, which re-exports these and adds its API. The reference
// is docs/; the tests of both packages fail when `Code` drifts from the core's CODES.

/** A stable rejection code (docs/errors.md), in number order. */
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
  | 'INTERNAL'
  | 'UNSUPPORTED_EXTENSION'
  | 'UNTRUSTED_FORWARDER';

/** Every code, in number order (the core's `Code::ALL`). */
export declare const CODES: readonly Code[];

/** A value or a list of values (a matcher given a list matches when any value does). */
export type OneOrMany<T> = T | T[];

/** Subject attributes a `subject` matcher can test. */
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

/** Which EKU the leaf must allow. */
export type Usage = 'client' | 'server';

/** A SPIFFE trust bundle (the JWK set SPIRE exports), as an object or its JSON text. */
export type SpiffeBundle = { keys: Array<Record<string, unknown>>; [key: string]: unknown } | string;

/**
 * Where certificates or CRLs come from: PEM text (explanatory text, BOM and CRLF
 * allowed), bytes `B` (DER, PEM or a PKCS#7 bundle), DER as an array of byte values, or
 * an object naming a file or folder (read by a policy loaded from a file) or holding a
 * SPIFFE bundle (where anchors are read).
 */
export type SourceItem<B = Uint8Array> =
  | string
  | B
  | number[]
  | { file: string }
  | { dir: string }
  | { spiffe_bundle: SpiffeBundle };

/** One source, or a list of them. */
export type Sources<B = Uint8Array> = SourceItem<B> | SourceItem<B>[];

/** A SPIFFE bundle endpoint (https_web profile), polled by BundleRefresher (Node). */
export interface BundleEndpoint<B = Uint8Array> {
  endpoint: string;
  /** Upper bound on the refresh interval, seconds (the bundle's spiffe_refresh_hint may be shorter). */
  refresh_seconds?: number;
  /** CAs that authenticate the endpoint's HTTPS server (default: the system's roots). */
  endpoint_ca?: Sources<B>;
  /** The bundle in force until the first fetch succeeds. */
  bundle?: Sources<B>;
}

/** The one policy schema (docs/policy.md). Unknown keys are refused with INVALID_POLICY. */
export interface Policy<B = Uint8Array> {
  trust: {
    /** CAs that vouch for leaves without a SPIFFE ID (and, bound by their own SPIFFE ID, for SPIFFE leaves). */
    anchors?: Sources<B>;
    intermediates?: Sources<B>;
    /** Per SPIFFE trust domain, the authorities that alone may vouch for its SPIFFE IDs. */
    spiffe_bundles?: Record<string, Sources<B> | BundleEndpoint<B>>;
  };
  usage?: OneOrMany<Usage>;
  revocation?: {
    crls?: Sources<B>;
    depth?: 'chain' | 'leaf';
    unknown_status?: 'deny' | 'allow';
    expired_crl?: 'deny' | 'allow';
    /** OCSP responses beside (or instead of) CRLs (docs/decision.md#ocsp). */
    ocsp?: {
      /** Stapled or pre-fetched DER `OCSPResponse`s (or PEM `OCSP RESPONSE` text); updateOcsp() replaces them. */
      responses?: Sources<B>;
      /** Which source decides when a current OCSP response and a current CRL both answer: "ocsp" (the default) or "crl". */
      prefer?: 'ocsp' | 'crl';
    };
    /** CRLs the Node and Python bindings download and keep fresh (CrlRefresher). */
    fetch?: {
      urls?: OneOrMany<string>;
      /** Also the http(s) CRL distribution points of the anchors and pooled intermediates. */
      from_distribution_points?: boolean;
      /** Ceiling on the time between two fetches of one CRL, seconds (1 to 604800). */
      refresh_seconds?: number;
    };
  };
  allow?: Rule[];
  deny?: Rule[];
  max_chain_length?: number;
  clock_skew_seconds?: number;
  /** The certificate profile (docs/profile.md): "strict" (the default) or "webpki" for legacy private PKIs. */
  profile?: 'strict' | 'webpki';
  /** Client certificates a TLS-terminating proxy forwards in a header (docs/forwarded.md). */
  forwarded?: ForwardedPolicy;
  /** "enforce" (the default) or "audit": admit every chain that decodes, reporting the refusal in `identity.audit`. */
  mode?: 'enforce' | 'audit';
  /** Warn (`identity.warnings`) when a certificate of the admitted path, or a CRL used, runs out within this many seconds. */
  warn_before_expiry_seconds?: number;
}

/** How a proxy encodes the client certificate in a header. */
export type ForwardedFormat = 'rfc9440' | 'xfcc' | 'nginx' | 'haproxy' | 'caddy' | 'apache' | 'alb' | 'traefik';

/** The policy's `forwarded` section. */
export interface ForwardedPolicy {
  format: ForwardedFormat;
  /** The certificate header (default per format, e.g. `x-client-cert`). */
  header?: string;
  /** The chain header (rfc9440, haproxy) or the numbered headers' prefix (apache). */
  chain_header?: string;
  /** The proxies' addresses or CIDR blocks: only their requests' headers are believed. */
  trusted_proxies: OneOrMany<string>;
}

/** How a forwarded certificate reached certgate (`identity.forwarded`). */
export interface Forwarded {
  format: ForwardedFormat;
  /** The header it was read from (lower case). */
  header: string;
  /** The address of the proxy that sent the request. */
  proxy: string;
  /** The fields of the XFCC element used (format `xfcc`). */
  xfcc?: { by: string[]; hash: string | null; subject: string | null; uri: string[]; dns: string[] };
}

/** A request's headers: Node's `req.rawHeaders` or `req.headers`, a fetch `Headers`, or `[name, value]` pairs. */
export type HeadersInput =
  | string[]
  | Array<[string, string]>
  | Record<string, string | string[] | undefined>
  | { entries(): IterableIterator<[string, string]> };

/** The subject public key's algorithm and size. */
export type PublicKey =
  | { algorithm: 'EC'; curve: string }
  | { algorithm: 'RSA'; bits: number }
  | { algorithm: 'Ed25519' }
  | { algorithm: 'Ed448' }
  | { algorithm: string };

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
  public_key: PublicKey;
  key_usage: string[];
  extended_key_usage: string[];
  is_ca: boolean;
}

/** An Identity returned by verification: adds the built path and the matched allow rule. */
export interface VerifiedIdentity extends Identity {
  /** SHA-256 of each certificate of the built path: leaf, intermediates, anchor. */
  chain_fingerprints: string[];
  /** Index into the policy's `allow` of the first rule that matched; null without `allow`. */
  matched_rule: number | null;
  /** Present when a proxy forwarded the certificate (verifyForwarded). */
  forwarded?: Forwarded;
  /** Present when an audit-mode policy admitted a chain it would refuse: that refusal. */
  audit?: Audit;
  /** Present when something on the admitted path runs out soon (`warn_before_expiry_seconds`). */
  warnings?: ExpiryWarning[];
}

/** The refusal an audit-mode policy did not enforce. */
export interface Audit {
  code: Code;
  message: string;
  cert_index: number | null;
}

/** Something on an admitted path that runs out within `warn_before_expiry_seconds`. */
export interface ExpiryWarning {
  code: 'LEAF_EXPIRES_SOON' | 'CHAIN_EXPIRES_SOON' | 'CRL_STALE_SOON';
  /** Position on the verified path (as chain_fingerprints: 0 the leaf, last the anchor); for a CRL, the certificate it covers. */
  cert_index: number;
  /** Seconds to the certificate's notAfter or the CRL's nextUpdate (negative for a CRL past it that expired_crl allows). */
  seconds_left: number;
}

/** The result of check(): never thrown. `generation` is the policy generation that decided. */
export type Outcome =
  | { ok: true; code: null; message: null; certIndex: null; identity: VerifiedIdentity; generation: number }
  | { ok: false; code: Code; message: string; certIndex: number | null; identity: null; generation: number | null };

/** One CRL in force. */
export interface CrlSummary {
  source: string;
  issuer: string;
  number: string | null;
  delta: boolean;
  entries: number;
  this_update: number;
  next_update: number | null;
}

/** What a verifier decided since it was made, and what it holds now (stats()). */
export interface Stats {
  /** By outcome: "OK" and every code (zeros included). An audit admission counts under its code. */
  verifications: Record<'OK' | Code, number>;
  audit_admitted: number;
  warnings: Record<ExpiryWarning['code'], number>;
  reloads: number;
  generation: number;
  crl_fetch_failures: number;
  crls: CrlSummary[];
  /** The decision cache, when the policy has `cache` (else null). */
  cache: CacheStats | null;
}

/** What the decision cache did (stats().cache). */
export interface CacheStats {
  /** Decisions held now, and the most it holds (`cache.entries`). */
  entries: number;
  capacity: number;
  hits: number;
  misses: number;
  /** Decisions dropped, least recently used first, to make room. */
  evictions: number;
}

export interface VerifyOptions {
  /** Verification time: a Date or unix seconds (0 to 2^53 - 1). Default: now. */
  at?: Date | number;
}

/** Something the policy load or a CRL update left out, and why (e.g. an unusable CRL). */
export interface Warning {
  /** Where it came from: a policy path such as `revocation.crls[1] (crls/a.crl)`, or `crls[0]`. */
  source: string;
  message: string;
}

/** What updateSpiffeBundle took in. */
export interface SpiffeBundleUpdate {
  authorities: number;
  refreshHint: number | null;
  sequence: number | null;
}

/** A rejection: a real Error with the stable `code` and the position of the certificate concerned. */
export declare class CertgateError extends Error {
  constructor(code: Code, message: string, certIndex?: number | null, generation?: number | null);
  readonly name: 'CertgateError';
  readonly code: Code;
  /** Position in the input chain (0 = leaf) of the certificate the rejection is about, or null. */
  readonly certIndex: number | null;
  /** The policy generation that refused; null for a refused policy or update. */
  readonly generation: number | null;
}
