/* Running a verifier in production, through the C API: whole-policy reloads (from JSON
 * text and from the policy file, all or nothing), generations on the verifier and on
 * every outcome, the counters of certgate_verifier_stats_json (parsed with cJSON), and
 * a load test: 8 threads verify two chains while the main thread reloads, alternating
 * two policies, and every decision must be the one of the policy its generation names.
 *
 * Usage: test_reload tests/vectors/pki [RELOADS]
 *   RELOADS is the number of reloads of the load test, 1000 by default. The valgrind
 *   run of `make test-c` passes 100 (valgrind runs one thread at a time, ~50x slower);
 *   the plain and the ASan+UBSan runs do the full 1000. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "certgate.h"
#include "checks.h"
#include "common.h"
#include "outcome_checks.h"

/* The fixed verification time of the test PKI (2026-06-01). */
#define AT INT64_C(1780272000)

#define ID_X "spiffe://example.org/ns/prod/sa/payments"
#define ID_Y "spiffe://example.org/ns/prod/sa/revoked"

static int sentinel_storage;
#define SENTINEL_OUTCOME ((certgate_outcome *)(void *)&sentinel_storage)
#define SENTINEL_VERIFIER ((certgate_verifier *)(void *)&sentinel_storage)

/* From the test PKI: chain X is leaf-spiffe.pem (ID_X), chain Y is leaf-revoked.pem
 * (ID_Y, on the intermediate's CRL); both under the intermediate. */
static char *root, *intermediate, *root_crl, *int_crl, *int_empty_crl, *chain_x, *chain_y;

/* Policy A admits X and refuses Y as REVOKED (both CRLs, allow ID_X); policy B has no
 * revocation section and admits only Y (allow ID_Y). A mix of the two (A's CRLs with
 * B's rule, B's rule with A's...) would refuse both or admit both. `extra` is inserted
 * as more top-level members (may be ""). */
static char *make_policy(int a, const char *extra) {
  char *anchors = json_string(root), *inter = json_string(intermediate);
  char *crl1 = json_string(root_crl), *crl2 = json_string(int_crl);
  size_t size = strlen(anchors) + strlen(inter) + strlen(crl1) + strlen(crl2) + strlen(extra) + 512;
  char *policy = malloc(size);
  if (policy == NULL) exit(2);
  if (a) {
    snprintf(policy, size,
             "{\"trust\":{\"anchors\":%s,\"intermediates\":%s},"
             "\"revocation\":{\"crls\":[%s,%s]},"
             "\"allow\":[{\"spiffe_id\":\"" ID_X "\"}]%s}",
             anchors, inter, crl1, crl2, extra);
  } else {
    snprintf(policy, size,
             "{\"trust\":{\"anchors\":%s,\"intermediates\":%s},"
             "\"allow\":[{\"spiffe_id\":\"" ID_Y "\"}]%s}",
             anchors, inter, extra);
  }
  free(anchors);
  free(inter);
  free(crl1);
  free(crl2);
  return policy;
}

static char *policy_a, *policy_b;

static certgate_verifier *new_verifier(const char *policy) {
  certgate_verifier *verifier = NULL;
  CHECK_CODE(certgate_verifier_new(policy, strlen(policy), &verifier, NULL), CERTGATE_OK);
  return verifier;
}

/* Verifies one PEM chain at AT; the outcome goes to *outcome when non-NULL (else freed). */
static certgate_code verify_pem(const certgate_verifier *verifier, const char *pem,
                                certgate_outcome **outcome) {
  const uint8_t *certs[1] = {(const uint8_t *)pem};
  size_t lens[1] = {strlen(pem)};
  certgate_outcome *own = NULL;
  certgate_code code = certgate_verify(verifier, certs, lens, 1, AT, &own);
  if (outcome != NULL) {
    *outcome = own;
  } else {
    certgate_outcome_free(own);
  }
  return code;
}

/* The code and the generation of one verification. */
static certgate_code verify_gen(const certgate_verifier *verifier, const char *pem,
                                int64_t *generation) {
  certgate_outcome *outcome = NULL;
  certgate_code code = verify_pem(verifier, pem, &outcome);
  *generation = certgate_outcome_generation(outcome);
  certgate_outcome_free(outcome);
  return code;
}

static certgate_code reload(const certgate_verifier *verifier, const char *policy,
                            certgate_outcome **error) {
  return certgate_verifier_reload(verifier, policy, strlen(policy), error);
}

/* certgate_verifier_stats_json parsed, retrying while the counters outgrow the buffer
 * (caller frees with cJSON_Delete; NULL on failure). */
static cJSON *stats(const certgate_verifier *verifier) {
  size_t len = 0;
  if (certgate_verifier_stats_json(verifier, NULL, 0, &len) != CERTGATE_OK) return NULL;
  for (;;) {
    size_t cap = len + 1, again = 0;
    char *buf = malloc(cap);
    if (buf == NULL) exit(2);
    if (certgate_verifier_stats_json(verifier, buf, cap, &again) != CERTGATE_OK) {
      free(buf);
      return NULL;
    }
    if (again < cap) {
      cJSON *parsed = cJSON_Parse(buf);
      free(buf);
      return parsed;
    }
    free(buf);
    len = again;
  }
}

/* stats[section][key] as an integer; -1 when absent or not a number. */
static long long stat_of(const cJSON *doc, const char *section, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(doc, section);
  if (key != NULL) item = cJSON_GetObjectItemCaseSensitive(item, key);
  return cJSON_IsNumber(item) ? (long long)item->valuedouble : -1;
}

/* The sum of every count of stats["verifications"]; -1 if one is not a number. */
static long long verifications_total(const cJSON *doc, int *keys) {
  long long total = 0;
  *keys = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "verifications")) {
    if (!cJSON_IsNumber(item)) return -1;
    total += (long long)item->valuedouble;
    (*keys)++;
  }
  return total;
}

