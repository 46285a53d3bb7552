#!/usr/bin/env bash
# Slow-destination benchmark (issue 4, benchmark 2): the destination waits one second before it
# answers DATA, so every transaction takes at least a second and throughput can only come from
# sessions in flight. One delivery instance relays the same queued messages with windows of
# WINDOWS connections (one fresh consumer group each, so each window reads the whole topic);
# for each it records delivered msg/s, the most SMTP connections open at once and the process's
# largest resident set. Writes docs/benchmarks.md.
#
# The destination is SlowSink.java (1 s before answering DATA, a virtual thread per session), not
# smtp-sink -w 1: smtp-sink tops out near 200 msg/s however many sessions wait on it, so it would
# measure itself. The reference rows drive both with smtp-source -s <largest window> in the same run.
#
#   deploy/bench/delivery-slow.sh   (as root; needs ./mvnw -q -B package -DskipTests first)
#
# Environment: WINDOWS (default "100 300 1000"), SECONDS_PER_WINDOW (15: each window delivers
# window x this many messages), SIZE (2048).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WINDOWS=${WINDOWS:-100 300 1000}
SECONDS_PER_WINDOW=${SECONDS_PER_WINDOW:-15}
SIZE=${SIZE:-2048}
SMTP_PORT=${SMTP_PORT:-2725}  # ingress, while messages are loaded
INGRESS_HTTP=8281
DELIVERY_HTTP=8282
SLOW=127.0.0.7:25       # SlowSink.java
SMTP_SINK_SLOW=127.0.0.9:25

ulimit -n "$(ulimit -Hn)"  # a thousand sessions need as many descriptors on each side
bench_work=$(mktemp -d /tmp/sluice-bench-delivery-slow.XXXXXX)
trap bench_cleanup EXIT
BENCH_KAFKA_PORT=19492

largest=0
for w in $WINDOWS; do (( w > largest )) && largest=$w; done
MESSAGES=$((largest * SECONDS_PER_WINDOW))

bench_spawn sink-slow "$JAVA" "$bench_root/deploy/bench/SlowSink.java" "${SLOW%:*}" "${SLOW#*:}" 1000 > /dev/null
bench_spawn smtp-sink-slow smtp-sink -u nobody -w 1 "$SMTP_SINK_SLOW" 4096 > /dev/null

# reference <address:port>: smtp-source with as many sessions as the largest window, msg/s.
reference() {
  local t0 t1
  t0=$(bench_now)
  smtp-source -s "$largest" -m $((largest * 5)) -l "$SIZE" -f bench@bench.test -t rcpt@slow.bench.test "$1" \
    > "$bench_work/reference-${1%%:*}.log" 2>&1
  t1=$(bench_now)
  python3 -c "print(f'{$largest * 5 / ($t1 - $t0):.0f}')"
}
for _ in $(seq 1 150); do # SlowSink compiles itself first
  (exec 3<> "/dev/tcp/${SLOW%:*}/${SLOW#*:}") 2> /dev/null && break
  sleep 0.2
done
bench_log "reference: smtp-source -s $largest into SlowSink and into smtp-sink -w 1"
ref_slowsink=$(reference "$SLOW")
ref_smtpsink=$(reference "$SMTP_SINK_SLOW")

bench_log "loading $MESSAGES messages through ingress"
bench_start_broker 19492
ingress_pid=$(bench_spawn ingress "$JAVA" -Xmx1g -Dkafka.bootstrap.servers=127.0.0.1:19492 \
  -Dquarkus.http.port=$INGRESS_HTTP -Dsluice.ingress.port=$SMTP_PORT -Dsluice.ingress.host=127.0.0.1 \
  -jar "$bench_root/ingress-service/target/quarkus-app/quarkus-run.jar")
bench_await_ready $INGRESS_HTTP
smtp-source -d -s 20 -m "$MESSAGES" -l "$SIZE" -f bench@bench.test -t rcpt@slow.bench.test 127.0.0.1:$SMTP_PORT \
  > "$bench_work/load.log" 2>&1
