/* A mutual-TLS server on OpenSSL whose client-certificate decision is certgate's.
 *
 * The peer's chain is handed to certgate_verify inside the handshake, through
 * SSL_CTX_set_cert_verify_callback: OpenSSL's own chain building is replaced, so the
 * policy (trust anchors, CRLs, SPIFFE / SAN / subject rules) is the only judge, and a
 * refused client gets a TLS alert (e.g. "certificate revoked") instead of a session.
 * An admitted client gets a one-line HTTP answer naming its identity.
 *
 *   openssl_server POLICY.json SERVER_CHAIN.pem SERVER_KEY.pem [PORT [PORT_FILE]]
 *
 * Listens on 127.0.0.1:PORT (0 or absent: an ephemeral port, written to PORT_FILE
 * when given), one connection at a time, each with 5-second socket timeouts, until
 * SIGTERM or SIGINT (then it frees everything and exits 0). Logs one line per
 * connection on stdout.
 *
 * Build: cc -std=c99 openssl_server.c $(pkg-config --cflags --libs certgate openssl)
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "certgate.h"

static volatile sig_atomic_t stopping = 0;

static void on_stop(int signal_number) {
  (void)signal_number;
  stopping = 1;
}

/* Per-connection state: certgate's outcome for the client, kept for the application. */
struct connection {
  certgate_outcome *outcome;
};

/* The X509_V_ERR reported to OpenSSL for a refusal: it picks the TLS alert. */
static int x509_error_for(certgate_code code) {
  switch (code) {
  case CERTGATE_REVOKED:
    return X509_V_ERR_CERT_REVOKED;
  case CERTGATE_EXPIRED:
    return X509_V_ERR_CERT_HAS_EXPIRED;
  case CERTGATE_NOT_YET_VALID:
    return X509_V_ERR_CERT_NOT_YET_VALID;
  case CERTGATE_UNKNOWN_ISSUER:
    return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
  case CERTGATE_BAD_SIGNATURE:
    return X509_V_ERR_CERT_SIGNATURE_FAILURE;
  case CERTGATE_INVALID_USAGE:
    return X509_V_ERR_INVALID_PURPOSE;
  case CERTGATE_REVOCATION_UNKNOWN:
    return X509_V_ERR_UNABLE_TO_GET_CRL;
  case CERTGATE_CRL_EXPIRED:
    return X509_V_ERR_CRL_HAS_EXPIRED;
  default:
    return X509_V_ERR_APPLICATION_VERIFICATION;
  }
}

/* The whole client-certificate decision. OpenSSL calls it during the handshake with
 * the peer's chain; returning 0 aborts the handshake with an alert. */
static int verify_with_certgate(X509_STORE_CTX *store, void *arg) {
  const certgate_verifier *verifier = arg;
  SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
  struct connection *conn = SSL_get_app_data(ssl);
  X509 *leaf = X509_STORE_CTX_get0_cert(store);
  STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(store);

  /* DER of the leaf, then of every other certificate the client sent. */
  enum { MAX_CERTS = 17 };
  unsigned char *der[MAX_CERTS] = {NULL};
  const uint8_t *certs[MAX_CERTS];
  size_t lens[MAX_CERTS];
  size_t n = 0;
  int ok = 0;
  certgate_outcome_free(conn->outcome); /* in case OpenSSL asks twice */
  conn->outcome = NULL;
  int len = leaf != NULL ? i2d_X509(leaf, &der[n]) : -1;
  if (len > 0) {
    certs[n] = der[n];
    lens[n++] = (size_t)len;
    for (int i = 0; sent != NULL && i < sk_X509_num(sent) && n < MAX_CERTS; i++) {
      X509 *cert = sk_X509_value(sent, i);
      if (X509_cmp(cert, leaf) == 0) continue;
      len = i2d_X509(cert, &der[n]);
      if (len <= 0) break;
      certs[n] = der[n];
      lens[n++] = (size_t)len;
    }
    certgate_code code = certgate_verify(verifier, certs, lens, n, -1, &conn->outcome);
    ok = code == CERTGATE_OK;
    if (!ok) {
      X509_STORE_CTX_set_error(store, x509_error_for(code));
    }
  } else {
    X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
  }
  for (size_t i = 0; i < MAX_CERTS; i++) OPENSSL_free(der[i]);
  return ok;
}

static char *read_text(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char *text = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1)) != NULL) {
      *len = fread(text, 1, (size_t)size, f);
      text[*len] = '\0';
    }
  }
  fclose(f);
  return text;
}

static int listen_on(unsigned short port, unsigned short *bound) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  socklen_t addr_len = sizeof addr;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &addr_len) != 0) {
    close(fd);
    return -1;
  }
  *bound = ntohs(addr.sin_port);
  return fd;
}