/* A JSON accessor's text (snprintf-style), malloc'd; NULL on failure. */
typedef certgate_code (*json_accessor)(const certgate_verifier *, char *, size_t, size_t *);

static char *json_text(json_accessor accessor, const certgate_verifier *verifier) {
  size_t len = 0, again = 0;
  if (accessor(verifier, NULL, 0, &len) != CERTGATE_OK) return NULL;
  char *buf = malloc(len + 1);
  if (buf == NULL) exit(2);
  if (accessor(verifier, buf, len + 1, &again) != CERTGATE_OK || again != len) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* ---------------------------------------------------------------------------------- */

static void test_reload_swaps_the_whole_policy(void) {
  certgate_verifier *verifier = new_verifier(policy_a);
  int64_t generation = -2;
  CHECK(certgate_verifier_generation(verifier) == 0);
  CHECK_CODE(verify_gen(verifier, chain_x, &generation), CERTGATE_OK);
  CHECK(generation == 0);
  CHECK_CODE(verify_gen(verifier, chain_y, &generation), CERTGATE_REVOKED);
  CHECK(generation == 0);
  certgate_outcome *before = NULL;
  CHECK_CODE(verify_pem(verifier, chain_x, &before), CERTGATE_OK);
  const char *json_before = certgate_outcome_identity_json(before);
  char *copy_before = json_before != NULL ? strdup(json_before) : NULL;
  /* The generation is reported beside the identity, not inside its JSON. */
  CHECK(json_before != NULL && strstr(json_before, "generation") == NULL);

  /* Reload B: one generation on; X refused by B's rules, Y admitted (no revocation). */
  certgate_outcome *error = SENTINEL_OUTCOME;
  CHECK_CODE(reload(verifier, policy_b, &error), CERTGATE_OK);
  CHECK(error == SENTINEL_OUTCOME); /* untouched on success */
  CHECK(certgate_verifier_generation(verifier) == 1);
  CHECK_CODE(verify_gen(verifier, chain_x, &generation), CERTGATE_NOT_AUTHORIZED);
  CHECK(generation == 1);
  certgate_outcome *after = NULL;
  CHECK_CODE(verify_pem(verifier, chain_y, &after), CERTGATE_OK);
  CHECK(certgate_outcome_generation(after) == 1);
  const char *spiffe = certgate_outcome_spiffe_id(after);
  CHECK(spiffe != NULL && strcmp(spiffe, ID_Y) == 0);
  certgate_outcome_free(after);

  /* The outcome made before keeps what it was decided with. */
  CHECK_CODE(certgate_outcome_code(before), CERTGATE_OK);
  CHECK(certgate_outcome_generation(before) == 0);
  CHECK(copy_before != NULL && certgate_outcome_identity_json(before) == json_before &&
        strcmp(json_before, copy_before) == 0);
  free(copy_before);

  /* And back: error_out may be NULL. */
  CHECK_CODE(reload(verifier, policy_a, NULL), CERTGATE_OK);
  CHECK(certgate_verifier_generation(verifier) == 2);
  CHECK_CODE(verify_gen(verifier, chain_y, &generation), CERTGATE_REVOKED);
  CHECK(generation == 2);
  certgate_verifier_free(verifier);
  /* ... and outlives its verifier. */
  CHECK(certgate_outcome_generation(before) == 0);
  certgate_outcome_free(before);
}

/* A refused reload: INVALID_POLICY naming the problem, the old policy and its generation
 * stay, nothing is counted as a reload. */
static void test_reload_failure_keeps_the_policy(void) {
  certgate_verifier *verifier = new_verifier(policy_a);
  certgate_outcome *error = NULL;
  int64_t generation = -2;

  const char bad_anchor[] = "{\"trust\":{\"anchors\":\"not a certificate\"}}";
  CHECK_CODE(reload(verifier, bad_anchor, &error), CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && certgate_outcome_code(error) == CERTGATE_INVALID_POLICY);
  const char *message = error != NULL ? certgate_outcome_message(error) : NULL;
  CHECK(message != NULL && strncmp(message, "trust.anchors[0]", 16) == 0);
  CHECK(certgate_outcome_generation(error) == -1); /* no policy decided */
  CHECK(certgate_outcome_cert_index(error) == -1);
  CHECK(certgate_outcome_identity_json(error) == NULL);
  certgate_outcome_free(error);
  error = NULL;

  /* Unknown key, truncated JSON, garbage, zero length, not UTF-8, a file reference. */
  const char unknown_key[] = "{\"trust\":{\"anchors\":[]},\"alow\":[]}";
  CHECK_CODE(reload(verifier, unknown_key, &error), CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "alow") != NULL);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_reload(verifier, policy_b, strlen(policy_b) / 2, NULL),
             CERTGATE_INVALID_POLICY);
  CHECK_CODE(certgate_verifier_reload(verifier, "\x01garbage{[}", 11, NULL),
             CERTGATE_INVALID_POLICY);
  CHECK_CODE(certgate_verifier_reload(verifier, policy_b, 0, NULL), CERTGATE_INVALID_POLICY);
  const char not_utf8[] = "{\"trust\":\"\xff\xfe\"}";
  CHECK_CODE(certgate_verifier_reload(verifier, not_utf8, sizeof not_utf8 - 1, &error),
             CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "UTF-8") != NULL);
  certgate_outcome_free(error);
  error = NULL;
  const char file_ref[] = "{\"trust\":{\"anchors\":{\"file\":\"ca.pem\"}}}";
  CHECK_CODE(reload(verifier, file_ref, &error), CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "file reference") != NULL);
  certgate_outcome_free(error);
  error = NULL;

  /* Nothing changed: the generation, the decisions, the reload counter. */
  CHECK(certgate_verifier_generation(verifier) == 0);
  CHECK_CODE(verify_gen(verifier, chain_x, &generation), CERTGATE_OK);
  CHECK(generation == 0);
  CHECK_CODE(verify_gen(verifier, chain_y, &generation), CERTGATE_REVOKED);
  cJSON *doc = stats(verifier);
  CHECK(doc != NULL && stat_of(doc, "reloads", NULL) == 0 && stat_of(doc, "generation", NULL) == 0);
  cJSON_Delete(doc);

  /* A verifier made from JSON text has no file to read again. */
  CHECK_CODE(certgate_verifier_reload_file(verifier, &error), CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "not made from a policy file") != NULL);
  CHECK(certgate_outcome_generation(error) == -1);
  certgate_outcome_free(error);
  error = NULL;
  char *watched = json_text(certgate_verifier_watched_paths_json, verifier);
  CHECK(watched != NULL && strcmp(watched, "[]") == 0);
  free(watched);
  CHECK(certgate_verifier_generation(verifier) == 0);
  certgate_verifier_free(verifier);
}

