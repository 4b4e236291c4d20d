#!/usr/bin/env bash
# make-pki.sh DIR URL -- a small PKI whose leaves name the OCSP responder URL in their
# authorityInfoAccess, with the `openssl ca` database that `openssl ocsp -index` answers
# from, and the responder certificates the tests run `openssl ocsp` with. Nothing but
# the `openssl` CLI (OpenSSL 3). DIR is created; it must not exist or be empty.
#
#   root.pem / intermediate.pem      CAs (ECDSA P-256); intermediate issues everything below
#   good.pem / good.key              leaf 0x2000, in the database: the responder says good
#   revoked.pem / revoked.key        leaf 0x2001, revoked (keyCompromise): says revoked
#   unknown.pem / unknown.key        leaf 0x3000, signed outside the database: says unknown
#   responder.pem / responder.key    delegated responder: EKU OCSPSigning, id-pkix-ocsp-nocheck
#   not-responder.pem / .key         signed by intermediate, EKU clientAuth only
#   intermediate.key                 to run the responder as the CA itself
#   index.txt                        the CA database (`openssl ocsp -index`)
set -euo pipefail
exec </dev/null

die() { printf 'make-pki: %s\n' "$*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $0 DIR URL"
OUT=$1
URL=$2
mkdir -p "$OUT"
[ -z "$(ls -A "$OUT")" ] || die "$OUT is not empty"
cd "$OUT"
export OPENSSL_CONF=$PWD/openssl.cnf

q() {
    local out
    if ! out=$("$@" 2>&1); then
        printf 'make-pki: command failed: %s\n%s\n' "$*" "$out" >&2
        exit 1
    fi
}

cat > openssl.cnf <<CNF
[ ca ]
default_ca = intermediate_ca

[ intermediate_ca ]
dir              = .
database         = ./index.txt
serial           = ./serial
new_certs_dir    = ./newcerts
certificate      = ./intermediate.pem
private_key      = ./intermediate.key
default_md       = sha256
default_days     = 365
policy           = policy_any
unique_subject   = no
copy_extensions  = none

[ policy_any ]
organizationName = optional
commonName       = supplied

[ req ]
distinguished_name = req_dn
prompt             = no

[ req_dn ]
CN = placeholder

[ ca_ext ]
basicConstraints       = critical, CA:true
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ leaf_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
authorityInfoAccess    = OCSP;URI:$URL
subjectAltName         = URI:spiffe://ocsp.test/ns/prod/sa/client

[ responder_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = OCSPSigning
noCheck                = ignored
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid

[ not_responder_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
CNF

key() { q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
subj() { printf '/O=Certgate OCSP Test/CN=%s' "$1"; }

key root
q openssl req -new -x509 -key root.key -subj "$(subj 'OCSP Test Root')" -days 3650 \
    -extensions ca_ext -config openssl.cnf -out root.pem -set_serial 0x1000
key intermediate
q openssl req -new -key intermediate.key -subj "$(subj 'OCSP Test Issuing CA')" -out intermediate.csr
q openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -set_serial 0x1001 \
    -days 3650 -extfile openssl.cnf -extensions ca_ext -out intermediate.pem

mkdir newcerts
: > index.txt
echo 'unique_subject = no' > index.txt.attr
echo 2000 > serial
issue() { # issue NAME EXTENSIONS
    key "$1"
    q openssl req -new -key "$1.key" -subj "$(subj "$1")" -out "$1.csr"
    q openssl ca -batch -notext -in "$1.csr" -extensions "$2" -out "$1.pem"
}
issue good leaf_ext
issue revoked leaf_ext
issue responder responder_ext
issue not-responder not_responder_ext
q openssl ca -revoke revoked.pem -crl_reason keyCompromise

# Signed by the CA but never entered in its database: the responder does not know it.
key unknown
q openssl req -new -key unknown.key -subj "$(subj unknown)" -out unknown.csr
q openssl x509 -req -in unknown.csr -CA intermediate.pem -CAkey intermediate.key \
    -set_serial 0x3000 -days 365 -extfile openssl.cnf -extensions leaf_ext -out unknown.pem
rm -f ./*.csr
