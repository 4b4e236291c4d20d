#!/usr/bin/env bash
# End to end: examples/openssl_server (OpenSSL + certgate inside the handshake) on
# 127.0.0.1, with clients from the demo PKI (valid now) connecting through
# `openssl s_client` and `curl`. Admitted clients get an answer naming them; refused
# ones get the TLS alert matching certgate's code and never a byte of application data.
#
#   tls_e2e.sh SERVER_BINARY CERTGATE_VECTORS_BINARY [WRAPPER...]
# WRAPPER (e.g. `valgrind -q --error-exitcode=1 ...`) runs the server under a tool; the
# server's exit status after SIGTERM must then be 0 too.
set -euo pipefail

server_bin=$1
vectors_bin=$2
shift 2
wrapper=("$@")
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$vectors_bin" demo "$tmp/pki" 2>"$tmp/demo.log" || { cat "$tmp/demo.log"; exit 1; }
pki=$tmp/pki

"${wrapper[@]}" "$server_bin" "$pki/policy.json" "$pki/server.pem" "$pki/server.key" 0 "$tmp/port" \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  [ -s "$tmp/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log"; echo "server exited"; exit 1; }
  sleep 0.1
done
[ -s "$tmp/port" ] || { echo "server did not start listening within 30 s"; exit 1; }
port=$(cat "$tmp/port")

checks=0
failed=0
expect() { # expect DESCRIPTION CONDITION-RESULT(0/1) OUTPUT
  checks=$((checks + 1))
  if [ "$2" -ne 0 ]; then
    failed=$((failed + 1))
    echo "FAIL: $1"
    printf '%s\n' "$3" | sed 's/^/    /' | head -20
  fi
}
contains() { grep -qF -- "$2" <<<"$1" && echo 0 || echo 1; }
lacks() { grep -qF -- "$2" <<<"$1" && echo 1 || echo 0; }

hello="hello spiffe://demo.example/ns/prod/sa/web"

s_client() { # s_client CLIENT [extra options...]: prints everything, never fails
  local client=$1
  shift
  printf 'GET / HTTP/1.0\r\n\r\n' |
    timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$pki/ca.pem" \
      -cert "$pki/$client.pem" -key "$pki/$client.key" -verify_return_error -quiet "$@" 2>&1 ||
    true
}

curl_as() { # curl_as CLIENT: prints body and errors, then "exit=N"
  local status=0
  timeout 10 curl -sS --cacert "$pki/ca.pem" --cert "$pki/$1.pem" --key "$pki/$1.key" \
    "https://127.0.0.1:$port/" 2>&1 || status=$?
  echo "exit=$status"
}

# Allowed: both tools get the answer.
out=$(s_client allowed)
expect "s_client allowed gets the answer" "$(contains "$out" "$hello")" "$out"
out=$(curl_as allowed)
expect "curl allowed gets the answer" "$(contains "$out" "$hello")" "$out"
expect "curl allowed exits 0" "$(contains "$out" "exit=0")" "$out"

# Revoked: the alert is "certificate revoked", and no answer.
for version in "" -tls1_2; do
  out=$(s_client revoked $version)
  expect "s_client $version revoked gets a certificate_revoked alert" \
    "$(contains "$out" "alert certificate revoked")" "$out"
  expect "s_client $version revoked gets no answer" "$(lacks "$out" "hello")" "$out"
done
out=$(curl_as revoked)
expect "curl revoked fails with certificate revoked" "$(contains "$out" "certificate revoked")" "$out"
expect "curl revoked gets no answer" "$(lacks "$out" "hello")" "$out"
expect "curl revoked exits non-zero" "$(lacks "$out" "exit=0")" "$out"

# Not authorized (valid chain, SPIFFE ID outside the allow rule): handshake failure.
out=$(s_client wrong-spiffe)
expect "s_client unauthorized gets a handshake_failure alert" \
  "$(contains "$out" "alert handshake failure")" "$out"
expect "s_client unauthorized gets no answer" "$(lacks "$out" "hello")" "$out"
out=$(curl_as wrong-spiffe)
expect "curl unauthorized fails with handshake failure" \
  "$(contains "$out" "alert handshake failure")" "$out"
expect "curl unauthorized exits non-zero" "$(lacks "$out" "exit=0")" "$out"
expect "curl unauthorized gets no answer" "$(lacks "$out" "hello")" "$out"

# Expired and untrusted clients get their alerts too.
out=$(s_client expired)
expect "s_client expired gets a certificate_expired alert" \
  "$(contains "$out" "alert certificate expired")" "$out"
out=$(s_client untrusted)
expect "s_client untrusted gets an unknown_ca alert" "$(contains "$out" "alert unknown ca")" "$out"

# The server's own log: who was admitted, who was refused and why.
log=$(cat "$tmp/server.log")
count() { grep -c -- "$1" <<<"$log" || true; }
expect "server admitted exactly 2 connections" "$([ "$(count '^allowed spiffe://demo.example/ns/prod/sa/web ')" -eq 2 ] && echo 0 || echo 1)" "$log"
expect "server refused 3 REVOKED" "$([ "$(count '^refused REVOKED cert_index=0')" -eq 3 ] && echo 0 || echo 1)" "$log"
expect "server refused 2 NOT_AUTHORIZED" "$([ "$(count '^refused NOT_AUTHORIZED')" -eq 2 ] && echo 0 || echo 1)" "$log"
expect "server refused 1 EXPIRED" "$([ "$(count '^refused EXPIRED')" -eq 1 ] && echo 0 || echo 1)" "$log"
expect "server refused 1 UNKNOWN_ISSUER" "$([ "$(count '^refused UNKNOWN_ISSUER')" -eq 1 ] && echo 0 || echo 1)" "$log"

# SIGTERM: the server finishes, frees everything and exits 0 (bounded: 15 s, then KILL).
kill -TERM "$server_pid"
for _ in $(seq 150); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  kill -KILL "$server_pid"
  expect "server stops within 15 s of SIGTERM" 1 ""
fi
status=0
wait "$server_pid" || status=$?
server_pid=""
expect "server exits 0 after SIGTERM" "$([ "$status" -eq 0 ] && echo 0 || echo 1)" "exit $status"
expect "server logs its stop" "$(contains "$(cat "$tmp/server.log")" "stopped")" ""

echo "tls e2e${wrapper[0]:+ (server under ${wrapper[0]})}: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
