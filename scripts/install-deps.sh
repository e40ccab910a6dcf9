#!/usr/bin/env bash
# Installs the Debian 12 packages dynamo-cpp builds and tests with, and only those missing.
# Idempotent: when everything is present it installs nothing and does not touch apt at all.
# Further packages given as arguments are installed the same way (benchmarks/run_load.sh: Redis).
set -euo pipefail

packages=(
  cmake ninja-build g++ clang libclang-rt-14-dev  # toolchain; clang for sanitizers and libFuzzer
  openssl                                          # test CA and certificates for the TLS tests
  iptables iproute2                                # the availability test's private network namespace
  libasio-dev libboost-dev libxxhash-dev libssl-dev  # library dependencies
  catch2 libbenchmark-dev                            # tests and micro-benchmarks
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
as_root=()
[[ $(id -u) -eq 0 ]] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
