#!/usr/bin/env bash
# Ingress benchmark: smtp-source with the same flags into ingress (publishing to a real local
# broker with acks=all) and straight into smtp-sink, in the same run; acceptance latency with
# deploy/bench/SmtpProbe.java; memory with 10,000 idle sessions. Writes docs/benchmarks.md.
#
#   deploy/bench/ingress.sh            (as root: smtp-sink drops to nobody; ulimit -n is raised)
#
# Environment: MESSAGES (default 20000), SESSIONS (20), SIZE (2048), IDLE_SESSIONS (10000).
#   QUICK=1              only the smtp-source runs (no latency probe, no idle sessions), and
#                        docs/benchmarks.md is left alone: for A/B runs while iterating
#   WARMUP               messages sent to ingress before measuring (default 2000)
#   INGRESS_APP          the quarkus-app directory to run (default: this tree's build), for A/B runs
#   INGRESS_JAVA_OPTS    extra JVM options for ingress, e.g. a JFR recording while profiling
#   SWITCHES=1           also print ingress's context switches and CPU per message, by thread
#   PRODUCER_FLOOR=1     also run deploy/bench/ProducerFloor.java against the same broker: the
#                        Kafka client and broker CPU per message of a bare producer with ingress's
#                        settings and concurrency, no SMTP (the floor no ingress can go under)
# Each ingress run also reports the CPU time (user+system, /proc/<pid>/stat) that ingress and the
# broker used per message: far less sensitive to a busy machine than msg/s. Every run also reports
# smtp-source's own CPU per message, and the sink run smtp-sink's: with the broker's and the
# producer floor they bound the ratio any ingress could reach on this machine (docs/benchmarks.md,
# "The floor on this machine").
# Needs the prod build: ./mvnw -q -B package -DskipTests
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-2048}
IDLE_SESSIONS=${IDLE_SESSIONS:-10000}
QUICK=${QUICK:-0}
WARMUP=${WARMUP:-2000}
SMTP_PORT=${SMTP_PORT:-2625}
HTTP_PORT=${HTTP_PORT:-8181}
SINK=127.0.0.4:25

ulimit -n "$(ulimit -Hn)"  # 10,000 sessions need as many descriptors on each side
bench_work=$(mktemp -d /tmp/sluice-bench-ingress.XXXXXX)
trap bench_cleanup EXIT
bench_start_broker 19392

sink_pid=$(bench_spawn smtp-sink smtp-sink -u nobody "$SINK" 1024)
# shellcheck disable=SC2086  # INGRESS_JAVA_OPTS is a list of options
ingress_pid=$(bench_spawn ingress "$JAVA" -Xmx1g -XX:+UseG1GC ${INGRESS_JAVA_OPTS:-} \
  -Dkafka.bootstrap.servers=127.0.0.1:19392 -Dquarkus.http.port=$HTTP_PORT \
  -Dsluice.ingress.port=$SMTP_PORT -Dsluice.ingress.host=127.0.0.1 \
  -Dsluice.ingress.max-connections=$((IDLE_SESSIONS + 1000)) \
  -jar "${INGRESS_APP:-$bench_root/ingress-service/target/quarkus-app}/quarkus-run.jar")
bench_await_ready $HTTP_PORT
broker_pid=$(cat "$bench_work/kafka/kafka.pid")

# source_rate <target> [-d]: msg/s of one smtp-source run; smtp-source's CPU µs per message goes
# to $bench_work/source_us. Its CPU is read from this subshell's reaped-children times (cutime and
# cstime), which smtp-source, waited for right here, adds to; the read is a builtin, not a child.
source_rate() {
  local target=$1
  shift
  local t0 t1 before after
  t0=$(bench_now)
  read -r -a before < "/proc/$BASHPID/stat"
  smtp-source "$@" -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f bench@bench.test -t sink@bench.test "$target" \
    > "$bench_work/smtp-source.log" 2>&1
  read -r -a after < "/proc/$BASHPID/stat"
  t1=$(bench_now)
  bench_cpu_us_per $((before[15] + before[16])) $((after[15] + after[16])) "$MESSAGES" > "$bench_work/source_us"
  python3 -c "print(f'{$MESSAGES / ($t1 - $t0):.0f}')"
}

bench_log "warming up ingress"
smtp-source -d -s "$SESSIONS" -m "$WARMUP" -l "$SIZE" -f bench@bench.test -t sink@bench.test 127.0.0.1:$SMTP_PORT

