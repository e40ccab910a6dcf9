#!/usr/bin/env bash
# Starts a 3-node dynamo cluster on this machine and runs the shopping-cart demo against it:
# two shoppers write one cart concurrently, a node is killed mid-demo and restarted, and the
# writes it missed come back to it from the hints the other nodes kept. Then a fourth node joins
# the running cluster, takes its share of the data, and leaves again.
#
#   bash scripts/demo.sh
#
# Installs missing Debian packages (scripts/install-deps.sh), builds dynamo-peer, dynamo-cli and
# shopping_cart in build/demo (Release), starts three dynamo-peer processes on free 127.0.0.1
# ports, and stops every process it started when it exits, on failure or Ctrl-C too. Peer logs,
# pid files and start commands are kept in build/demo/run. Exits non-zero if the demo failed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/demo
run=$build/run
bin=$build/examples
names=(a b c)
started=()  # pids this script started; restarted peers are found through run/*.pid

section() { printf '\n==== %s\n\n' "$*"; }

stop_peers() {
  local pids=("${started[@]}")
  for f in "$run"/*.pid; do [[ -f $f ]] && pids+=("$(cat "$f")"); done
  [[ ${#pids[@]} -eq 0 ]] && return
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 20); do
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}
trap stop_peers EXIT
trap 'exit 130' INT TERM

# Prints n ports that are free on 127.0.0.1, chosen by the OS where python3 is available.
free_ports() {
  if command -v python3 >/dev/null; then
    python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
  else  # a random range, each port checked: nothing may accept connections there
    local ports=() p=$((20000 + RANDOM % 20000))
    while [[ ${#ports[@]} -lt $1 ]]; do
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || ports+=("$p")
      p=$((p + 1))
    done
    echo "${ports[*]}"
  fi
}

section "Installing missing packages and building (Release, $build)"
bash scripts/install-deps.sh
echo "building dynamo-peer, dynamo-cli and shopping_cart (a few minutes the first time;"
echo "output in $build/build.log)"
mkdir -p "$build"
if ! { cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDYNAMO_BUILD_TESTS=OFF \
         -DDYNAMO_BUILD_BENCHMARKS=OFF -DDYNAMO_BUILD_EXAMPLES=ON -DDYNAMO_INSTALL=OFF &&
       cmake --build "$build" -j "$(nproc)" --target dynamo-peer dynamo-cli shopping_cart
     } >"$build/build.log" 2>&1; then
  tail -n 40 "$build/build.log"
  echo "demo: the build failed (full output in $build/build.log)" >&2
  exit 1
fi

section "Starting 3 dynamo-peer processes on 127.0.0.1"
rm -rf "$run" && mkdir -p "$run"
read -r -a ports <<<"$(free_ports 4)"
peers=""
for i in "${!names[@]}"; do peers+="${peers:+,}${names[i]}=127.0.0.1:${ports[i]}"; done
resolver=example.cart_orset  # the cart's merge; every node and client must announce the same
for i in "${!names[@]}"; do
  name=${names[i]}
  peer=("$bin/dynamo-peer" --name "$name" --peers "$peers" --resolver "$resolver"
        --data-dir "$run/$name.data" --hint-interval-ms 500)
  printf '%q ' "${peer[@]}" >"$run/$name.cmd"  # how shopping_cart restarts it
  "${peer[@]}" >>"$run/$name.log" 2>&1 &
  started+=($!)
  disown $!  # the demo kills one on purpose: no "Killed" notice from bash
  echo $! >"$run/$name.pid"
  echo "$name: pid $!, 127.0.0.1:${ports[i]}, log $run/$name.log"
done
for name in "${names[@]}"; do
  for _ in $(seq 100); do
    grep -q "listening on" "$run/$name.log" 2>/dev/null && break
    kill -0 "$(cat "$run/$name.pid")" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q "listening on" "$run/$name.log"; then
    cat "$run/$name.log" >&2
    echo "demo: peer $name did not start" >&2
    exit 1
  fi
done
cli=("$bin/dynamo-cli" --peers "$peers" --resolver "$resolver")
echo
echo "The three are the founding members of the ring; a key lives on N = 3 of them, a read"
echo "waits for R = 2 replies and a write for W = 2 acknowledgements."
echo
echo "\$ dynamo-cli status      (per node: keys held, hints kept for others, data digest, peers)"
"${cli[@]}" status
echo
echo "\$ dynamo-cli ring cart:42      (where the demo's cart lives)"
"${cli[@]}" ring cart:42

section "The shopping-cart demo (two shoppers, one cart; a node dies and comes back)"
demo_rc=0
"$bin/shopping_cart" --peers "$peers" --control "$run" || demo_rc=$?

section "What the peers logged about it ($run/*.log)"
grep -h -e "suspected" -e "answers again" -e "delivered hint" -e "listening on" "$run"/*.log |
  sort | sed -E 's/, founding members .*//' || true

section "After the demo"
echo "\$ dynamo-cli status"
"${cli[@]}" status || demo_rc=$?
echo
echo "The restarted node holds the cart again: the writes it missed reached it as hints, and"
echo "all three digests agree."

section "A fourth node joins the running cluster, and leaves again"
d=("$bin/dynamo-peer" --name d --listen "127.0.0.1:${ports[3]}" --seeds "$peers"
   --resolver "$resolver" --data-dir "$run/d.data" --hint-interval-ms 500)
printf '%q ' "${d[@]}" >"$run/d.cmd"
"${d[@]}" >>"$run/d.log" 2>&1 &
started+=($!)
echo $! >"$run/d.pid"
for _ in $(seq 100); do grep -q "listening on" "$run/d.log" 2>/dev/null && break; sleep 0.1; done
echo "d: pid $(cat "$run/d.pid"), 127.0.0.1:${ports[3]}, started outside the ring (--seeds)"
echo
echo "\$ dynamo-cli join d=127.0.0.1:${ports[3]} --wait"
"${cli[@]}" join "d=127.0.0.1:${ports[3]}" --wait || demo_rc=$?
echo
echo "\$ dynamo-cli status      (d now holds its share: the partitions it fetched)"
"${cli[@]}" status || demo_rc=$?
echo
echo "\$ dynamo-cli get cart:42      (served wherever the cart now lives)"
"${cli[@]}" get cart:42 || demo_rc=$?
echo
echo "\$ dynamo-cli leave d --wait"
"${cli[@]}" leave d --wait || demo_rc=$?
for _ in $(seq 100); do kill -0 "$(cat "$run/d.pid")" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$(cat "$run/d.pid")" 2>/dev/null; then
  echo "demo: d is still running after it left" >&2
  demo_rc=1
else
  echo "d handed off its keys and stopped by itself: $(grep -h "left the ring" "$run/d.log" | tail -n 1)"
fi
echo
echo "To explore by hand, start the peers with the commands in $run/*.cmd and use:"
echo "  $bin/dynamo-cli --peers $peers --resolver $resolver"
echo "    get KEY | put KEY VALUE [--context HEX] | remove KEY --context HEX | ring KEY | status"
echo "    join NAME=HOST:PORT [--wait] | leave NAME [--wait]"

if [[ $demo_rc -ne 0 ]]; then
  echo "demo: FAILED (exit $demo_rc)" >&2
  exit 1
fi
echo
echo "demo: done; stopping the peers."
