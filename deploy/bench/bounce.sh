#!/usr/bin/env bash
# Bounce benchmark: how many events/s bounce-service persists into PostgreSQL, with its batched
# transactions (one per poll batch, up to 4000 events) against one transaction per event
# (max-poll-records=1), measured in the same run on the same preloaded stream. Every 20th message
# bounces, so DSNs are composed and published too. Besides the rate, it reports CPU time per event
# of the bounce-service process and of its PostgreSQL backends (from /proc/<pid>/stat over the
# measured interval), which varies far less than the rate on a shared machine. Writes
# docs/benchmarks.md.
#
#   deploy/bench/bounce.sh      (needs ./mvnw -q -B package -DskipTests first, and PostgreSQL at
#                                127.0.0.1:5432/test as postgres on this machine; uses the schema
#                                sluice_bench)
#
# Environment:
#   MESSAGES         messages on the stream, 2 events each (default 300000); the batched mode
#                    persists them all
#   PER_EVENT_EVENTS how many events the per-event mode persists, from the start of the same stream
#                    (default 4000: one transaction per event is about a hundred times slower)
#   WARMUP_EVENTS    events the batched mode persists before its clock starts (default 300000), so
#                    that the rate is the sustained one: after 50,000 events (the default until
#                    2026-12-04) the C2 compiler still took 59 % of bounce-service's CPU in the
#                    measured window; after 300,000, about a fifth. The per-event mode starts its
#                    clock after a tenth of its events
#   BATCHED_RECORDS  max-poll-records of the batched mode (default 4000, the service's default)
#   MODES            which modes to run (default "batched per-event"); A/B runs of one mode leave
#                    docs/benchmarks.md alone unless both run
#   BOUNCE_APP       the quarkus-app directory to run (default bounce-service/target/quarkus-app),
#                    for comparing two builds with the same script
#   BOUNCE_JAVA_OPTS extra JVM options for bounce-service, e.g. a JFR recording
#                    (-XX:StartFlightRecording=filename=/tmp/bounce.jfr)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MESSAGES=${MESSAGES:-300000}
PER_EVENT_EVENTS=${PER_EVENT_EVENTS:-4000}
WARMUP_EVENTS=${WARMUP_EVENTS:-300000}
BATCHED_RECORDS=${BATCHED_RECORDS:-4000}
MODES=${MODES:-batched per-event}
BOUNCE_APP=${BOUNCE_APP:-$bench_root/bounce-service/target/quarkus-app}
HTTP=8383
APP_NAME=sluice-bench-bounce
bench_work=$(mktemp -d /tmp/sluice-bench-bounce.XXXXXX)
trap bench_cleanup EXIT
bench_start_broker 19592

classpath=$("$bench_root/mvnw" -q -B -o -f "$bench_root/queue-schema/pom.xml" dependency:build-classpath \
  -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=runtime):$bench_root/queue-schema/target/classes
bench_log "loading $MESSAGES messages' events"
events=$("$JAVA" -cp "$classpath" "$bench_root/deploy/bench/LoadEvents.java" 127.0.0.1:19592 "$MESSAGES" | tail -1)

psql_bench() { PGOPTIONS=--client-min-messages=warning psql -q -At -h 127.0.0.1 -U postgres -d test "$@"; }

consumed() {
  curl -fs "http://127.0.0.1:$HTTP/q/metrics" 2>/dev/null \
    | awk 'index($0, "sluice_bounce_events_consumed_total{") == 1 {s += $NF} END {printf "%d", s}'
}

# cpu_ticks <pid...>: "pid ticks" (utime + stime) per live process.
cpu_ticks() {
  local p
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] && awk -v p="$p" '{sub(/^.*\) /, ""); print p, $12 + $13}' "/proc/$p/stat"
  done
  return 0
}

# The PostgreSQL backends serving bounce-service (its JDBC URL sets ApplicationName).
backends() { psql_bench -c "select pid from pg_stat_activity where application_name = '$APP_NAME'"; }

# cpu_delta <before-file> <after-file>: seconds of CPU between two cpu_ticks samples (a process
# missing from the first one counts from zero).
cpu_delta() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR {t0[$1] = $2; next} {s += $2 - t0[$1]} END {printf "%.3f", s / hz}' "$1" "$2"
}

