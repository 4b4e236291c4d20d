/* The C API's contract beyond the vectors: misuse (NULL everywhere, zero lengths,
 * garbage, impossible lengths), ownership (outputs read twice, outcomes outliving
 * their verifier, untouched outputs on failure), DER and PEM inputs, CRL hot updates
 * and concurrent use from several threads. Usage: test_api tests/vectors/pki */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certgate.h"
#include "checks.h"
#include "common.h"

/* The fixed verification time of the test PKI (2026-06-01). */
#define AT INT64_C(1780272000)

static const char *pki;
static int sentinel_storage;
#define SENTINEL_VERIFIER ((certgate_verifier *)(void *)&sentinel_storage)
#define SENTINEL_OUTCOME ((certgate_outcome *)(void *)&sentinel_storage)

/* Test inputs, read once from the test PKI. */
static char *root, *intermediate, *root_crl, *int_crl, *int_empty_crl;
static char *leaf_spiffe, *leaf_revoked, *leaf_dns;

/* A policy trusting the test root, with the intermediate in the pool, both CRLs and
 * an allow rule for the example.org trust domain. */
static char *make_policy(int with_revocation) {
  char *anchors = json_string(root), *inter = json_string(intermediate);
  char *crl1 = json_string(root_crl), *crl2 = json_string(int_crl);
  size_t size = strlen(anchors) + strlen(inter) + strlen(crl1) + strlen(crl2) + 512;
  char *policy = malloc(size);
  if (policy == NULL) exit(2);
  if (with_revocation) {
    snprintf(policy, size,
             "{\"trust\":{\"anchors\":%s,\"intermediates\":%s},"
             "\"revocation\":{\"crls\":[%s,%s]},"
             "\"allow\":[{\"spiffe_trust_domain\":\"example.org\"}]}",
             anchors, inter, crl1, crl2);
  } else {
    snprintf(policy, size,
             "{\"trust\":{\"anchors\":%s,\"intermediates\":%s},"
             "\"allow\":[{\"spiffe_trust_domain\":\"example.org\"}]}",
             anchors, inter);
  }
  free(anchors);
  free(inter);
  free(crl1);
  free(crl2);
  return policy;
}

static certgate_verifier *new_verifier(int with_revocation) {
  char *policy = make_policy(with_revocation);
  certgate_verifier *verifier = NULL;
  certgate_outcome *error = SENTINEL_OUTCOME;
  CHECK_CODE(certgate_verifier_new(policy, strlen(policy), &verifier, &error), CERTGATE_OK);
  CHECK(verifier != NULL);
  CHECK(error == SENTINEL_OUTCOME); /* untouched on success */
  free(policy);
  return verifier;
}

/* Verifies one PEM buffer (leaf, maybe more) at AT; returns the code. */
static certgate_code verify_pem(const certgate_verifier *verifier, const char *pem) {
  const uint8_t *certs[1] = {(const uint8_t *)pem};
  size_t lens[1] = {strlen(pem)};
  return certgate_verify(verifier, certs, lens, 1, AT, NULL);
}

