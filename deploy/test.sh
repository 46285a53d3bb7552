#!/usr/bin/env bash
# The test command: sets up everything the tests need on a fresh Debian machine with JDK 25, then
# runs `./mvnw verify` (unit tests, service tests against a real broker and PostgreSQL, and the
# system tests that drive the running services with swaks, smtp-sink and dnsmasq).
#
#   deploy/test.sh [extra maven arguments]
#
# As root it installs the missing peers with apt (postfix for smtp-sink/smtp-source, swaks,
# dnsmasq-base, bind9-dnsutils, python3, npm, prometheus for promtool, debootstrap for the image
# base, and PostgreSQL when nothing listens on 127.0.0.1:5432), and nodemailer from the npm
# registry. As another user it checks for the apt packages and says what to install, and skips the
# image check (deploy/images/check.sh needs root).
#
# Environment (all optional):
#   TEST_KAFKA_PORT   port of the broker the service tests use (default 19092); the system tests
#                     start their own on 29092
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

source "$root/deploy/java.sh"

log() { echo "test.sh: $*" >&2; }

postgres_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

install_peers() {
  local missing=()
  command -v smtp-sink > /dev/null || missing+=(postfix)
  command -v swaks > /dev/null || missing+=(swaks)
  command -v dnsmasq > /dev/null || missing+=(dnsmasq-base)
  command -v dig > /dev/null || missing+=(bind9-dnsutils)
  command -v curl > /dev/null || missing+=(curl)
  # HaproxyProxyProtocolIT puts haproxy (send-proxy-v2) in front of an ingress PROXY listener.
  command -v haproxy > /dev/null || missing+=(haproxy)
  command -v python3 > /dev/null || missing+=(python3)
  command -v npm > /dev/null || missing+=(npm)
  # promtool checks the alert rules and runs their unit tests in deploy/k8s/validate.sh.
  command -v promtool > /dev/null || missing+=(prometheus)
  # deploy/images/check.sh builds the images' Java base from Debian's mirror.
  if [[ $(id -u) -eq 0 ]]; then command -v debootstrap > /dev/null || missing+=(debootstrap); fi
  postgres_up || command -v pg_ctlcluster > /dev/null || missing+=(postgresql)
  if [[ ${#missing[@]} -eq 0 ]]; then
    return
  fi
  if [[ $(id -u) -ne 0 ]]; then
    log "missing test peers: ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"
    exit 1
  fi
  log "installing ${missing[*]}"
  # postfix asks how to configure itself; the tests only need its smtp-sink and smtp-source.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}

ensure_postgres() {
  if ! postgres_up; then
    [[ $(id -u) -eq 0 ]] || { log "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
    local version
    version=$(ls /etc/postgresql | sort -n | tail -1)
    log "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do postgres_up && break; sleep 1; done
  fi
  # The tests connect as postgres without a password (trust on loopback) to the database "test".
  if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' > /dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || { log "cannot connect to 127.0.0.1:5432/test as postgres without a password"; exit 1; }
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | tail -1)
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      log "allowing trust auth on loopback in $hba (a test machine only)"
      sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$(dirname "$(dirname "$hba")")")" main reload
    fi
    su postgres -c "psql -tc \"select 1 from pg_database where datname = 'test'\"" | grep -q 1 \
      || su postgres -c "createdb test"
  fi
}

install_peers
ensure_postgres
# nodemailer, pinned by deploy/system-tests/peers/package-lock.json, for the system tests.
npm ci --silent --no-audit --no-fund --prefix "$here/system-tests/peers"

export KAFKA_PORT=${TEST_KAFKA_PORT:-19092}
export KAFKA_STATE_DIR=${TMPDIR:-/tmp}/sluice-test-kafka-$KAFKA_PORT
export KAFKA_FRESH=1
trap '"$here/local/kafka.sh" stop' EXIT
"$here/local/kafka.sh" start
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT

./mvnw -B -ntp verify "$@"

# The service images, built without Docker (jib:buildTar) and checked: OCI layout, version tag,
# uid 10001, no secrets, and the Java runtime and ingress-service really run from them.
# Without extra Maven arguments the build above has just made every service's target/quarkus-app:
# the images package it rather than running quarkus:build again.
if [[ $(id -u) -eq 0 ]]; then
  SLUICE_IMAGE_REUSE_APP=$(( $# == 0 )) "$here/images/check.sh"
else
  log "WARNING: not root: the images were NOT built and checked (deploy/images/check.sh needs root)"
fi

# The Kubernetes manifests: render every overlay, validate against the API and operator schemas,
# and run the policy checks (deploy/k8s/validate.sh installs its pinned npm packages itself).
if command -v kubectl > /dev/null && command -v npm > /dev/null; then
  "$here/k8s/validate.sh"
else
  log "WARNING: kubectl or npm missing: the Kubernetes manifests were NOT validated"
fi
