#!/usr/bin/env bash
# Ingest benchmark (issue 3): accepted heartbeats/s over HTTP (wrk) and MQTT (QoS 1 to the record on Kafka),
# ingest's receipt-to-Kafka-ack p50/p99 and its RSS, against a fresh local stack (registry + ingest) on this machine.
# Bounded: one HTTP run of HTTP_SECONDS, one MQTT run of MQTT_MESSAGES; talks only to 127.0.0.1; stops by itself.
# Usage: bench/ingest.sh [--no-build]     Results: printed, and in target/bench-ingest/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-4000}
HTTP_SECONDS=${HTTP_SECONDS:-20}
CONNECTIONS=${CONNECTIONS:-64}
MQTT_MESSAGES=${MQTT_MESSAGES:-100000}
# devices publishing over MQTT, a connection each as the device (the broker lets a device publish only on its topics)
MQTT_DEVICES=${MQTT_DEVICES:-500}
OFFSET=${PORT_OFFSET:-300}
WORK=target/bench-ingest
DATA=$WORK/stack

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -q wrk >/dev/null; else
    echo "bench/ingest.sh needs wrk (apt-get install wrk)" >&2; exit 2; fi
fi
if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q package -DskipTests; fi

. bench/stack.sh
start_stack "$WORK" "$OFFSET" device-registry-service,heartbeat-ingest-service
INGEST_PID=$(pgrep -f "heartbeat-ingest-service/target/quarkus-app/quarkus-run.jar" | head -1 || true)

java -jar bench/target/heartbeat-bench.jar ingest \
  --registry "http://127.0.0.1:$((8081 + OFFSET))" --ingest "http://127.0.0.1:$((8082 + OFFSET))" \
  --kafka "127.0.0.1:$((9092 + OFFSET))" --mqtt "tcp://127.0.0.1:$((1883 + OFFSET))" \
  --data-dir "$DATA" --work "$WORK" --devices "$DEVICES" --http-seconds "$HTTP_SECONDS" \
  --connections "$CONNECTIONS" --mqtt-messages "$MQTT_MESSAGES" --mqtt-devices "$MQTT_DEVICES" --ingest-pid "${INGEST_PID:-}"
