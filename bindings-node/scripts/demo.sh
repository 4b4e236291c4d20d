#!/usr/bin/env bash
# make demo: a development PKI made by `certgate pki`, an https server
# (bindings-node/examples/server.js) enforcing its policy with certgate, and curl knocking
# with several client certificates; then a revocation applied without a restart.
#   scripts/demo.sh            (from bindings-node/, after the addon and the CLI are built)
set -euo pipefail
cd "$(dirname "$0")/.."
certgate=${CERTGATE_CLI:-../target/release/certgate}

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

pki="$tmp/pki"
step() { printf '\n$ %s\n' "$*"; "$@" | sed 's/^/  /'; }
step "$certgate" pki init "$pki"
step "$certgate" pki issue "$pki" web --spiffe spiffe://example.org/ns/prod/sa/web
step "$certgate" pki issue "$pki" laptop --dns laptop.example.org
"$certgate" pki issue "$pki" server --server --dns localhost --ip 127.0.0.1 >/dev/null
# A client certificate from a PKI the policy does not trust.
"$certgate" pki init "$tmp/elsewhere" >/dev/null
"$certgate" pki issue "$tmp/elsewhere" stranger --spiffe spiffe://example.org/ns/prod/sa/web >/dev/null
cp "$tmp/elsewhere/stranger.pem" "$tmp/elsewhere/stranger.key" "$pki/"

node examples/server.js "$pki" 0 >"$tmp/server.log" 2>"$tmp/server.err" &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's#^listening https://127.0.0.1:\([0-9]*\)$#\1#p' "$tmp/server.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "the demo server did not start" >&2; exit 1; }
policy_rule=$(node -e 'console.log(JSON.stringify(require(process.argv[1]).allow))' "$pki/policy.json")

echo
echo "certgate demo: examples/server.js on https://127.0.0.1:$port (pid $server_pid)"
echo "policy: allow $policy_rule, the CRLs of both CAs, anchors = the pki's root"
echo
row() { printf '%-10s %-9s %-8s %-16s %s\n' "$@"; }
row CLIENT "CURL" OUTCOME CODE "IDENTITY (what the handler saw / who was refused)"
row ---------- --------- -------- ---------------- -------------------------------------------------
knock() {
  local client=$1
  local seen
  seen=$(wc -l <"$tmp/server.log")
  local args=(--silent --show-error --max-time 10 --cacert "$pki/root.pem"
              --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/")
  [ "$client" = none ] || args+=(--cert "$pki/$client.pem" --key "$pki/$client.key")
  local body curl_result
  if body=$(curl "${args[@]}" 2>"$tmp/curl.err"); then curl_result="HTTP 200"; else curl_result="exit $?"; fi
  # the server's decision for this connection: the first log line after the ones seen so far
  local decision=
  for _ in $(seq 50); do
    decision=$(sed -n "$((seen + 1))p" "$tmp/server.log")
    [ -n "$decision" ] && break
    sleep 0.1
  done
  local outcome code subject spiffe identity
  IFS=$'\t' read -r outcome code subject spiffe <<<"${decision:-unknown	-	-	-}"
  if [ "$outcome" = admitted ]; then
    identity="$body"
  else
    identity="$spiffe  ($subject)"
    [ "$subject" = - ] && identity="(no certificate)"
  fi
  row "$client" "$curl_result" "$outcome" "$code" "$identity"
}
for client in web laptop stranger none; do knock "$client"; done

echo
echo "\$ certgate pki revoke $pki web     # re-signs the CRLs; the server reloads its policy files"
"$certgate" pki revoke "$pki" web >/dev/null
for _ in $(seq 100); do
  grep -q '^policy reloaded' "$tmp/server.err" && break
  sleep 0.1
done
sed 's/^/  server: /' "$tmp/server.err"
knock web

echo
echo "curl exit 52/56: the server closed the connection right after the handshake, before any"
echo "HTTP byte was read (enforce() runs on 'secureConnection'); the code is the server's log."
echo
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
echo "server stopped; demo PKI removed."
