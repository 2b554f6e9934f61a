#!/usr/bin/env bash
# Rooms against one room, and roster bytes with and without deltas, in one run (docs/benchmarks.md).
# Starts `tip server` on a loopback port, loads it with `tip load`, and reads the server's CPU time
# (utime + stime from /proc, Linux) around each load; the same setup with a 1 s run at 1 datagram/s
# per speaker gives the setup's cost, which is subtracted. Usage: benchmarks/rooms-load.sh [path/to/tip.jar] [seconds]
set -euo pipefail
JAR=${1:-samples/tip-cli/target/tip.jar}
SECONDS_PER_RUN=${2:-20}
PORT=${PORT_FOR_BENCH:-19931}
TICK=$(getconf CLK_TCK)

start_server() {
  java -jar "$JAR" server --port "$PORT" --bind 127.0.0.1 --open-rooms --max-users-per-address 1000 \
    --max-pending-per-address 1000 "$@" \
    </dev/null >/tmp/tip-rooms-bench-server.log 2>&1 &
  SERVER=$!
  sleep 3
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }

# one load; prints the JSON line with the server's CPU seconds added
load() {
  local before after
  before=$(cpu)
  java -jar "$JAR" load --port "$PORT" --json "$@" || true
  after=$(cpu)
  echo "server_cpu_s=$(echo "scale=3; ($after - $before) / $TICK" | bc)"
}

start_server
echo "== 100 rooms x 10, one speaker per room"
load --clients 1000 --rooms 100 --speakers 100 --seconds "$SECONDS_PER_RUN"
load --clients 1000 --rooms 100 --speakers 100 --seconds 1 --rate 1
echo "== 1 room x 1000, one speaker"
load --clients 1000 --rooms 1 --speakers 1 --seconds "$SECONDS_PER_RUN"
load --clients 1000 --rooms 1 --speakers 1 --seconds 1 --rate 1
stop_server

# roster bytes: K and K-1 joins into one room, every roster sent (no coalescing), with and without deltas
start_server --roster-coalesce-ms 0
for k in 199 200; do
  echo "== roster bytes, $k joins, deltas"
  java -jar "$JAR" load --port "$PORT" --json --clients "$k" --rooms 1 --seconds 1 --rate 0.5
  echo "== roster bytes, $k joins, no deltas"
  java -jar "$JAR" load --port "$PORT" --json --clients "$k" --rooms 1 --seconds 1 --rate 0.5 --no-deltas
done
stop_server
