// Type declarations of the `certgate` npm package (hand-written; the reference is docs/).
// The types it shares with certgate-wasm are in lib/types.d.ts, a copy of
// bindings-js/types.d.ts made by the build; test/package.test.js fails if `Code` there
// drifts from the core's list (CODES).

/// <reference types="node" />

import type { X509Certificate } from 'node:crypto';
import type {
  ConnectionOptions,
  PeerCertificate,
  DetailedPeerCertificate,
  TlsOptions,
  Server as TlsServer,
  TLSSocket,
} from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';

export * from './lib/types';
import type * as shared from './lib/types';
import type { Audit, CODES, CertgateError, ForwardedFormat, HeadersInput, Identity, Outcome, SpiffeBundleUpdate, Stats, VerifiedIdentity, VerifyOptions, Warning } from './lib/types';

/** DER bytes, as a Uint8Array / Buffer or a crypto.X509Certificate. */
export type Der = Uint8Array | X509Certificate;
/** One or more PEM blocks, or DER. */
export type Source = string | Der;
/** Sources in a Node policy may also be crypto.X509Certificate objects. */
export type Sources = shared.Sources<Der>;
/** The policy schema (docs/policy.md), with Node's byte types. */
export type Policy = shared.Policy<Der>;
/** A chain: leaf first, then any intermediates; one PEM string may hold the whole chain. */
export type Chain = Source | Source[] | PeerCertificate | DetailedPeerCertificate;

/** fromFile's options: reload when a file of the policy changes. */
export interface WatchOptions {
  /** Watch the policy file and every file it references (fs.watch on their folders, Kubernetes' ..data swap included). */
  watch?: boolean;
  /** Quiet time after the last change before reloading, ms (default 100). */
  debounceMs?: number;
  /** After each reload. */
  onReload?: (generation: number) => void;
  /** A reload that failed (the policy in force stays); default: a console warning. */
  onError?: (error: Error) => void;
}

/** A compiled policy; swapped whole by reload(), updateCrls(), updateOcsp() and updateSpiffeBundle(); safe to share. */
export class Verifier {
  /** Throws CertgateError (INVALID_POLICY) for a bad policy, TypeError for a wrong argument type. */
  constructor(policy: Policy | string);
  /** Compiles the policy in a JSON file, reading the files it references; throws CertgateError (INVALID_POLICY). */
  static fromFile(path: string | URL, options?: WatchOptions): Verifier;
  /** Reads the policy file and every file it references again, all or nothing (fromFile only); throws CertgateError. */
  reloadFromFile(): void;
  /** The policy file and every file and folder it references (fromFile only; else empty). */
  readonly watchedPaths: string[];
  /** Stops watching (fromFile with `watch: true`). */
  close(): void;
  /** Replaces the whole policy atomically, one generation on; on error (CertgateError INVALID_POLICY) the policy in force stays. */
  reload(policy: Policy | string): void;
  /** 0 when made, plus one per reload, CRL update and SPIFFE bundle update; each outcome reports its own. */
  readonly generation: number;
  /** The policy's mode. */
  readonly mode: 'enforce' | 'audit';
  /** The counters (by outcome, by warning, reloads, CRL download failures) and the CRLs in force. */
  stats(): Stats;
  /** The CRLs `revocation.fetch` names (CrlRefresher downloads them), or null. */
  readonly crlFetch: { urls: string[]; refreshSeconds: number | null } | null;
  /** Counts a failed CRL download in stats(). */
  recordCrlFetchFailure(): void;

