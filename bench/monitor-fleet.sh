#!/usr/bin/env bash
# Status monitor benchmark (issue 4): heartbeats/s with state persisted, detection delay beyond the threshold and
# rebuild time with DEVICES tracked devices, and the seed 004 design (a transaction per heartbeat, a sweep per minute)
# on the same Postgres. Starts a fresh local stack with only the monitor (devices and heartbeats go straight onto
# Kafka as registry and ingest would publish them). Bounded by DEVICES and ROUNDS; 127.0.0.1 only; stops by itself.
# Usage: bench/monitor-fleet.sh [--no-build]     Results: printed, and in target/bench-monitor-fleet/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-100000}
ROUNDS=${ROUNDS:-3}
CONNECTED_WITHIN=${CONNECTED_WITHIN:-60}
OFFSET=${PORT_OFFSET:-450}
WORK=target/bench-monitor-fleet

if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q -pl local-stack,status-monitor-service,bench -am package -DskipTests; fi

. bench/stack.sh
start_stack "$WORK" "$OFFSET" status-monitor-service

java -jar bench/target/heartbeat-bench.jar monitor-fleet \
  --monitor "http://127.0.0.1:$((8083 + OFFSET))" --kafka "127.0.0.1:$((9092 + OFFSET))" \
  --jdbc "jdbc:postgresql://127.0.0.1:$((15432 + OFFSET))/heartbeat" --data-dir "$WORK/stack" \
  --devices "$DEVICES" --rounds "$ROUNDS" --connected-within "$CONNECTED_WITHIN" | tee "$WORK/results.md"
