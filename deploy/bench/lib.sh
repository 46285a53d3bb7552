# Shared helpers for the benchmark scripts in deploy/bench. Source it; do not run it.
# Benchmarks start their own broker and services on ports of their own, measure side by side in
# one run, and write their figures into docs/benchmarks.md between markers. Broker ports stay below
# 32768: thousands of benchmark connections use up ephemeral ports above it, and a broker that
# starts next could find its port taken.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$bench_root/deploy/java.sh"

bench_log() { echo "bench: $*" >&2; }

# The work directory (broker data, logs) is removed after a run that succeeded, and kept, with a
# line saying where, after one that failed.
bench_cleanup() {
  local status=$? pid
  for pid in $(cat "$bench_work/pids" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $(cat "$bench_work/pids" 2>/dev/null); do bench_await_exit "$pid"; done
  KAFKA_PORT=$BENCH_KAFKA_PORT KAFKA_STATE_DIR="$bench_work/kafka" "$bench_root/deploy/local/kafka.sh" stop || true
  if [[ $status -eq 0 ]]; then
    rm -rf "$bench_work"
  else
    bench_log "failed (exit $status); logs and broker data kept in $bench_work"
  fi
}

# bench_kafka_classpath: the Kafka jars kafka.sh fetched, for the bare-client floor programs.
bench_kafka_classpath() { echo "$("$bench_root/deploy/local/kafka.sh" libdir)/*"; }

# bench_start_broker <port>: a fresh broker for this run only.
bench_start_broker() {
  BENCH_KAFKA_PORT=$1
  KAFKA_PORT=$1 KAFKA_STATE_DIR="$bench_work/kafka" KAFKA_FRESH=1 "$bench_root/deploy/local/kafka.sh" start
}

# bench_spawn <name> <command...>: runs in the background, output in $bench_work/<name>.log; prints
# the pid. Pids go to a file, not a variable, because callers often run this inside $(...).
bench_spawn() {
  local name=$1
  shift
  "$@" > "$bench_work/$name.log" 2>&1 &
  echo $! >> "$bench_work/pids"
  echo $!
}

# bench_await_exit <pid>: waits (up to 60 s) until a process that may not be our child is gone.
bench_await_exit() {
  local i
  for i in $(seq 1 300); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$1" 2>/dev/null || true
}

# bench_await_ready <http-port>
bench_await_ready() {
  local i
  for i in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$1/q/health/ready" > /dev/null 2>&1 && return 0
    sleep 0.5
  done
  bench_log "service on HTTP port $1 not ready; logs in $bench_work"
  return 1
}

bench_now() { date +%s.%N; }

# bench_rate_until <pid> <target> <command...>: polls <command> (which prints a count, e.g. from
# /q/metrics) until it reaches <target>, stops <pid>, and prints items/s from the first poll that
# saw any to the one that saw the target.
bench_rate_until() {
  local pid=$1 target=$2
  shift 2
  local t0="" t1 n=0 first=0
  while (( n < target )); do
    n=$("$@")
    n=${n:-0}
    if [[ -z "$t0" && $n -gt 0 ]]; then t0=$(bench_now); first=$n; fi
    sleep 0.2
    kill -0 "$pid" 2>/dev/null || { bench_log "pid $pid exited at $n of $target; see $bench_work"; exit 1; }
  done
  t1=$(bench_now)
  kill -TERM "$pid"
  bench_await_exit "$pid"
  python3 -c "print(f'{($n - $first) / ($t1 - $t0):.0f}')"
}

# bench_cpu_ticks <pid>: user+system CPU time a process has used so far, in clock ticks.
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# bench_cpu_us_per <ticks-before> <ticks-after> <items>: CPU microseconds per item.
bench_cpu_us_per() {
  python3 -c "print(f'{($2 - $1) * 1e6 / $(getconf CLK_TCK) / $3:.0f}')"
}

# bench_heap_used_kib <pid>: Java heap in use right after a full GC (jcmd), in KiB.
bench_heap_used_kib() {
  "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "$1" GC.run > /dev/null
  "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "$1" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc 0-9
}

# bench_switches <pid>: "<tid> <voluntary+involuntary context switches> <user+system CPU ticks>"
# for each thread, sorted.
bench_switches() {
  local t
  for t in /proc/"$1"/task/*; do
    echo "${t##*/} $(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status" 2>/dev/null)" \
      "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)"
  done | sort
}

# bench_switches_per <pid> <before-file> <after-file> <items>: context switches and CPU µs per item
# by Java thread name (jcmd Thread.print), busiest first. The CPU column is what shows the JIT
# compilers' and the producers' network threads' shares next to the carriers'.
bench_switches_per() {
  "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "$1" Thread.print | sed -nE 's/^"([^"]*)".* nid=([0-9]+).*/\2 \1/p' | sort > "$2.names"
  join "$2" "$3" | join - "$2.names" | awk -v n="$4" -v hz="$(getconf CLK_TCK)" '{d = $4 - $2; c = ($5 - $3) * 1e6 / hz / n;
      $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); if (d > 0 || c > 0) printf "%7.2f switches %6.1f µs  %s\n", d / n, c, $0}' \
    | sort -k3,3rn | head -10
}

# bench_thread_ticks <pid>: "<thread name> <user+system CPU ticks>" for each thread, names as the
# kernel keeps them (15 characters), digits dropped so that a pool's threads add up under one name.
bench_thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    echo "$(tr -d '0-9' < "$t/comm" 2>/dev/null | tr ' ' '_') $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)"
  done
}

# bench_thread_cpu_per <before-file> <after-file> <items>: CPU µs per item by thread name over the
# span between two bench_thread_ticks snapshots, busiest first ("C_CompilerThre" are the JIT compilers).
# A thread that ended within the span is missing from the second snapshot (pools and the JIT start and
# stop threads as load changes), so the figures are lower bounds; the process total is not affected.
bench_thread_cpu_per() {
  awk -v n="$3" -v hz="$(getconf CLK_TCK)" 'FNR == NR {before[$1] += $2; next} {after[$1] += $2}
      END {for (k in after) {c = (after[k] - before[k]) * 1e6 / hz / n; if (c >= 0.5) printf "%7.1f µs  %s\n", c, k}}' \
    "$1" "$2" | sort -rn
}

# bench_rss_kib <pid>: resident set size of a process.
bench_rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

bench_machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $("$JAVA" -version 2>&1 | head -1), 1-minute load average $(cut -d' ' -f1 /proc/loadavg) when the figures were written"
}

# bench_write_section <name> <file-with-markdown>: replaces the block between
# <!-- <name>:begin --> and <!-- <name>:end --> in docs/benchmarks.md (appends it if absent).
bench_write_section() {
  python3 - "$bench_root/docs/benchmarks.md" "$1" "$2" <<'PY'
import pathlib, sys
doc, name, body = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3]).read_text()
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
text = doc.read_text() if doc.exists() else "# Benchmarks\n\nFigures written by the scripts in `deploy/bench/`. Each section says how it was measured.\n"
block = f"{begin}\n{body.rstrip()}\n{end}"
if begin in text and end in text:
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip() + "\n\n" + block + "\n"
doc.write_text(text)
PY
}