  /** What the policy load and the latest CRL update left out (unusable CRLs), and why. */
  readonly warnings: Warning[];
  /** The peer's identity; throws CertgateError for a rejection. */
  verify(chain: Chain, options?: VerifyOptions): VerifiedIdentity;
  /** The decision as an Outcome; throws only TypeError. */
  check(chain: Chain, options?: VerifyOptions): Outcome;
  /** verify() on the libuv thread pool. */
  verifyAsync(chain: Chain, options?: VerifyOptions): Promise<VerifiedIdentity>;
  /** check() on the libuv thread pool. */
  checkAsync(chain: Chain, options?: VerifyOptions): Promise<Outcome>;
  /**
   * The identity of a client whose certificate a TLS-terminating proxy forwarded in a
   * header (the policy's `forwarded` section); throws CertgateError (`UNTRUSTED_FORWARDER`
   * when `remoteAddress` is not a trusted proxy). `remoteAddress` is the connection's own
   * address (`req.socket.remoteAddress`), never `X-Forwarded-For`.
   */
  verifyForwarded(headers: HeadersInput, remoteAddress: string, options?: VerifyOptions): VerifiedIdentity;
  /** The non-throwing twin of `verifyForwarded`. */
  checkForwarded(headers: HeadersInput, remoteAddress: string, options?: VerifyOptions): Outcome;
  /** The format of the policy's `forwarded` section, or null without one. */
  readonly forwardedFormat: ForwardedFormat | null;
  /** Replaces one trust domain's SPIFFE bundle atomically; on error (CertgateError) the old bundle stays. */
  updateSpiffeBundle(trustDomain: string, bundle: string | Uint8Array): SpiffeBundleUpdate;
  /** Replaces the CRL set atomically; on error the old set stays. */
  updateCrls(crls: string | Uint8Array | Array<string | Uint8Array>): void;
  /** Replaces the OCSP responses (DER, or PEM `OCSP RESPONSE`) atomically; on error the old ones stay. */
  updateOcsp(responses: string | Uint8Array | Array<string | Uint8Array>): void;
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

/** One download of a CRL URL. */
export type CrlRefresh =
  | { url: string; ok: true; generation: number | null }
  | { url: string; ok: false; error: Error };

export interface CrlRefresherOptions {
  /** After a CRL was downloaded (and, once every URL answered, the set swapped in: `generation`). */
  onUpdate?: (update: Extract<CrlRefresh, { ok: true }>) => void;
  /** A download failed or its CRL was refused; the CRL in force stays. Default: a console warning. */
  onError?: (error: Error, url: string) => void;
  /** Per request, milliseconds; default 10000. */
  timeoutMs?: number;
  /** Shortest time between two downloads of a URL, seconds; default 10. */
  minRefreshSeconds?: number;
  /** Download on timers from the start (default true); false: only refresh() downloads. */
  start?: boolean;
}

/** Downloads the CRLs of the policy's `revocation.fetch` and keeps them fresh (updateCrls). */
export class CrlRefresher {
  constructor(verifier: Verifier, options?: CrlRefresherOptions);
  readonly urls: string[];
  /** Downloads now (every URL, or one); never rejects for a failed download. */
  refresh(url?: string): Promise<CrlRefresh[]>;
  /** Stops the timers. */
  stop(): void;
}

/** A verifier's stats() in the Prometheus text exposition format. */
export function prometheusText(stats: Stats): string;

/**
 * A request listener for http.createServer / https.createServer deciding on every
 * request (TLS client certificate, or a trusted proxy's headers when the policy has a
 * `forwarded` section): the identity goes on `req.peer` and `handler` runs; a refusal is
 * answered 403 with `{ code, message }` JSON.
 */
export function protect(
  verifier: Verifier,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options?: AuditOptions<IncomingMessage>
): (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Called for each chain an audit-mode policy admitted although it would refuse it
 * (`identity.audit`), with what was decided on: the request, the socket or the call.
 */
export type AuditHook<C> = (audit: Audit, identity: VerifiedIdentity, context: C) => void;

/** The middlewares' options: where audited refusals go (default: a console warning). */
export interface AuditOptions<C> {
  onAudit?: AuditHook<C>;
}

/** TLS options that request a client certificate and leave the decision to certgate (session tickets off). */
export function serverOptions<T extends TlsOptions>(
  verifier: Verifier,
  tlsOptions?: T
): T & { ca: Array<string | Buffer>; secureOptions: number; requestCert: true; rejectUnauthorized: false };

/** What names the server for clientOptions(): Node's hostname check too, or the policy's rules alone. */
export type IdentityCheck = 'hostname' | 'policy';

/** TLS client options clientOptions() takes: Node's, minus what it provides, plus `identity`. */
export type ClientTlsOptions = Omit<ConnectionOptions, 'checkServerIdentity' | 'rejectUnauthorized' | 'session'> & {
  /** `"hostname"` (default): Node's hostname check as well; `"policy"`: the allow rules alone (SPIFFE). */
  identity?: IdentityCheck;
  rejectUnauthorized?: true;
  /** Refusals an audit-mode policy did not enforce. */
  onAudit?: AuditHook<{ hostname: string; certificate: PeerCertificate }>;
};

/**
 * Options for https.request, https.Agent, tls.connect and undici's Agent (`connect`) that
 * check the server with the policy (`usage: "server"`) in the handshake: Node's chain
 * check against the policy's anchors, then certgate's decision (a CertgateError). TLS
 * session resumption is off.
 */
export function clientOptions<T extends ClientTlsOptions>(
  verifier: Verifier,
  tlsOptions?: T
): Omit<T, 'identity' | 'onAudit'> & {
  ca: Array<string | Buffer>;
  rejectUnauthorized: true;
  session: undefined;
  maxCachedSessions: 0;
  /** Set when an anchor is not a root (honoured by Node 20.18 / 22.9 and later). */
  allowPartialTrustChain?: true;
  checkServerIdentity: (hostname: string, cert: PeerCertificate) => Error | undefined;
};

export interface EnforceOptions extends AuditOptions<TLSSocket> {
  /** Called with the rejection and the socket, just before the socket is destroyed. */
  onReject?: (error: CertgateError, socket: TLSSocket) => void;
}

/** Verifies every connection of `server`; the identity goes on `socket.certgate`. */
export function enforce<S extends TlsServer>(server: S, verifier: Verifier, options?: EnforceOptions): S;

declare module 'node:http' {
  interface IncomingMessage {
    /** The client's identity, set by certgate/express, certgate/fastify or protect(). */
    peer?: VerifiedIdentity;
  }
}

declare module 'node:net' {
  interface Socket {
    /** The TLS peer's identity, set by certgate's enforce() on admitted connections (`req.socket.certgate`). */
    certgate?: VerifiedIdentity;
  }
}

declare const certgate: {
  BundleRefresher: typeof BundleRefresher;
  CODES: typeof CODES;
  CertgateError: typeof CertgateError;
  CrlRefresher: typeof CrlRefresher;
  Verifier: typeof Verifier;
  clientOptions: typeof clientOptions;
  enforce: typeof enforce;
  inspect: typeof inspect;
  prometheusText: typeof prometheusText;
  protect: typeof protect;
  serverOptions: typeof serverOptions;
};
export default certgate;
