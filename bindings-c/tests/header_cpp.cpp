// certgate.h from C++: compiles with -Wall -Wextra -Werror -pedantic, links (extern "C"
// linkage), and the types behave (enum values, opaque handles, ownership).
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
  certgate_outcome_free(outcome);
  certgate_verifier_free(nullptr);

  std::printf("c++: %s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