rows=()
for flags in "-d" ""; do
  label=${flags:-"(none: one connection per message)"}
  bench_log "smtp-source $label into smtp-sink, then into ingress"
  sink_cpu0=$(bench_cpu_ticks "$sink_pid")
  sink_rate=$(source_rate "$SINK" $flags)
  sink_us=$(bench_cpu_us_per "$sink_cpu0" "$(bench_cpu_ticks "$sink_pid")" "$MESSAGES")
  source_sink_us=$(cat "$bench_work/source_us")
  ingress_cpu0=$(bench_cpu_ticks "$ingress_pid")
  bench_switches "$ingress_pid" > "$bench_work/switches0"
  broker_cpu0=$(bench_cpu_ticks "$broker_pid")
  ingress_rate=$(source_rate 127.0.0.1:$SMTP_PORT $flags)
  bench_switches "$ingress_pid" > "$bench_work/switches1"
  ingress_us=$(bench_cpu_us_per "$ingress_cpu0" "$(bench_cpu_ticks "$ingress_pid")" "$MESSAGES")
  broker_us=$(bench_cpu_us_per "$broker_cpu0" "$(bench_cpu_ticks "$broker_pid")" "$MESSAGES")
  source_ingress_us=$(cat "$bench_work/source_us")
  ratio=$(python3 -c "print(f'{$ingress_rate / $sink_rate:.2f}')")
  bench_log "$label: sink $sink_rate msg/s, ingress $ingress_rate msg/s ($ratio); CPU per message:" \
    "ingress $ingress_us, broker $broker_us (load average $(cut -d' ' -f1 /proc/loadavg));" \
    "smtp-sink $sink_us, smtp-source $source_sink_us into the sink and $source_ingress_us into ingress"
  if [[ "${SWITCHES:-0}" == 1 ]]; then
    bench_log "$label: ingress context switches and CPU per message, by thread:"
    bench_switches_per "$ingress_pid" "$bench_work/switches0" "$bench_work/switches1" "$MESSAGES" >&2
  fi
  rows+=("| \`$label\` | $sink_rate | $ingress_rate | **$ratio** | $ingress_us | $broker_us | $sink_us | $source_sink_us / $source_ingress_us |")
done
if [[ "${PRODUCER_FLOOR:-0}" == 1 ]]; then
  bench_log "producer floor: $SESSIONS sessions, each sending and awaiting one record at a time, plus one RECEIVED event"
  "$JAVA" -Xmx1g -XX:+UseG1GC -cp "$(bench_kafka_classpath)" \
    "$bench_root/deploy/bench/ProducerFloor.java" 127.0.0.1:19392 "$SESSIONS" "$WARMUP" "$MESSAGES" "$broker_pid" true >&2
fi
if [[ "$QUICK" == 1 ]]; then
  exit 0
fi

bench_log "acceptance latency"
probe_sessions=$SESSIONS
probe_messages=$((MESSAGES / SESSIONS / 4))
sink_latency=$("$JAVA" "$bench_root/deploy/bench/SmtpProbe.java" latency 127.0.0.4 25 $probe_sessions $probe_messages "$SIZE")
ingress_latency=$("$JAVA" "$bench_root/deploy/bench/SmtpProbe.java" latency 127.0.0.1 $SMTP_PORT $probe_sessions $probe_messages "$SIZE")
field() { sed -E "s/.*$1=([^ ]+).*/\\1/" <<< "$2"; }

bench_log "$IDLE_SESSIONS idle sessions"
heap_before=$(bench_heap_used_kib "$ingress_pid")  # a full GC first, so both RSS figures follow one
rss_before=$(bench_rss_kib "$ingress_pid")
"$JAVA" "$bench_root/deploy/bench/SmtpProbe.java" idle 127.0.0.1 $SMTP_PORT "$IDLE_SESSIONS" 20 > "$bench_work/idle.out" &
probe=$!
for _ in $(seq 1 120); do grep -q sessions_greeted "$bench_work/idle.out" && break; sleep 1; done
sleep 5
heap_held=$(bench_heap_used_kib "$ingress_pid")
rss_held=$(bench_rss_kib "$ingress_pid")
greeted=$(field sessions_greeted "$(cat "$bench_work/idle.out")")
wait $probe

out=$bench_work/section.md
cat > "$out" <<MD
## Ingress

Measured $(date -u +%Y-%m-%d) on $(bench_machine), with \`deploy/bench/ingress.sh\`
(MESSAGES=$MESSAGES SESSIONS=$SESSIONS SIZE=$SIZE). Ingress (prod build, \`-Xmx1g\`) publishes
every message to a single-node Kafka 4.1.1 broker on the same machine with \`acks=all\`, and
answers 250 only after the acknowledgement. The sink is smtp-sink, which acknowledges without
storing anything. Both were driven in the same run by the same smtp-source command
(\`smtp-source [-d] -s $SESSIONS -m $MESSAGES -l $SIZE\`).

| smtp-source flags | smtp-sink msg/s | ingress msg/s | ingress / sink | ingress CPU µs/msg | broker CPU µs/msg | smtp-sink CPU µs/msg | smtp-source CPU µs/msg (into sink / ingress) |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Acceptance latency, from the final \`.\` of DATA to the 250 reply, $probe_sessions sessions ×
$probe_messages messages each over one connection (\`SmtpProbe latency\`):

| target | msg/s | p50 ms | p99 ms | max ms |
|---|---|---|---|---|
| smtp-sink | $(field msg_per_s "$sink_latency") | $(field p50_ms "$sink_latency") | $(field p99_ms "$sink_latency") | $(field max_ms "$sink_latency") |
| ingress | $(field msg_per_s "$ingress_latency") | $(field p50_ms "$ingress_latency") | $(field p99_ms "$ingress_latency") | $(field max_ms "$ingress_latency") |

Idle sessions (\`SmtpProbe idle\`, each greeted and past EHLO, held open): $greeted of
$IDLE_SESSIONS established. Ingress resident memory: $((rss_before / 1024)) MiB before,
$((rss_held / 1024)) MiB while holding them, i.e. about
$(( (rss_held - rss_before) / (greeted > 0 ? greeted : 1) )) KiB per session (each measured right after a full GC). Java heap in use after a full GC (\`jcmd GC.run\`, \`GC.heap_info\`):
$((heap_before / 1024)) MiB before, $((heap_held / 1024)) MiB while holding them, i.e. about
$(( (heap_held - heap_before) / (greeted > 0 ? greeted : 1) )) KiB per session.
MD
bench_write_section ingress "$out"
cat "$out"
