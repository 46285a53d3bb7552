#!/usr/bin/env bash
# Delivery benchmark, measured side by side in one run:
#   1. throughput with connection reuse: MESSAGES messages of SIZE bytes already in Kafka, delivered
#      to smtp-sink, against `smtp-source -d` with the same sessions straight into the same sink;
#   2. isolation: ISO messages to a healthy destination alone, then mixed with as many to a
#      destination that answers 4xx to every RCPT (smtp-sink -r RCPT), then alone again; the mixed
#      rate is compared with the mean of the two alone rates.
# Messages are loaded through ingress (smtp-source into ingress) while delivery is stopped, so the
# measured time is delivery's alone. Writes docs/benchmarks.md.
#
#   deploy/bench/delivery.sh        (as root; needs ./mvnw -q -B package -DskipTests first)
#
# Environment: MESSAGES (default 20000), SESSIONS (20), SIZE (2048), SMTP_PORT (2725, ingress),
# WARMUP (300000): messages per phase that each delivery instance delivers first, before the measured
# MESSAGES start counting, so that the figures show a warmed-up JIT rather than start-up. A young
# instance keeps compiling and deoptimising for its first 10-20 s: in the measured span the JIT
# compilers took about 54 µs of delivery's CPU per message after 10,000, 14 after 100,000 (about 7 s
# of uptime) and 3-7 after 300,000 (7-12 in the mixed phase; each phase prints its CPU per message
# by thread); ISO (100000):
# healthy messages measured in each isolation phase; DELIVERY_JAVA_OPTS: extra JVM or -D options for
# the delivery instances (A/B runs, e.g. -Dsluice.delivery.consumer.group-protocol=consumer, or a
# JFR recording); DELIVERY_JAR (delivery-service/target/quarkus-app/quarkus-run.jar): the build to
# measure, for builds side by side.
# ONLY=mixed runs the mixed isolation phase alone (to profile it), ONLY=throughput the throughput
# phase alone (for A/B runs); either leaves docs/benchmarks.md alone.
# ONLY=floor runs deploy/bench/DeferralFloor.java alone against a fresh bench broker, no SMTP and no
# Sluice: the Kafka client and broker CPU per deferral (re-write, event, commit after the acks) and
# per consume-and-commit, WARMUP + MESSAGES records per mode, modes in FLOOR_MODES (default
# "consume defer consume defer"; "idle" measures the CPU per second of doing nothing), FLOOR_RATE
# records/s per mode (default 0: unpaced; the mixed phase defers about 6,000/s): the floor under
# the mixed phase's cost (docs/benchmarks.md).
# Besides msg/s, each delivery phase reports the service's CPU time (utime + stime from /proc) per
# delivered message over the measured span: less sensitive to a shared machine's load than msg/s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-2048}
SMTP_PORT=${SMTP_PORT:-2725}  # ingress, while messages are loaded
WARMUP=${WARMUP:-300000}
DELIVERY_JAVA_OPTS=${DELIVERY_JAVA_OPTS:-}
DELIVERY_JAR=${DELIVERY_JAR:-$bench_root/delivery-service/target/quarkus-app/quarkus-run.jar}
ONLY=${ONLY:-}
INGRESS_HTTP=8281
DELIVERY_HTTP=8282
FAST=127.0.0.5:25
TEMPFAIL=127.0.0.6:25

ulimit -n "$(ulimit -Hn)"  # 10,000 sessions need as many descriptors on each side
bench_work=$(mktemp -d /tmp/sluice-bench-delivery.XXXXXX)
trap bench_cleanup EXIT
BENCH_KAFKA_PORT=19492

if [[ "$ONLY" == floor ]]; then
  bench_start_broker 19492
  # shellcheck disable=SC2086 # FLOOR_MODES is a list of modes
  "$JAVA" -Xmx1g --enable-native-access=ALL-UNNAMED -Drate="${FLOOR_RATE:-0}" ${FLOOR_JAVA_OPTS:-} -cp "$(bench_kafka_classpath)" \
    "$bench_root/deploy/bench/DeferralFloor.java" 127.0.0.1:19492 "$WARMUP" "$MESSAGES" \
    "$(cat "$bench_work/kafka/kafka.pid")" ${FLOOR_MODES:-consume defer consume defer} >&2
  exit 0
