#!/usr/bin/env bash
# The embedded default: builds the platform (unless --no-build) and runs real Postgres, an MQTT broker,
# Kafka (KRaft) and every service, no Docker. Needs only a JDK 17+. Options: see --help.
set -euo pipefail
cd "$(dirname "$0")"
args=()
build=1
for a in "$@"; do
  if [ "$a" = "--no-build" ]; then build=0; else args+=("$a"); fi
done
if [ "$build" = 1 ]; then
  echo "[local-stack] building (./mvnw package -DskipTests) ..."
  ./mvnw -B -q package -DskipTests
fi
exec java -Xmx2g -jar local-stack/target/local-stack-0.1.0-SNAPSHOT.jar --root . "${args[@]+"${args[@]}"}"
