/* Files as the `openssl` CLI writes them (tests/openssl/make-pki.sh: `openssl ca` text
 * dumps, PKCS#7 bundles, scoped / delta / unusual CRLs) through the C API, with the
 * clock (the script makes everything valid now). Usage: test_openssl_files PKI_DIR */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certgate.h"
#include "checks.h"
#include "common.h"

static const char *dir;

/* The decision on the chain in `name` (one buffer: text dumps, PKCS#7 or DER). */
static certgate_code decide(const certgate_verifier *verifier, const char *name) {
  size_t len = 0;
  char *bytes = read_in(dir, name, &len);
  const uint8_t *certs[1] = {(const uint8_t *)bytes};
  certgate_code code = certgate_verify(verifier, certs, &len, 1, -1, NULL);
  free(bytes);
  return code;
}

/* A verifier trusting root.pem with the named CRLs (NULL-terminated list). */
static certgate_verifier *with_crls(const char *const *crls) {
  char *root = read_in(dir, "root.pem", NULL);
  char *anchor = json_string(root);
  size_t size = strlen(anchor) + 64;
  char *policy = malloc(size);
  if (policy == NULL) exit(2);
  snprintf(policy, size, "{\"trust\":{\"anchors\":%s},\"revocation\":{\"crls\":[]}}", anchor);
  free(anchor);
  free(root);
  certgate_verifier *verifier = NULL;
  CHECK_CODE(certgate_verifier_new(policy, strlen(policy), &verifier, NULL), CERTGATE_OK);
  free(policy);
  const uint8_t *buffers[4];
  size_t lens[4];
  char *owned[4];
  size_t n = 0;
  for (; crls[n] != NULL && n < 4; n++) {
    owned[n] = read_in(dir, crls[n], &lens[n]);
    buffers[n] = (const uint8_t *)owned[n];
  }
  CHECK_CODE(certgate_verifier_update_crls(verifier, buffers, lens, n, NULL), CERTGATE_OK);
  for (size_t i = 0; i < n; i++) free(owned[i]);
  return verifier;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PKI_DIR (made by tests/openssl/make-pki.sh)\n", argv[0]);
    return 2;
  }
  dir = argv[1];
  char path[4096];
  snprintf(path, sizeof path, "%s/policy.json", dir);
  certgate_verifier *verifier = NULL;
  certgate_outcome *error = NULL;
  CHECK_CODE(certgate_verifier_from_file(path, &verifier, &error), CERTGATE_OK);
  if (error != NULL) fprintf(stderr, "%s\n", certgate_outcome_message(error));
  certgate_outcome_free(error);
  CHECK_CODE(decide(verifier, "client.chain.pem"), CERTGATE_OK);
  CHECK_CODE(decide(verifier, "client.chain.p7b"), CERTGATE_OK);
  CHECK_CODE(decide(verifier, "client.chain.p7b.der"), CERTGATE_OK);
  CHECK_CODE(decide(verifier, "client-with-key.pem"), CERTGATE_OK);
  CHECK_CODE(decide(verifier, "revoked.chain.pem"), CERTGATE_REVOKED);
  CHECK_CODE(decide(verifier, "client.p12"), CERTGATE_MALFORMED_CERTIFICATE);
  /* A CA with an RSA-1024 key: ring refuses the key; certgate names it. */
  CHECK_CODE(decide(verifier, "weak-leaf.chain.pem"), CERTGATE_UNSUPPORTED_ALGORITHM);
  certgate_verifier_free(verifier);

  const char *text_dumps[] = {"root-text.crl.pem", "intermediate-text.crl.pem", NULL};
  verifier = with_crls(text_dumps);
  CHECK_CODE(decide(verifier, "client.chain.pem"), CERTGATE_OK);
  CHECK_CODE(decide(verifier, "revoked.chain.pem"), CERTGATE_REVOKED);
  certgate_verifier_free(verifier);

  const char *delta[] = {"root.crl.der", "intermediate.crl.der", "intermediate-delta.crl.pem", NULL};
  verifier = with_crls(delta);
  CHECK_CODE(decide(verifier, "revoked-later.chain.pem"), CERTGATE_REVOKED);
  CHECK_CODE(decide(verifier, "client.chain.pem"), CERTGATE_OK);
  certgate_verifier_free(verifier);

  const char *unusable[] = {"root.crl.pem", "intermediate-unknown-critical.crl.pem", NULL};
  verifier = with_crls(unusable);
  CHECK_CODE(decide(verifier, "client.chain.pem"), CERTGATE_REVOCATION_UNKNOWN);
  char warnings[2048];
  size_t len = 0;
  CHECK_CODE(certgate_verifier_warnings_json(verifier, warnings, sizeof warnings, &len), CERTGATE_OK);
  CHECK(len < sizeof warnings && strstr(warnings, "\"source\":\"crls[1]\"") != NULL);
  CHECK(strstr(warnings, "1.3.6.1.4.1.55555.9") != NULL);
  certgate_verifier_free(verifier);
  return finish("openssl files");
}
