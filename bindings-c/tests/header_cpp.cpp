// certgate.h from C++: compiles with -Wall -Wextra -Werror -pedantic, links (extern "C"
// linkage), and the types behave (enum values, opaque handles, ownership).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "certgate.h"

static int failures = 0;

static void check(bool ok, const char *what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what);
    failures++;
  }
}

int main() {
  static_assert(CERTGATE_OK == 0, "OK is 0");
  static_assert(CERTGATE_REVOKED == 13, "REVOKED is 13");
  static_assert(CERTGATE_PANIC == 101, "PANIC is 101");

  check(std::strcmp(certgate_code_name(CERTGATE_NOT_AUTHORIZED), "NOT_AUTHORIZED") == 0,
        "code name");

  const char policy[] = "{\"trust\":{}}";
  certgate_verifier *verifier = nullptr;
  certgate_outcome *error = nullptr;
  certgate_code code = certgate_verifier_new(policy, sizeof policy - 1, &verifier, &error);
  check(code == CERTGATE_INVALID_POLICY, "a policy without anchors is refused");
  check(verifier == nullptr, "no verifier on failure");
  check(certgate_outcome_code(error) == CERTGATE_INVALID_POLICY, "the error outcome has the code");
  check(std::strlen(certgate_outcome_message(error)) > 0, "the error outcome has a message");
  certgate_outcome_free(error);

  const uint8_t garbage[] = {1, 2, 3};
  certgate_outcome *outcome = nullptr;
  check(certgate_inspect(garbage, sizeof garbage, &outcome) == CERTGATE_MALFORMED_CERTIFICATE,
        "garbage is not a certificate");
  check(certgate_outcome_identity_json(outcome) == nullptr, "no identity for garbage");
  check(certgate_outcome_generation(outcome) == -1, "inspect decides under no generation");
  check(certgate_outcome_audit_code(outcome) == CERTGATE_OK, "a rejection has no audit");
  check(certgate_outcome_audit_message(outcome) == nullptr, "nor an audit message");
  check(certgate_outcome_audit_cert_index(outcome) == -1, "nor an audit index");
  std::int32_t cert_index = 7;
  std::int64_t seconds_left = 7;
  check(certgate_outcome_expiry_warning_count(outcome) == 0, "a rejection has no warnings");
  check(certgate_outcome_expiry_warning(outcome, 0, &cert_index, &seconds_left) == nullptr &&
            cert_index == 7 && seconds_left == 7,
        "no first warning, outputs untouched");
  certgate_outcome_free(outcome);
  check(certgate_outcome_audit_code(nullptr) == CERTGATE_NULL_ARGUMENT, "audit of no outcome");

  // The reload and stats functions link and check their pointers.
  check(certgate_verifier_reload(nullptr, policy, sizeof policy - 1, nullptr) ==
            CERTGATE_NULL_ARGUMENT,
        "reload of no verifier");
  check(certgate_verifier_reload_file(nullptr, nullptr) == CERTGATE_NULL_ARGUMENT,
        "reload_file of no verifier");
  std::size_t len = 0;
  check(certgate_verifier_stats_json(nullptr, nullptr, 0, &len) == CERTGATE_NULL_ARGUMENT,
        "stats of no verifier");
  check(certgate_verifier_watched_paths_json(nullptr, nullptr, 0, &len) == CERTGATE_NULL_ARGUMENT,
        "watched paths of no verifier");
  check(certgate_verifier_record_crl_fetch_failure(nullptr) == CERTGATE_NULL_ARGUMENT,
        "record a failure on no verifier");
  const std::int64_t generation = certgate_verifier_generation(nullptr);
  check(generation == -1, "no verifier has no generation");
  certgate_verifier_free(nullptr);

  std::printf("c++: %s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