kill -TERM "$ingress_pid"
bench_await_exit "$ingress_pid"

delivered() {
  curl -fs "http://127.0.0.1:$DELIVERY_HTTP/q/metrics" 2>/dev/null \
    | awk 'index($0, "sluice_delivery_delivered_total{") == 1 && index($0, "127.0.0.7") {s += $NF} END {printf "%d", s}'
}

# watch_peaks <pid> <file>: until <pid> exits, keeps the most TCP connections established to the
# sink (as the kernel counts them) and the largest RSS (KiB) seen.
watch_peaks() {
  local conns rss max_conns=0 max_rss=0
  while kill -0 "$1" 2>/dev/null; do
    conns=$(ss -Htn state established dst "$SLOW" | wc -l)
    rss=$(bench_rss_kib "$1" 2>/dev/null || echo 0)
    (( ${conns:-0} > max_conns )) && max_conns=$conns
    (( ${rss:-0} > max_rss )) && max_rss=$rss
    echo "$max_conns $max_rss" > "$2"
    sleep 0.5
  done
}

rows=""
for w in $WINDOWS; do
  target=$((w * SECONDS_PER_WINDOW))
  bench_log "window $w: delivering $target messages to SlowSink (1 s before DATA)"
  # The queue timeout is raised because with a one-second destination a message may wait several
  # seconds for a slot; in-flight must exceed the window so that every slot has a message waiting.
  pid=$(bench_spawn "delivery-$w" "$JAVA" -Xmx1g -Dkafka.bootstrap.servers=127.0.0.1:19492 \
    -Dquarkus.http.port=$DELIVERY_HTTP -Dsluice.delivery.consumer.group-id="bench-slow-$w" \
    -Dsluice.delivery.routes.\"slow.bench.test\"=$SLOW \
    -Dsluice.delivery.shaping.max-connections="$w" -Dsluice.delivery.shaping.queue-timeout=10m \
    -Dsluice.delivery.consumer.max-in-flight=$((w * 2)) \
    -jar "$bench_root/delivery-service/target/quarkus-app/quarkus-run.jar")
  watch_peaks "$pid" "$bench_work/watch-$w" &
  watcher=$!
  rate=$(bench_rate_until "$pid" "$target" delivered)
  wait "$watcher" || true
  read -r conns rss < "$bench_work/watch-$w"
  bench_log "window $w: $rate msg/s, at most $conns connections open, RSS at most $((rss / 1024)) MiB"
  rows+="| $w | $target | $rate | $conns | $((rss / 1024)) |"$'\n'
done

out=$bench_work/section.md
cat > "$out" <<MD
## Delivery to a slow destination

Measured $(date -u +%Y-%m-%d) on $(bench_machine), with \`deploy/bench/delivery-slow.sh\`
(WINDOWS="$WINDOWS" SECONDS_PER_WINDOW=$SECONDS_PER_WINDOW SIZE=$SIZE). $MESSAGES messages were
queued through ingress; then, for each window, one delivery instance (prod build, \`-Xmx1g\`,
\`shaping.max-connections\` = the window, \`shaping.queue-timeout=10m\`, \`consumer.max-in-flight\`
= twice the window) relayed window × $SECONDS_PER_WINDOW of them over a static route to
\`deploy/bench/SlowSink.java\`, which waits one second before it answers DATA. Rates count from
the first to the last delivery; connections (TCP connections established to the sink, from \`ss\`) and resident
memory are the largest seen, sampled every 0.5 s.

| window (connections) | messages | delivered msg/s | most connections established | largest RSS MiB |
|---|---|---|---|---|
${rows}
Reference, same run: \`smtp-source -s $largest\` (a new connection per message) reached
$ref_slowsink msg/s into SlowSink and $ref_smtpsink msg/s into \`smtp-sink -w 1\`. smtp-sink's
ceiling is why it is not the destination here: with it, delivery reached about 100, 200 and 180
msg/s at windows of 100, 300 and 1,000 (an earlier run of this script, 2026-11-23), that is,
smtp-sink's own limit.
MD
bench_write_section delivery-slow "$out"
cat "$out"
