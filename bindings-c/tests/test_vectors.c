/* Replays every case of tests/vectors/cases.json through the C API and compares the
 * code, cert_index and identity JSON (parsed, compared structurally with cJSON) with
 * what the vectors expect; identities include audit-mode `audit` objects and expiry
 * `warnings`, counted in the summary line, which the audit and expiry warning accessors
 * must agree with. Each case runs on a fresh verifier, so every
 * decision reports generation 0; inspect outcomes and policy errors report none (-1).
 * Usage: test_vectors CASES.json */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "certgate.h"
#include "common.h"
#include "outcome_checks.h"

/* One input buffer of a case: a string is used as its bytes (PEM), a list of
 * numbers as DER bytes. Returns 0 when the item has neither shape. */
static int item_bytes(const cJSON *item, const uint8_t **data, size_t *len, uint8_t **owned) {
  *owned = NULL;
  if (cJSON_IsString(item)) {
    *data = (const uint8_t *)item->valuestring;
    *len = strlen(item->valuestring);
    return 1;
  }
  if (cJSON_IsArray(item)) {
    int n = cJSON_GetArraySize(item);
    uint8_t *bytes = malloc(n > 0 ? (size_t)n : 1);
    if (bytes == NULL) exit(2);
    for (int i = 0; i < n; i++) {
      bytes[i] = (uint8_t)cJSON_GetArrayItem(item, i)->valueint;
    }
    *owned = bytes;
    *data = bytes;
    *len = (size_t)n;
    return 1;
  }
  return 0;
}

/* Compares a string accessor with the identity's field (NULL for JSON null / absent). */
static int same_text(const char *got, const cJSON *want) {
  if (want == NULL || cJSON_IsNull(want)) return got == NULL;
  return got != NULL && cJSON_IsString(want) && strcmp(got, want->valuestring) == 0;
}

/* Checks an outcome against a case's `expect`. Returns 1 when it matches. */
static int matches(const char *name, const certgate_outcome *outcome, certgate_code code,
                   const cJSON *expect) {
  const cJSON *want_identity = cJSON_GetObjectItemCaseSensitive(expect, "identity");
  const char *got_name = certgate_code_name(code);
  if (certgate_outcome_code(outcome) != code) {
    fprintf(stderr, "%s: returned %s but the outcome says %s\n", name, got_name,
            certgate_code_name(certgate_outcome_code(outcome)));
    return 0;
  }
  if (want_identity != NULL) {
    const char *json = certgate_outcome_identity_json(outcome);
    if (code != CERTGATE_OK || json == NULL) {
      fprintf(stderr, "%s: expected an identity, got %s: %s\n", name, got_name,
              certgate_outcome_message(outcome));
      return 0;
    }
    cJSON *got_identity = cJSON_Parse(json);
    int same = got_identity != NULL && cJSON_Compare(got_identity, want_identity, 1);
    if (!same) {
      char *want_text = cJSON_PrintUnformatted(want_identity);
      fprintf(stderr, "%s: identity differs\n  expected %s\n  got      %s\n", name, want_text,
              json);
      free(want_text);
    }
    /* The direct accessors agree with the JSON. */
    const cJSON *subject = cJSON_GetObjectItemCaseSensitive(want_identity, "subject");
    const cJSON *spiffe = cJSON_GetObjectItemCaseSensitive(want_identity, "spiffe_id");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(want_identity, "fingerprint_sha256");
    if (!same_text(certgate_outcome_subject(outcome), subject) ||
        !same_text(certgate_outcome_spiffe_id(outcome), spiffe) ||
        !same_text(certgate_outcome_fingerprint(outcome), fp) ||
        certgate_outcome_cert_index(outcome) != -1 ||
        strcmp(certgate_outcome_message(outcome), "") != 0) {
      fprintf(stderr, "%s: an accessor disagrees with the identity\n", name);
      same = 0;
    }
    /* And so do the audit and expiry warning accessors. */
    if (!accessors_agree(name, outcome, got_identity)) same = 0;
    cJSON_Delete(got_identity);
    return same;
  }
  const cJSON *want_code = cJSON_GetObjectItemCaseSensitive(expect, "code");
  if (!cJSON_IsString(want_code)) {
    fprintf(stderr, "%s: expect has neither identity nor code\n", name);
    return 0;
  }
  if (strcmp(got_name, want_code->valuestring) != 0) {
    fprintf(stderr, "%s: expected %s, got %s (%s)\n", name, want_code->valuestring, got_name,
            certgate_outcome_message(outcome) ? certgate_outcome_message(outcome) : "");
    return 0;
  }
  const char *message = certgate_outcome_message(outcome);
  if (message == NULL || message[0] == '\0' || certgate_outcome_identity_json(outcome) != NULL ||
      certgate_outcome_subject(outcome) != NULL) {
    fprintf(stderr, "%s: a rejection needs a message and no identity\n", name);
    return 0;
  }
  /* A rejection has no audit and no expiry warnings. */
  if (!accessors_agree(name, outcome, NULL)) return 0;
  const cJSON *want_index = cJSON_GetObjectItemCaseSensitive(expect, "cert_index");
  if (want_index != NULL) {
    int want = cJSON_IsNumber(want_index) ? want_index->valueint : -1;
    if (certgate_outcome_cert_index(outcome) != want) {
      fprintf(stderr, "%s: expected cert_index %d, got %d\n", name, want,
                certgate_outcome_cert_index(outcome));
      return 0;
    }
  }
  return 1;
}