/* Every pointer of the new functions, NULL. */
static void test_null_arguments(void) {
  certgate_verifier *verifier = new_verifier(policy_a);
  certgate_outcome *error = NULL;
  size_t len = 7;
  char buf[8];

  CHECK_CODE(certgate_verifier_reload(NULL, policy_b, strlen(policy_b), &error),
             CERTGATE_NULL_ARGUMENT);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "verifier") != NULL);
  CHECK(certgate_outcome_generation(error) == -1);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_reload(verifier, NULL, 10, &error), CERTGATE_NULL_ARGUMENT);
  CHECK(error != NULL && strstr(certgate_outcome_message(error), "policy_json") != NULL);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_reload(verifier, NULL, 0, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_reload(NULL, NULL, 0, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_reload_file(NULL, &error), CERTGATE_NULL_ARGUMENT);
  CHECK(error != NULL && certgate_outcome_code(error) == CERTGATE_NULL_ARGUMENT);
  certgate_outcome_free(error);
  error = NULL;
  CHECK_CODE(certgate_verifier_reload_file(NULL, NULL), CERTGATE_NULL_ARGUMENT);

  CHECK(certgate_verifier_generation(NULL) == -1);
  CHECK(certgate_outcome_generation(NULL) == -1);
  CHECK_CODE(certgate_outcome_audit_code(NULL), CERTGATE_NULL_ARGUMENT);
  CHECK(certgate_outcome_audit_message(NULL) == NULL);
  CHECK(certgate_outcome_audit_cert_index(NULL) == -1);
  CHECK(certgate_outcome_expiry_warning_count(NULL) == 0);
  int32_t cert_index = 7;
  int64_t seconds_left = 7;
  CHECK(certgate_outcome_expiry_warning(NULL, 0, &cert_index, &seconds_left) == NULL);
  CHECK(cert_index == 7 && seconds_left == 7);

  CHECK_CODE(certgate_verifier_stats_json(NULL, NULL, 0, &len), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_stats_json(verifier, NULL, 0, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_stats_json(verifier, NULL, 8, &len), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_stats_json(verifier, buf, sizeof buf, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_watched_paths_json(NULL, NULL, 0, &len), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_watched_paths_json(verifier, NULL, 0, NULL), CERTGATE_NULL_ARGUMENT);
  CHECK_CODE(certgate_verifier_watched_paths_json(verifier, NULL, 8, &len), CERTGATE_NULL_ARGUMENT);
  CHECK(len == 7); /* outputs untouched on failure */

  /* None of it touched the verifier. */
  CHECK(certgate_verifier_generation(verifier) == 0);
  CHECK_CODE(verify_pem(verifier, chain_x, NULL), CERTGATE_OK);
  certgate_verifier_free(verifier);
}

/* Which outcomes carry a generation: decisions do, everything else is -1. */
static void test_outcome_generations(void) {
  certgate_verifier *verifier = new_verifier(policy_a);
  certgate_outcome *outcome = NULL;
  int64_t generation = -2;

  /* inspect decides nothing. */
  CHECK_CODE(certgate_inspect((const uint8_t *)chain_x, strlen(chain_x), &outcome), CERTGATE_OK);
  CHECK(certgate_outcome_generation(outcome) == -1);
  certgate_outcome_free(outcome);
  outcome = NULL;
  /* A constructor's error. */
  certgate_verifier *none = SENTINEL_VERIFIER;
  CHECK_CODE(certgate_verifier_new("{}", 2, &none, &outcome), CERTGATE_INVALID_POLICY);
  CHECK(none == SENTINEL_VERIFIER && certgate_outcome_generation(outcome) == -1);
  certgate_outcome_free(outcome);
  outcome = NULL;
  /* Misuse refused before the policy is consulted. */
  CHECK_CODE(certgate_verify(verifier, NULL, NULL, 1, AT, &outcome), CERTGATE_NULL_ARGUMENT);
  CHECK(certgate_outcome_generation(outcome) == -1);
  certgate_outcome_free(outcome);
  outcome = NULL;
  /* Refusals decided by the policy carry it, malformed input too. */
  const uint8_t *junk[1] = {(const uint8_t *)"garbage"};
  size_t junk_len = 7;
  CHECK_CODE(certgate_verify(verifier, junk, &junk_len, 1, AT, &outcome),
             CERTGATE_MALFORMED_CERTIFICATE);
  CHECK(certgate_outcome_generation(outcome) == 0);
  certgate_outcome_free(outcome);
  outcome = NULL;
  const char *names[1] = {"x-client-cert"};
  const uint8_t *values[1] = {(const uint8_t *)"MIIB"};
  size_t value_lens[1] = {4};
  CHECK_CODE(certgate_verify_forwarded(verifier, names, values, value_lens, 1, "10.0.0.1", AT,
                                       &outcome),
             CERTGATE_INVALID_POLICY); /* no forwarded section: the policy refuses */
  CHECK(certgate_outcome_generation(outcome) == 0);
  certgate_outcome_free(outcome);
  outcome = NULL;

  /* A CRL update is one generation; a failed one is none, and its error has none. */
  const uint8_t *crls[2] = {(const uint8_t *)root_crl, (const uint8_t *)int_empty_crl};
  size_t crl_lens[2] = {strlen(root_crl), strlen(int_empty_crl)};
  CHECK_CODE(certgate_verifier_update_crls(verifier, crls, crl_lens, 2, NULL), CERTGATE_OK);
  CHECK(certgate_verifier_generation(verifier) == 1);
  CHECK_CODE(verify_gen(verifier, chain_y, &generation), CERTGATE_NOT_AUTHORIZED);
  CHECK(generation == 1);
  crls[1] = (const uint8_t *)"garbage";
  crl_lens[1] = 7;
  CHECK_CODE(certgate_verifier_update_crls(verifier, crls, crl_lens, 2, &outcome),
             CERTGATE_INVALID_POLICY);
  CHECK(certgate_outcome_generation(outcome) == -1);
  certgate_outcome_free(outcome);
  CHECK(certgate_verifier_generation(verifier) == 1);
  /* A reload brings the new policy's own CRLs: Y is revoked again. */
  CHECK_CODE(reload(verifier, policy_a, NULL), CERTGATE_OK);
  CHECK(certgate_verifier_generation(verifier) == 2);
  CHECK_CODE(verify_gen(verifier, chain_y, &generation), CERTGATE_REVOKED);
  CHECK(generation == 2);
  certgate_verifier_free(verifier);
}

/* ---------------------------------------------------------------------------------- */
/* certgate_verifier_reload_file against files in a temporary folder. */

static char scratch[256];

static void write_in(const char *name, const char *text, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", scratch, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(2);
  }
}

static void write_text(const char *name, const char *text) { write_in(name, text, strlen(text)); }

static void remove_in(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", scratch, name);
  if (unlink(path) != 0 && errno != ENOENT) {
    fprintf(stderr, "cannot remove %s\n", path);
  }
}

/* The policy file: anchors and intermediates from files, CRLs from a folder. */
static void write_file_policy(const char *allowed_id) {
  char policy[512];
  snprintf(policy, sizeof policy,
           "{\"trust\":{\"anchors\":{\"file\":\"ca.pem\"},"
           "\"intermediates\":{\"file\":\"intermediate.pem\"}},"
           "\"revocation\":{\"crls\":{\"dir\":\"crls\"}},"
           "\"allow\":[{\"spiffe_id\":\"%s\"}]}",
           allowed_id);
  write_text("policy.json", policy);
}

static void test_reload_file(void) {
  snprintf(scratch, sizeof scratch, "%s/certgate-c-reload-XXXXXX",
           getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
  if (mkdtemp(scratch) == NULL) {
    fprintf(stderr, "mkdtemp %s failed\n", scratch);
    exit(2);
  }
  char crls_dir[512], policy_path[512];
  snprintf(crls_dir, sizeof crls_dir, "%s/crls", scratch);
  snprintf(policy_path, sizeof policy_path, "%s/policy.json", scratch);
  CHECK(mkdir(crls_dir, 0700) == 0);
  write_text("ca.pem", root);
  write_text("intermediate.pem", intermediate);
  write_text("crls/root.pem", root_crl);
  write_text("crls/intermediate.pem", int_crl);
  write_file_policy(ID_X);

  certgate_verifier *verifier = NULL;
  certgate_outcome *error = NULL;
  int64_t generation = -2;
  CHECK_CODE(certgate_verifier_from_file(policy_path, &verifier, NULL), CERTGATE_OK);
  CHECK(certgate_verifier_generation(verifier) == 0);
  CHECK_CODE(verify_pem(verifier, chain_x, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, chain_y, NULL), CERTGATE_REVOKED);

  /* What to watch: the policy file, then each reference in policy order. */
  char *watched = json_text(certgate_verifier_watched_paths_json, verifier);
  cJSON *paths = watched != NULL ? cJSON_Parse(watched) : NULL;
  CHECK(cJSON_IsArray(paths) && cJSON_GetArraySize(paths) == 4);
  const char *expected[4] = {"policy.json", "ca.pem", "intermediate.pem", "crls"};
  for (int i = 0; i < 4 && cJSON_IsArray(paths) && cJSON_GetArraySize(paths) == 4; i++) {
    char want[512];
    snprintf(want, sizeof want, "%s/%s", scratch, expected[i]);
    const cJSON *path = cJSON_GetArrayItem(paths, i);
    CHECK(cJSON_IsString(path) && strcmp(path->valuestring, want) == 0);
  }
  cJSON_Delete(paths);
  free(watched);

  /* Change the policy (allow Y) and a referenced file (the intermediate's CRL, now
   * empty): after the reload Y is admitted, X refused. */
  write_file_policy(ID_Y);
  write_text("crls/intermediate.pem", int_empty_crl);
  CHECK_CODE(verify_pem(verifier, chain_x, NULL), CERTGATE_OK); /* nothing read yet */
  error = SENTINEL_OUTCOME;
  CHECK_CODE(certgate_verifier_reload_file(verifier, &error), CERTGATE_OK);
  CHECK(error == SENTINEL_OUTCOME);
  CHECK(certgate_verifier_generation(verifier) == 1);
  CHECK_CODE(verify_gen(verifier, chain_y, &generation), CERTGATE_OK);
  CHECK(generation == 1);
  CHECK_CODE(verify_gen(verifier, chain_x, &generation), CERTGATE_NOT_AUTHORIZED);
  CHECK(generation == 1);

  /* A referenced file gone (a half-done update): the error names it, nothing changes,
   * even though the policy file itself changed too. */
  write_file_policy(ID_X);
  remove_in("intermediate.pem");
  error = NULL;
  CHECK_CODE(certgate_verifier_reload_file(verifier, &error), CERTGATE_INVALID_POLICY);
  const char *message = error != NULL ? certgate_outcome_message(error) : "";
  CHECK(strstr(message, "trust.intermediates[0]") != NULL);
  CHECK(strstr(message, "intermediate.pem") != NULL);
  CHECK(certgate_outcome_generation(error) == -1);
  certgate_outcome_free(error);
  error = NULL;
  CHECK(certgate_verifier_generation(verifier) == 1);
  CHECK_CODE(verify_pem(verifier, chain_y, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, chain_x, NULL), CERTGATE_NOT_AUTHORIZED);

  /* A half-written policy file: refused the same way. */
  write_text("intermediate.pem", intermediate);
  write_in("policy.json", "{\"trust\":{\"anchors\":{\"fi", 24);
  CHECK_CODE(certgate_verifier_reload_file(verifier, &error), CERTGATE_INVALID_POLICY);
  CHECK(error != NULL && certgate_outcome_code(error) == CERTGATE_INVALID_POLICY);
  certgate_outcome_free(error);
  error = NULL;
  CHECK(certgate_verifier_generation(verifier) == 1);
  CHECK_CODE(verify_pem(verifier, chain_y, NULL), CERTGATE_OK);

  /* Whole again: X admitted, and Y too (the intermediate's CRL is still the empty one)
   * but by no rule of the policy: NOT_AUTHORIZED. */
  write_file_policy(ID_X);
  CHECK_CODE(certgate_verifier_reload_file(verifier, NULL), CERTGATE_OK);
  CHECK(certgate_verifier_generation(verifier) == 2);
  CHECK_CODE(verify_gen(verifier, chain_x, &generation), CERTGATE_OK);
  CHECK(generation == 2);
  CHECK_CODE(verify_pem(verifier, chain_y, NULL), CERTGATE_NOT_AUTHORIZED);

  /* A reload from JSON text replaces the policy but not the file: reload_file reads
   * the file again. */
  CHECK_CODE(reload(verifier, policy_b, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, chain_y, NULL), CERTGATE_OK);
  CHECK_CODE(certgate_verifier_reload_file(verifier, NULL), CERTGATE_OK);
  CHECK(certgate_verifier_generation(verifier) == 4);
  CHECK_CODE(verify_pem(verifier, chain_x, NULL), CERTGATE_OK);

  cJSON *doc = stats(verifier);
  CHECK(doc != NULL && stat_of(doc, "reloads", NULL) == 4 && stat_of(doc, "generation", NULL) == 4);
  cJSON_Delete(doc);
  certgate_verifier_free(verifier);

  remove_in("policy.json");
  remove_in("ca.pem");
  remove_in("intermediate.pem");
  remove_in("crls/root.pem");
  remove_in("crls/intermediate.pem");
  CHECK(rmdir(crls_dir) == 0);
  CHECK(rmdir(scratch) == 0);
}

/* ---------------------------------------------------------------------------------- */

/* How many codes C knows besides OK: the numbers 1.. that have a name. */
static int code_count(void) {
  int n = 0;
  while (strcmp(certgate_code_name((certgate_code)(n + 1)), "UNKNOWN") != 0) n++;
  return n;
}

static void test_stats(void) {
  certgate_verifier *verifier = new_verifier(policy_a);
  CHECK_CODE(verify_pem(verifier, chain_x, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, chain_x, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, chain_y, NULL), CERTGATE_REVOKED);
  CHECK_CODE(verify_pem(verifier, "garbage", NULL), CERTGATE_MALFORMED_CERTIFICATE);
  /* Misuse never reaches the policy: not counted. */
  CHECK_CODE(certgate_verify(verifier, NULL, NULL, 1, AT, NULL), CERTGATE_NULL_ARGUMENT);
  const uint8_t *crls[2] = {(const uint8_t *)root_crl, (const uint8_t *)int_crl};
  size_t crl_lens[2] = {strlen(root_crl), strlen(int_crl)};
  CHECK_CODE(certgate_verifier_update_crls(verifier, crls, crl_lens, 2, NULL), CERTGATE_OK);
  CHECK_CODE(reload(verifier, policy_a, NULL), CERTGATE_OK);
  CHECK_CODE(reload(verifier, "{}", NULL), CERTGATE_INVALID_POLICY); /* not counted */
  CHECK_CODE(certgate_verifier_record_crl_fetch_failure(verifier), CERTGATE_OK);
  CHECK_CODE(certgate_verifier_record_crl_fetch_failure(NULL), CERTGATE_NULL_ARGUMENT);

  /* The snprintf contract: a buffer short by the NUL gets nothing. */
  size_t len = 0, again = 0;
  CHECK_CODE(certgate_verifier_stats_json(verifier, NULL, 0, &len), CERTGATE_OK);
  char *buf = malloc(len + 1);
  if (buf == NULL) exit(2);
  buf[0] = 'x';
  CHECK_CODE(certgate_verifier_stats_json(verifier, buf, len, &again), CERTGATE_OK);
  CHECK(again == len && buf[0] == 'x');
  CHECK_CODE(certgate_verifier_stats_json(verifier, buf, len + 1, &again), CERTGATE_OK);
  CHECK(again == len && buf[len] == '\0' && strlen(buf) == len);
  cJSON *doc = cJSON_Parse(buf);
  free(buf);
  CHECK(cJSON_IsObject(doc));

  int keys = 0;
  CHECK(stat_of(doc, "verifications", "OK") == 2);
  CHECK(stat_of(doc, "verifications", "REVOKED") == 1);
  CHECK(stat_of(doc, "verifications", "MALFORMED_CERTIFICATE") == 1);
  CHECK(stat_of(doc, "verifications", "NOT_AUTHORIZED") == 0);
  CHECK(stat_of(doc, "verifications", "NULL_ARGUMENT") == -1); /* a C-only code: absent */
  CHECK(verifications_total(doc, &keys) == 4);
  CHECK(keys == code_count() + 1); /* "OK" and every code, zeros included */
  CHECK(stat_of(doc, "audit_admitted", NULL) == 0);
  CHECK(stat_of(doc, "warnings", "LEAF_EXPIRES_SOON") == 0);
  CHECK(stat_of(doc, "warnings", "CHAIN_EXPIRES_SOON") == 0);
  CHECK(stat_of(doc, "warnings", "CRL_STALE_SOON") == 0);
  CHECK(stat_of(doc, "reloads", NULL) == 1);
  CHECK(stat_of(doc, "generation", NULL) == 2);
  CHECK(stat_of(doc, "generation", NULL) == certgate_verifier_generation(verifier));
  CHECK(stat_of(doc, "crl_fetch_failures", NULL) == 1);
  const cJSON *crl_list = cJSON_GetObjectItemCaseSensitive(doc, "crls");
  CHECK(cJSON_IsArray(crl_list) && cJSON_GetArraySize(crl_list) == 2);
  const cJSON *crl;
  long long entries = 0;
  cJSON_ArrayForEach(crl, crl_list) {
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(crl, "source");
    const cJSON *issuer = cJSON_GetObjectItemCaseSensitive(crl, "issuer");
    CHECK(cJSON_IsString(source) && strncmp(source->valuestring, "revocation.crls[", 16) == 0);
    CHECK(cJSON_IsString(issuer) && strstr(issuer->valuestring, "CN=") != NULL);
    entries += stat_of(crl, "entries", NULL);
  }
  CHECK(entries >= 1); /* the intermediate's CRL lists Y */
  cJSON_Delete(doc);
  certgate_verifier_free(verifier);
}

/* The expiry warnings of one outcome, read through certgate_outcome_expiry_warning and
 * added to counts[LEAF, CHAIN, CRL]; returns whether the audit and expiry warning
 * accessors agree with the identity JSON and the audit code is `audit_code`
 * (CERTGATE_OK: none). */
static int tally_outcome(const certgate_outcome *outcome, long long counts[3],
                         certgate_code audit_code) {
  static const char *const names[3] = {"LEAF_EXPIRES_SOON", "CHAIN_EXPIRES_SOON", "CRL_STALE_SOON"};
  const char *json = certgate_outcome_identity_json(outcome);
  cJSON *identity = json != NULL ? cJSON_Parse(json) : NULL;
  int ok = identity != NULL && accessors_agree("tally", outcome, identity) &&
           certgate_outcome_audit_code(outcome) == audit_code;
  for (size_t i = 0; i < certgate_outcome_expiry_warning_count(outcome); i++) {
    const char *code = certgate_outcome_expiry_warning(outcome, i, NULL, NULL);
    int known = 0;
    for (int k = 0; k < 3; k++) {
      if (code != NULL && strcmp(code, names[k]) == 0) {
        counts[k]++;
        known = 1;
      }
    }
    ok = ok && known;
  }
  cJSON_Delete(identity);
  return ok;
}

/* Audit mode and expiry warnings: through the outcome accessors, in the identity JSON,
 * and counted by code. */
static void test_stats_audit_and_warnings(void) {
  /* Warn 20 years ahead: every certificate and CRL of the path runs out before that. */
  char *policy = make_policy(1, ",\"mode\":\"audit\",\"warn_before_expiry_seconds\":630720001");
  certgate_verifier *verifier = new_verifier(policy);
  free(policy);
  long long counts[3] = {0, 0, 0};
  certgate_outcome *outcome = NULL;

  /* Y is admitted, with the refusal enforce mode would have given. */
  CHECK_CODE(verify_pem(verifier, chain_y, &outcome), CERTGATE_OK);
  CHECK(tally_outcome(outcome, counts, CERTGATE_REVOKED));
  CHECK_CODE(certgate_outcome_audit_code(outcome), CERTGATE_REVOKED);
  const char *message = certgate_outcome_audit_message(outcome);
  CHECK(message != NULL && strstr(message, "revoked") != NULL);
  CHECK(certgate_outcome_audit_message(outcome) == message); /* built once */
  CHECK(certgate_outcome_audit_cert_index(outcome) == 0);
  CHECK(strcmp(certgate_outcome_message(outcome), "") == 0); /* the outcome itself: OK */
  CHECK(certgate_outcome_cert_index(outcome) == -1);
  const char *spiffe = certgate_outcome_spiffe_id(outcome);
  CHECK(spiffe != NULL && strcmp(spiffe, ID_Y) == 0);
  CHECK(certgate_outcome_generation(outcome) == 0);
  certgate_outcome_free(outcome);
  outcome = NULL;

  /* X is admitted outright, with its warnings: the leaf, the intermediate and the
   * anchor, and the two CRLs, each with the seconds to its date. */
  CHECK_CODE(verify_pem(verifier, chain_x, &outcome), CERTGATE_OK);
  CHECK(tally_outcome(outcome, counts, CERTGATE_OK));
  CHECK(certgate_outcome_audit_message(outcome) == NULL);
  CHECK(certgate_outcome_audit_cert_index(outcome) == -1);
  CHECK(certgate_outcome_expiry_warning_count(outcome) == 5);
  cJSON *identity = cJSON_Parse(certgate_outcome_identity_json(outcome));
  const cJSON *not_after = cJSON_GetObjectItemCaseSensitive(identity, "not_after");
  int32_t cert_index = -2;
  int64_t seconds_left = -2;
  const char *first = certgate_outcome_expiry_warning(outcome, 0, &cert_index, &seconds_left);
  CHECK(first != NULL && strcmp(first, "LEAF_EXPIRES_SOON") == 0 && cert_index == 0);
  CHECK(cJSON_IsNumber(not_after) && seconds_left == (int64_t)not_after->valuedouble - AT);
  cJSON_Delete(identity);
  certgate_outcome_free(outcome);
  outcome = NULL;
  CHECK(counts[0] == 1 && counts[1] == 2 && counts[2] == 2);

  /* Input that cannot be decoded is refused in audit mode too: no audit, no warnings. */
  CHECK_CODE(verify_pem(verifier, "garbage", &outcome), CERTGATE_MALFORMED_CERTIFICATE);
  CHECK_CODE(certgate_outcome_audit_code(outcome), CERTGATE_OK);
  CHECK(certgate_outcome_audit_message(outcome) == NULL);
  CHECK(certgate_outcome_expiry_warning_count(outcome) == 0);
  CHECK(certgate_outcome_expiry_warning(outcome, 0, NULL, NULL) == NULL);
  certgate_outcome_free(outcome);
  outcome = NULL;

  cJSON *doc = stats(verifier);
  CHECK(doc != NULL);
  CHECK(stat_of(doc, "audit_admitted", NULL) == 1);
  CHECK(stat_of(doc, "verifications", "OK") == 1);
  CHECK(stat_of(doc, "verifications", "REVOKED") == 1); /* counted under its refusal */
  CHECK(stat_of(doc, "verifications", "MALFORMED_CERTIFICATE") == 1);
  CHECK(stat_of(doc, "warnings", "LEAF_EXPIRES_SOON") == counts[0]);
  CHECK(stat_of(doc, "warnings", "CHAIN_EXPIRES_SOON") == counts[1]);
  CHECK(stat_of(doc, "warnings", "CRL_STALE_SOON") == counts[2]);
  cJSON_Delete(doc);

  /* An inspect outcome has neither. */
  CHECK_CODE(certgate_inspect((const uint8_t *)chain_x, strlen(chain_x), &outcome), CERTGATE_OK);
  CHECK_CODE(certgate_outcome_audit_code(outcome), CERTGATE_OK);
  CHECK(certgate_outcome_expiry_warning_count(outcome) == 0);
  certgate_outcome_free(outcome);
  certgate_verifier_free(verifier);
}

/* Rolling out a stricter policy: reload it in audit mode first, then enforce it. The
 * mode goes with the policy, generation by generation. */
static void test_reload_into_audit_mode(void) {
  char *audit_a = make_policy(1, ",\"mode\":\"audit\"");
  certgate_verifier *verifier = new_verifier(policy_b);
  certgate_outcome *outcome = NULL;

  /* B admits Y. */
  CHECK_CODE(verify_pem(verifier, chain_y, &outcome), CERTGATE_OK);
  CHECK_CODE(certgate_outcome_audit_code(outcome), CERTGATE_OK);
  certgate_outcome_free(outcome);
  outcome = NULL;
  /* A in audit mode: Y still admitted, with the REVOKED that A would give. */
  CHECK_CODE(reload(verifier, audit_a, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, chain_y, &outcome), CERTGATE_OK);
  CHECK_CODE(certgate_outcome_audit_code(outcome), CERTGATE_REVOKED);
  CHECK(certgate_outcome_generation(outcome) == 1);
  certgate_outcome_free(outcome);
  outcome = NULL;
  /* X passes A: no audit. */
  CHECK_CODE(verify_pem(verifier, chain_x, &outcome), CERTGATE_OK);
  CHECK_CODE(certgate_outcome_audit_code(outcome), CERTGATE_OK);
  certgate_outcome_free(outcome);
  outcome = NULL;
  /* A enforced: Y refused. */
  CHECK_CODE(reload(verifier, policy_a, NULL), CERTGATE_OK);
  CHECK_CODE(verify_pem(verifier, chain_y, &outcome), CERTGATE_REVOKED);
  CHECK_CODE(certgate_outcome_audit_code(outcome), CERTGATE_OK);
  CHECK(certgate_outcome_generation(outcome) == 2);
  certgate_outcome_free(outcome);

  cJSON *doc = stats(verifier);
  CHECK(doc != NULL && stat_of(doc, "audit_admitted", NULL) == 1);
  CHECK(stat_of(doc, "verifications", "REVOKED") == 2);
  CHECK(stat_of(doc, "verifications", "OK") == 2);
  cJSON_Delete(doc);
  certgate_verifier_free(verifier);
  free(audit_a);
}

/* ---------------------------------------------------------------------------------- */
/* The load test. */

enum { LOAD_THREADS = 8 };

/* What the workers share with the main thread, under `lock`. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int stop;
static long long decided_even, decided_odd;

struct load_worker {
  const certgate_verifier *verifier;
  long long decisions, bad;
  char first_bad[256];
};

/* One decision checked against the policy its generation names: even = A (X admitted,
 * Y REVOKED), odd = B (X NOT_AUTHORIZED, Y admitted). Returns 0 and notes why if not. */
static int as_expected(struct load_worker *w, int is_x, const certgate_outcome *outcome,
                       int64_t *last_generation) {
  certgate_code code = certgate_outcome_code(outcome);
  int64_t generation = certgate_outcome_generation(outcome);
  /* Decided by a policy, never older than what this thread saw before. */
  int ok = generation >= 0 && generation >= *last_generation;
  if (generation >= 0) *last_generation = generation;
  int under_a = generation % 2 == 0;
  if (is_x) {
    ok = ok && code == (under_a ? CERTGATE_OK : CERTGATE_NOT_AUTHORIZED);
  } else {
    ok = ok && code == (under_a ? CERTGATE_REVOKED : CERTGATE_OK);
  }
  if (ok && code == CERTGATE_OK) {
    const char *id = certgate_outcome_spiffe_id(outcome);
    ok = id != NULL && strcmp(id, is_x ? ID_X : ID_Y) == 0;
  }
  if (!ok && w->bad == 0) {
    snprintf(w->first_bad, sizeof w->first_bad, "chain %s, generation %lld: %s (%s)",
             is_x ? "X" : "Y", (long long)generation, certgate_code_name(code),
             certgate_outcome_message(outcome));
  }
  return ok;
}

static void *load_loop(void *arg) {
  struct load_worker *w = arg;
  int64_t last_generation = -1;
  const uint8_t *x[1] = {(const uint8_t *)chain_x}, *y[1] = {(const uint8_t *)chain_y};
  size_t x_len[1] = {strlen(chain_x)}, y_len[1] = {strlen(chain_y)};
  for (;;) {
    pthread_mutex_lock(&lock);
    int done = stop;
    pthread_mutex_unlock(&lock);
    if (done) break;
    long long even = 0, odd = 0;
    for (int is_x = 1; is_x >= 0; is_x--) {
      certgate_outcome *outcome = NULL;
      certgate_verify(w->verifier, is_x ? x : y, is_x ? x_len : y_len, 1, AT, &outcome);
      if (!as_expected(w, is_x, outcome, &last_generation)) w->bad++;
      if (certgate_outcome_generation(outcome) % 2 == 0) even++;
      else odd++;
      certgate_outcome_free(outcome);
      w->decisions++;
    }
    pthread_mutex_lock(&lock);
    decided_even += even;
    decided_odd += odd;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

/* Waits until the workers have made a decision under A (`odd` 0) or B (`odd` 1), so that
 * the run is sure to see both policies however the threads are scheduled. */
static void wait_for_decision(int odd) {
  struct timespec pause = {0, 1000000};
  for (;;) {
    pthread_mutex_lock(&lock);
    long long seen = odd ? decided_odd : decided_even;
    pthread_mutex_unlock(&lock);
    if (seen > 0) return;
    nanosleep(&pause, NULL);
  }
}

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void test_load(int reloads) {
  certgate_verifier *verifier = new_verifier(policy_a);
  pthread_t threads[LOAD_THREADS];
  struct load_worker workers[LOAD_THREADS];
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int i = 0; i < LOAD_THREADS; i++) {
    workers[i].verifier = verifier;
    workers[i].decisions = 0;
    workers[i].bad = 0;
    workers[i].first_bad[0] = '\0';
    CHECK(pthread_create(&threads[i], NULL, load_loop, &workers[i]) == 0);
  }
  wait_for_decision(0);
  int failed = 0;
  for (int round = 1; round <= reloads; round++) {
    /* Reload number `round` makes generation `round`: odd rounds bring B, even ones A. */
    if (reload(verifier, round % 2 ? policy_b : policy_a, NULL) != CERTGATE_OK) failed++;
    if (round == 1) wait_for_decision(1);
  }
  pthread_mutex_lock(&lock);
  stop = 1;
  pthread_mutex_unlock(&lock);
  long long decisions = 0, bad = 0;
  for (int i = 0; i < LOAD_THREADS; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    decisions += workers[i].decisions;
    bad += workers[i].bad;
    if (workers[i].bad > 0) fprintf(stderr, "load: thread %d: %s\n", i, workers[i].first_bad);
  }
  double elapsed = seconds_since(&start);
  CHECK(failed == 0);
  CHECK(bad == 0);
  CHECK(decided_even > 0 && decided_odd > 0);
  CHECK(certgate_verifier_generation(verifier) == reloads);

  /* Every decision counted once; every reload counted. */
  cJSON *doc = stats(verifier);
  int keys = 0;
  CHECK(doc != NULL && verifications_total(doc, &keys) == decisions);
  CHECK(stat_of(doc, "reloads", NULL) == reloads);
  CHECK(stat_of(doc, "generation", NULL) == reloads);
  cJSON_Delete(doc);
  printf("load: %d reloads while %d threads verified: %lld decisions (%lld under A, %lld under "
         "B), %lld wrong, %.2f s\n",
         reloads, LOAD_THREADS, decisions, decided_even, decided_odd, bad, elapsed);
  certgate_verifier_free(verifier);
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s tests/vectors/pki [RELOADS]\n", argv[0]);
    return 2;
  }
  const char *pki = argv[1];
  int reloads = argc == 3 ? atoi(argv[2]) : 1000;
  if (reloads < 2) {
    fprintf(stderr, "RELOADS must be at least 2\n");
    return 2;
  }
  root = read_in(pki, "root.pem", NULL);
  intermediate = read_in(pki, "intermediate.pem", NULL);
  root_crl = read_in(pki, "root.crl.pem", NULL);
  int_crl = read_in(pki, "intermediate.crl.pem", NULL);
  int_empty_crl = read_in(pki, "intermediate-empty.crl.pem", NULL);
  chain_x = read_in(pki, "leaf-spiffe.pem", NULL);
  chain_y = read_in(pki, "leaf-revoked.pem", NULL);
  policy_a = make_policy(1, "");
  policy_b = make_policy(0, "");

  test_reload_swaps_the_whole_policy();
  test_reload_failure_keeps_the_policy();
  test_null_arguments();
  test_outcome_generations();
  test_reload_file();
  test_stats();
  test_stats_audit_and_warnings();
  test_reload_into_audit_mode();
  test_load(reloads);

  free(policy_a);
  free(policy_b);
  free(root);
  free(intermediate);
  free(root_crl);
  free(int_crl);
  free(int_empty_crl);
  free(chain_x);
  free(chain_y);
  return finish("reload");
}
