#!/usr/bin/env bash
# Command service benchmark (issue 5): commands/s from POST to the device's ack with a simulated MQTT fleet, p50/p99
# of POST, POST to receipt, POST to SUCCEEDED and the service's round trip, then COMMANDS_QUEUED commands queued for
# offline devices that all reconnect at once. Starts a fresh local stack with only the command service (ports offset
# by 500), plays the registry and the monitor onto Kafka, runs on 127.0.0.1 only, stops by itself.
# Usage: bench/command.sh [--no-build]     Results: printed, and in target/bench-command/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-200}
COMMANDS=${COMMANDS:-20000}
COMMANDS_QUEUED=${COMMANDS_QUEUED:-10000}
CLIENTS=${CLIENTS:-8}
WARMUP=${WARMUP:-2000}
OFFSET=${PORT_OFFSET:-500}
WORK=target/bench-command
if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q package -DskipTests; fi
echo "load before the run: $(uptime)"
. bench/stack.sh
start_stack "$WORK" "$OFFSET" command-service 1g
COMMAND_PID=$(pgrep -f "http.port=$((8084 + OFFSET)) .*$PWD/command-service/target/quarkus-app/quarkus-run.jar" | head -1 || true)
java -jar bench/target/heartbeat-bench.jar command \
  --command "http://127.0.0.1:$((8084 + OFFSET))" --kafka "127.0.0.1:$((9092 + OFFSET))" \
  --mqtt "tcp://127.0.0.1:$((1883 + OFFSET))" --data-dir "$WORK/stack" --work "$WORK" \
  --devices "$DEVICES" --commands "$COMMANDS" --queued "$COMMANDS_QUEUED" --clients "$CLIENTS" --warmup "$WARMUP" \
  --command-pid "${COMMAND_PID:-}" --commit "$(git rev-parse --short HEAD)"