/* Checks that the sources of the verifier's warnings are the case's `expect.warnings`
 * (none when absent), read through certgate_verifier_warnings_json. */
static int same_warnings(const char *name, const certgate_verifier *verifier, const cJSON *expect) {
  size_t len = 0;
  if (certgate_verifier_warnings_json(verifier, NULL, 0, &len) != CERTGATE_OK) return 0;
  char *json = malloc(len + 1);
  if (json == NULL) exit(2);
  size_t again = 0;
  int ok = certgate_verifier_warnings_json(verifier, json, len + 1, &again) == CERTGATE_OK && again == len;
  cJSON *got = ok ? cJSON_Parse(json) : NULL;
  const cJSON *want = cJSON_GetObjectItemCaseSensitive(expect, "warnings");
  int want_n = cJSON_IsArray(want) ? cJSON_GetArraySize(want) : 0;
  ok = ok && cJSON_IsArray(got) && cJSON_GetArraySize(got) == want_n;
  for (int i = 0; ok && i < want_n; i++) {
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(got, i), "source");
    ok = cJSON_IsString(source) && strcmp(source->valuestring, cJSON_GetArrayItem(want, i)->valuestring) == 0;
  }
  if (!ok) fprintf(stderr, "%s: warnings differ: got %s\n", name, json);
  cJSON_Delete(got);
  free(json);
  return ok;
}

/* The case's verifier: from `policy` (JSON text), or from the file `policy_file`
 * names, relative to `dir` (the folder of cases.json). */
static certgate_code case_verifier(const cJSON *c, const char *dir, certgate_verifier **verifier,
                                   certgate_outcome **outcome) {
  const cJSON *file = cJSON_GetObjectItemCaseSensitive(c, "policy_file");
  if (cJSON_IsString(file)) {
    size_t size = strlen(dir) + strlen(file->valuestring) + 2;
    char *path = malloc(size);
    if (path == NULL) exit(2);
    snprintf(path, size, "%s/%s", dir, file->valuestring);
    certgate_code code = certgate_verifier_from_file(path, verifier, outcome);
    free(path);
    return code;
  }
  char *policy = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "policy"));
  if (policy == NULL) exit(2);
  certgate_code code = certgate_verifier_new(policy, strlen(policy), verifier, outcome);
  free(policy);
  return code;
}

