#!/usr/bin/env bash
# relay-threads.sh: where the relay's time goes at one fixed load (K = 8, one speaker): the server
# pinned to CPU 0, the C load tool to CPU 1; prints the tool's latency figures and, per thread of
# the server process, the CPU time, run-queue wait (/proc/PID/task/TID/schedstat), time slices and
# context switches during the measured 5 s. A JVM also writes -Xlog:safepoint,gc to OUT/vm.log.
#
# usage: benchmarks/relay-threads.sh PERF_BIN_DIR OUT JAVA_BIN|refrelay RATE [JVM options...]
# environment: WARMS (warm-up runs, 1), WARM (seconds each, 8), WSPK/WRATE (their speakers and
# rate, 4 and 2000), MOVE=1 (every JVM thread but the relay thread moved to CPU 1 after warm-up)
set -euo pipefail
perf=$1; out=$2; javabin=$3; rate=$4; shift 4
jar="$(cd "$(dirname "$0")/.." && pwd)/samples/tip-cli/target/tip.jar"
port=$((17500 + RANDOM % 400))
mkdir -p $out
if [ "$javabin" = refrelay ]; then
  taskset -c 0 $perf/refrelay --port $port --quiet > $out/server.log 2>&1 &
else
  taskset -c 0 $javabin "$@" -Xlog:safepoint*=info,gc*=info:file=$out/vm.log:uptime,tid -jar $jar server --port $port --no-mix --max-voice-rate 1000000 --max-pending-per-address 256 </dev/null > $out/server.log 2>&1 &
fi
pid=$!
for _ in $(seq 100); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
if [ "$javabin" != refrelay ]; then
  for w in $(seq ${WARMS:-1}); do
  taskset -c 1 $perf/tipload --port $port --clients 8 --speakers ${WSPK:-4} --rate ${WRATE:-2000} --seconds ${WARM:-8} --json > /dev/null || true
  done
  date +%s.%N > $out/warmed
fi
if [ "${MOVE:-0}" = 1 ] && [ "$javabin" != refrelay ]; then
  # every JVM thread but the relay thread to CPU 1: the relay thread alone on CPU 0
  for t in /proc/$pid/task/*; do
    case "$(cat $t/comm)" in tip-server-rela*) ;; *) taskset -p -c 1 ${t##*/} > /dev/null ;; esac
  done
fi
snap() {
  for t in /proc/$pid/task/*; do
    tid=${t##*/}
    comm=$(cat $t/comm)
    read run wait slices < $t/schedstat
    vol=$(awk '/^voluntary_ctxt/{print $2}' $t/status)
    inv=$(awk '/^nonvoluntary_ctxt/{print $2}' $t/status)
    echo "$tid|$comm|$run|$wait|$slices|$vol|$inv"
  done
}
snap > $out/before.txt
date +%s.%N > $out/t0
awk '{print $22}' /proc/$pid/stat > $out/starttick
taskset -c 1 $perf/tipload --port $port --clients 8 --speakers 1 --rate $rate --seconds 5 --json > $out/load.json || true
date +%s.%N > $out/t1
snap > $out/after.txt
kill -TERM $pid; wait $pid 2>/dev/null || true
python3 - "$out" <<'EOF'
import sys, json
out = sys.argv[1]
def load(f):
    d = {}
    for line in open(f):
        tid, comm, run, wait, slices, vol, inv = line.strip().split('|')
        d[tid] = (comm, int(run), int(wait), int(slices), int(vol), int(inv))
    return d
b, a = load(out + '/before.txt'), load(out + '/after.txt')
rows = []
for tid, (comm, run, wait, sl, vol, inv) in a.items():
    p = b.get(tid, (comm, 0, 0, 0, 0, 0))
    dr, dw, ds, dv, di = run - p[1], wait - p[2], sl - p[3], vol - p[4], inv - p[5]
    if dr > 0 or dw > 0:
        rows.append((dr, comm, tid, dw, ds, dv, di))
rows.sort(reverse=True)
j = json.load(open(out + '/load.json'))
print(f"{out}: delivered {j['delivered']} loss {j['loss']} klat p50 {j['klat_p50_us']} p99 {j['klat_p99_us']} p999 {j.get('klat_p999_us')} max {j['klat_max_us']} send_lag_p99 {j['send_lag_p99_us']}")
print(f"{'thread':<28}{'cpu ms':>9}{'runq wait ms':>14}{'slices':>9}{'vol cs':>9}{'invol cs':>9}")
for dr, comm, tid, dw, ds, dv, di in rows[:14]:
    print(f"{comm:<28}{dr/1e6:>9.1f}{dw/1e6:>14.2f}{ds:>9}{dv:>9}{di:>9}")
EOF
