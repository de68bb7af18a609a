#!/usr/bin/env bash
# Status monitor benchmark (issue 4): heartbeats/s processed with state persisted, detection delay with DEVICES
# tracked devices, rebuild time after a rebalance, and the seed 004 way (a transaction per heartbeat) on the same
# Postgres. Starts a fresh local stack with only the monitor, plays registry and ingest onto Kafka, stops by itself.
# Usage: bench/monitor.sh [--no-build]     Results: printed, and in target/bench-monitor/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-100000}
SEED004=${SEED004_HEARTBEATS:-20000}
OFFSET=${PORT_OFFSET:-400}
WORK=target/bench-monitor
if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q package -DskipTests; fi
. bench/stack.sh
start_stack "$WORK" "$OFFSET" status-monitor-service 3g
java -jar bench/target/heartbeat-bench.jar monitor \
  --monitor "http://127.0.0.1:$((8083 + OFFSET))" --kafka "127.0.0.1:$((9092 + OFFSET))" \
  --jdbc "jdbc:postgresql://127.0.0.1:$((15432 + OFFSET))/heartbeat" \
  --work "$WORK" --devices "$DEVICES" --seed004-heartbeats "$SEED004"
