#!/usr/bin/env bash
# Delivery benchmark, measured side by side in one run:
#   1. throughput with connection reuse: MESSAGES messages of SIZE bytes already in Kafka, delivered
#      to smtp-sink, against `smtp-source -d` with the same sessions straight into the same sink;
#   2. isolation: the same number of messages to a healthy destination, alone and then mixed with
#      as many to a destination that answers 4xx to every RCPT (smtp-sink -r RCPT).
# Messages are loaded through ingress (smtp-source into ingress) while delivery is stopped, so the
# measured time is delivery's alone. Writes docs/benchmarks.md.
#
#   deploy/bench/delivery.sh        (as root; needs ./mvnw -q -B package -DskipTests first)
#
# Environment: MESSAGES (default 20000), SESSIONS (20), SIZE (2048), SMTP_PORT (2725, ingress).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-2048}
SMTP_PORT=${SMTP_PORT:-2725}  # ingress, while messages are loaded
INGRESS_HTTP=8281
DELIVERY_HTTP=8282
FAST=127.0.0.5:25
TEMPFAIL=127.0.0.6:25

ulimit -n "$(ulimit -Hn)"  # 10,000 sessions need as many descriptors on each side
bench_work=$(mktemp -d /tmp/sluice-bench-delivery.XXXXXX)
trap bench_cleanup EXIT
BENCH_KAFKA_PORT=19492

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

# deliver <group> <expected> <destination>: runs delivery until <expected> recipients to
# <destination> are delivered; prints msg/s from the first to the last delivery.
deliver() {
  local pid
  pid=$(bench_spawn "delivery-$1" "$JAVA" -Xmx1g -Dkafka.bootstrap.servers=127.0.0.1:19492 \
    -Dquarkus.http.port=$DELIVERY_HTTP -Dsluice.delivery.consumer.group-id="$1" \
    -Dsluice.delivery.routes.\"fast.bench.test\"=$FAST -Dsluice.delivery.routes.\"tempfail.bench.test\"=$TEMPFAIL \
    -jar "$bench_root/delivery-service/target/quarkus-app/quarkus-run.jar")
  bench_rate_until "$pid" "$2" counter delivered "$3"
}

bench_log "1. loading $MESSAGES messages, then delivering them"
fresh_queue
load "$MESSAGES" rcpt@fast.bench.test
delivered_rate=$(deliver bench-throughput "$MESSAGES" 127.0.0.5)
t0=$(bench_now)
smtp-source -d -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f bench@bench.test -t rcpt@fast.bench.test "$FAST" \
  > "$bench_work/direct.log" 2>&1
t1=$(bench_now)
direct_rate=$(python3 -c "print(f'{$MESSAGES / ($t1 - $t0):.0f}')")
ratio=$(python3 -c "print(f'{$delivered_rate / $direct_rate:.2f}')")
bench_log "delivered $delivered_rate msg/s, smtp-source -d direct $direct_rate msg/s, ratio $ratio"

# Half the messages each way: with fewer, the run is over before the JIT has warmed up and the
# ratio measures start-up rather than isolation.
ISO=$((MESSAGES / 2))
bench_log "2. isolation: $ISO messages alone, then $ISO mixed with $ISO to a 4xx destination"
fresh_queue
load "$ISO" rcpt@fast.bench.test
alone_rate=$(deliver bench-alone "$ISO" 127.0.0.5)
bench_log "healthy destination alone: $alone_rate msg/s"
fresh_queue
# Loaded side by side, so the two destinations' messages interleave on the same partitions.
load "$ISO" rcpt@fast.bench.test &
fast_load=$!
load "$ISO" rcpt@tempfail.bench.test
wait "$fast_load"
mixed_rate=$(deliver bench-mixed "$ISO" 127.0.0.5)
kept=$(python3 -c "print(f'{100 * $mixed_rate / $alone_rate:.0f}')")

out=$bench_work/section.md
cat > "$out" <<MD
## Delivery

Measured $(date -u +%Y-%m-%d) on $(bench_machine), with \`deploy/bench/delivery.sh\`
(MESSAGES=$MESSAGES SESSIONS=$SESSIONS SIZE=$SIZE). Messages were queued through ingress into a
single-node Kafka 4.1.1 broker with delivery stopped; then one delivery instance (prod build,
\`-Xmx1g\`, default shaping: 20 connections per destination) relayed them over static routes to
smtp-sink. Rates count from the first to the last delivery (\`sluice_delivery_delivered_total\`).

**Throughput with connection reuse** ($MESSAGES messages):

| path | msg/s |
|---|---|
| \`smtp-source -d -s $SESSIONS -l $SIZE\` straight into smtp-sink | $direct_rate |
| Kafka → delivery → smtp-sink | $delivered_rate |
| **ratio** | **$ratio** |

**Isolation**: a healthy destination's delivery rate alone, and while the same partitions also
carry as many messages for a destination that answers 4xx to every RCPT (\`smtp-sink -r RCPT\`;
default \`shaping.tempfail-threshold=10\`, so after ten such transactions that destination is paused
and its mail deferred without connecting):

| healthy destination | msg/s |
|---|---|
| alone ($ISO messages) | $alone_rate |
| mixed with $ISO tempfailing messages | $mixed_rate |
| **kept** | **$kept %** |
MD
bench_write_section delivery "$out"
cat "$out"