/* Serves one connection: handshake (certgate decides), then a one-line answer. */
static void serve(SSL_CTX *ctx, int client) {
  struct timeval timeout = {5, 0};
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  struct connection conn = {NULL};
  SSL *ssl = SSL_new(ctx);
  if (ssl == NULL) {
    close(client);
    return;
  }
  SSL_set_app_data(ssl, &conn);
  SSL_set_fd(ssl, client);
  if (SSL_accept(ssl) != 1) {
    if (conn.outcome != NULL && certgate_outcome_code(conn.outcome) != CERTGATE_OK) {
      printf("refused %s cert_index=%d: %s\n",
             certgate_code_name(certgate_outcome_code(conn.outcome)),
             (int)certgate_outcome_cert_index(conn.outcome),
             certgate_outcome_message(conn.outcome));
    } else {
      unsigned long err = ERR_peek_last_error();
      printf("handshake failed: %s\n", err ? ERR_reason_error_string(err) : "connection closed");
    }
    /* Lingering close: with TLS 1.3 the client may already be sending its request;
     * closing with unread data would reset the connection and could destroy the
     * alert before the client reads it. Half-close, then drain briefly. */
    struct timeval drain = {1, 0};
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &drain, sizeof drain);
    shutdown(client, SHUT_WR);
    char sink[4096];
    for (int i = 0; i < 64 && recv(client, sink, sizeof sink, 0) > 0; i++) {
    }
  } else {
    const char *spiffe = certgate_outcome_spiffe_id(conn.outcome);
    const char *subject = certgate_outcome_subject(conn.outcome);
    printf("allowed %s (%s)\n", spiffe ? spiffe : "-", subject);
    char request[4096];
    int got = SSL_read(ssl, request, sizeof request);
    (void)got; /* any request gets the same answer */
    char body[1024];
    int body_len = snprintf(body, sizeof body, "hello %s\n", spiffe ? spiffe : subject);
    char response[1536];
    int response_len = snprintf(response, sizeof response,
                                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                                body_len, body);
    SSL_write(ssl, response, response_len);
    SSL_shutdown(ssl);
  }
  fflush(stdout);
  ERR_clear_error();
  SSL_free(ssl);
  close(client);
  certgate_outcome_free(conn.outcome);
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 6) {
    fprintf(stderr, "usage: %s POLICY.json SERVER_CHAIN.pem SERVER_KEY.pem [PORT [PORT_FILE]]\n",
            argv[0]);
    return 2;
  }
  unsigned short port = argc > 4 ? (unsigned short)strtoul(argv[4], NULL, 10) : 0;
  const char *port_file = argc > 5 ? argv[5] : NULL;
  signal(SIGPIPE, SIG_IGN);

  size_t policy_len = 0;
  char *policy = read_text(argv[1], &policy_len);
  if (policy == NULL) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  certgate_verifier *verifier = NULL;
  certgate_outcome *error = NULL;
  certgate_code code = certgate_verifier_new(policy, policy_len, &verifier, &error);
  free(policy);
  if (code != CERTGATE_OK) {
    fprintf(stderr, "policy refused: %s: %s\n", certgate_code_name(code),
            error ? certgate_outcome_message(error) : "");
    certgate_outcome_free(error);
    return 1;
  }

  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    ERR_print_errors_fp(stderr);
    certgate_verifier_free(verifier);
    SSL_CTX_free(ctx);
    return 1;
  }
  /* Require a client certificate, and let certgate alone decide about it. */
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_cert_verify_callback(ctx, verify_with_certgate, verifier);

  unsigned short bound = 0;
  int fd = listen_on(port, &bound);
  if (fd < 0) {
    perror("listen on 127.0.0.1");
    certgate_verifier_free(verifier);
    SSL_CTX_free(ctx);
    return 1;
  }
  printf("listening on 127.0.0.1:%u\n", (unsigned)bound);
  fflush(stdout);
  if (port_file != NULL) {
    /* Written to a temporary name, then renamed: a reader never sees half a number. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
    FILE *f = fopen(tmp, "w");
    if (f == NULL || fprintf(f, "%u\n", (unsigned)bound) < 0 || fclose(f) != 0 ||
        rename(tmp, port_file) != 0) {
      perror(port_file);
      return 1;
    }
  }
  struct sigaction stop;
  memset(&stop, 0, sizeof stop);
  stop.sa_handler = on_stop;
  sigemptyset(&stop.sa_mask);
  sigaction(SIGTERM, &stop, NULL);
  sigaction(SIGINT, &stop, NULL);
  while (!stopping) {
    /* Wake up every second to notice a stop request between connections. */
    struct pollfd ready = {fd, POLLIN, 0};
    if (poll(&ready, 1, 1000) == 1) {
      int client = accept(fd, NULL, NULL);
      if (client >= 0) serve(ctx, client);
    }
  }
  close(fd);
  SSL_CTX_free(ctx);
  certgate_verifier_free(verifier);
  printf("stopped\n");
  return 0;
}
