#!/usr/bin/env bash
# Runs the whole relay on this machine: a Kafka broker, the three services, and a capture sink.
# Ctrl-C stops everything. Nothing leaves the machine: in local mode delivery sends all mail to
# the capture sink, which writes each delivered message to a folder.
#
#   deploy/local/run.sh
#
# Environment (all optional):
#   SLUICE_SMTP_PORT   where ingress listens for SMTP            (default 2525)
#   SLUICE_STATE_DIR   broker data, H2 database, captured mail, logs (default deploy/local/.state)
#   KAFKA_PORT         broker port                               (default 9092)
#   SLUICE_SKIP_BUILD=1  reuse the jars of an earlier run
#
# Local mode differs from production in two ways, both by profile `local`:
#   - bounce-service keeps its records in an embedded H2 database (file, PostgreSQL mode) under
#     $SLUICE_STATE_DIR/bounce instead of PostgreSQL;
#   - delivery routes every domain to the capture sink on 127.0.0.1:2526 (a smart host).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

source "$root/deploy/java.sh"

SMTP_PORT=${SLUICE_SMTP_PORT:-2525}
STATE=${SLUICE_STATE_DIR:-$here/.state}
CAPTURE_PORT=2526
export KAFKA_PORT=${KAFKA_PORT:-9092}
export KAFKA_STATE_DIR="$STATE/kafka"
mkdir -p "$STATE/logs" "$STATE/mail" "$STATE/bounce"

if [[ "${SLUICE_SKIP_BUILD:-0}" != 1 ]]; then
  echo "run.sh: building the services (profile local; output in */target/local-app)..."
  ./mvnw -q -B package -DskipTests -Dquarkus.profile=local -Dquarkus.package.output-directory=local-app
fi

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "run.sh: stopping (services drain first, then the broker)..."
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$here/kafka.sh" stop || true
  echo "run.sh: stopped. Captured mail stays in $STATE/mail"
  exit 0
}
trap stop_all INT TERM EXIT

"$here/kafka.sh" start

start() { # name, then the java arguments
  local name=$1
  shift
  "$JAVA" "$@" > "$STATE/logs/$name.log" 2>&1 &
  pids+=($!)
}

start capture-sink "$here/CaptureSink.java" "$CAPTURE_PORT" "$STATE/mail"

common=(-Dquarkus.profile=local "-Dkafka.bootstrap.servers=127.0.0.1:$KAFKA_PORT")
start bounce-service "${common[@]}" "-Dsluice.local.state-dir=$STATE/bounce" \
  -jar bounce-service/target/local-app/quarkus-run.jar
start delivery-service "${common[@]}" "-Dsluice.delivery.smart-host=127.0.0.1:$CAPTURE_PORT" \
  -jar delivery-service/target/local-app/quarkus-run.jar
start ingress-service "${common[@]}" "-Dsluice.ingress.port=$SMTP_PORT" \
  -jar ingress-service/target/local-app/quarkus-run.jar

await_ready() { # name, health port
  local i
  for i in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$2/q/health/ready" > /dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "run.sh: $1 did not become ready within 60 s; see $STATE/logs/$1.log" >&2
  return 1
}
await_ready bounce-service 8083
await_ready delivery-service 8082
await_ready ingress-service 8081

cat <<EOF

  Sluice is running.
    SMTP (ingress)     127.0.0.1:$SMTP_PORT
    Kafka              127.0.0.1:$KAFKA_PORT
    health / metrics   http://127.0.0.1:{8081,8082,8083}/q/health  /q/metrics
    tracking API       http://127.0.0.1:8083/api/v1/messages/<queue id>  (token: local-dev-token)
    captured mail      $STATE/mail
    logs               $STATE/logs

  Try:  swaks --server 127.0.0.1:$SMTP_PORT --from you@demo.sluice.test --to someone@demo.sluice.test

  Ctrl-C stops everything.
EOF

# Returns when a process dies (or when Ctrl-C runs stop_all, which exits).
wait -n "${pids[@]}" || true
echo "run.sh: a process exited unexpectedly; stopping the rest. See $STATE/logs" >&2
exit 1
