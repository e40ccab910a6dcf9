#!/usr/bin/env bash
# Makes a throwaway PKI for TLS, for the multi-process tests and for trying dynamo-peer's
# --tls-* flags by hand; never for production (unencrypted keys, valid for two days).
# EC P-256 keys; certificates usable as TLS server and client, naming NAME and 127.0.0.1.
#
#   bash scripts/make-test-ca.sh OUT NAME...
#
# writes into OUT:
#   ca.pem ca.key                  the cluster CA: give ca.pem to every --tls-ca
#   NAME.pem NAME.key              per NAME, a certificate signed by the cluster CA
#   foreign-ca.pem foreign-ca.key  a second, unrelated CA
#   foreign.pem foreign.key        a certificate signed by that CA: the cluster must refuse it
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 OUT NAME..." >&2
  exit 2
fi
out=$1
shift
mkdir -p "$out"
cd "$out"

# make_ca FILE SUBJECT
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=$2" -keyout "$1.key" -out "$1.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# make_cert NAME CA
make_cert() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=$1" -keyout "$1.key" -out "$1.csr"
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:$1,IP:127.0.0.1" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.pem"
  rm -f "$1.csr" "$1.ext"
}

make_ca ca "dynamo cluster test CA"
make_ca foreign-ca "foreign test CA"
for name in "$@"; do make_cert "$name" ca; done
make_cert foreign foreign-ca
echo "wrote ca.pem, $# certificate(s) signed by it, foreign-ca.pem and foreign.pem to $out"