static void test_codes(void) {
  /* The numbers are part of the ABI. */
  CHECK(CERTGATE_OK == 0);
  CHECK(CERTGATE_INVALID_POLICY == 1);
  CHECK(CERTGATE_MALFORMED_CERTIFICATE == 2);
  CHECK(CERTGATE_EMPTY_CHAIN == 3);
  CHECK(CERTGATE_INPUT_TOO_LARGE == 4);
  CHECK(CERTGATE_UNKNOWN_ISSUER == 5);
  CHECK(CERTGATE_BAD_SIGNATURE == 6);
  CHECK(CERTGATE_UNSUPPORTED_ALGORITHM == 7);
  CHECK(CERTGATE_EXPIRED == 8);
  CHECK(CERTGATE_NOT_YET_VALID == 9);
  CHECK(CERTGATE_INVALID_USAGE == 10);
  CHECK(CERTGATE_CA_CONSTRAINT_VIOLATION == 11);
  CHECK(CERTGATE_NAME_CONSTRAINT_VIOLATION == 12);
  CHECK(CERTGATE_REVOKED == 13);
  CHECK(CERTGATE_REVOCATION_UNKNOWN == 14);
  CHECK(CERTGATE_CRL_EXPIRED == 15);
  CHECK(CERTGATE_NOT_AUTHORIZED == 16);
  CHECK(CERTGATE_INTERNAL == 17);
  CHECK(CERTGATE_UNSUPPORTED_EXTENSION == 18);
  CHECK(CERTGATE_UNTRUSTED_FORWARDER == 19);
  CHECK(CERTGATE_NULL_ARGUMENT == 100);
  CHECK(CERTGATE_PANIC == 101);
  static const char *const names[] = {
      "OK", "INVALID_POLICY", "MALFORMED_CERTIFICATE", "EMPTY_CHAIN", "INPUT_TOO_LARGE",
      "UNKNOWN_ISSUER", "BAD_SIGNATURE", "UNSUPPORTED_ALGORITHM", "EXPIRED", "NOT_YET_VALID",
      "INVALID_USAGE", "CA_CONSTRAINT_VIOLATION", "NAME_CONSTRAINT_VIOLATION", "REVOKED",
      "REVOCATION_UNKNOWN", "CRL_EXPIRED", "NOT_AUTHORIZED", "INTERNAL",
      "UNSUPPORTED_EXTENSION", "UNTRUSTED_FORWARDER"};
  for (int i = 0; i <= 19; i++) {
    CHECK(strcmp(certgate_code_name((certgate_code)i), names[i]) == 0);
  }
  CHECK(strcmp(certgate_code_name(CERTGATE_NULL_ARGUMENT), "NULL_ARGUMENT") == 0);
  CHECK(strcmp(certgate_code_name(CERTGATE_PANIC), "PANIC") == 0);
  /* Any other number is defined behaviour: "UNKNOWN". */
  CHECK(strcmp(certgate_code_name((certgate_code)20), "UNKNOWN") == 0);
  CHECK(strcmp(certgate_code_name((certgate_code)99), "UNKNOWN") == 0);
  CHECK(strcmp(certgate_code_name((certgate_code)102), "UNKNOWN") == 0);
  CHECK(strcmp(certgate_code_name((certgate_code)-1), "UNKNOWN") == 0);
  /* Static: the same pointer every time. */
  CHECK(certgate_code_name(CERTGATE_REVOKED) == certgate_code_name(CERTGATE_REVOKED));
}

static void test_verifier_new_misuse(void) {
  char *policy = make_policy(1);
  size_t len = strlen(policy);
  certgate_verifier *verifier = SENTINEL_VERIFIER;
  certgate_outcome *error = NULL;

  /* NULL policy: NULL_ARGUMENT, the outcome names the argument, no verifier. */
  CHECK_CODE(certgate_verifier_new(NULL, len, &verifier, &error), CERTGATE_NULL_ARGUMENT);
  CHECK(verifier == SENTINEL_VERIFIER);
  CHECK(error != NULL);
  CHECK_CODE(certgate_outcome_code(error), CERTGATE_NULL_ARGUMENT);
  CHECK(strstr(certgate_outcome_message(error), "policy_json") != NULL);
  CHECK(certgate_outcome_identity_json(error) == NULL);
  CHECK(certgate_outcome_cert_index(error) == -1);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_new(NULL, 0, &verifier, NULL), CERTGATE_NULL_ARGUMENT);

  /* NULL verifier_out: refused before any work; error_out optional. */
  CHECK_CODE(certgate_verifier_new(policy, len, NULL, &error), CERTGATE_NULL_ARGUMENT);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "verifier_out") != NULL);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_new(policy, len, NULL, NULL), CERTGATE_NULL_ARGUMENT);

  /* Zero length, truncated JSON, garbage, non-UTF-8, an embedded NUL. */
  CHECK_CODE(certgate_verifier_new(policy, 0, &verifier, &error), CERTGATE_INVALID_POLICY);
  CHECK(verifier == SENTINEL_VERIFIER);
  CHECK(error != NULL && certgate_outcome_code(error) == CERTGATE_INVALID_POLICY);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_new(policy, len / 2, &verifier, NULL), CERTGATE_INVALID_POLICY);
  const char garbage[] = "\x01\x02garbage{[}";
  CHECK_CODE(certgate_verifier_new(garbage, sizeof garbage - 1, &verifier, NULL),
             CERTGATE_INVALID_POLICY);
  const char not_utf8[] = "{\"trust\":\"\xff\xfe\"}";
  CHECK_CODE(certgate_verifier_new(not_utf8, sizeof not_utf8 - 1, &verifier, &error),
             CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "UTF-8") != NULL);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_new(policy, len + 1, &verifier, NULL), CERTGATE_INVALID_POLICY);
  /* Core's policy errors come through with their path. */
  const char unknown_key[] = "{\"trust\":{\"anchors\":[]},\"alow\":[]}";
  CHECK_CODE(certgate_verifier_new(unknown_key, strlen(unknown_key), &verifier, &error),
             CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && strlen(certgate_outcome_message(error)) > 0);
  certgate_outcome_free(error);
  CHECK(verifier == SENTINEL_VERIFIER);

  /* Freeing NULL is a no-op. */
  certgate_verifier_free(NULL);
  certgate_outcome_free(NULL);
  free(policy);
}

