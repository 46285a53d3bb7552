# Sourced by the deploy scripts: picks JDK 25 and sets JAVA, or exits with a clear message.
# Uses $JAVA_HOME when set, otherwise Temurin 25 at its Debian path.
if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! "$JAVA" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  echo "$(basename "$0"): Sluice needs JDK 25; set JAVA_HOME to it (found: $("$JAVA" -version 2>&1 | head -1))" >&2
  exit 1
fi
