#!/bin/sh
# seed 0xc37a7ed1ff0001 case 39: certgate said OK, openssl said refused.
# Regenerate: cargo run -p certgate-differential -- --seed 0xc37a7ed1ff0001 --case 39
# CERTGATE: the certgate CLI (cargo build -p certgate-cli: target/debug/certgate).
cd "$(dirname "$0")"
echo '== certgate'
${CERTGATE:-certgate} verify --policy policy.json --at 2026-06-01T00:00:00Z leaf.pem untrusted.pem
echo '== openssl'
OPENSSL_CONF=/dev/null openssl verify -x509_strict -purpose sslclient -attime 1780272000 -no-CApath -no-CAstore -CAfile root.pem -untrusted untrusted.pem leaf.pem
