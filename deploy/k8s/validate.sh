#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests, for CI and before every change to deploy/k8s.
#
#   deploy/k8s/validate.sh
#
# 1. Installs the pinned npm validators (deploy/k8s/validate/package-lock.json) with `npm ci`,
#    unless node_modules already matches the lock file.
# 2. Generates Strimzi's CustomResourceDefinitions from Strimzi's published API model
#    (io.strimzi:api, Maven Central) with Strimzi's own generator (io.strimzi:crd-generator), once per
#    Strimzi version, into deploy/k8s/validate/.cache/.
# 3. Renders every overlay under deploy/k8s/overlays/ with `kubectl kustomize` (offline).
# 4. Validates every rendered object against its schema (Kubernetes API, Strimzi, CloudNativePG,
#    KEDA; fields a built-in object's API does not define, via the Fabric8 Kubernetes model) and the
#    policy checks, and checks that Sluice's own settings line up (topics, sizes), and that every
#    alert and dashboard query names a metric the services export (read from */src/main/java).
# 5. Runs the policy self-test: every fixture in validate/fixtures/bad must be rejected by exactly
#    the rule it names, every fixture in validate/fixtures/good accepted, so the checks are shown
#    to be able to fail.
# 6. With promtool installed: checks the alert rules and runs their unit tests.
#
# Needs: kubectl (with its built-in kustomize), node and npm, a JDK (JAVA_HOME, or
# /usr/lib/jvm/temurin-25-jdk-amd64), and the npm registry and Maven Central the first time.
# Exits non-zero on any failure. Idempotent: run it as often as you like.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
validate="$here/validate"
cache="$validate/.cache"
start=$(date +%s)

log() { echo "validate.sh: $*" >&2; }
die() { log "$*"; exit 1; }

if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v kubectl > /dev/null || die "kubectl is missing; it renders the overlays (kubectl kustomize)"
command -v node > /dev/null || die "node is missing; the validators are npm packages"
command -v npm > /dev/null || die "npm is missing"
"$JAVA" -version > /dev/null 2>&1 || die "no JDK found; set JAVA_HOME (the Strimzi CRD generator is Java)"

# 1. npm dependencies, exactly as locked.
lock_sum=$(sha256sum "$validate/package-lock.json" | cut -d' ' -f1)
if [[ "$(cat "$validate/node_modules/.sluice-lock-sha256" 2>/dev/null || true)" != "$lock_sum" ]]; then
  log "installing the validators (npm ci)"
  (cd "$validate" && npm ci --no-audit --no-fund --loglevel=error > /dev/null)
  echo "$lock_sum" > "$validate/node_modules/.sluice-lock-sha256"
fi

# 2. Strimzi CRDs for the pinned Strimzi version.
strimzi_version=$(sed -n 's:.*<strimzi.version>\(.*\)</strimzi.version>.*:\1:p' "$validate/strimzi/pom.xml")
[[ -n "$strimzi_version" ]] || die "cannot read strimzi.version from $validate/strimzi/pom.xml"
crds="$cache/strimzi-$strimzi_version"
if [[ ! -f "$crds/.complete" ]]; then
  log "generating the Strimzi $strimzi_version CRDs from io.strimzi:api (Maven Central)"
  rm -rf "$crds"
  mkdir -p "$crds"
  "$root/mvnw" -q -B -f "$validate/strimzi/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$crds/classpath.txt" > "$crds/maven.log" 2>&1 \
    || { cat "$crds/maven.log" >&2; die "could not resolve io.strimzi:api:$strimzi_version"; }
  # The same invocation as Strimzi's own build (api/pom.xml, generate-crd-co-install-v1).
  m=io.strimzi.api.kafka.model
  "$JAVA" -cp "$(cat "$crds/classpath.txt")" io.strimzi.crdgenerator.CrdGenerator \
    --target-kube 1.16+ --crd-api-version v1 --api-versions v1 --storage-version v1 --yaml \
    "$m.kafka.Kafka=$crds/040-Crd-kafka.yaml" \
    "$m.podset.StrimziPodSet=$crds/042-Crd-strimzipodset.yaml" \
    "$m.topic.KafkaTopic=$crds/043-Crd-kafkatopic.yaml" \
    "$m.user.KafkaUser=$crds/044-Crd-kafkauser.yaml" \
    "$m.nodepool.KafkaNodePool=$crds/045-Crd-kafkanodepool.yaml" \
    "$m.rebalance.KafkaRebalance=$crds/049-Crd-kafkarebalance.yaml" > "$crds/generator.log" 2>&1 \
    || { cat "$crds/generator.log" >&2; die "the Strimzi CRD generator failed"; }
  touch "$crds/.complete"