static void test_outcome_accessors_on_null(void) {
  CHECK_CODE(certgate_outcome_code(NULL), CERTGATE_NULL_ARGUMENT);
  CHECK(certgate_outcome_message(NULL) == NULL);
  CHECK(certgate_outcome_identity_json(NULL) == NULL);
  CHECK(certgate_outcome_cert_index(NULL) == -1);
  CHECK(certgate_outcome_subject(NULL) == NULL);
  CHECK(certgate_outcome_spiffe_id(NULL) == NULL);
  CHECK(certgate_outcome_fingerprint(NULL) == NULL);
}

static void test_verify_and_ownership(void) {
  certgate_verifier *verifier = new_verifier(1);
  const uint8_t *certs[2] = {(const uint8_t *)leaf_spiffe, (const uint8_t *)intermediate};
  size_t lens[2] = {strlen(leaf_spiffe), strlen(intermediate)};
  certgate_outcome *outcome = NULL;

  CHECK_CODE(certgate_verify(verifier, certs, lens, 2, AT, &outcome), CERTGATE_OK);
  /* The outcome outlives its verifier. */
  certgate_verifier_free(verifier);
  CHECK_CODE(certgate_outcome_code(outcome), CERTGATE_OK);
  CHECK(strcmp(certgate_outcome_message(outcome), "") == 0);
  CHECK(certgate_outcome_cert_index(outcome) == -1);
  const char *json = certgate_outcome_identity_json(outcome);
  CHECK(json != NULL && strstr(json, "\"chain_fingerprints\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"matched_rule\":0") != NULL);
  /* Reading twice gives the same string, owned by the outcome. */
  CHECK(certgate_outcome_identity_json(outcome) == json);
  const char *subject = certgate_outcome_subject(outcome);
  CHECK(subject != NULL && strcmp(subject, "CN=payments,O=Example Org") == 0);
  CHECK(certgate_outcome_subject(outcome) == subject);
  const char *spiffe = certgate_outcome_spiffe_id(outcome);
  CHECK(spiffe != NULL && strcmp(spiffe, "spiffe://example.org/ns/prod/sa/payments") == 0);
  CHECK(certgate_outcome_spiffe_id(outcome) == spiffe);
  const char *fingerprint = certgate_outcome_fingerprint(outcome);
  CHECK(fingerprint != NULL && strlen(fingerprint) == 64);
  CHECK(json != NULL && fingerprint != NULL && strstr(json, fingerprint) != NULL);
  certgate_outcome_free(outcome);

  /* A rejection: code, message naming the certificate, index, no identity. */
  verifier = new_verifier(1);
  certs[0] = (const uint8_t *)leaf_revoked;
  lens[0] = strlen(leaf_revoked);
  outcome = NULL;
  CHECK_CODE(certgate_verify(verifier, certs, lens, 1, AT, &outcome), CERTGATE_REVOKED);
  CHECK_CODE(certgate_outcome_code(outcome), CERTGATE_REVOKED);
  CHECK(strstr(certgate_outcome_message(outcome), "revoked-client") != NULL);
  CHECK(certgate_outcome_cert_index(outcome) == 0);
  CHECK(certgate_outcome_identity_json(outcome) == NULL);
  CHECK(certgate_outcome_subject(outcome) == NULL);
  CHECK(certgate_outcome_spiffe_id(outcome) == NULL);
  CHECK(certgate_outcome_fingerprint(outcome) == NULL);
  certgate_outcome_free(outcome);

  /* A valid chain that no allow rule admits. */
  CHECK_CODE(verify_pem(verifier, leaf_dns), CERTGATE_NOT_AUTHORIZED);

  /* The outcome is optional. */
  CHECK_CODE(verify_pem(verifier, leaf_spiffe), CERTGATE_OK);

  /* The leaf and its intermediate in one PEM buffer, DER items, and the same identity. */
  size_t both_len = strlen(leaf_spiffe) + strlen(intermediate);
  char *both = malloc(both_len + 1);
  if (both == NULL) exit(2);
  strcpy(both, leaf_spiffe);
  strcat(both, intermediate);
  certgate_outcome *from_pem = NULL, *from_der = NULL;
  certs[0] = (const uint8_t *)both;
  lens[0] = both_len;
  CHECK_CODE(certgate_verify(verifier, certs, lens, 1, AT, &from_pem), CERTGATE_OK);
  size_t leaf_der_len = 0, int_der_len = 0;
  unsigned char *leaf_der = pem_to_der(leaf_spiffe, &leaf_der_len);
  unsigned char *int_der = pem_to_der(intermediate, &int_der_len);
  CHECK(leaf_der != NULL && int_der != NULL);
  certs[0] = leaf_der;
  lens[0] = leaf_der_len;
  certs[1] = int_der;
  lens[1] = int_der_len;
  CHECK_CODE(certgate_verify(verifier, certs, lens, 2, AT, &from_der), CERTGATE_OK);
  CHECK(from_pem != NULL && from_der != NULL &&
        strcmp(certgate_outcome_identity_json(from_pem),
               certgate_outcome_identity_json(from_der)) == 0);
  certgate_outcome_free(from_pem);
  certgate_outcome_free(from_der);

  /* inspect: PEM and DER agree; no verification-only keys. */
  certgate_outcome *inspected_pem = NULL, *inspected_der = NULL;
  CHECK_CODE(certgate_inspect((const uint8_t *)leaf_spiffe, strlen(leaf_spiffe), &inspected_pem),
             CERTGATE_OK);
  CHECK_CODE(certgate_inspect(leaf_der, leaf_der_len, &inspected_der), CERTGATE_OK);
  CHECK(inspected_pem != NULL && inspected_der != NULL &&
        strcmp(certgate_outcome_identity_json(inspected_pem),
               certgate_outcome_identity_json(inspected_der)) == 0);
  CHECK(strstr(certgate_outcome_identity_json(inspected_pem), "chain_fingerprints") == NULL);
  certgate_outcome_free(inspected_pem);
  certgate_outcome_free(inspected_der);

  /* A negative time means now: the same decision as the current time given explicitly. */
  certs[0] = (const uint8_t *)leaf_spiffe;
  lens[0] = strlen(leaf_spiffe);
  CHECK_CODE(certgate_verify(verifier, certs, lens, 1, -1, NULL),
             certgate_verify(verifier, certs, lens, 1, (int64_t)time(NULL), NULL));
  /* Far in the future everything has expired. */
  CHECK_CODE(certgate_verify(verifier, certs, lens, 1, INT64_MAX, NULL), CERTGATE_EXPIRED);

  free(both);
  free(leaf_der);
  free(int_der);
  certgate_verifier_free(verifier);
}

