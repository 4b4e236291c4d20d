// certgate/express: per-request mTLS enforcement for Express (or any (req, res, next) stack).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Verifier, VerifiedIdentity } from './index';

declare module 'node:http' {
  interface IncomingMessage {
    /** The TLS peer's identity, set by the certgate/express middleware. */
    peer?: VerifiedIdentity;
  }
}

/** Puts the peer's identity on `req.peer`, or answers 403 with `{ code, message }` JSON. */
export declare function certgate(
  verifier: Verifier
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export default certgate;
