#!/usr/bin/env bash
# Bounce benchmark: how many events/s bounce-service persists into PostgreSQL, with its batched
# transactions (one per poll batch, up to 500 events) against one transaction per event
# (max-poll-records=1), measured in the same run on the same preloaded stream. Every 20th message
# bounces, so DSNs are composed and published too. Writes docs/benchmarks.md.
#
#   deploy/bench/bounce.sh      (needs ./mvnw -q -B package -DskipTests first, and PostgreSQL at
#                                127.0.0.1:5432/test as postgres; uses the schema sluice_bench)
#
# Environment: MESSAGES (default 20000; 2 events each).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MESSAGES=${MESSAGES:-20000}
HTTP=8383
bench_work=$(mktemp -d /tmp/sluice-bench-bounce.XXXXXX)
trap bench_cleanup EXIT
bench_start_broker 19592

classpath=$("$bench_root/mvnw" -q -B -o -f "$bench_root/queue-schema/pom.xml" dependency:build-classpath \
  -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=runtime):$bench_root/queue-schema/target/classes
bench_log "loading $MESSAGES messages' events"
events=$("$JAVA" -cp "$classpath" "$bench_root/deploy/bench/LoadEvents.java" 127.0.0.1:19592 "$MESSAGES" | tail -1)

consumed() {
  curl -fs "http://127.0.0.1:$HTTP/q/metrics" 2>/dev/null \
    | awk 'index($0, "sluice_bounce_events_consumed_total{") == 1 {s += $NF} END {printf "%d", s}'
}

# persist <group> <max-poll-records>: a fresh schema, bounce-service from the start of the stream;
# prints events/s from the first to the last persisted event.
persist() {
  PGOPTIONS=--client-min-messages=warning psql -q -h 127.0.0.1 -U postgres -d test -c "drop schema if exists sluice_bench cascade" > /dev/null
  local pid
  pid=$(bench_spawn "bounce-$1" "$JAVA" -Xmx1g -Dkafka.bootstrap.servers=127.0.0.1:19592 \
    -Dquarkus.http.port=$HTTP -Dsluice.bounce.api.token=bench \
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://127.0.0.1:5432/test?currentSchema=sluice_bench" \
    -Dquarkus.datasource.username=postgres -Dsluice.bounce.db-schema=sluice_bench \
    -Dsluice.bounce.consumer.group-id="$1" -Dsluice.bounce.consumer.max-poll-records="$2" \
    -jar "$bench_root/bounce-service/target/quarkus-app/quarkus-run.jar")
  bench_rate_until "$pid" "$events" consumed
}

bench_log "batched"
batched=$(persist bench-batched 500)
bench_log "one transaction per event"
single=$(persist bench-single 1)
ratio=$(python3 -c "print(f'{$batched / $single:.1f}')")
PGOPTIONS=--client-min-messages=warning psql -q -h 127.0.0.1 -U postgres -d test -c "drop schema if exists sluice_bench cascade" > /dev/null

out=$bench_work/section.md
cat > "$out" <<MD
## Bounce

Measured $(date -u +%Y-%m-%d) on $(bench_machine), with \`deploy/bench/bounce.sh\`
(MESSAGES=$MESSAGES). $events events ($MESSAGES messages: RECEIVED plus one final event each;
every 20th message BOUNCED, so $((MESSAGES / 20)) DSNs were composed and published with
\`acks=all\`) were loaded onto \`sluice.events\` first; then bounce-service (prod build, \`-Xmx1g\`)
persisted them into the machine's PostgreSQL 15, once per mode, each time into an empty schema.
Rates count from the first to the last consumed event (\`sluice_bounce_events_consumed_total\`).

| mode | events/s |
|---|---|
| batched: one transaction per poll batch (\`max-poll-records=500\`, the default) | $batched |
| one transaction per event (\`max-poll-records=1\`) | $single |
| **batched / per event** | **${ratio}×** |
MD
bench_write_section bounce "$out"
cat "$out"
