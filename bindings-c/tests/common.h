/* Small helpers shared by the C tests (C99, no dependencies beyond libc). */
#ifndef CERTGATE_TEST_COMMON_H
#define CERTGATE_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file; the buffer is NUL-terminated (not counted in *len). Exits on error. */
static inline char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  size_t cap = 4096, used = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf != NULL && (n = fread(buf + used, 1, cap - used - 1, f)) > 0) {
    used += n;
    if (cap - used - 1 == 0) {
      char *bigger = realloc(buf, cap * 2);
      if (bigger == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf == NULL) {
    fprintf(stderr, "out of memory reading %s\n", path);
    exit(2);
  }
  buf[used] = '\0';
  if (len != NULL) {
    *len = used;
  }
  return buf;
}

/* Reads DIR/NAME. */
static inline char *read_in(const char *dir, const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return read_file(path, len);
}

/* The JSON string literal (with quotes) of `text`: escapes quotes, backslashes, controls. */
static inline char *json_string(const char *text) {
  size_t n = strlen(text);
  char *out = malloc(n * 6 + 3);
  if (out == NULL) {
    exit(2);
  }
  char *p = out;
  *p++ = '"';
  for (const unsigned char *s = (const unsigned char *)text; *s != '\0'; s++) {
    if (*s == '"' || *s == '\\') {
      *p++ = '\\';
      *p++ = (char)*s;
    } else if (*s == '\n') {
      *p++ = '\\';
      *p++ = 'n';
    } else if (*s < 0x20) {
      p += sprintf(p, "\\u%04x", *s);
    } else {
      *p++ = (char)*s;
    }
  }
  *p++ = '"';
  *p = '\0';
  return out;
}

static inline int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* DER of the first PEM block of `pem` (malloc'd), or NULL when there is none. */
static inline unsigned char *pem_to_der(const char *pem, size_t *der_len) {
  const char *begin = strstr(pem, "-----BEGIN");
  if (begin == NULL) return NULL;
  const char *body = strchr(begin + 1, '\n');
  const char *end = strstr(begin, "-----END");
  if (body == NULL || end == NULL || end < body) return NULL;
  unsigned char *der = malloc((size_t)(end - body));
  if (der == NULL) exit(2);
  size_t out = 0;
  unsigned int acc = 0;
  int bits = 0;
  for (const char *s = body; s < end; s++) {
    int v = base64_value(*s);
    if (v < 0) continue; /* newlines and '=' padding */
    acc = (acc << 6) | (unsigned int)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      der[out++] = (unsigned char)((acc >> bits) & 0xff);
    }
  }
  *der_len = out;
  return der;
}

#endif
