/* certgate_verify against OpenSSL's X509_verify_cert on the same chain, in one run.
 *
 * Fixtures: `certgate-vectors bench DIR` (P-256 root -> intermediate -> client leaf,
 * the intermediate's 100,000-entry CRL, an empty root CRL, policy.json and
 * policy-crl.json). OpenSSL: the root is the only trusted certificate, the intermediate
 * is an untrusted (peer-sent) certificate, purpose sslclient; with CRLs,
 * X509_V_FLAG_CRL_CHECK (the leaf's CRL) and, for equal work, also with
 * X509_V_FLAG_CRL_CHECK_ALL (every certificate's). certgate: the leaf and the
 * intermediate as DER, usage client, `policy-crl.json` checks the whole chain.
 * Each side gets the chain the way a TLS server holds it: OpenSSL as parsed X509
 * objects, certgate as the DER it would take from the TLS stack. Figures are CPU time
 * per verification, best of interleaved rounds (robust on a shared machine).
 *
 * Repeat peers (docs/operations.md#caches): OpenSSL checks every signature every time;
 * certgate remembers the signature checks that succeeded, so a new leaf under a known
 * intermediate (`new-leaves.pem`: 5,000 leaves, more than that cache holds, cycled)
 * costs one check, the same chain again none, and with `policy-cache.json`'s decision
 * cache a repeated chain is answered without a path validation. Both are measured again
 * with the 100k CRL in force (`policy-crl.json`, `policy-crl-cache.json`).
 *
 *   bench DIR [SECONDS_PER_ROW]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "../tests/common.h"
#include "certgate.h"

static double seconds_per_row = 1.0;
enum { ROUNDS = 5 };

/* CPU time of this process: on a shared machine, time spent waiting for a core is
 * not the code's cost. */
static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One timed step: returns 1 on the expected verification result. */
typedef int (*step_fn)(void *);

static void run_or_die(step_fn step, void *arg) {
  if (!step(arg)) {
    fprintf(stderr, "bench: unexpected verification result\n");
    exit(1);
  }
}

/* Runs `step` for `budget` CPU seconds (at least 10 calls); returns seconds per call. */
static double measure_once(step_fn step, void *arg, double budget) {
  long calls = 0;
  double start = cpu_seconds(), elapsed;
  do {
    for (int i = 0; i < 5; i++) run_or_die(step, arg);
    calls += 5;
    elapsed = cpu_seconds() - start;
  } while (elapsed < budget || calls < 10);
  return elapsed / (double)calls;
}

/* OpenSSL side. */
struct openssl_case {
  X509_STORE *store;
  X509 *leaf;
  STACK_OF(X509) *untrusted;
  unsigned long flags;
};

static int openssl_verify_code(struct openssl_case *c) {
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  if (ctx == NULL || X509_STORE_CTX_init(ctx, c->store, c->leaf, c->untrusted) != 1) {
    X509_STORE_CTX_free(ctx);
    return -1;
  }
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
  if (c->flags != 0) X509_STORE_CTX_set_flags(ctx, c->flags);
  int ok = X509_verify_cert(ctx);
  int error = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  return error;
}

static int openssl_step(void *arg) {
  return openssl_verify_code(arg) == X509_V_OK;
}

/* OpenSSL on a new leaf each call, cycling through `leaves`. */
struct openssl_cycle {
  X509_STORE *store;
  X509 **leaves;
  size_t n_leaves, next;
  STACK_OF(X509) *untrusted;
};

static int openssl_cycle_step(void *arg) {
  struct openssl_cycle *c = arg;
  struct openssl_case one = {c->store, c->leaves[c->next], c->untrusted, 0};
  c->next = (c->next + 1) % c->n_leaves;
  return openssl_verify_code(&one) == X509_V_OK;
}

/* certgate side. */
struct certgate_case {
  certgate_verifier *verifier;
  const uint8_t *certs[2];
  size_t lens[2];
};

/* certgate on a new leaf each call (DER), under the intermediate it has seen. */
struct certgate_cycle {
  certgate_verifier *verifier;
  unsigned char **leaves;
  size_t *lens;
  size_t n_leaves, next;
  const uint8_t *intermediate;
  size_t intermediate_len;
};

