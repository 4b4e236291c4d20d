#!/usr/bin/env bash
# make bench-node: fresh benchmark fixtures (their CRLs expire after a week), the core's
# own verify built as a cargo bench program, then bench/bench.mjs with 2 libuv threads,
# which runs that program once per round between its Node contenders; then bench/ocsp.mjs
# (OCSP fetched from OpenSSL's responder, then kept).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd .. && "$CARGO" run -q --release -p certgate-vectors -- bench "$tmp/fixtures")
core_bench=$(cd .. && "$CARGO" bench -q -p certgate-node --bench core_verify --no-run --message-format=json |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const built = s.split("\n").filter(Boolean).map(JSON.parse)
      .filter((m) => m.reason === "compiler-artifact" && m.target.name === "core_verify" && m.executable);
    console.log(built.at(-1).executable);
  })')
UV_THREADPOOL_SIZE=2 node bench/bench.mjs "$tmp/fixtures" "$core_bench"
UV_THREADPOOL_SIZE=2 node bench/ocsp.mjs