/* A decision on the case's input: the chain (`verify`) or the headers (`verify_forwarded`).
 * Returns 0 when the case's input cannot be read; else sets *code and *outcome. */
typedef int (*decision)(const char *name, const certgate_verifier *verifier, const cJSON *c,
                        int64_t unix_time, certgate_code *code, certgate_outcome **outcome);

static int decide_chain(const char *name, const certgate_verifier *verifier, const cJSON *c,
                        int64_t unix_time, certgate_code *code, certgate_outcome **outcome) {
  const cJSON *chain = cJSON_GetObjectItemCaseSensitive(c, "chain");
  int n = cJSON_GetArraySize(chain);
  const uint8_t **certs = calloc(n > 0 ? (size_t)n : 1, sizeof *certs);
  size_t *lens = calloc(n > 0 ? (size_t)n : 1, sizeof *lens);
  uint8_t **owned = calloc(n > 0 ? (size_t)n : 1, sizeof *owned);
  if (certs == NULL || lens == NULL || owned == NULL) exit(2);
  int ok = 1;
  for (int i = 0; i < n; i++) {
    if (!item_bytes(cJSON_GetArrayItem(chain, i), &certs[i], &lens[i], &owned[i])) {
      fprintf(stderr, "%s: chain[%d] is neither a string nor bytes\n", name, i);
      ok = 0;
    }
  }
  if (ok) *code = certgate_verify(verifier, certs, lens, (size_t)n, unix_time, outcome);
  for (int i = 0; i < n; i++) free(owned[i]);
  free(owned);
  free(lens);
  free(certs);
  return ok;
}

static int decide_forwarded(const char *name, const certgate_verifier *verifier, const cJSON *c,
                            int64_t unix_time, certgate_code *code, certgate_outcome **outcome) {
  const cJSON *headers = cJSON_GetObjectItemCaseSensitive(c, "headers");
  const cJSON *peer = cJSON_GetObjectItemCaseSensitive(c, "peer");
  int n = cJSON_GetArraySize(headers);
  const char **names = calloc(n > 0 ? (size_t)n : 1, sizeof *names);
  const uint8_t **values = calloc(n > 0 ? (size_t)n : 1, sizeof *values);
  size_t *lens = calloc(n > 0 ? (size_t)n : 1, sizeof *lens);
  if (names == NULL || values == NULL || lens == NULL) exit(2);
  int ok = cJSON_IsString(peer);
  for (int i = 0; ok && i < n; i++) {
    const cJSON *pair = cJSON_GetArrayItem(headers, i);
    const cJSON *header = cJSON_GetArrayItem(pair, 0), *value = cJSON_GetArrayItem(pair, 1);
    ok = cJSON_IsString(header) && cJSON_IsString(value);
    if (ok) {
      names[i] = header->valuestring;
      values[i] = (const uint8_t *)value->valuestring;
      lens[i] = strlen(value->valuestring);
    }
  }
  if (ok) {
    *code = certgate_verify_forwarded(verifier, names, values, lens, (size_t)n, peer->valuestring,
                                      unix_time, outcome);
  } else {
    fprintf(stderr, "%s: headers or peer cannot be read\n", name);
  }
  free(lens);
  free(values);
  free(names);
  return ok;
}

/* Checks the outcome's generation: `want` (0 for a decision of a fresh verifier, -1 when
 * no policy decided). */
static int same_generation(const char *name, const certgate_outcome *outcome, int64_t want) {
  int64_t got = certgate_outcome_generation(outcome);
  if (got != want) {
    fprintf(stderr, "%s: expected generation %lld, got %lld\n", name, (long long)want,
            (long long)got);
    return 0;
  }
  return 1;
}