static int certgate_cycle_step(void *arg) {
  struct certgate_cycle *c = arg;
  const uint8_t *certs[2] = {c->leaves[c->next], c->intermediate};
  size_t lens[2] = {c->lens[c->next], c->intermediate_len};
  c->next = (c->next + 1) % c->n_leaves;
  certgate_outcome *outcome = NULL;
  certgate_code code = certgate_verify(c->verifier, certs, lens, 2, -1, &outcome);
  certgate_outcome_free(outcome);
  return code == CERTGATE_OK;
}

/* Every certificate of a PEM file, parsed; *n receives how many. */
static X509 **load_certs(const char *dir, const char *name, size_t *n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "bench: cannot open %s (regenerate the fixtures)\n", path);
    exit(1);
  }
  size_t cap = 64;
  X509 **certs = malloc(cap * sizeof *certs);
  *n = 0;
  X509 *cert;
  while (certs != NULL && (cert = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
    if (*n == cap) {
      cap *= 2;
      X509 **bigger = realloc(certs, cap * sizeof *certs);
      if (bigger == NULL) {
        free(certs);
        certs = NULL;
        break;
      }
      certs = bigger;
    }
    certs[(*n)++] = cert;
  }
  ERR_clear_error(); /* the end of the file reads as an error */
  fclose(f);
  if (certs == NULL || *n == 0) {
    fprintf(stderr, "bench: %s holds no certificate\n", path);
    exit(1);
  }
  return certs;
}

static int certgate_step(void *arg) {
  struct certgate_case *c = arg;
  certgate_outcome *outcome = NULL;
  certgate_code code = certgate_verify(c->verifier, c->certs, c->lens, 2, -1, &outcome);
  certgate_outcome_free(outcome);
  return code == CERTGATE_OK;
}

static X509 *load_cert(const char *dir, const char *name) {
  size_t len;
  char *der = read_in(dir, name, &len);
  const unsigned char *p = (const unsigned char *)der;
  X509 *cert = d2i_X509(NULL, &p, (long)len);
  free(der);
  if (cert == NULL) {
    fprintf(stderr, "bench: %s/%s is not a DER certificate\n", dir, name);
    exit(1);
  }
  return cert;
}

static X509_CRL *load_crl(const char *dir, const char *name) {
  size_t len;
  char *der = read_in(dir, name, &len);
  const unsigned char *p = (const unsigned char *)der;
  X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
  free(der);
  if (crl == NULL) {
    fprintf(stderr, "bench: %s/%s is not a DER CRL\n", dir, name);
    exit(1);
  }
  return crl;
}

static certgate_verifier *load_policy(const char *dir, const char *name) {
  size_t len;
  char *json = read_in(dir, name, &len);
  certgate_verifier *verifier = NULL;
  certgate_outcome *error = NULL;
  certgate_code code = certgate_verifier_new(json, len, &verifier, &error);
  free(json);
  if (code != CERTGATE_OK) {
    fprintf(stderr, "bench: %s: %s: %s\n", name, certgate_code_name(code),
            certgate_outcome_message(error));
    exit(1);
  }
  return verifier;
}

