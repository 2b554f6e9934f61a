#!/usr/bin/env bash
# relay-vs-c.sh: tip server (Java 17 NIO path, and the batched path on a JDK >= 22) against the C
# reference relay of the shared perf kit, side by side in one run, each server pinned to CPU 0 and
# the C load tool to CPU 1. Prints one JSON line per measurement on stdout (the tool's own, with
# "server", "k", "phase", and the server's CPU seconds added), progress on stderr.
#
# usage: benchmarks/relay-vs-c.sh [--fixed] PERF_BIN_DIR JAVA17_HOME JAVA22PLUS_HOME [K...]
#   PERF_BIN_DIR: where `make BUILDDIR=DIR` of the perf kit put tipload and refrelay
#   K: clients per room (default 2 8 32 128); speakers as in docs/benchmarks.md
# The maximum is judged by loss alone (< 1 %, p99 not judged: on a shared 2-core VM the tail is the
# host's), then every server gets the same load, half of refrelay's maximum, for 5 s.
# Build tip.jar first on the newer JDK (it then holds both paths):
#   JAVA_HOME=JAVA22PLUS_HOME mvn -B -ntp -pl samples/tip-cli -am package -DskipTests
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
fixed=false
if [ "${1:-}" = --fixed ]; then
    # only one fixed load per K, the same on every server (CPU per copy where nobody is overloaded)
    fixed=true
    shift
fi
perf=$1
j17=$2
jnew=$3
shift 3
ks=("$@")
[ ${#ks[@]} -gt 0 ] || ks=(2 8 32 128)
jar="$here/samples/tip-cli/target/tip.jar"
port=17300

fixedrate() { case $1 in 2) echo 10000 ;; 8) echo 4000 ;; 32) echo 200 ;; *) echo 40 ;; esac; }
speakers() { case $1 in 2 | 8) echo 1 ;; *) echo 4 ;; esac; }
startrate() { case $1 in 2) echo 16000 ;; 8) echo 8000 ;; 32) echo 1000 ;; *) echo 200 ;; esac; }

cpu_ticks() { # utime + stime of pid $1, in clock ticks
    awk '{print $14 + $15}' "/proc/$1/stat"
}

start_server() { # name port -> sets pid
    case $1 in
        tip17) taskset -c 0 "$j17/bin/java" -jar "$jar" server --port "$2" --no-mix --max-voice-rate 1000000 --max-pending-per-address 256 </dev/null >"/tmp/relay-vs-c-$1.log" 2>&1 & ;;
        tipbatched) taskset -c 0 "$jnew/bin/java" -jar "$jar" server --port "$2" --no-mix --max-voice-rate 1000000 --max-pending-per-address 256 </dev/null >"/tmp/relay-vs-c-$1.log" 2>&1 & ;;
        refrelay) taskset -c 0 "$perf/refrelay" --port "$2" --quiet >"/tmp/relay-vs-c-$1.log" 2>&1 & ;;
    esac
    pid=$!
    for _ in $(seq 100); do
        if ss -Hltn "sport = :$2" | grep -q .; then
            return 0
        fi
        sleep 0.1
    done
    echo "server $1 did not start" >&2
    return 1
}

measure() { # server k phase tipload-args... : one JSON line with the server's CPU added
    local name=$1 k=$2 phase=$3
    shift 3
    local before after out
    before=$(cpu_ticks "$pid")
    out=$(taskset -c 1 "$perf/tipload" --port "$port" --clients "$k" --json "$@" || true)
    after=$(cpu_ticks "$pid")
    echo "$out" | sed "s/^{/{\"server\":\"$name\",\"k\":$k,\"phase\":\"$phase\",\"server_cpu_s\":$(awk -v a="$before" -v b="$after" -v t="$(getconf CLK_TCK)" 'BEGIN{print (b-a)/t}'),/"
}

if $fixed; then
    for k in "${ks[@]}"; do
        for name in tip17 tipbatched refrelay; do
            port=$((port + 1))
            start_server "$name" "$port"
            if [ "$name" != refrelay ]; then
                taskset -c 1 "$perf/tipload" --port "$port" --clients 8 --speakers 4 --rate 2000 --seconds 8 --json >/dev/null || true
            fi
            measure "$name" "$k" fixed --speakers "$(speakers "$k")" --rate "$(fixedrate "$k")" --seconds 5
            kill -TERM "$pid"
            wait "$pid" 2>/dev/null || true
        done
    done
    exit 0
fi
for k in "${ks[@]}"; do
    s=$(speakers "$k")
    r0=$(startrate "$k")
    declare -A max=()
    for name in tip17 tipbatched refrelay; do
        port=$((port + 1))
        start_server "$name" "$port"
        if [ "$name" != refrelay ]; then
            # JIT warm-up
            taskset -c 1 "$perf/tipload" --port "$port" --clients 8 --speakers 4 --rate 2000 --seconds 8 --json >/dev/null || true
        fi
        echo "K=$k $name: $(grep -o 'voice I/O: .*' "/tmp/relay-vs-c-$name.log" || echo C)" >&2
        line=$(measure "$name" "$k" find-max --speakers "$s" --rate "$r0" --seconds 3 --retries 1 --max-steps 10 --find-max --max-loss 0.01 --max-p99-us 1000000000)
        echo "$line"
        max[$name]=$(echo "$line" | sed -n 's/.*"max_delivered_per_s":\([0-9.]*\).*/\1/p')
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null || true
    done
    # half of refrelay's maximum, the same load on every server: latency and CPU per copy
    half=$(awk -v m="${max[refrelay]:-0}" -v k="$k" -v s="$s" 'BEGIN{r=m/2/(k-1)/s; if (r<1) r=1; printf "%d", r}')
    for name in tip17 tipbatched refrelay; do
        port=$((port + 1))
        start_server "$name" "$port"
        if [ "$name" != refrelay ]; then
            taskset -c 1 "$perf/tipload" --port "$port" --clients 8 --speakers 4 --rate 2000 --seconds 8 --json >/dev/null || true
        fi
        measure "$name" "$k" half --speakers "$s" --rate "$half" --seconds 5
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null || true
    done
done
