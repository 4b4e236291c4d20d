/* Checks shared by the C tests that parse identities with cJSON: the audit and expiry
 * warning accessors of an outcome must say what its identity JSON says. */
#ifndef CERTGATE_TEST_OUTCOME_CHECKS_H
#define CERTGATE_TEST_OUTCOME_CHECKS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "certgate.h"

/* Whether certgate_outcome_audit_* and certgate_outcome_expiry_warning* agree with
 * `identity` (the parsed identity JSON of `outcome`; NULL for an outcome without one):
 * "audit" {code, message, cert_index} or none, "warnings" [{code, cert_index,
 * seconds_left}] or none, and an index past the end gives NULL and leaves the outputs
 * untouched. Prints why not, prefixed with `name`. */
static inline int accessors_agree(const char *name, const certgate_outcome *outcome,
                                  const cJSON *identity) {
  int ok = 1;
  const cJSON *audit = cJSON_GetObjectItemCaseSensitive(identity, "audit");
  certgate_code audit_code = certgate_outcome_audit_code(outcome);
  const char *audit_message = certgate_outcome_audit_message(outcome);
  int32_t audit_index = certgate_outcome_audit_cert_index(outcome);
  if (audit == NULL) {
    ok = audit_code == CERTGATE_OK && audit_message == NULL && audit_index == -1;
  } else {
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(audit, "code");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(audit, "message");
    const cJSON *index = cJSON_GetObjectItemCaseSensitive(audit, "cert_index");
    ok = audit_code != CERTGATE_OK && cJSON_IsString(code) &&
         strcmp(certgate_code_name(audit_code), code->valuestring) == 0 &&
         audit_message != NULL && cJSON_IsString(message) &&
         strcmp(audit_message, message->valuestring) == 0 &&
         audit_index == (cJSON_IsNumber(index) ? index->valueint : -1);
  }
  if (!ok) {
    fprintf(stderr, "%s: the audit accessors disagree with the identity: %s, %s, %d\n", name,
            certgate_code_name(audit_code), audit_message != NULL ? audit_message : "(null)",
            (int)audit_index);
    return 0;
  }

  const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(identity, "warnings");
  size_t count = certgate_outcome_expiry_warning_count(outcome);
  size_t want = cJSON_IsArray(warnings) ? (size_t)cJSON_GetArraySize(warnings) : 0;
  if (count != want) {
    fprintf(stderr, "%s: %zu expiry warnings, the identity has %zu\n", name, count, want);
    return 0;
  }
  for (size_t i = 0; i < count; i++) {
    const cJSON *warning = cJSON_GetArrayItem(warnings, (int)i);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(warning, "code");
    const cJSON *index = cJSON_GetObjectItemCaseSensitive(warning, "cert_index");
    const cJSON *left = cJSON_GetObjectItemCaseSensitive(warning, "seconds_left");
    int32_t cert_index = -2;
    int64_t seconds_left = -2;
    const char *got = certgate_outcome_expiry_warning(outcome, i, &cert_index, &seconds_left);
    /* The outputs are optional. */
    const char *again = certgate_outcome_expiry_warning(outcome, i, NULL, NULL);
    if (got == NULL || got != again || !cJSON_IsString(code) ||
        strcmp(got, code->valuestring) != 0 || !cJSON_IsNumber(index) ||
        cert_index != index->valueint || !cJSON_IsNumber(left) ||
        seconds_left != (int64_t)left->valuedouble) {
      fprintf(stderr, "%s: expiry warning %zu disagrees with the identity: %s, %d, %lld\n", name,
              i, got != NULL ? got : "(null)", (int)cert_index, (long long)seconds_left);
      return 0;
    }
  }
  int32_t untouched_index = 77;
  int64_t untouched_left = 77;
  if (certgate_outcome_expiry_warning(outcome, count, &untouched_index, &untouched_left) != NULL ||
      certgate_outcome_expiry_warning(outcome, SIZE_MAX, &untouched_index, &untouched_left) != NULL ||
      untouched_index != 77 || untouched_left != 77) {
    fprintf(stderr, "%s: an expiry warning past the end\n", name);
    return 0;
  }
  return 1;
}

#endif
