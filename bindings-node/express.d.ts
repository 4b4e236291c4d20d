// certgate/express: per-request mTLS enforcement for Express (or any (req, res, next) stack).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditOptions, Verifier } from './index';

/**
 * Puts the peer's identity on `req.peer` (TLS client certificate, or a trusted proxy's
 * headers when the policy has a `forwarded` section), or answers 403 with `{ code, message }` JSON.
 */
export declare function certgate(
  verifier: Verifier,
  options?: AuditOptions<IncomingMessage>
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export default certgate;