fi

bench_spawn sink-fast smtp-sink -u nobody "$FAST" 1024 > /dev/null
bench_spawn sink-tempfail smtp-sink -u nobody -r RCPT "$TEMPFAIL" 1024 > /dev/null

# fresh_queue: an empty broker and an ingress in front of it, so each phase measures only its own messages.
ingress_pid=""
fresh_queue() {
  if [[ -n "$ingress_pid" ]]; then
    kill -TERM "$ingress_pid"
    bench_await_exit "$ingress_pid"
    KAFKA_PORT=19492 KAFKA_STATE_DIR="$bench_work/kafka" "$bench_root/deploy/local/kafka.sh" stop
  fi
  bench_start_broker 19492
  ingress_pid=$(bench_spawn ingress "$JAVA" -Xmx1g -Dkafka.bootstrap.servers=127.0.0.1:19492 \
    -Dquarkus.http.port=$INGRESS_HTTP -Dsluice.ingress.port=$SMTP_PORT -Dsluice.ingress.host=127.0.0.1 \
    -jar "$bench_root/ingress-service/target/quarkus-app/quarkus-run.jar")
  bench_await_ready $INGRESS_HTTP
}

# load <count> <recipient>: queue messages through ingress.
load() {
  smtp-source -d -s "$SESSIONS" -m "$1" -l "$SIZE" -f bench@bench.test -t "$2" 127.0.0.1:$SMTP_PORT \
    > "$bench_work/load-${2%%@*}-$RANDOM.log" 2>&1
}

# counter <name> <destination>: a delivery counter summed over the series whose destination tag
# contains <destination> (static routes are tagged route:<host>:<port>).
counter() {
  curl -fs "http://127.0.0.1:$DELIVERY_HTTP/q/metrics" 2>/dev/null \
    | awk -v n="sluice_delivery_$1_total" -v d="$2" 'index($0, n "{") == 1 && index($0, d) {s += $NF} END {printf "%d", s}'
}

