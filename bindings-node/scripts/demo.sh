#!/usr/bin/env bash
# make demo: an https server (bindings-node/examples/server.js) enforcing a SPIFFE policy
# with certgate, and curl knocking with five client certificates. Prints who got in.
#   scripts/demo.sh            (from bindings-node/, after the addon is built)
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}

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

(cd .. && "$CARGO" run -q --release -p certgate-vectors -- demo "$tmp/pki")
policy_rule=$(node -e 'console.log(JSON.stringify(require(process.argv[1]).allow))' "$tmp/pki/policy.json")

node examples/server.js "$tmp/pki" 0 >"$tmp/server.log" 2>"$tmp/server.err" &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's#^listening https://127.0.0.1:\([0-9]*\)$#\1#p' "$tmp/server.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "the demo server did not start" >&2; exit 1; }

echo
echo "certgate demo: examples/server.js on https://127.0.0.1:$port (pid $server_pid)"
echo "policy: allow $policy_rule, CRL from the issuing CA, anchors = the demo root"
echo
row() { printf '%-14s %-9s %-8s %-16s %s\n' "$@"; }
row CLIENT "CURL" OUTCOME CODE "IDENTITY (what the handler saw / who was refused)"
row -------------- --------- -------- ---------------- -------------------------------------------------
for client in allowed revoked wrong-spiffe expired untrusted none; do
  seen=$(wc -l <"$tmp/server.log")
  args=(--silent --show-error --max-time 10 --cacert "$tmp/pki/ca.pem"
        --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/")
  [ "$client" = none ] || args+=(--cert "$tmp/pki/$client.pem" --key "$tmp/pki/$client.key")
  if body=$(curl "${args[@]}" 2>"$tmp/curl.err"); then curl_result="HTTP 200"; else curl_result="exit $?"; fi
  # the server's decision for this connection: the first log line after the ones seen so far
  decision=
  for _ in $(seq 50); do
    decision=$(sed -n "$((seen + 1))p" "$tmp/server.log")
    [ -n "$decision" ] && break
    sleep 0.1
  done
  IFS=$'\t' read -r outcome code subject spiffe <<<"${decision:-unknown	-	-	-}"
  if [ "$outcome" = admitted ]; then
    identity="$body"
  else
    identity="$spiffe  ($subject)"
    [ "$subject" = - ] && identity="(no certificate)"
  fi
  row "$client" "$curl_result" "$outcome" "$code" "$identity"
done
echo
echo "curl exit 52/56: the server closed the connection right after the handshake, before any"
echo "HTTP byte was read (enforce() runs on 'secureConnection'); the code is the server's log."
echo
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
echo "server stopped; demo PKI removed."
