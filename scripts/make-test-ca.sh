#!/usr/bin/env bash
# Makes a throwaway cluster CA and one certificate per name, for tests and local trials: never
# for production (the keys are unencrypted and valid for two days).
# Usage: scripts/make-test-ca.sh DIR NAME...
#   writes DIR/ca.pem DIR/ca.key, and DIR/NAME.pem DIR/NAME.key for each NAME
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 DIR NAME..." >&2
  exit 2
fi
dir=$1
shift
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=dynamo test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
for name in "$@"; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr"
done
