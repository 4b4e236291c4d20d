#!/usr/bin/env bash
# The CLI demo: a fresh demo PKI in a temporary folder, then `certgate verify`
# against its policy for five clients, as a table. Usage: demo-cli.sh BIN_DIR
set -euo pipefail
bin=${1:?usage: demo-cli.sh BIN_DIR}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin/certgate-vectors" demo "$dir" >/dev/null

echo "certgate demo: policy allows spiffe://demo.example/ns/prod/sa/*, with CRLs ($dir/policy.json)"
echo
printf '%-14s %-9s %-17s %s\n' CLIENT OUTCOME CODE "IDENTITY / REASON"
printf '%-14s %-9s %-17s %s\n' ------ ------- ---- -----------------
for client in allowed revoked expired untrusted wrong-spiffe; do
  set +e
  out=$("$bin/certgate" verify --json --policy "$dir/policy.json" "$dir/$client.pem")
  status=$?
  set -e
  case $status in
    0) outcome=ALLOWED; code=-
       detail=$(python3 -c 'import json,sys; i=json.load(sys.stdin); print(i["spiffe_id"] or i["subject"])' <<<"$out") ;;
    1) outcome=REFUSED
       code=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])' <<<"$out")
       detail=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["message"][:90])' <<<"$out") ;;
    *) echo "certgate failed on $client (exit $status)" >&2; exit 1 ;;
  esac
  printf '%-14s %-9s %-17s %s\n' "$client" "$outcome" "$code" "$detail"
done