static void test_verify_misuse(void) {
  certgate_verifier *verifier = new_verifier(1);
  const uint8_t *certs[17];
  size_t lens[17];
  for (int i = 0; i < 17; i++) {
    certs[i] = (const uint8_t *)leaf_spiffe;
    lens[i] = strlen(leaf_spiffe);
  }
  certgate_outcome *outcome = NULL;

  /* NULL verifier: the outcome is still written, saying why. */
  CHECK_CODE(certgate_verify(NULL, certs, lens, 1, AT, &outcome), CERTGATE_NULL_ARGUMENT);
  CHECK(outcome != NULL && certgate_outcome_code(outcome) == CERTGATE_NULL_ARGUMENT);
  CHECK(outcome != NULL && strstr(certgate_outcome_message(outcome), "verifier") != NULL);
  certgate_outcome_free(outcome);
  outcome = NULL;
  CHECK_CODE(certgate_verify(NULL, NULL, NULL, 0, AT, NULL), CERTGATE_NULL_ARGUMENT);

  /* NULL arrays with a count, a NULL element. */
  CHECK_CODE(certgate_verify(verifier, NULL, lens, 1, AT, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verify(verifier, certs, NULL, 1, AT, NULL), CERTGATE_NULL_ARGUMENT);
  const uint8_t *with_null[2] = {(const uint8_t *)leaf_spiffe, NULL};
  CHECK_CODE(certgate_verify(verifier, with_null, lens, 2, AT, &outcome), CERTGATE_NULL_ARGUMENT);
  CHECK(outcome != NULL && strstr(certgate_outcome_message(outcome), "certs[1]") != NULL);
  certgate_outcome_free(outcome);
  outcome = NULL;

  /* Zero certificates: the arrays may be NULL; the decision is EMPTY_CHAIN. */
  CHECK_CODE(certgate_verify(verifier, NULL, NULL, 0, AT, &outcome), CERTGATE_EMPTY_CHAIN);
  CHECK(outcome != NULL && certgate_outcome_code(outcome) == CERTGATE_EMPTY_CHAIN);
  certgate_outcome_free(outcome);
  outcome = NULL;

  /* A zero-length buffer and garbage are not certificates. */
  size_t zero = 0;
  CHECK_CODE(certgate_verify(verifier, certs, &zero, 1, AT, NULL),
             CERTGATE_MALFORMED_CERTIFICATE);
  static const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x00, 0x01, 0x02};
  const uint8_t *junk_certs[1] = {junk};
  size_t junk_len = sizeof junk;
  CHECK_CODE(certgate_verify(verifier, junk_certs, &junk_len, 1, AT, &outcome),
             CERTGATE_MALFORMED_CERTIFICATE);
  CHECK(certgate_outcome_cert_index(outcome) == 0);
  certgate_outcome_free(outcome);
  outcome = NULL;
  const char bad_pem[] = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
  const uint8_t *bad_certs[1] = {(const uint8_t *)bad_pem};
  size_t bad_len = sizeof bad_pem - 1;
  CHECK_CODE(certgate_verify(verifier, bad_certs, &bad_len, 1, AT, NULL),
             CERTGATE_MALFORMED_CERTIFICATE);
  /* A truncated certificate. */
  size_t half = strlen(leaf_spiffe) / 2;
  CHECK_CODE(certgate_verify(verifier, certs, &half, 1, AT, NULL), CERTGATE_MALFORMED_CERTIFICATE);

  /* Too many certificates; an impossible length is refused without reading. */
  CHECK_CODE(certgate_verify(verifier, certs, lens, 17, AT, NULL), CERTGATE_INPUT_TOO_LARGE);
  size_t impossible = SIZE_MAX;
  CHECK_CODE(certgate_verify(verifier, certs, &impossible, 1, AT, NULL), CERTGATE_INPUT_TOO_LARGE);

  /* inspect misuse. */
  CHECK_CODE(certgate_inspect(NULL, 10, &outcome), CERTGATE_NULL_ARGUMENT);
  CHECK(outcome != NULL && certgate_outcome_code(outcome) == CERTGATE_NULL_ARGUMENT);
  certgate_outcome_free(outcome);
  outcome = NULL;
  CHECK_CODE(certgate_inspect(NULL, 0, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_inspect(junk, 0, NULL), CERTGATE_MALFORMED_CERTIFICATE);
  CHECK_CODE(certgate_inspect(junk, sizeof junk, &outcome), CERTGATE_MALFORMED_CERTIFICATE);
  CHECK(outcome != NULL && certgate_outcome_identity_json(outcome) == NULL);
  certgate_outcome_free(outcome);
  CHECK_CODE(certgate_inspect(junk, SIZE_MAX, NULL), CERTGATE_INPUT_TOO_LARGE);

  certgate_verifier_free(verifier);
}

static certgate_code update(const certgate_verifier *verifier, const char *a, const char *b,
                            certgate_outcome **error) {
  const uint8_t *crls[2] = {(const uint8_t *)a, (const uint8_t *)b};
  size_t lens[2] = {strlen(a), strlen(b)};
  return certgate_verifier_update_crls(verifier, crls, lens, 2, error);
}

/* certgate_verify_forwarded: the pointer contract, and the trust check before any header
 * is read (the policy of new_verifier has no forwarded section: INVALID_POLICY). */
static void test_verify_forwarded_misuse(void) {
  certgate_verifier *verifier = new_verifier(1);
  const char *names[1] = {"x-client-cert"};
  const uint8_t *values[1] = {(const uint8_t *)"MIIB"};
  size_t lens[1] = {4};
  certgate_outcome *outcome = NULL;
  CHECK_CODE(certgate_verify_forwarded(NULL, names, values, lens, 1, "10.0.0.1", AT, NULL),
             CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verify_forwarded(verifier, NULL, values, lens, 1, "10.0.0.1", AT, NULL),
             CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verify_forwarded(verifier, names, NULL, lens, 1, "10.0.0.1", AT, NULL),
             CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verify_forwarded(verifier, names, values, lens, 1, NULL, AT, &outcome),
             CERTGATE_NULL_ARGUMENT);
  CHECK(outcome != NULL && strstr(certgate_outcome_message(outcome), "peer") != NULL);
  certgate_outcome_free(outcome);
  outcome = NULL;
  const char *null_name[1] = {NULL};
  CHECK_CODE(certgate_verify_forwarded(verifier, null_name, values, lens, 1, "10.0.0.1", AT, NULL),
             CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verify_forwarded(verifier, names, values, lens, 1, "10.0.0.1", AT, &outcome),
             CERTGATE_INVALID_POLICY);
  CHECK(outcome != NULL && strstr(certgate_outcome_message(outcome), "forwarded") != NULL);
  certgate_outcome_free(outcome);
  /* Zero headers: the arrays may be NULL. */
  CHECK_CODE(certgate_verify_forwarded(verifier, NULL, NULL, NULL, 0, "10.0.0.1", AT, NULL),
             CERTGATE_INVALID_POLICY);
  certgate_verifier_free(verifier);
}

/* certgate_verifier_update_ocsp: the pointer contract and the refusals (real responses
 * are replayed by the vectors). */
static void test_update_ocsp(void) {
  certgate_verifier *verifier = new_verifier(1);
  certgate_outcome *error = NULL;
  const uint8_t *responses[1] = {(const uint8_t *)"garbage"};
  size_t lens[1] = {7};
  CHECK_CODE(certgate_verifier_update_ocsp(verifier, responses, lens, 1, &error),
             CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && certgate_outcome_code(error) == CERTGATE_INVALID_POLICY);
  CHECK(strncmp(certgate_outcome_message(error), "responses[0]: ", 14) == 0);
  certgate_outcome_free(error);
  CHECK_CODE(certgate_verifier_update_ocsp(NULL, responses, lens, 1, NULL),
             CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_update_ocsp(verifier, NULL, lens, 1, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_update_ocsp(verifier, NULL, NULL, 0, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, leaf_revoked), CERTGATE_REVOKED); /* the CRLs still decide */
  certgate_verifier_free(verifier);

  verifier = new_verifier(0);
  CHECK_CODE(certgate_verifier_update_ocsp(verifier, NULL, NULL, 0, NULL),
             CERTGATE_INVALID_POLICY);
  certgate_verifier_free(verifier);
}

static void test_update_crls(void) {
  certgate_verifier *verifier = new_verifier(1);
  certgate_outcome *error = SENTINEL_OUTCOME;

  CHECK_CODE(verify_pem(verifier, leaf_revoked), CERTGATE_REVOKED);
  /* The intermediate's empty CRL: the revoked client is admitted; error_out untouched. */
  CHECK_CODE(update(verifier, root_crl, int_empty_crl, &error), CERTGATE_OK);
  CHECK(error == SENTINEL_OUTCOME);
  CHECK_CODE(verify_pem(verifier, leaf_revoked), CERTGATE_OK);
  /* Back to the CRL listing it. */
  CHECK_CODE(update(verifier, root_crl, int_crl, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, leaf_revoked), CERTGATE_REVOKED);

  /* A garbage CRL: INVALID_POLICY, and the old set stays in force. */
  error = NULL;
  CHECK_CODE(update(verifier, root_crl, "garbage", &error), CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && certgate_outcome_code(error) == CERTGATE_INVALID_POLICY);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(verify_pem(verifier, leaf_revoked), CERTGATE_REVOKED);

  /* Misuse. */
  const uint8_t *crls[1] = {(const uint8_t *)int_crl};
  size_t lens[1] = {strlen(int_crl)};
  CHECK_CODE(certgate_verifier_update_crls(NULL, crls, lens, 1, &error), CERTGATE_NULL_ARGUMENT);
  CHECK(error != NULL && certgate_outcome_code(error) == CERTGATE_NULL_ARGUMENT);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_update_crls(verifier, NULL, lens, 1, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_update_crls(verifier, crls, NULL, 1, NULL), CERTGATE_NULL_ARGUMENT);
  const uint8_t *null_crl[1] = {NULL};
  CHECK_CODE(certgate_verifier_update_crls(verifier, null_crl, lens, 1, NULL),
             CERTGATE_NULL_ARGUMENT);
  size_t zero = 0;
  CHECK_CODE(certgate_verifier_update_crls(verifier, crls, &zero, 1, NULL),
             CERTGATE_INVALID_POLICY);
  CHECK_CODE(verify_pem(verifier, leaf_revoked), CERTGATE_REVOKED);

  /* No CRLs at all: status unknown, denied by default. */
  CHECK_CODE(certgate_verifier_update_crls(verifier, NULL, NULL, 0, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, leaf_spiffe), CERTGATE_REVOCATION_UNKNOWN);
  certgate_verifier_free(verifier);

  /* A policy without a revocation section takes no CRLs. */
  verifier = new_verifier(0);
  CHECK_CODE(update(verifier, root_crl, int_crl, &error), CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "revocation") != NULL);
  certgate_outcome_free(error);
  certgate_verifier_free(verifier);
}

/* Policies read from files, and the warnings about CRLs that were left out. */
static void test_from_file_and_warnings(void) {
  char path[4096];
  certgate_verifier *verifier = SENTINEL_VERIFIER;
  certgate_outcome *error = SENTINEL_OUTCOME;
  snprintf(path, sizeof path, "%s/../files/policy-references.json", pki);
  CHECK_CODE(certgate_verifier_from_file(path, &verifier, &error), CERTGATE_OK);
  CHECK(verifier != SENTINEL_VERIFIER && error == SENTINEL_OUTCOME);
  CHECK_CODE(verify_pem(verifier, leaf_spiffe), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, leaf_revoked), CERTGATE_REVOKED);

  /* A CRL with an unknown critical extension is left out and reported, not refused. */
  char *odd_crl = read_in(pki, "intermediate-unknown-critical.crl.pem", NULL);
  size_t len = 99;
  CHECK_CODE(certgate_verifier_warnings_json(verifier, NULL, 0, &len), CERTGATE_OK);
  CHECK(len == 2); /* [] */
  CHECK_CODE(update(verifier, root_crl, odd_crl, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, leaf_spiffe), CERTGATE_REVOCATION_UNKNOWN);
  CHECK_CODE(certgate_verifier_warnings_json(verifier, NULL, 0, &len), CERTGATE_OK);
  char *json = malloc(len + 1);
  CHECK(json != NULL);
  size_t again = 0;
  json[0] = 'x';
  CHECK_CODE(certgate_verifier_warnings_json(verifier, json, len, &again), CERTGATE_OK);
  CHECK(again == len && json[0] == 'x'); /* too small by the NUL: nothing written */
  CHECK_CODE(certgate_verifier_warnings_json(verifier, json, len + 1, &again), CERTGATE_OK);
  CHECK(json[len] == '\0' && strlen(json) == len);
  const char *start = "[{\"source\":\"crls[1]\",\"message\":\"left out: ";
  CHECK(strncmp(json, start, strlen(start)) == 0);
  free(json);
  free(odd_crl);
  CHECK_CODE(certgate_verifier_warnings_json(NULL, NULL, 0, &len), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_warnings_json(verifier, NULL, 0, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_warnings_json(verifier, NULL, 8, &len), CERTGATE_NULL_ARGUMENT);
  certgate_verifier_free(verifier);

  /* A missing referenced file: INVALID_POLICY naming the JSON path; outputs untouched. */
  verifier = SENTINEL_VERIFIER;
  error = NULL;
  snprintf(path, sizeof path, "%s/../files/policy-missing-file.json", pki);
  CHECK_CODE(certgate_verifier_from_file(path, &verifier, &error), CERTGATE_INVALID_POLICY);
  CHECK(verifier == SENTINEL_VERIFIER && error != NULL);
  CHECK(strstr(certgate_outcome_message(error), "trust.anchors[0]: cannot read the file") != NULL);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_from_file("/nonexistent/policy.json", &verifier, &error),
             CERTGATE_INVALID_POLICY);
  certgate_outcome_free(error);
  CHECK_CODE(certgate_verifier_from_file(NULL, &verifier, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_from_file(path, NULL, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK(verifier == SENTINEL_VERIFIER);
}

/* SPIFFE bundles: a policy naming trust domains, and a bundle update for one of them. */
static void test_spiffe_bundles(void) {
  char *a_root = read_in(pki, "spiffe-a-root.pem", NULL);
  char *unbound_root = read_in(pki, "spiffe-unbound-root.pem", NULL);
  char *a_leaf = read_in(pki, "leaf-a-payments.pem", NULL);
  char *rotated_leaf = read_in(pki, "leaf-unbound-impersonator.pem", NULL);
  char *anchor = json_string(a_root);
  char policy[8192];
  snprintf(policy, sizeof policy,
           "{\"trust\":{\"spiffe_bundles\":{\"a.test\":%s}},"
           "\"allow\":[{\"spiffe_trust_domain\":\"a.test\"}]}",
           anchor);
  free(anchor);
  certgate_verifier *verifier = NULL;
  CHECK_CODE(certgate_verifier_new(policy, strlen(policy), &verifier, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, a_leaf), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, rotated_leaf), CERTGATE_UNKNOWN_ISSUER);
  /* Rotate a.test to another root: its old leaf is refused, the new one admitted. */
  CHECK_CODE(certgate_verifier_update_spiffe_bundle(verifier, "a.test", (const uint8_t *)unbound_root,
                                                    strlen(unbound_root), NULL),
             CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, a_leaf), CERTGATE_UNKNOWN_ISSUER);
  CHECK_CODE(verify_pem(verifier, rotated_leaf), CERTGATE_OK);
  /* Garbage, an unknown domain, and misuse: refused, the bundle in force stays. */
  certgate_outcome *error = NULL;
  CHECK_CODE(certgate_verifier_update_spiffe_bundle(verifier, "a.test", (const uint8_t *)"{}", 2, &error),
             CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "trust.spiffe_bundles.a.test") != NULL);
  certgate_outcome_free(error);
  CHECK_CODE(certgate_verifier_update_spiffe_bundle(verifier, "c.test", (const uint8_t *)a_root,
                                                    strlen(a_root), NULL),
             CERTGATE_INVALID_POLICY);
  CHECK_CODE(certgate_verifier_update_spiffe_bundle(verifier, NULL, (const uint8_t *)a_root, 1, NULL),
             CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_update_spiffe_bundle(verifier, "a.test", NULL, 1, NULL),
             CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_update_spiffe_bundle(NULL, "a.test", (const uint8_t *)a_root, 1, NULL),
             CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(verify_pem(verifier, rotated_leaf), CERTGATE_OK);
  certgate_verifier_free(verifier);
  free(a_root);
  free(unbound_root);
  free(a_leaf);
  free(rotated_leaf);
}

/* Concurrency: threads verify with one verifier while the main thread swaps CRLs. */
enum { THREADS = 4, ROUNDS = 60, SWAPS = 30 };

struct worker {
  const certgate_verifier *verifier;
  int bad;
};

static void *verify_loop(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < ROUNDS; i++) {
    certgate_outcome *outcome = NULL;
    const uint8_t *certs[1] = {(const uint8_t *)leaf_spiffe};
    size_t lens[1] = {strlen(leaf_spiffe)};
    if (certgate_verify(w->verifier, certs, lens, 1, AT, &outcome) != CERTGATE_OK ||
        certgate_outcome_spiffe_id(outcome) == NULL) {
      w->bad++;
    }
    certgate_outcome_free(outcome);
    /* Either CRL set, never a mix or an error. */
    certgate_code revoked = verify_pem(w->verifier, leaf_revoked);
    if (revoked != CERTGATE_OK && revoked != CERTGATE_REVOKED) {
      w->bad++;
    }
  }
  return NULL;
}

