// certgate/grpc: deciding on the client of a @grpc/grpc-js server call (mTLS).

import type { AuditOptions, CertgateError, Code, Verifier, VerifiedIdentity } from './index';

/** gRPC status UNAUTHENTICATED (16): the client certificate is refused. */
export declare const UNAUTHENTICATED: 16;
/** gRPC status PERMISSION_DENIED (7): the client is known, the policy does not let it in. */
export declare const PERMISSION_DENIED: 7;

/** The error a refused call fails with: a CertgateError shaped as a grpc-js ServiceError. */
export interface CertgateServiceError extends Omit<CertgateError, 'code'> {
  code: typeof UNAUTHENTICATED | typeof PERMISSION_DENIED;
  certgateCode: Code;
  details: string;
  metadata?: unknown;
}

/** A grpc-js server call: what the helpers read of it. */
export interface CallLike {
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: unknown } | null;
  emit(event: 'error', error: CertgateServiceError): boolean;
  peer?: VerifiedIdentity;
}

/** The identity of the call's client; throws a CertgateServiceError otherwise. */
export declare function authorize(verifier: Verifier, call: CallLike, options?: AuditOptions<CallLike>): VerifiedIdentity;

/** Wraps one handler: the identity goes on `call.peer`; a refused call fails with the gRPC error. */
export declare function guard<H extends (call: any, callback?: any) => unknown>(verifier: Verifier, handler: H, options?: AuditOptions<CallLike>): H;

/** Every handler of a service implementation, guarded. */
export declare function guardService<T extends Record<string, (call: any, callback?: any) => unknown>>(verifier: Verifier, implementation: T, options?: AuditOptions<CallLike>): T;

declare const grpc: {
  UNAUTHENTICATED: typeof UNAUTHENTICATED;
  PERMISSION_DENIED: typeof PERMISSION_DENIED;
  authorize: typeof authorize;
  guard: typeof guard;
  guardService: typeof guardService;
};
export default grpc;
