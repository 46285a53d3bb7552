#!/usr/bin/env bash
# Builds the Java 25 base image of the Sluice services without Docker or a registry: a minimal
# Debian root filesystem (debootstrap, variant minbase) plus a jlink'ed Java 25 runtime in
# /opt/java and a non-root user `sluice` (uid/gid 10001), written as a `docker save`-format tarball
# that Jib takes as its base (`tar://...`, see the `images` profile in the root pom.xml).
#
#   sudo deploy/images/build-base.sh            # -> deploy/images/target/sluice-java-base.tar
#
# Environment (all optional):
#   JAVA_HOME             the JDK 25 whose runtime is linked  (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   SLUICE_BASE_SUITE     Debian suite                       (default bookworm)
#   SLUICE_BASE_MIRROR    Debian mirror                      (default http://deb.debian.org/debian)
#   SLUICE_BASE_OUT       output tarball                     (default deploy/images/target/sluice-java-base.tar)
#   SLUICE_BASE_TAG       image name:tag inside the tarball  (default sluice/java-base:25-<suite>)
#   SOURCE_DATE_EPOCH     timestamp of every file and of the image (default: last commit time)
#
# Needs root (debootstrap chroots to configure packages) and `apt-get install debootstrap`.
# deploy/images/check.sh (run by deploy/test.sh) calls it when the base is missing or stale;
# docs/kubernetes.md says how to run it by hand. For real builds a registry base image can be used
# instead (-Dsluice.image.base=...).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
SUITE=${SLUICE_BASE_SUITE:-bookworm}
MIRROR=${SLUICE_BASE_MIRROR:-http://deb.debian.org/debian}
OUT=${SLUICE_BASE_OUT:-$here/target/sluice-java-base.tar}
TAG=${SLUICE_BASE_TAG:-sluice/java-base:25-$SUITE}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}
APP_UID=10001

# What the services need from the JDK: Java SE, plus sun.misc.Unsafe (Netty, Kafka), the
# extended socket options (Netty), JFR/JMX (Micrometer's JVM metrics), DNS naming, zipfs, PKCS#11
# and the extra charsets (mail in legacy encodings).
MODULES=java.se,jdk.unsupported,jdk.net,jdk.management,jdk.management.jfr,jdk.jfr,jdk.naming.dns,jdk.zipfs,jdk.crypto.cryptoki,jdk.charsets,jdk.security.auth,jdk.localedata

log() { echo "build-base.sh: $*" >&2; }
die() { log "$*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root: debootstrap needs it"
command -v debootstrap > /dev/null || die "debootstrap is missing: apt-get install debootstrap"
[[ -x "$JAVA_HOME/bin/jlink" ]] || die "no jlink in JAVA_HOME=$JAVA_HOME (a JDK 25 is needed)"
"$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "25' || die "JAVA_HOME=$JAVA_HOME is not a JDK 25"

work=$(dirname "$OUT")/base-work
rootfs=$work/rootfs
rm -rf "$work"
mkdir -p "$work"

log "debootstrap $SUITE (minbase) from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }

log "pruning caches, documentation and package lists"
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/usr/share/locale/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/tmp/* \
  "$rootfs"/etc/machine-id "$rootfs"/etc/hostname "$rootfs"/etc/resolv.conf
# The container runtime provides these at run time.
rm -rf "$rootfs"/dev/* "$rootfs"/proc/* "$rootfs"/sys/* "$rootfs"/run/*
# Set-uid/set-gid programs are of no use to a non-root service; drop the bits.
find "$rootfs" -xdev -type f -perm /6000 -exec chmod ug-s {} +

log "user sluice ($APP_UID:$APP_UID), home /deployments"
echo "sluice:x:$APP_UID:$APP_UID:Sluice service:/deployments:/usr/sbin/nologin" >> "$rootfs/etc/passwd"
echo "sluice:x:$APP_UID:" >> "$rootfs/etc/group"
echo "sluice:!:$(( SOURCE_DATE_EPOCH / 86400 ))::::::" >> "$rootfs/etc/shadow"
# The application is read-only and owned by root; the service writes only to /tmp (an emptyDir
# in Kubernetes, the root filesystem being read-only).
mkdir -p "$rootfs/deployments"
chmod 755 "$rootfs/deployments"

log "jlink Java runtime into /opt/java ($MODULES)"
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --include-locales=en,en-US \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
  --output "$rootfs/opt/java" > "$work/jlink.log" 2>&1 \
  || { cat "$work/jlink.log" >&2; die "jlink failed"; }
"$rootfs/opt/java/bin/java" -version > "$work/java-version.txt" 2>&1
java_version=$(sed -n 's/.*version "\([^"]*\)".*/\1/p' "$work/java-version.txt" | head -1)

log "writing the layer"
layer=$work/layer.tar
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --numeric-owner --xattrs --xattrs-include='security.capability' \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$rootfs" -cf "$layer" .
diff_id=$(sha256sum "$layer" | cut -d' ' -f1)
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

# Image config (OCI image spec / Docker image v1). The services' entrypoint is set by Jib; the
# base only runs java -version, as the non-root user.
config=$work/config.json
cat > "$config" <<EOF
{
  "architecture": "amd64",
  "os": "linux",
  "created": "$created",
  "config": {
    "User": "$APP_UID:$APP_UID",
    "Env": [
      "PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "JAVA_HOME=/opt/java",
      "JAVA_VERSION=$java_version",
      "LANG=C.UTF-8",
      "HOME=/deployments"
    ],
    "WorkingDir": "/deployments",
    "Cmd": ["/opt/java/bin/java", "-version"],
    "Labels": {
      "org.opencontainers.image.title": "Sluice Java base",
      "org.opencontainers.image.description": "Debian $SUITE minbase with a jlink'ed Java $java_version runtime; user sluice ($APP_UID)",
      "org.opencontainers.image.base.name": "debian:$SUITE (debootstrap minbase)"
    }
  },
  "rootfs": {"type": "layers", "diff_ids": ["sha256:$diff_id"]},
  "history": [{"created": "$created", "created_by": "deploy/images/build-base.sh"}]
}
EOF
config_sha=$(sha256sum "$config" | cut -d' ' -f1)

log "assembling $OUT ($TAG)"
pack=$work/pack
mkdir -p "$pack/$diff_id"
mv "$layer" "$pack/$diff_id/layer.tar"
cp "$config" "$pack/$config_sha.json"
cat > "$pack/manifest.json" <<EOF
[{"Config": "$config_sha.json", "RepoTags": ["$TAG"], "Layers": ["$diff_id/layer.tar"]}]
EOF
mkdir -p "$(dirname "$OUT")"
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -C "$pack" -cf "$OUT.tmp" manifest.json "$config_sha.json" "$diff_id/layer.tar"
mv "$OUT.tmp" "$OUT"
rm -rf "$work"
log "done: $OUT ($(du -h "$OUT" | cut -f1)), Java $java_version, user $APP_UID"