# cpu_ticks <pid>: the process's user + system CPU time so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# deliver <group> <from> <to> <destination>: runs delivery until <to> recipients to <destination>
# are delivered; prints msg/s from the poll that saw at least <from> (at least one when <from> is
# 0) to the one that saw <to>, and appends "<group> <µs of CPU per message>" over that span to
# $bench_work/cpu.
deliver() {
  local pid t0="" t1 n=0 first=0 c0 c1 hz
  # The first retry comes after 8-10 minutes (in tier 5m) rather than 48-60 s: the mixed phase
  # compares as many 4xx messages as healthy ones, and on a machine where it lasts over 48 s the
  # first deferrals would come back from tier 1m inside the measured span, a second deferral each
  # on top of the mix (how many depends on the machine's speed, not on delivery).
  # shellcheck disable=SC2086 # DELIVERY_JAVA_OPTS is a list of options
  pid=$(bench_spawn "delivery-$1" "$JAVA" -Xmx1g $DELIVERY_JAVA_OPTS -Dkafka.bootstrap.servers=127.0.0.1:19492 \
    -Dquarkus.http.port=$DELIVERY_HTTP -Dsluice.delivery.consumer.group-id="$1" \
    -Dsluice.delivery.retry.initial-delay=10m \
    -Dsluice.delivery.routes.\"fast.bench.test\"=$FAST -Dsluice.delivery.routes.\"tempfail.bench.test\"=$TEMPFAIL \
    -jar "$DELIVERY_JAR")
  while (( n < $3 )); do
    n=$(counter delivered "$4")
    n=${n:-0}
    if [[ -z "$t0" ]] && (( n > 0 && n >= $2 )); then
      t0=$(bench_now); c0=$(cpu_ticks "$pid"); first=$n; bench_thread_ticks "$pid" > "$bench_work/threads-$1.0"
    fi
    (( n >= $3 )) && break
    sleep 0.2
    kill -0 "$pid" 2>/dev/null || { bench_log "pid $pid exited at $n of $3; see $bench_work"; exit 1; }
  done
  t1=$(bench_now)
  c1=$(cpu_ticks "$pid")
  bench_thread_ticks "$pid" > "$bench_work/threads-$1.1"
  counter deferred "${TEMPFAIL%:*}" > "$bench_work/deferred-$1"
  kill -TERM "$pid"
  bench_await_exit "$pid"
  hz=$(getconf CLK_TCK)
  echo "$1 $(python3 -c "print(f'{($c1 - $c0) * 1e6 / $hz / max(1, $n - $first):.0f}')")" >> "$bench_work/cpu"
  bench_thread_cpu_per "$bench_work/threads-$1.0" "$bench_work/threads-$1.1" $((n - first)) \
    > "$bench_work/threads-$1"
  bench_log "$1: delivery CPU per message by thread over the measured span:"
  head -12 "$bench_work/threads-$1" | sed 's/^/    /' >&2
  python3 -c "print(f'{($n - $first) / ($t1 - $t0):.0f}')"
}

# cpu_per_message <group>: what deliver wrote for that group.
cpu_per_message() { awk -v g="$1" '$1 == g {print $2}' "$bench_work/cpu"; }

# jit_per_message <group>: of that, the JIT compiler threads' µs per message (a lower bound).
jit_per_message() { awk '$3 ~ /CompilerThre/ {s += $1} END {printf "%.0f", s}' "$bench_work/threads-$1"; }

# The isolation phases measure about 8 s of delivery: 20,000 messages are over in under two, and
# one event of the mixed phase (the paused destination's probe, whose 4xx deoptimises code the
# healthy mail shares, and the recompiles) then weighs five times what it does in a sustained run.
ISO=${ISO:-100000}

# mixed_phase: sets mixed_rate, the healthy destination's rate while the same partitions carry as
# many messages for the 4xx destination.
mixed_phase() {
  fresh_queue
  # Loaded side by side, so the two destinations' messages interleave on the same partitions.
  load $((WARMUP + ISO)) rcpt@fast.bench.test &
  local fast_load=$!
  load $((WARMUP + ISO)) rcpt@tempfail.bench.test
  wait "$fast_load"
  mixed_rate=$(deliver bench-mixed "$WARMUP" $((WARMUP + ISO)) 127.0.0.5)
  bench_log "healthy destination mixed: $mixed_rate msg/s ($(cpu_per_message bench-mixed) µs CPU per healthy message)"
  # About WARMUP + ISO (the two loads interleave, so a few thousand either way); far more would
  # mean deferred records came back inside the phase.
  bench_log "deferrals to the 4xx destination over the phase: $(cat "$bench_work/deferred-bench-mixed") ($((WARMUP + ISO)) of its messages queued)"
}

if [[ "$ONLY" == mixed ]]; then
  mixed_phase
  exit 0
fi

bench_log "1. loading $((WARMUP + MESSAGES)) messages ($WARMUP to warm up), then delivering them"
fresh_queue
load $((WARMUP + MESSAGES)) rcpt@fast.bench.test
delivered_rate=$(deliver bench-throughput "$WARMUP" $((WARMUP + MESSAGES)) 127.0.0.5)
t0=$(bench_now)
smtp-source -d -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f bench@bench.test -t rcpt@fast.bench.test "$FAST" \
  > "$bench_work/direct.log" 2>&1
t1=$(bench_now)
direct_rate=$(python3 -c "print(f'{$MESSAGES / ($t1 - $t0):.0f}')")
ratio=$(python3 -c "print(f'{$delivered_rate / $direct_rate:.2f}')")
bench_log "delivered $delivered_rate msg/s ($(cpu_per_message bench-throughput) µs CPU per message), smtp-source -d direct $direct_rate msg/s, ratio $ratio"

if [[ "$ONLY" == throughput ]]; then
  exit 0
fi

# alone_phase <group> <variable>: sets <variable> to the healthy destination's rate with nothing
# else queued (not a command substitution: fresh_queue must keep ingress_pid).
alone_phase() {
  fresh_queue
  load $((WARMUP + ISO)) rcpt@fast.bench.test
  local rate
  rate=$(deliver "$1" "$WARMUP" $((WARMUP + ISO)) 127.0.0.5)
  bench_log "healthy destination alone ($1): $rate msg/s ($(cpu_per_message "$1") µs CPU per message)"
  printf -v "$2" '%s' "$rate"
}

# Alone, mixed, alone again: the mixed rate is compared with the mean of the alone phases on either
# side of it, so that a drift of the shared machine's speed over the run (seen at ±20 % within an
# hour) cancels instead of landing on the kept share.
bench_log "2. isolation: $ISO messages alone, then $ISO mixed with $ISO to a 4xx destination, then alone again"
alone_phase bench-alone alone_before
mixed_phase
alone_phase bench-alone-after alone_after
alone_rate=$(python3 -c "print(f'{($alone_before + $alone_after) / 2:.0f}')")
kept=$(python3 -c "print(f'{100 * $mixed_rate / $alone_rate:.0f}')")
bench_log "kept $kept % (alone $alone_before before, $alone_after after: mean $alone_rate)"

out=$bench_work/section.md
cat > "$out" <<MD
## Delivery

Measured $(date -u +%Y-%m-%d) on $(bench_machine), with \`deploy/bench/delivery.sh\`
(MESSAGES=$MESSAGES WARMUP=$WARMUP ISO=$ISO SESSIONS=$SESSIONS SIZE=$SIZE${DELIVERY_JAVA_OPTS:+ DELIVERY_JAVA_OPTS=\"$DELIVERY_JAVA_OPTS\"}).
Messages were queued through ingress into a single-node Kafka 4.1.1 broker with delivery stopped;
then one delivery instance per phase (prod build, \`-Xmx1g\`, default shaping: 20 connections per
destination) relayed them over static routes to smtp-sink. Each instance first delivered $WARMUP
messages (its JIT warm-up, as a long-running instance has it); the measured ones follow in the same
queue. Rates count from the delivery that reached $WARMUP to the last one
(\`sluice_delivery_delivered_total\`); CPU is the delivery process's user + system time over the
same span, per healthy message delivered, and "of which JIT compilers" the compiler threads' share
of it (a lower bound: the JVM stops idle compiler threads, and what they used is then missing).

**Throughput with connection reuse** ($MESSAGES messages):

| path | msg/s | delivery CPU µs per message | of which JIT compilers |
|---|---|---|---|
| \`smtp-source -d -s $SESSIONS -l $SIZE\` straight into smtp-sink | $direct_rate | | |
| Kafka → delivery → smtp-sink | $delivered_rate | $(cpu_per_message bench-throughput) | $(jit_per_message bench-throughput) |
| **ratio** | **$ratio** | | |

**Isolation**: a healthy destination's delivery rate alone, and while the same partitions also
carry as many messages for a destination that answers 4xx to every RCPT (\`smtp-sink -r RCPT\`;
default \`shaping.tempfail-threshold=10\`, so after ten such transactions that destination is paused
and the consumer thread defers its mail to a tier without connecting; when a pause ends, one probe
transaction tests it, is deferred, and pauses it again for twice as long). The instances retry a
deferral after 8-10 minutes (\`retry.initial-delay=10m\`), so none comes back inside a phase: each
4xx message is deferred once. The phases run alone, mixed, alone again, and the mixed rate is
compared with the mean of the two alone rates, so that a drift of the machine's speed cancels:

| healthy destination | msg/s | delivery CPU µs per healthy message | of which JIT compilers |
|---|---|---|---|
| alone ($ISO messages) | $alone_before | $(cpu_per_message bench-alone) | $(jit_per_message bench-alone) |
| mixed with $ISO tempfailing messages | $mixed_rate | $(cpu_per_message bench-mixed) | $(jit_per_message bench-mixed) |
| alone again ($ISO messages) | $alone_after | $(cpu_per_message bench-alone-after) | $(jit_per_message bench-alone-after) |
| **kept** (mixed against the mean of the two alone phases, $alone_rate) | **$kept %** | | |
MD
bench_write_section delivery "$out"
cat "$out"