static int run_decision(const char *name, const cJSON *c, const cJSON *expect, const char *dir,
                        decision decide) {
  certgate_verifier *verifier = NULL;
  certgate_outcome *outcome = NULL;
  certgate_code code = case_verifier(c, dir, &verifier, &outcome);
  if (code != CERTGATE_OK) {
    /* INVALID_POLICY cases: the construction fails, the error outcome says why. */
    int ok = verifier == NULL && outcome != NULL && matches(name, outcome, code, expect) &&
             same_generation(name, outcome, -1);
    certgate_outcome_free(outcome);
    return ok;
  }
  if (!same_warnings(name, verifier, expect)) {
    certgate_verifier_free(verifier);
    return 0;
  }
  const cJSON *at = cJSON_GetObjectItemCaseSensitive(c, "at");
  int64_t unix_time = cJSON_IsNumber(at) ? (int64_t)at->valuedouble : -1;
  int ok = decide(name, verifier, c, unix_time, &code, &outcome);
  ok = ok && outcome != NULL && matches(name, outcome, code, expect) &&
       same_generation(name, outcome, 0);
  certgate_outcome_free(outcome);
  certgate_verifier_free(verifier);
  return ok;
}

static int run_inspect(const char *name, const cJSON *c, const cJSON *expect) {
  const uint8_t *data;
  size_t len;
  uint8_t *owned;
  if (!item_bytes(cJSON_GetObjectItemCaseSensitive(c, "cert"), &data, &len, &owned)) {
    fprintf(stderr, "%s: cert is neither a string nor bytes\n", name);
    return 0;
  }
  certgate_outcome *outcome = NULL;
  certgate_code code = certgate_inspect(data, len, &outcome);
  int ok = outcome != NULL && matches(name, outcome, code, expect) &&
           same_generation(name, outcome, -1);
  certgate_outcome_free(outcome);
  free(owned);
  return ok;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s tests/vectors/cases.json\n", argv[0]);
    return 2;
  }
  /* policy_file paths are relative to the folder of cases.json. */
  size_t path_len = strlen(argv[1]);
  char *dir = malloc(path_len + 2);
  if (dir == NULL) return 2;
  memcpy(dir, argv[1], path_len + 1);
  char *slash = strrchr(dir, '/');
  if (slash != NULL) *slash = '\0';
  else strcpy(dir, ".");
  char *text = read_file(argv[1], NULL);
  cJSON *doc = cJSON_Parse(text);
  free(text);
  const cJSON *cases = cJSON_GetObjectItemCaseSensitive(doc, "cases");
  if (!cJSON_IsArray(cases)) {
    fprintf(stderr, "%s: no \"cases\" list\n", argv[1]);
    cJSON_Delete(doc);
    return 2;
  }
  int total = 0, passed = 0, audits = 0, warned = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cases) {
    const cJSON *name_item = cJSON_GetObjectItemCaseSensitive(c, "name");
    const char *name = cJSON_IsString(name_item) ? name_item->valuestring : "?";
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(c, "op");
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const cJSON *identity = cJSON_GetObjectItemCaseSensitive(expect, "identity");
    int ok = 0;
    total++;
    audits += cJSON_GetObjectItemCaseSensitive(identity, "audit") != NULL;
    warned += cJSON_GetObjectItemCaseSensitive(identity, "warnings") != NULL;
    if (cJSON_IsString(op) && strcmp(op->valuestring, "verify") == 0) {
      ok = run_decision(name, c, expect, dir, decide_chain);
    } else if (cJSON_IsString(op) && strcmp(op->valuestring, "verify_forwarded") == 0) {
      ok = run_decision(name, c, expect, dir, decide_forwarded);
    } else if (cJSON_IsString(op) && strcmp(op->valuestring, "inspect") == 0) {
      ok = run_inspect(name, c, expect);
    } else {
      fprintf(stderr, "%s: unknown op\n", name);
    }
    passed += ok;
  }
  cJSON_Delete(doc);
  free(dir);
  printf("vectors: %d of %d cases passed (%d admitted in audit mode, %d with expiry warnings)\n",
         passed, total, audits, warned);
  return total > 0 && passed == total ? 0 : 1;
}
