#!/usr/bin/env bash
# Builds the three service images without Docker and checks what they hold, so that "images build
# without Docker" is proven on every change (deploy/test.sh calls this after the Maven build).
#
#   sudo deploy/images/check.sh
#
# 1. Builds the Java 25 base (build-base.sh) when it is missing or stale: its stamp records
#    build-base.sh and the JDK it was linked from.
# 2. Builds the image tarballs: ./mvnw -Pimages ... verify -DskipTests (jib:buildTar, OCI).
# 3. inspect_image.py checks each tarball: OCI layout, tag = project version (never latest), user
#    10001:10001, the fast-jar entrypoint, no key files and no tokens/passwords in
#    application.properties.
# 4. Unpacks each image into a directory and runs its Java runtime there: `chroot <dir>
#    /opt/java/bin/java -version` as uid 10001. Then starts ingress-service from its image the way
#    Kubernetes does (its entrypoint, uid 10001, read-only root filesystem, a tmpfs on /tmp,
#    configuration from the environment, a Kafka address where nothing listens) and waits for
#    /q/health/live to answer UP.
#
# Needs root (debootstrap, chroot, mounts), python3, curl and, for a first base build, debootstrap
# and Debian's apt mirror. Environment (all optional):
#   SLUICE_IMAGE_CHECK_WORK   scratch directory   (default deploy/images/target/check)
#   SLUICE_IMAGE_START_WAIT   seconds ingress may take to answer /q/health/live (default 180)
#   SLUICE_IMAGE_REUSE_APP    1: package the services' target/quarkus-app as built by a Maven run
#                             that has just ended (deploy/test.sh), instead of running quarkus:build
#                             again (-Dquarkus.build.skip); saves most of the image build time
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
source "$root/deploy/java.sh"

SERVICES=(ingress-service delivery-service bounce-service)
BASE=$here/target/sluice-java-base.tar
WORK=${SLUICE_IMAGE_CHECK_WORK:-$here/target/check}
START_WAIT=${SLUICE_IMAGE_START_WAIT:-180}

