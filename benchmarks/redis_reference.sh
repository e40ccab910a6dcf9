#!/usr/bin/env bash
# The reference ceiling for benchmarks/run_load.sh: a plain single Redis on this machine, loaded by
# redis-benchmark with the same number of connections and value size as dynamo_load, no
# pipelining. Prints one Markdown row per command (SET, GET) and one for YCSB workload A's mix
# (50% GET, 50% SET: the harmonic mean of the two rates), in dynamo_load's table layout.
#
# usage: redis_reference.sh CLIENTS VALUE_SIZE RECORDS REQUESTS [PORT]
set -euo pipefail
clients=$1 value_size=$2 records=$3 requests=$4 port=${5:-6399}

for program in redis-server redis-benchmark redis-cli; do
  command -v "$program" >/dev/null || { echo "redis_reference: $program not found" >&2; exit 1; }
done

redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile '' >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

rows=$(mktemp)
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -f "$rows"' EXIT

# One command at a time, so each gets its own CPU figure. -r spreads the keys over RECORDS.
# Appends the command's row to $rows and prints its rate.
row() {
  local test=$1 before after csv
  before=$(cpu_ticks)
  csv=$(redis-benchmark -p "$port" -c "$clients" -n "$requests" -d "$value_size" -r "$records" \
        -t "$test" --csv | tail -n 1)
  after=$(cpu_ticks)
  # "SET","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  echo "$csv" | tr -d '"' | awk -F, -v c="$clients" -v r="$records" -v n="$requests" \
      -v cpu="$(( after - before ))" -v ticks="$ticks" -v out="$rows" '{
    printf "| redis-server (1 process) | memory | - | %s | %d | %d x 1 | %.0f | %.3f | %.3f | %.3f | - | %.1f | 0 |\n",
           $1, r, c, $2, $5, $6, $7, cpu / ticks * 1e6 / n >> out
    print $2
  }'
}

set_rate=$(row set)
get_rate=$(row get)
cat "$rows"
awk -v s="$set_rate" -v g="$get_rate" -v c="$clients" -v r="$records" 'BEGIN {
  printf "| redis-server (1 process) | memory | - | A mix: 50%% GET, 50%% SET | %d | %d x 1 | %.0f | | | | | | |\n",
         r, c, 1 / (0.5 / s + 0.5 / g)
}'
