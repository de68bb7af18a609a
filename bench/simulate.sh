#!/usr/bin/env bash
# Simulator benchmark: hb simulate pinned to one core (taskset -c $CORE) against a fresh local stack (registry and
# ingest, broker authentication on), on ports offset by 500. Reports what the simulator sent per second, the CPU it
# used while sending (from its own summary), what the broker acknowledged and what ingest's counters took in.
# Bounded: DURATION seconds of sending, then ingest is given SETTLE to catch up; talks only to 127.0.0.1; the stack
# is stopped on exit. Usage: bench/simulate.sh [--no-build]   Results: printed, and in target/bench-simulate/
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-2000}
RATE=${RATE:-15000}
DURATION=${DURATION:-30s}
QOS=${QOS:-1}
TRANSPORT=${TRANSPORT:-mqtt}
CORE=${CORE:-1}
SETTLE=${SETTLE:-180s}
OFFSET=${PORT_OFFSET:-500}
WORK=target/bench-simulate
if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q package -DskipTests; fi

. bench/stack.sh
start_stack "$WORK" "$OFFSET" device-registry-service,heartbeat-ingest-service
export HB_CONFIG=$WORK/stack/hb.properties
taskset -c "$CORE" hb/hb simulate --devices "$DEVICES" --rate "$RATE" --duration "$DURATION" --qos "$QOS" \
  --transport "$TRANSPORT" --settle "$SETTLE" --prefix bench-sim --json | tee "$WORK/summary.json"
