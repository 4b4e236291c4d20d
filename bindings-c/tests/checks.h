/* Assertions that count, for the C test programs that end with "N checks, M failed". */
#ifndef CERTGATE_TEST_CHECKS_H
#define CERTGATE_TEST_CHECKS_H

#include <stdio.h>

#include "certgate.h"

static int checks_run = 0;
static int checks_failed = 0;

/* Records one assertion; prints the failing expression and location. */
#define CHECK(cond)                                                              \
  do {                                                                           \
    checks_run++;                                                                \
    if (!(cond)) {                                                               \
      checks_failed++;                                                           \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
    }                                                                            \
  } while (0)

/* Asserts two codes are equal, printing both names when they are not. */
#define CHECK_CODE(got, want)                                                    \
  do {                                                                           \
    certgate_code got_ = (got);                                                  \
    certgate_code want_ = (want);                                                \
    checks_run++;                                                                \
    if (got_ != want_) {                                                         \
      checks_failed++;                                                           \
      fprintf(stderr, "FAIL %s:%d: %s is %s, expected %s\n", __FILE__, __LINE__, \
              #got, certgate_code_name(got_), certgate_code_name(want_));        \
    }                                                                            \
  } while (0)

/* Prints the summary line and returns the process exit status. */
static inline int finish(const char *suite) {
  printf("%s: %d checks, %d failed\n", suite, checks_run, checks_failed);
  return checks_failed == 0 && checks_run > 0 ? 0 : 1;
}

#endif