log() { echo "check.sh: $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root: the base build, chroot and the mounts need it"
for tool in python3 curl unshare chroot; do
  command -v "$tool" > /dev/null || die "$tool is missing"
done

version=$(python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
print(ET.parse(sys.argv[1]).getroot().find("m:version", ns).text)' pom.xml)
[[ -n $version && $version != latest ]] || die "project version '$version' cannot be an image tag"

log "self-test of the inspection (inspect_image_test.py)"
selftest=$(python3 "$here/inspect_image_test.py" 2>&1) || { echo "$selftest" >&2; die "inspect_image.py self-test"; }
step() { log "$1 took $(( SECONDS - step_started ))s"; step_started=$SECONDS; }
step_started=$SECONDS

# --- 1. base ------------------------------------------------------------------------------------
stamp=$(cat "$here/build-base.sh" "$JAVA_HOME/release" | sha256sum | cut -d' ' -f1)
if [[ -f $BASE && $(cat "$BASE.stamp" 2> /dev/null) == "$stamp" ]]; then
  log "base image is up to date: $BASE"
else
  log "building the base image (missing, or build-base.sh or the JDK changed)"
  command -v debootstrap > /dev/null || die "debootstrap is missing: apt-get install debootstrap"
  "$here/build-base.sh"
  echo "$stamp" > "$BASE.stamp"
fi
step "the base"

# --- 2. image tarballs --------------------------------------------------------------------------
log "building the images of ${SERVICES[*]} ($version)"
reuse=()
if [[ ${SLUICE_IMAGE_REUSE_APP:-0} == 1 ]]; then
  for service in "${SERVICES[@]}"; do
    [[ -f $service/target/quarkus-app/quarkus-run.jar ]] || die "SLUICE_IMAGE_REUSE_APP=1 but $service/target/quarkus-app is missing"
  done
  reuse=(-Dquarkus.build.skip=true)
fi
./mvnw -B -ntp -q -Pimages -pl "$(IFS=,; echo "${SERVICES[*]}")" -am verify -DskipTests "${reuse[@]}" \
  || die "the image build (mvnw -Pimages) failed"
step "the image build"

# --- 3. inspection ------------------------------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK"
for service in "${SERVICES[@]}"; do
  tarball=$service/target/$service-$version-image.tar
  [[ -f $tarball ]] || die "no image tarball $tarball"
  python3 "$here/inspect_image.py" "$tarball" --name "sluice/$service" --tag "$version" \
    --unpack "$WORK/$service" || die "$tarball does not pass the checks above"
done
step "inspecting and unpacking"

# --- 4. the runtime, run from the images --------------------------------------------------------
# Run as `unshare ... sh -ec "$IN_IMAGE" in-image <rootfs> <command...>`: a private mount namespace
# (every mount goes away with the process, also on failure) in which the image is mounted read-only
# with a tmpfs on /tmp, as in the Deployment, and <command> is exec'd in it as 10001:10001.
IN_IMAGE='
  rootfs=$1; shift
  mount --bind "$rootfs" "$rootfs"
  mount -o remount,bind,ro "$rootfs"
  mount -t proc proc "$rootfs/proc"
  mount -t tmpfs -o size=64m,mode=1777 tmpfs "$rootfs/tmp"
  mount -t tmpfs -o size=1m tmpfs "$rootfs/dev"
  for node in null zero random urandom; do
    touch "$rootfs/dev/$node"
    mount --bind "/dev/$node" "$rootfs/dev/$node"
  done
  exec chroot --userspec=10001:10001 "$rootfs" "$@"'
CLEAN_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/deployments LANG=C.UTF-8)

for service in "${SERVICES[@]}"; do
  out=$("${CLEAN_ENV[@]}" unshare --mount --fork sh -ec "$IN_IMAGE" in-image "$WORK/$service" \
    /opt/java/bin/java -version 2>&1) \
    || die "$service: /opt/java/bin/java -version failed in the image: $out"
  echo "$out" | grep -qE 'version "25' || die "$service: the image's Java is not 25: $out"
  log "$service: $(echo "$out" | head -1) runs as 10001 in the image"
done
step "java -version in the three images"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
entrypoint=()
while IFS= read -r -d '' arg; do entrypoint+=("$arg"); done < <(python3 -c '
import json, sys
sys.stdout.write("\0".join(json.load(open(sys.argv[1]))["config"]["Entrypoint"]) + "\0")' "$WORK/ingress-service.config.json")

log "starting ingress-service from its image (read-only root, Kafka at 127.0.0.1:9 where nothing listens)"
# The configuration comes from the environment, as in the Deployment; port 0 = any free SMTP port.
"${CLEAN_ENV[@]}" JAVA_TOOL_OPTIONS=-Xmx256m \
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$http_port" \
  SLUICE_INGRESS_HOST=127.0.0.1 SLUICE_INGRESS_PORT=0 KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 \
  unshare --mount --fork sh -ec "$IN_IMAGE" in-image "$WORK/ingress-service" "${entrypoint[@]}" \
  > "$WORK/ingress-service.log" 2>&1 &
unshare_pid=$!
# sh and chroot exec, so the service's java is unshare's only child: stop it, then unshare ends.
stop_service() {
  local child
  child=$(ps -o pid= --ppid "$unshare_pid" 2> /dev/null | tr -d ' ') || true
  if [[ -n $child ]]; then kill "$child" 2> /dev/null || true; fi
  wait "$unshare_pid" 2> /dev/null || true
}
trap stop_service EXIT

started=$SECONDS
live=""
while (( SECONDS - started < START_WAIT )); do
  kill -0 "$unshare_pid" 2> /dev/null || { tail -30 "$WORK/ingress-service.log" >&2; die "ingress-service exited"; }
  live=$(curl -fsS --max-time 5 "http://127.0.0.1:$http_port/q/health/live" 2> /dev/null) && break
  live=""
  sleep 2
done
[[ -n $live ]] || { tail -30 "$WORK/ingress-service.log" >&2; die "no answer from /q/health/live within ${START_WAIT}s"; }
python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1])["status"] != "UP")' "$live" \
  || die "ingress-service /q/health/live is not UP: $live"
log "ingress-service from its image answered /q/health/live UP after $(( SECONDS - started ))s"
stop_service
trap - EXIT
# The unpacked images take about 450 MB; they are kept only when a check failed.
rm -rf "${SERVICES[@]/#/$WORK/}"
log "ok: ${SERVICES[*]} images ($version) pass"