static void row(const char *label, double seconds) {
  printf("  %-50s %9.1f us %9.0f/s\n", label, seconds * 1e6, 1.0 / seconds);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s FIXTURES_DIR [SECONDS_PER_ROW]\n", argv[0]);
    return 2;
  }
  const char *dir = argv[1];
  if (argc == 3) seconds_per_row = atof(argv[2]);

  X509 *root = load_cert(dir, "root.der");
  X509 *intermediate = load_cert(dir, "intermediate.der");
  X509 *leaf = load_cert(dir, "leaf.der");
  X509_CRL *big_crl = load_crl(dir, "crl-100k.der");
  X509_CRL *root_crl = load_crl(dir, "root-crl.der");
  STACK_OF(X509) *untrusted = sk_X509_new_null();
  sk_X509_push(untrusted, intermediate);

  X509_STORE *plain = X509_STORE_new();
  X509_STORE *with_crls = X509_STORE_new();
  X509_STORE_add_cert(plain, root);
  X509_STORE_add_cert(with_crls, root);
  X509_STORE_add_crl(with_crls, big_crl);
  X509_STORE_add_crl(with_crls, root_crl);

  struct openssl_case ossl = {plain, leaf, untrusted, 0};
  struct openssl_case ossl_crl = {with_crls, leaf, untrusted, X509_V_FLAG_CRL_CHECK};
  struct openssl_case ossl_crl_all = {with_crls, leaf, untrusted,
                                      X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL};
  /* The CRL check is really on: without the CRLs OpenSSL cannot decide. */
  struct openssl_case ossl_no_crl = {plain, leaf, untrusted, X509_V_FLAG_CRL_CHECK};
  if (openssl_verify_code(&ossl_no_crl) != X509_V_ERR_UNABLE_TO_GET_CRL) {
    fprintf(stderr, "bench: OpenSSL's CRL check did not ask for a CRL\n");
    return 1;
  }

  size_t leaf_len, int_len;
  char *leaf_der = read_in(dir, "leaf.der", &leaf_len);
  char *int_der = read_in(dir, "intermediate.der", &int_len);
  struct certgate_case cg = {load_policy(dir, "policy.json"),
                             {(const uint8_t *)leaf_der, (const uint8_t *)int_der},
                             {leaf_len, int_len}};
  struct certgate_case cg_crl = {load_policy(dir, "policy-crl.json"),
                                 {(const uint8_t *)leaf_der, (const uint8_t *)int_der},
                                 {leaf_len, int_len}};

  size_t n_leaves;
  X509 **new_leaves = load_certs(dir, "new-leaves.pem", &n_leaves);
  unsigned char **new_ders = malloc(n_leaves * sizeof *new_ders);
  size_t *new_lens = malloc(n_leaves * sizeof *new_lens);
  if (new_ders == NULL || new_lens == NULL) {
    fprintf(stderr, "bench: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < n_leaves; i++) {
    new_ders[i] = NULL;
    int len = i2d_X509(new_leaves[i], &new_ders[i]);
    if (len <= 0) {
      fprintf(stderr, "bench: cannot encode a new leaf\n");
      return 1;
    }
    new_lens[i] = (size_t)len;
  }
  struct openssl_cycle ossl_new = {plain, new_leaves, n_leaves, 0, untrusted};
  struct certgate_cycle cg_new = {load_policy(dir, "policy.json"), new_ders, new_lens, n_leaves, 0,
                                  (const uint8_t *)int_der, int_len};
  struct certgate_case cg_hit = {load_policy(dir, "policy-cache.json"),
                                 {(const uint8_t *)leaf_der, (const uint8_t *)int_der},
                                 {leaf_len, int_len}};
  /* The same two, with the 100k CRL in force. */
  struct certgate_cycle cg_crl_new = {load_policy(dir, "policy-crl.json"), new_ders, new_lens,
                                      n_leaves, 0, (const uint8_t *)int_der, int_len};
  struct certgate_case cg_crl_hit = {load_policy(dir, "policy-crl-cache.json"),
                                     {(const uint8_t *)leaf_der, (const uint8_t *)int_der},
                                     {leaf_len, int_len}};

  /* The rows, measured in interleaved rounds; each row keeps its best round, so
   * interference from other processes inflates no figure. */
  struct {
    const char *label;
    step_fn step;
    void *arg;
    double best;
  } rows[] = {
      {"OpenSSL X509_verify_cert", openssl_step, &ossl, 0},
      {"certgate_verify", certgate_step, &cg, 0},
      {"OpenSSL X509_verify_cert, CRL_CHECK", openssl_step, &ossl_crl, 0},
      {"OpenSSL X509_verify_cert, CRL_CHECK|CRL_CHECK_ALL", openssl_step, &ossl_crl_all, 0},
      {"certgate_verify, revocation depth chain", certgate_step, &cg_crl, 0},
      {"OpenSSL X509_verify_cert, a new leaf each time", openssl_cycle_step, &ossl_new, 0},
      {"certgate_verify, a new leaf, known intermediate", certgate_cycle_step, &cg_new, 0},
      {"certgate_verify, decision-cache hit", certgate_step, &cg_hit, 0},
      {"certgate_verify + 100k CRL, a new leaf", certgate_cycle_step, &cg_crl_new, 0},
      {"certgate_verify + 100k CRL, decision-cache hit", certgate_step, &cg_crl_hit, 0},
  };
  enum { N_ROWS = sizeof rows / sizeof rows[0] };
  for (int r = 0; r < N_ROWS; r++) {
    for (int i = 0; i < 3; i++) run_or_die(rows[r].step, rows[r].arg); /* warm-up */
  }
  for (int round = 0; round < ROUNDS; round++) {
    for (int r = 0; r < N_ROWS; r++) {
      double t = measure_once(rows[r].step, rows[r].arg, seconds_per_row / ROUNDS);
      if (round == 0 || t < rows[r].best) rows[r].best = t;
    }
  }

  printf("bench-c: P-256 leaf <- intermediate <- root (trusted), client usage, %s\n",
         OpenSSL_version(OPENSSL_VERSION));
  printf("CPU time per verification, best of %d rounds of %.2f s per row\n", ROUNDS,
         seconds_per_row / ROUNDS);
  printf("no revocation\n");
  row(rows[0].label, rows[0].best);
  row("certgate_verify, the same chain again", rows[1].best);
  printf("100,000-entry CRL of the intermediate (+ empty root CRL)\n");
  row(rows[2].label, rows[2].best);
  row(rows[3].label, rows[3].best);
  row(rows[4].label, rows[4].best);
  printf("repeat peers (%zu distinct leaves cycled)\n", n_leaves);
  row(rows[5].label, rows[5].best);
  row(rows[6].label, rows[6].best);
  row(rows[7].label, rows[7].best);
  row(rows[8].label, rows[8].best);
  row(rows[9].label, rows[9].best);
  printf("ratios (certgate throughput / OpenSSL throughput)\n");
  printf("  no CRL, the same chain again:  %6.1fx\n", rows[0].best / rows[1].best);
  printf("  a new leaf, known intermediate: %6.1fx  (target >= 3x)\n", rows[5].best / rows[6].best);
  printf("  a repeated chain, cache hit:    %6.1fx  (target >= 20x)\n", rows[0].best / rows[7].best);
  printf("  100k CRL:   %6.1fx  (vs CRL_CHECK)\n", rows[2].best / rows[4].best);
  printf("  100k CRL:   %6.1fx  (vs CRL_CHECK|CRL_CHECK_ALL)\n", rows[3].best / rows[4].best);
  double crl_new = rows[8].best / rows[6].best, crl_hit = rows[9].best / rows[7].best;
  printf("with the 100k CRL, certgate's time / without: a new leaf %.3fx, a cache hit %.3fx"
         "  (target <= 1.1x) %s\n",
         crl_new, crl_hit, crl_new <= 1.1 && crl_hit <= 1.1 ? "met" : "MISSED");

  for (size_t i = 0; i < n_leaves; i++) {
    OPENSSL_free(new_ders[i]);
    X509_free(new_leaves[i]);
  }
  free(new_ders);
  free(new_lens);
  free(new_leaves);
  certgate_verifier_free(cg_new.verifier);
  certgate_verifier_free(cg_hit.verifier);
  certgate_verifier_free(cg_crl_new.verifier);
  certgate_verifier_free(cg_crl_hit.verifier);
  certgate_verifier_free(cg.verifier);
  certgate_verifier_free(cg_crl.verifier);
  free(leaf_der);
  free(int_der);
  X509_STORE_free(plain);
  X509_STORE_free(with_crls);
  sk_X509_free(untrusted);
  X509_free(root);
  X509_free(intermediate);
  X509_free(leaf);
  X509_CRL_free(big_crl);
  X509_CRL_free(root_crl);
  return 0;
}
