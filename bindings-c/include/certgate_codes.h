/* Generated from core's code table (core/src/error.rs) by bindings-c's test
 * codes_header_is_current; `make c-header` rewrites it. Do not edit. */

#ifndef CERTGATE_CODES_H
#define CERTGATE_CODES_H

/*
 * A decision or error code. The numbers are fixed: never renumbered, never reused.
 *
 * 1 and up are certgate's decision codes (the same names in every language);
 * 100 and up are C-only misuse codes.
 */
typedef enum certgate_code {
  /* Success: the chain may in (or the certificate was parsed, or the call succeeded). */
  CERTGATE_OK = 0,
  /* The policy is malformed, has an unknown key, an unparsable anchor or CRL, or a bad pattern. */
  CERTGATE_INVALID_POLICY = 1,
  /* Input bytes are not a certificate (bad PEM or DER). */
  CERTGATE_MALFORMED_CERTIFICATE = 2,
  /* No certificate was given. */
  CERTGATE_EMPTY_CHAIN = 3,
  /* More certificates or bytes than the documented limits. */
  CERTGATE_INPUT_TOO_LARGE = 4,
  /* No path to any trust anchor. */
  CERTGATE_UNKNOWN_ISSUER = 5,
  /* A signature in the path does not verify. */
  CERTGATE_BAD_SIGNATURE = 6,
  /* A signature or key algorithm that is not supported. */
  CERTGATE_UNSUPPORTED_ALGORITHM = 7,
  /* A certificate in the path is past its notAfter at the verification time. */
  CERTGATE_EXPIRED = 8,
  /* A certificate in the path is before its notBefore at the verification time. */
  CERTGATE_NOT_YET_VALID = 9,
  /* Key usage / extended key usage does not allow the policy's `usage`. */
  CERTGATE_INVALID_USAGE = 10,
  /* Basic constraints, path length, or a chain longer than `max_chain_length`. */
  CERTGATE_CA_CONSTRAINT_VIOLATION = 11,
  /* A name constraint in the path is violated. */
  CERTGATE_NAME_CONSTRAINT_VIOLATION = 12,
  /* A certificate in the checked depth is on its issuer's CRL. */
  CERTGATE_REVOKED = 13,
  /* Revocation status cannot be determined and `unknown_status` is `deny`. */
  CERTGATE_REVOCATION_UNKNOWN = 14,
  /* The relevant CRL is past nextUpdate and `expired_crl` is `deny`. */
  CERTGATE_CRL_EXPIRED = 15,
  /* The chain is valid but a `deny` rule matched or no `allow` rule did. */
  CERTGATE_NOT_AUTHORIZED = 16,
  /* Never expected; always a rejection (fail closed). */
  CERTGATE_INTERNAL = 17,
  /* A certificate in the path has a critical extension that certgate does not process. */
  CERTGATE_UNSUPPORTED_EXTENSION = 18,
  /* A forwarded certificate came from an address that is not a trusted proxy. */
  CERTGATE_UNTRUSTED_FORWARDER = 19,
  /* A required pointer argument was NULL (C only). */
  CERTGATE_NULL_ARGUMENT = 100,
  /* certgate panicked; the call was refused (C only; fail closed). */
  CERTGATE_PANIC = 101,
} certgate_code;

#endif /* CERTGATE_CODES_H */
