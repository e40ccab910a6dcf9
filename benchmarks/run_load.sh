#!/usr/bin/env bash
# The load benchmark in one command: installs what is missing (Redis included), builds dynamo_load
# and dynamo-peer in Release, runs YCSB workloads against 3-node clusters on 127.0.0.1 (in one
# process, and as dynamo-peer processes; N=3 with R=W=2 and R=W=1; memory and log storage; reads
# coordinated by the client and by a node; closed loop, and open loop at half the peak), then
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
# The ops/s of the last run phase in results.json, halved: the open-loop rate that measures
# latency at half of peak load.
half_of_last_peak() {
  grep '"phase":"run"' "$out/results.json" | tail -1 |
    sed 's/.*"ops_per_sec":\([0-9.]*\).*/\1/' | awk '{ printf "%d", $1 / 2 }'
}
run --cluster in-process --storage memory --workload a
run --cluster in-process --storage memory --workload a --target-rate "$(half_of_last_peak)"
run --cluster in-process --storage memory --workload a --reads-by node
run --cluster in-process --storage memory --workload a --r 1 --w 1
run --cluster in-process --storage memory --workload b
run --cluster in-process --storage memory --workload c
run --cluster in-process --storage memory --workload a --distribution zipfian
run --cluster in-process --storage log --workload a
run --cluster peers --peer-binary "$peer" --storage memory --workload a
run --cluster peers --peer-binary "$peer" --storage memory --workload a \
    --target-rate "$(half_of_last_peak)"
run --cluster peers --peer-binary "$peer" --storage memory --workload a --r 1 --w 1
run --cluster peers --peer-binary "$peer" --storage log --workload a

echo "== redis-benchmark" >&2
requests=$(( 20000 * seconds ))
bash benchmarks/redis_reference.sh "$clients" "$value_size" "$records" "$requests" > "$out/redis.md"

{
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -sr), $(redis-server --version | cut -d' ' -f1-3)"
  echo "Each dynamo row: ${clients} clients (closed loop unless a rate is offered), ${value_size}-byte values, ${records} keys, ${seconds} s per run"
  echo
  cat "$out/rows.md" "$out/redis.md"
} | tee "$out/report.md"
