#!/usr/bin/env bash
# make-pki.sh DIR -- build a small mTLS PKI with nothing but the `openssl` CLI
# (written against OpenSSL 3.0 on Debian 12), the way tutorials and real CAs do.
# DIR is wiped and recreated. See README.md next to this script for every file.
set -euo pipefail
exec </dev/null

die() { printf 'make-pki: %s\n' "$*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 DIR"
command -v openssl >/dev/null || die "openssl not found on PATH"

# ---------------------------------------------------------------- target dir
MARKER=.certgate-openssl-pki
OUT=$1
[ -n "$OUT" ] || die "empty DIR"
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
OUT=${OUT%/}
[ -n "$OUT" ] && [ "$OUT" != "$HOME" ] || die "refusing to wipe '$1'"
if [ -e "$OUT" ]; then
    [ -d "$OUT" ] || die "$OUT exists and is not a directory"
    # Only wipe a directory we made before (or an empty one).
    if [ ! -e "$OUT/$MARKER" ] && [ -n "$(ls -A "$OUT")" ]; then
        die "$OUT is not empty and was not made by this script; refusing to wipe it"
    fi
    rm -rf -- "$OUT"
fi
mkdir -p "$OUT"
cd "$OUT"
: > "$MARKER"

# Everything below reads only our own config, never the system one.
export OPENSSL_CONF=$OUT/openssl.cnf

# Run a command quietly; on failure show what it printed and stop.
q() {
    local out
    if ! out=$("$@" 2>&1); then
        printf 'make-pki: command failed: %s\n%s\n' "$*" "$out" >&2
        exit 1
    fi
}

# UTC timestamps in the YYYYMMDDHHMMSSZ form `openssl ca` takes (GNU date, BSD fallback).
ts() { # ts GNU-offset BSD-offset
    date -u -d "$1" +%Y%m%d%H%M%SZ 2>/dev/null || date -u -v"$2" +%Y%m%d%H%M%SZ
}
NOW_MINUS_1D=$(ts '1 day ago' -1d)
CA_END=$(ts '10 years' +10y)
LEAF_END=$(ts '1 year' +1y)
CRL_DAYS=30

# ---------------------------------------------------------------- config
# One self-contained config. Paths are relative to DIR (the script cd's there).
cat > openssl.cnf <<'CNF'
# certgate tests/openssl PKI -- written by make-pki.sh; paths are relative to this directory.

[ ca ]
default_ca = intermediate_ca

# ---- root CA database
[ root_ca ]
dir              = ./db/root
database         = $dir/index.txt
serial           = $dir/serial
crlnumber        = $dir/crlnumber
new_certs_dir    = $dir/newcerts
certificate      = ./root.pem
private_key      = ./root.key
default_md       = sha256
default_crl_days = 30
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
name_opt         = ca_default
cert_opt         = ca_default
crl_extensions   = crl_ext

# ---- intermediate (issuing) CA database
[ intermediate_ca ]
dir              = ./db/intermediate
database         = $dir/index.txt
serial           = $dir/serial
crlnumber        = $dir/crlnumber
new_certs_dir    = $dir/newcerts
certificate      = ./intermediate.pem
private_key      = ./intermediate.key
default_md       = sha256
default_crl_days = 30
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
name_opt         = ca_default
cert_opt         = ca_default
crl_extensions   = crl_ext

# ---- the same intermediate database, but with no `crlnumber` configured:
#      `openssl ca -gencrl` then emits a CRL without the CRL Number extension.
[ intermediate_ca_nonumber ]
dir              = ./db/intermediate
database         = $dir/index.txt
serial           = $dir/serial
new_certs_dir    = $dir/newcerts
certificate      = ./intermediate.pem
private_key      = ./intermediate.key
default_md       = sha256
default_crl_days = 30
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
name_opt         = ca_default
cert_opt         = ca_default
crl_extensions   = crl_ext

[ policy_any ]
organizationName = optional
commonName       = supplied

# ---- CSRs
[ req ]
distinguished_name = req_dn
string_mask        = utf8only
default_md         = sha256
prompt             = no

[ req_dn ]
CN = placeholder

# ---- certificate extensions (order matters: SKI before AKI)
[ ca_ext ]
basicConstraints       = critical, CA:true
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ client_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = URI:spiffe://openssl.test/ns/prod/sa/client, DNS:client.openssl.test

[ revoked_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = URI:spiffe://openssl.test/ns/prod/sa/revoked

[ revoked_later_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = URI:spiffe://openssl.test/ns/prod/sa/revoked-later

[ rsa_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = URI:spiffe://openssl.test/ns/prod/sa/rsa

[ server_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:localhost, IP:127.0.0.1

# ---- CRL extensions
# Plain: what every tutorial config has.
[ crl_ext ]
authorityKeyIdentifier = keyid:always

# Root ARL: only CA certificates are in scope.
[ crl_ext_root_arl ]
authorityKeyIdentifier   = keyid:always
issuingDistributionPoint = critical, @idp_ca_only

# Intermediate (base CRL): only end-entity certificates are in scope. freshestCRL says
# where its deltas are published; OpenSSL's verifier only looks at a delta CRL when the
# base CRL or the certificate has this extension (and -use_deltas is given).
[ crl_ext_user ]
authorityKeyIdentifier   = keyid:always
issuingDistributionPoint = critical, @idp_user_only
freshestCRL              = URI:http://crl.openssl.test/intermediate-delta.crl

# Delta CRL of intermediate.crl (whose CRL number is 0x1000 = 4096; asserted by the
# script). OpenSSL has no string form for deltaCRLIndicator, hence the generic ASN1: one.
# Same IDP as the base, as RFC 5280 5.2.4 wants (and OpenSSL's verifier checks).
[ crl_ext_delta ]
authorityKeyIdentifier   = keyid:always
issuingDistributionPoint = critical, @idp_user_only
2.5.29.27                = critical, ASN1:INTEGER:0x1000

# An extension nobody understands, marked critical: a CRL a verifier must refuse.
[ crl_ext_unknown_critical ]
authorityKeyIdentifier = keyid:always
1.3.6.1.4.1.55555.9    = critical, ASN1:NULL

[ idp_ca_only ]
onlyCA = TRUE

[ idp_user_only ]
onlyuser = TRUE
CNF

# ---------------------------------------------------------------- CA databases
for ca in root intermediate; do
    mkdir -p "db/$ca/newcerts"
    : > "db/$ca/index.txt"
    echo 'unique_subject = no' > "db/$ca/index.txt.attr"
    echo 1000 > "db/$ca/crlnumber"   # first CRL number: 0x1000 = 4096
done
echo 1000 > db/root/serial           # root = 0x1000, intermediate = 0x1001
echo 2000 > db/intermediate/serial   # leaves from 0x2000 in the order issued below
mkdir -p csr

O="Certgate OpenSSL Test"

ec_key()  { q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
rsa_key() { q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key"; }
csr()     { q openssl req -config openssl.cnf -new -key "$1.key" -subj "$2" -out "csr/$1.csr"; }

# ---------------------------------------------------------------- root (self-signed with `openssl ca -selfsign`)
ec_key root
csr root "/O=$O/CN=OpenSSL Test Root"
q openssl ca -config openssl.cnf -name root_ca -batch -selfsign -notext \
    -keyfile root.key -in csr/root.csr -out root.pem -extensions ca_ext \
    -startdate "$NOW_MINUS_1D" -enddate "$CA_END"

# ---------------------------------------------------------------- intermediate (signed by the root)
ec_key intermediate
csr intermediate "/O=$O/CN=OpenSSL Test Issuing CA"
q openssl ca -config openssl.cnf -name root_ca -batch \
    -in csr/intermediate.csr -out intermediate.pem -extensions ca_ext \
    -startdate "$NOW_MINUS_1D" -enddate "$CA_END"

# ---------------------------------------------------------------- a CA with an RSA-1024 key, and a leaf under it
# Too weak for certgate (UNSUPPORTED_ALGORITHM naming the CA); `openssl verify` accepts it
# at OpenSSL's default security level. The leaf is signed with `openssl x509 -req`.
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak-ca.key
csr weak-ca "/O=$O/CN=OpenSSL Weak RSA-1024 CA"
q openssl ca -config openssl.cnf -name root_ca -batch \
    -in csr/weak-ca.csr -out weak-ca.pem -extensions ca_ext \
    -startdate "$NOW_MINUS_1D" -enddate "$CA_END"
ec_key weak-leaf
csr weak-leaf "/O=$O/CN=weak-leaf"
q openssl x509 -req -in csr/weak-leaf.csr -CA weak-ca.pem -CAkey weak-ca.key -set_serial 0x3000 \
    -extfile openssl.cnf -extensions client_ext -days 365 -out weak-leaf.pem
cat weak-leaf.pem weak-ca.pem > weak-leaf.chain.pem

# ---------------------------------------------------------------- leaves (signed by the intermediate; text dump kept)
leaf() { # leaf NAME KEYTYPE EXTSECTION
    "$2_key" "$1"
    csr "$1" "/O=$O/CN=$1"
    q openssl ca -config openssl.cnf -name intermediate_ca -batch \
        -in "csr/$1.csr" -out "$1.pem" -extensions "$3" \
        -startdate "$NOW_MINUS_1D" -enddate "$LEAF_END"
}
leaf client        ec  client_ext          # 0x2000
leaf revoked       ec  revoked_ext         # 0x2001
leaf server        ec  server_ext          # 0x2002
leaf client-rsa    rsa rsa_ext             # 0x2003
leaf revoked-later ec  revoked_later_ext   # 0x2004

# Chains, exactly as a tutorial would make them (text dumps included).
for n in client revoked revoked-later; do
    cat "$n.pem" intermediate.pem > "$n.chain.pem"
done

# ---------------------------------------------------------------- CRLs
# crl NAME CASECTION CRLEXTSECTION: PEM, text dump (+PEM) and DER.
crl() {
    q openssl ca -config openssl.cnf -name "$2" -batch -gencrl -crldays "$CRL_DAYS" \
        -crlexts "$3" -out "$1.crl.pem"
    q openssl crl -in "$1.crl.pem" -text -out "$1-text.crl.pem"
    q openssl crl -in "$1.crl.pem" -outform DER -out "$1.crl.der"
}
crl_number() { openssl crl -in "$1" -noout -crlnumber 2>/dev/null | sed 's/^crlNumber=//'; }

# Root ARL (revokes nothing).
crl root root_ca crl_ext_root_arl                                        # #0x1000

# Intermediate CRLs that revoke `revoked` only.
q openssl ca -config openssl.cnf -name intermediate_ca -batch \
    -revoke revoked.pem -crl_reason keyCompromise
crl intermediate                  intermediate_ca          crl_ext_user              # #0x1000
[ "$(crl_number intermediate.crl.pem)" = 0x1000 ] \
    || die "intermediate.crl has CRL number $(crl_number intermediate.crl.pem), expected 0x1000 (crl_ext_delta assumes it)"
crl intermediate-plain            intermediate_ca          crl_ext                   # #0x1001
crl intermediate-unknown-critical intermediate_ca          crl_ext_unknown_critical  # #0x1002
crl intermediate-no-number        intermediate_ca_nonumber crl_ext                   # no number

# Then revoke `revoked-later` and issue the delta against intermediate.crl.
q openssl ca -config openssl.cnf -name intermediate_ca -batch \
    -revoke revoked-later.pem -crl_reason keyCompromise
crl intermediate-delta            intermediate_ca          crl_ext_delta             # #0x1003

# ---------------------------------------------------------------- other encodings
q openssl x509 -in root.pem -text -out root-text.pem
q openssl x509 -in root.pem -outform DER -out root.der

q openssl crl2pkcs7 -nocrl -certfile client.chain.pem -out client.chain.p7b
q openssl crl2pkcs7 -nocrl -certfile client.chain.pem -outform DER -out client.chain.p7b.der
q openssl crl2pkcs7 -nocrl -certfile root.pem -out anchors.p7b
q openssl crl2pkcs7 -nocrl -certfile root.pem -outform DER -out anchors.p7b.der

q openssl pkcs12 -export -in client.pem -inkey client.key -certfile intermediate.pem \
    -name client -passout pass:certgate -out client.p12

# Files as they come back from Windows editors and tools.
{ printf '\357\273\277'; cat root.pem; } > root-bom.pem
sed 's/$/\r/' root.pem > root-crlf.pem
cat client.chain.pem client.key > client-with-key.pem

# Policy that references files (relative to this directory).
cat > policy.json <<'JSON'
{
  "trust": {
    "anchors": {"file": "root-text.pem"},
    "intermediates": {"file": "intermediate.pem"}
  },
  "revocation": {
    "crls": [{"file": "root-text.crl.pem"}, {"file": "intermediate-text.crl.pem"}]
  },
  "allow": [{"spiffe_trust_domain": "openssl.test"}]
}
JSON

# ---------------------------------------------------------------- self-check with openssl verify
verify() { openssl verify -CAfile root.pem -untrusted intermediate.pem "$@" 2>&1; }
expect_ok() { local o; o=$(verify "$@") || die "openssl verify $* failed: $o"; }
expect_fail() { # expect_fail "message" args...
    local want=$1 o; shift
    if o=$(verify "$@"); then die "openssl verify $* unexpectedly succeeded"; fi
    case "$o" in *"$want"*) ;; *) die "openssl verify $*: expected '$want', got: $o" ;; esac
}
CRLS=(-crl_check_all -CRLfile root.crl.pem -CRLfile intermediate.crl.pem)
expect_ok client.pem
expect_ok server.pem
expect_ok client-rsa.pem
o=$(openssl verify -CAfile root.pem -untrusted weak-ca.pem weak-leaf.pem 2>&1) \
    || die "openssl verify of the RSA-1024 CA's leaf failed: $o"
expect_ok "${CRLS[@]}" client.pem
expect_ok "${CRLS[@]}" client-rsa.pem
expect_fail "certificate revoked" "${CRLS[@]}" revoked.pem
expect_ok "${CRLS[@]}" revoked-later.pem                                  # base does not list it
expect_fail "certificate revoked" "${CRLS[@]}" -use_deltas -CRLfile intermediate-delta.crl.pem revoked-later.pem
expect_fail "certificate revoked" -crl_check_all -CRLfile root.crl.pem -CRLfile intermediate-plain.crl.pem revoked.pem
expect_fail "unhandled critical CRL extension" \
    -crl_check_all -CRLfile root.crl.pem -CRLfile intermediate-unknown-critical.crl.pem client.pem
# the text-dump variants are what policy.json points at
expect_fail "certificate revoked" -crl_check_all -CRLfile root-text.crl.pem -CRLfile intermediate-text.crl.pem revoked.pem
[ "$(crl_number intermediate-no-number.crl.pem)" = '<NONE>' ] || die "intermediate-no-number.crl has a CRL number"
openssl crl -in intermediate-delta.crl.pem -noout -text | grep -A1 'Delta CRL Indicator: critical' | grep -q '^ *4096$' \
    || die "intermediate-delta.crl: deltaCRLIndicator is not critical 4096"
q openssl pkcs12 -in client.p12 -passin pass:certgate -noout
[ "$(openssl pkcs7 -in client.chain.p7b -print_certs | grep -c '^subject=')" = 2 ] || die "client.chain.p7b: expected 2 certs"
[ "$(openssl pkcs7 -in anchors.p7b.der -inform DER -print_certs | grep -c '^subject=')" = 1 ] || die "anchors.p7b.der: expected 1 cert"

rm -rf csr
n=$(find . -maxdepth 1 -type f ! -name "$MARKER" | wc -l)
printf 'make-pki: %s files in %s (%s); openssl verify: client ok, revoked revoked, delta revokes revoked-later, unknown-critical CRL refused\n' \
    "$n" "$OUT" "$(openssl version | cut -d' ' -f1-2)" >&2
