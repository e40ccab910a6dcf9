#!/usr/bin/env bash
# The load benchmark in one command: installs what is missing (Redis included), builds dynamo_load
# and dynamo-peer in Release, runs YCSB workloads against 3-node clusters on 127.0.0.1 (in one
# process, and as dynamo-peer processes; N=3 with R=W=2 and R=W=1; memory and log storage), then
# a plain single Redis with redis-benchmark at the same connections and value size, and prints
# one Markdown table. Results also go to build/release/load/results.json (one JSON object per
# phase). Knobs: DYNAMO_LOAD_SECONDS (10 per run), DYNAMO_LOAD_RECORDS (100000),
# DYNAMO_LOAD_CLIENTS (50), DYNAMO_LOAD_VALUE_SIZE (100).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${DYNAMO_LOAD_SECONDS:-10}
records=${DYNAMO_LOAD_RECORDS:-100000}
clients=${DYNAMO_LOAD_CLIENTS:-50}
value_size=${DYNAMO_LOAD_VALUE_SIZE:-100}

bash scripts/install-deps.sh redis-server redis-tools
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DDYNAMO_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target dynamo_load dynamo-peer

out=build/release/load
rm -rf "$out" && mkdir -p "$out"
load=build/release/benchmarks/dynamo_load
peer=build/release/examples/dynamo-peer

run() {
  echo "== dynamo_load $*" >&2
  "$load" --records "$records" --duration-s "$seconds" --clients "$clients" \
          --value-size "$value_size" --table "$out/rows.md" --json "$out/results.json" "$@" >/dev/null
}
run --cluster in-process --storage memory --workload a
run --cluster in-process --storage memory --workload a --r 1 --w 1
run --cluster in-process --storage memory --workload b
run --cluster in-process --storage memory --workload c
run --cluster in-process --storage memory --workload a --distribution zipfian
run --cluster in-process --storage log --workload a
run --cluster peers --peer-binary "$peer" --storage memory --workload a
run --cluster peers --peer-binary "$peer" --storage memory --workload a --r 1 --w 1
run --cluster peers --peer-binary "$peer" --storage log --workload a

echo "== redis-benchmark" >&2
requests=$(( 20000 * seconds ))
bash benchmarks/redis_reference.sh "$clients" "$value_size" "$records" "$requests" > "$out/redis.md"

{
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr), $(redis-server --version | cut -d' ' -f1-3)"
  echo "Each dynamo row: ${clients} closed-loop clients, ${value_size}-byte values, ${records} keys, ${seconds} s per run"
  echo
  cat "$out/rows.md" "$out/redis.md"
} | tee "$out/report.md"