fi

# The unknown-field check for built-in objects (UnknownFields.java on the Fabric8 Kubernetes model,
# which comes with the Strimzi classpath), compiled once per version of its source.
uf_sum=$(sha256sum "$validate/UnknownFields.java" | cut -c1-16)
uf="$cache/unknown-fields-$uf_sum"
if [[ ! -f "$uf/UnknownFields.class" ]]; then
  rm -rf "$cache"/unknown-fields-*
  mkdir -p "$uf"
  "${JAVA_HOME:+$JAVA_HOME/bin/}javac" -nowarn -d "$uf" -cp "$(cat "$crds/classpath.txt")" "$validate/UnknownFields.java" \
    || die "could not compile UnknownFields.java"
fi
unknown_fields=(--unknown-fields "$JAVA" "$(cat "$crds/classpath.txt"):$uf")

# 3. Render every overlay.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
overlays=()
for dir in "$here"/overlays/*/; do
  name=$(basename "$dir")
  kubectl kustomize "$dir" > "$out/$name.yaml" || die "overlay $name does not render"
  overlays+=("$name")
done
[[ ${#overlays[@]} -gt 0 ]] || die "no overlay found under $here/overlays"

# 4. Schemas, policy and Sluice's own consistency, per overlay.
passed=0
failed=0
for name in "${overlays[@]}"; do
  args=(--crds "$crds" --sources "$root" --sluice "${unknown_fields[@]}")
  [[ -f "$here/overlays/$name/external-secrets.txt" ]] && args+=(--external-secrets "$here/overlays/$name/external-secrets.txt")
  if node "$validate/validate.mjs" "${args[@]}" "$out/$name.yaml"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    log "overlay $name FAILED"
  fi
done

# 5. The checks can fail: the negative fixtures must be rejected.
if node "$validate/validate.mjs" --crds "$crds" --sources "$root" "${unknown_fields[@]}" --self-test "$validate/fixtures"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  log "policy self-test FAILED"
fi

# 6. The alerts: PromQL and templates (promtool check rules) and their unit tests (promtool test
#    rules, components/monitoring/alerts.test.yaml). promtool is optional locally (the step is skipped and
#    says so) and required when CI=true.
if command -v promtool > /dev/null; then
  rules="$here/components/monitoring/prometheusrule.yaml"
  mkdir -p "$out/alerts"
  node "$validate/rule-groups.mjs" "$rules" > "$out/alerts/full.yaml"
  node "$validate/rule-groups.mjs" --no-annotations "$rules" > "$out/alerts/rules.yaml"
  cp "$here/components/monitoring/alerts.test.yaml" "$out/alerts/"
  if promtool check rules "$out/alerts/full.yaml" && (cd "$out/alerts" && promtool test rules alerts.test.yaml); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    log "alert rules FAILED"
  fi
elif [[ "${CI:-}" == true ]]; then
  # deploy/test.sh installs promtool; in CI a skipped check would pass unseen.
  failed=$((failed + 1))
  log "promtool not installed: alert rules cannot be checked (apt-get install prometheus)"
else
  log "promtool not installed: alert rule checks and unit tests skipped (apt-get install prometheus)"
fi

log "overlays ${overlays[*]}, policy self-test; $(( $(date +%s) - start )) s"
echo "k8s-validate: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
