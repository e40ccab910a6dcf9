#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, then
#  1. a GCC build with warnings as errors: every test, including the package-consumer tests and
#     the README's code (docs.readme compiles and links each of its C++ blocks);
#  2. a Clang build under AddressSanitizer and UndefinedBehaviorSanitizer: the unit tests, the
#     simulation tests (100 scenario seeds; the GCC run has 1,000), the lifecycle tests (Nodes
#     stopped and destroyed across threads over loopback TCP) and the bounded libFuzzer runs
#     (not the header self-containment check: the GCC build has compiled it already).
# Build trees go to build/ (override with DYNAMO_BUILD_ROOT). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${DYNAMO_BUILD_ROOT:-build}
jobs=${DYNAMO_JOBS:-$(nproc)}

bash scripts/install-deps.sh

echo "== GCC, -Werror, all tests"
# Line tables only (-g1): backtraces still name files and lines, and the build is a third faster.
cmake -S . -B "$root/gcc" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DDYNAMO_WERROR=ON
cmake --build "$root/gcc" -j "$jobs"
ctest --test-dir "$root/gcc" --output-on-failure -j "$jobs"

echo "== Clang, AddressSanitizer + UndefinedBehaviorSanitizer: unit, simulation (100 seeds), lifecycle, fuzzers"
cmake -S . -B "$root/asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
      -DDYNAMO_WERROR=ON -DDYNAMO_SANITIZE=address,undefined -DDYNAMO_FUZZ=ON \
      -DDYNAMO_BUILD_BENCHMARKS=OFF -DDYNAMO_BUILD_EXAMPLES=OFF \
      -DDYNAMO_HEADER_CHECK=OFF
cmake --build "$root/asan" -j "$jobs"
DYNAMO_SIM_SEEDS=${DYNAMO_ASAN_SIM_SEEDS:-100} \
  ctest --test-dir "$root/asan" --output-on-failure -j "$jobs" -L 'unit|sim|fuzz|lifecycle'
