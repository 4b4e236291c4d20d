// Types of certgate-wasm (the same API as the Node addon `certgate`; see README.md). The
// types the two packages share are in ./types.d.ts, a copy of bindings-js/types.d.ts
// made by scripts/package.js.

export * from './types';
import type { ForwardedFormat, HeadersInput, Identity, Outcome, Policy, SpiffeBundleUpdate, Stats, VerifiedIdentity, VerifyOptions, Warning } from './types';

/** DER (or PEM) bytes: a Uint8Array (a Node Buffer is one). */
export type Der = Uint8Array;
/** One or more PEM blocks, or DER. */
export type Source = string | Der;
/** A chain, leaf first, then any intermediates: one item (a PEM string may hold the whole chain) or a list. */
export type Chain = Source | Source[];

/** A compiled policy. Throws CertgateError (INVALID_POLICY) for a bad policy. */
export class Verifier {
  /** A policy object, or its JSON text. Throws TypeError for a wrong argument type. */
  constructor(policy: Policy | string);
  /** Replaces the whole policy atomically, one generation on; on error (CertgateError INVALID_POLICY) the policy in force stays. */
  reload(policy: Policy | string): void;
  /** 0 when made, plus one per reload, CRL update and SPIFFE bundle update; each outcome reports its own. */
  readonly generation: number;
  /** The policy's mode. */
  readonly mode: 'enforce' | 'audit';
  /** The counters (by outcome, by warning, reloads, CRL download failures) and the CRLs in force. */
  stats(): Stats;

  /** What the policy load and the latest CRL update left out (unusable CRLs), and why. */
  readonly warnings: Warning[];
  /** The peer's identity if the chain may in; throws CertgateError otherwise, TypeError for a wrong argument type. */
  verify(chain: Chain, options?: VerifyOptions): VerifiedIdentity;
  /** The non-throwing twin of `verify`: throws only TypeError. */
  check(chain: Chain, options?: VerifyOptions): Outcome;
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
  /** Replaces the CRL set atomically (each PEM, possibly several CRLs, or DER); the old set stays on error. */
  updateCrls(crls: Source | Source[]): void;
  /** Replaces the OCSP responses atomically (each DER, or PEM `OCSP RESPONSE` text); the old ones stay on error. */
  updateOcsp(responses: Source | Source[]): void;
}

/** Parses one certificate (DER, or the first of a PEM bundle) into its identity; no verification. */
export function inspect(cert: Source): Identity;

/** A verifier's stats() in the Prometheus text exposition format. */
export function prometheusText(stats: Stats): string;
