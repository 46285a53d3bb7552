#!/usr/bin/env bash
# A real, single-node Apache Kafka broker (KRaft) for the local stack, the tests and the benchmarks.
#
#   deploy/local/kafka.sh fetch            download the pinned broker through Maven (cached)
#   deploy/local/kafka.sh start            fetch, format, start, wait until ready, create topics
#   deploy/local/kafka.sh stop             stop the broker started from the same state directory
#   deploy/local/kafka.sh status           exit 0 when the broker process is alive
#   deploy/local/kafka.sh libdir           print the directory of the broker's (and clients') jars
#
# Environment (all optional):
#   KAFKA_PORT                 client listener port                          (default 9092)
#   KAFKA_CONTROLLER_PORT      KRaft controller port                         (default KAFKA_PORT+1)
#   KAFKA_STATE_DIR            data, logs and pid file  (default ${TMPDIR:-/tmp}/sluice-kafka-$KAFKA_PORT)
#   KAFKA_FRESH=1              wipe the state directory before start
#   SLUICE_CACHE               where the broker jars are cached              (default ~/.cache/sluice)
#   SLUICE_PARTITIONS_SUBMITTED partitions of sluice.submitted               (default 6)
#   SLUICE_PARTITIONS_DEFERRED  partitions of each sluice.deferred.<tier>    (default 3)
#   SLUICE_PARTITIONS_EVENTS    partitions of sluice.events                  (default 3)
#   SLUICE_PARTITIONS_SUPPRESSIONS partitions of sluice.suppressions (compacted) (default 3)
#   SLUICE_DEFERRED_TIERS       deferred tier names                          (default "1m 5m 30m 2h 6h")
#   SLUICE_MAX_MESSAGE_BYTES    topic max.message.bytes                      (default 12582912)
#
# SLUICE_MAX_MESSAGE_BYTES must stay above ingress's SIZE limit plus the envelope; see
# docs/configuration.md ("Size limits") for how the four Kafka settings line up.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

KAFKA_VERSION=4.1.1
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
KAFKA_STATE_DIR=${KAFKA_STATE_DIR:-${TMPDIR:-/tmp}/sluice-kafka-$KAFKA_PORT}
SLUICE_CACHE=${SLUICE_CACHE:-$HOME/.cache/sluice}
LIB_DIR="$SLUICE_CACHE/kafka-$KAFKA_VERSION/lib"
PID_FILE="$KAFKA_STATE_DIR/kafka.pid"

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

log() { echo "kafka.sh: $*" >&2; }

fetch() {
  if [[ -f "$LIB_DIR/.complete" ]]; then
    return
  fi
  log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION into $LIB_DIR"
  rm -rf "$LIB_DIR"
  mkdir -p "$LIB_DIR"
  "$root/mvnw" -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$LIB_DIR"
  touch "$LIB_DIR/.complete"
}

is_running() {
  [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

topic_specs() {
  local max=${SLUICE_MAX_MESSAGE_BYTES:-12582912}
  local common="max.message.bytes=$max,compression.type=producer"
  echo "sluice.submitted:${SLUICE_PARTITIONS_SUBMITTED:-6}:$common"
  echo "sluice.events:${SLUICE_PARTITIONS_EVENTS:-3}:$common"
  echo "sluice.dead:1:$common"
  # The suppression list: latest entry per address (the key) survives compaction; entries are small.
  echo "sluice.suppressions:${SLUICE_PARTITIONS_SUPPRESSIONS:-3}:cleanup.policy=compact,compression.type=producer"
  local tier
  for tier in ${SLUICE_DEFERRED_TIERS:-1m 5m 30m 2h 6h}; do
    echo "sluice.deferred.$tier:${SLUICE_PARTITIONS_DEFERRED:-3}:$common"
  done
}

start() {
  fetch
  if is_running; then
    log "already running (pid $(cat "$PID_FILE")) on port $KAFKA_PORT"
  else
    [[ "${KAFKA_FRESH:-0}" == 1 ]] && rm -rf "$KAFKA_STATE_DIR"
    mkdir -p "$KAFKA_STATE_DIR/data" "$KAFKA_STATE_DIR/logs"
    local props="$KAFKA_STATE_DIR/server.properties"
    cat > "$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_STATE_DIR/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
message.max.bytes=${SLUICE_MAX_MESSAGE_BYTES:-12582912}
EOF
    if [[ ! -f "$KAFKA_STATE_DIR/data/meta.properties" ]]; then
      "$(java_bin)" -cp "$LIB_DIR/*" -Dlog4j2.configurationFile="$here/kafka/log4j2.xml" \
        -Dkafka.logs.dir="$KAFKA_STATE_DIR/logs" \
        kafka.tools.StorageTool format --standalone -t "$("$(java_bin)" -cp "$LIB_DIR/*" \
        kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" -c "$props" >/dev/null
    fi
    nohup "$(java_bin)" -Xms256m -Xmx1g -XX:+UseG1GC \
      -Dlog4j2.configurationFile="$here/kafka/log4j2.xml" -Dkafka.logs.dir="$KAFKA_STATE_DIR/logs" \
      -cp "$LIB_DIR/*" kafka.Kafka "$props" > "$KAFKA_STATE_DIR/logs/stdout.log" 2>&1 &
    echo $! > "$PID_FILE"
    log "started pid $(cat "$PID_FILE") on 127.0.0.1:$KAFKA_PORT (state in $KAFKA_STATE_DIR)"
  fi
  local specs
  mapfile -t specs < <(topic_specs)
  if ! "$(java_bin)" -cp "$LIB_DIR/*" -Dlog4j2.configurationFile="$here/kafka/log4j2-tools.xml" \
      "$here/kafka/EnsureTopics.java" "127.0.0.1:$KAFKA_PORT" 60 "${specs[@]}" >&2; then
    log "broker did not become ready; see $KAFKA_STATE_DIR/logs/server.log"
    exit 1
  fi
  if ! is_running; then
    # Another broker answered on this port while ours died (port taken?): refuse to pretend.
    log "broker process exited; is port $KAFKA_PORT taken? see $KAFKA_STATE_DIR/logs/stdout.log"
    exit 1
  fi
  log "ready: bootstrap 127.0.0.1:$KAFKA_PORT"
}

stop() {
  if ! is_running; then
    log "not running"
    rm -f "$PID_FILE"
    return
  fi
  local pid
  pid=$(cat "$PID_FILE")
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped pid $pid"; return; }
    sleep 0.5
  done
  log "pid $pid did not stop within 30 s; killing it"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) is_running ;;
  libdir) echo "$LIB_DIR" ;;
  *) echo "usage: $0 fetch|start|stop|status|libdir" >&2; exit 2 ;;
esac