# persist <mode> <group> <max-poll-records> <events> <warm-up>: a fresh schema, bounce-service from
# the start of the stream until <events> are persisted; prints "events/s bounce-µs/event
# postgres-µs/event", all from the first poll of the consumed-events counter at or past <warm-up>
# (and past 0) to the last one.
persist() {
  local mode=$1 group=$2 records=$3 target=$4 warmup=$5 pid t0="" t1 n=0 first=0
  psql_bench -c "drop schema if exists sluice_bench cascade" > /dev/null
  pid=$(bench_spawn "bounce-$mode" "$JAVA" -Xmx1g ${BOUNCE_JAVA_OPTS:-} -Dkafka.bootstrap.servers=127.0.0.1:19592 \
    -Dquarkus.http.port=$HTTP -Dsluice.bounce.api.token=bench \
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:5432/test?currentSchema=sluice_bench&ApplicationName=$APP_NAME" \
    -Dquarkus.datasource.username=postgres -Dsluice.bounce.db-schema=sluice_bench \
    -Dsluice.bounce.consumer.group-id="$group" -Dsluice.bounce.consumer.max-poll-records="$records" \
    -jar "$BOUNCE_APP/quarkus-run.jar")
  while (( n < target )); do
    n=$(consumed)
    n=${n:-0}
    if [[ -z "$t0" && $n -gt 0 && $n -ge $warmup ]]; then
      t0=$(bench_now)
      first=$n
      { cpu_ticks "$pid"; cpu_ticks $(backends); } > "$bench_work/cpu0-$mode"
    fi
    sleep 0.2
    kill -0 "$pid" 2>/dev/null || { bench_log "bounce-service exited at $n of $target events; see $bench_work"; exit 1; }
  done
  t1=$(bench_now)
  cpu_ticks "$pid" > "$bench_work/cpu1-$mode"
  cpu_ticks $(backends) > "$bench_work/pg1-$mode"
  kill -TERM "$pid"
  bench_await_exit "$pid"
  local own pg
  own=$(cpu_delta "$bench_work/cpu0-$mode" "$bench_work/cpu1-$mode")
  pg=$(cpu_delta "$bench_work/cpu0-$mode" "$bench_work/pg1-$mode")
  bench_log "$mode: $((n - first)) events in $(python3 -c "print(f'{$t1 - $t0:.1f}')") s; CPU ${own} s bounce-service, ${pg} s PostgreSQL"
  python3 -c "d = $n - $first; print(f'{d / ($t1 - $t0):.0f} {$own * 1e6 / d:.0f} {$pg * 1e6 / d:.0f}')"
}

declare -A result
for mode in $MODES; do
  case $mode in
    batched) bench_log "batched: $events events, measured after the first $WARMUP_EVENTS"
      result[$mode]=$(persist batched bench-batched "$BATCHED_RECORDS" "$events" "$WARMUP_EVENTS") ;;
    per-event) bench_log "one transaction per event: the first $PER_EVENT_EVENTS events, measured after a tenth of them"
      result[$mode]=$(persist per-event bench-single 1 "$PER_EVENT_EVENTS" $((PER_EVENT_EVENTS / 10))) ;;
    *) bench_log "unknown mode $mode"; exit 2 ;;
  esac
  echo "$mode ${result[$mode]}"
done
psql_bench -c "drop schema if exists sluice_bench cascade" > /dev/null
[[ -n "${result[batched]:-}" && -n "${result[per-event]:-}" ]] || exit 0

read -r b_rate b_own b_pg <<< "${result[batched]}"
read -r s_rate s_own s_pg <<< "${result[per-event]}"
ratio=$(python3 -c "print(f'{$b_rate / $s_rate:.1f}')")
out=$bench_work/section.md
cat > "$out" <<MD
## Bounce

Measured $(date -u +%Y-%m-%d) on $(bench_machine), with \`deploy/bench/bounce.sh\`
(MESSAGES=$MESSAGES PER_EVENT_EVENTS=$PER_EVENT_EVENTS WARMUP_EVENTS=$WARMUP_EVENTS). $events events ($MESSAGES messages:
RECEIVED plus one final event each; every 20th message BOUNCED, so $((MESSAGES / 20)) DSNs were
composed and published with \`acks=all\`) were loaded onto \`sluice.events\` first; then
bounce-service (prod build, \`-Xmx1g\`) persisted them into the machine's PostgreSQL 15 (fsync and
\`synchronous_commit\` on), once per mode, each time into an empty schema: the whole stream batched,
and its first $PER_EVENT_EVENTS events with one transaction per event. Rates are sustained ones, as
delivery's are measured after a warm-up too: they count from the consumed-events counter
(\`sluice_bounce_events_consumed_total\`) passing $WARMUP_EVENTS events (batched) or
$((PER_EVENT_EVENTS / 10)) (per event) to the last consumed event; CPU is utime + stime over the same
interval, of the service and of its PostgreSQL backends, per event.

| mode | events/s | bounce-service CPU µs/event | PostgreSQL CPU µs/event |
|---|---|---|---|
| batched: one transaction per poll batch (\`max-poll-records=$BATCHED_RECORDS\`) | $b_rate | $b_own | $b_pg |
| one transaction per event (\`max-poll-records=1\`) | $s_rate | $s_own | $s_pg |
| **batched / per event** | **${ratio}×** | | |
MD
bench_write_section bounce "$out"
cat "$out"