static void test_threads(void) {
  certgate_verifier *verifier = new_verifier(1);
  pthread_t threads[THREADS];
  struct worker workers[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i].verifier = verifier;
    workers[i].bad = 0;
    CHECK(pthread_create(&threads[i], NULL, verify_loop, &workers[i]) == 0);
  }
  for (int i = 0; i < SWAPS; i++) {
    CHECK_CODE(update(verifier, root_crl, (i % 2) ? int_crl : int_empty_crl, NULL), CERTGATE_OK);
  }
  for (int i = 0; i < THREADS; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(workers[i].bad == 0);
  }
  CHECK_CODE(update(verifier, root_crl, int_crl, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, leaf_revoked), CERTGATE_REVOKED);
  certgate_verifier_free(verifier);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s tests/vectors/pki\n", argv[0]);
    return 2;
  }
  pki = argv[1];
  root = read_in(pki, "root.pem", NULL);
  intermediate = read_in(pki, "intermediate.pem", NULL);
  root_crl = read_in(pki, "root.crl.pem", NULL);
  int_crl = read_in(pki, "intermediate.crl.pem", NULL);
  int_empty_crl = read_in(pki, "intermediate-empty.crl.pem", NULL);
  leaf_spiffe = read_in(pki, "leaf-spiffe.pem", NULL);
  leaf_revoked = read_in(pki, "leaf-revoked.pem", NULL);
  leaf_dns = read_in(pki, "leaf-dns.pem", NULL);

  test_codes();
  test_verifier_new_misuse();
  test_outcome_accessors_on_null();
  test_verify_and_ownership();
  test_verify_misuse();
  test_verify_forwarded_misuse();
  test_update_crls();
  test_update_ocsp();
  test_from_file_and_warnings();
  test_spiffe_bundles();
  test_threads();

  free(root);
  free(intermediate);
  free(root_crl);
  free(int_crl);
  free(int_empty_crl);
  free(leaf_spiffe);
  free(leaf_revoked);
  free(leaf_dns);
  return finish("api");
}
