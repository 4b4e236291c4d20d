// certgate/fastify: a Fastify plugin deciding on every request, as certgate/express does.

import type { AuditHook, Verifier, VerifiedIdentity } from './index';

/** The minimum of a Fastify instance the plugin uses (so that fastify itself is optional). */
interface FastifyLike {
  decorateRequest(name: string, value: unknown): unknown;
  addHook(name: 'onRequest', hook: (request: any, reply: any, next: (error?: Error) => void) => void): unknown;
}

/** Options of the plugin: the verifier that decides, where audited refusals go. */
export interface CertgatePluginOptions {
  verifier: Verifier;
  onAudit?: AuditHook<any>;
}

/**
 * Decides on every request; the identity goes on `request.peer`, a refusal is answered
 * 403 with `{ code, message }` JSON. `fastify.register(certgate, { verifier })`.
 */
export declare function certgate(fastify: FastifyLike, options: CertgatePluginOptions, done: (error?: Error) => void): void;

/** What the plugin puts on each request. */
export interface CertgateRequest {
  peer: VerifiedIdentity | null;
}

export default certgate;
