#!/usr/bin/env bash
# The platform with a fleet of the seeds' size (issue 14): the local stack with all four services (broker
# authentication on), DEVICES devices heartbeating every INTERVAL seconds over HTTP through hb simulate (100,000 at
# 60 s: 1,667 heartbeats/s) plus COMMAND_DEVICES MQTT devices answering commands. Measures device send -> status
# persisted, commands at COMMAND_RATE/s under that load, the detection delay of one silent device among the fleet
# and of a mass outage of half the fleet (and that no live device is reported offline), CPU and RSS of every process.
# Bounded by its durations and waits; talks only to 127.0.0.1; everything it starts is stopped on exit.
# Usage: bench/fleet.sh [--no-build]      Results: printed, and in target/bench-fleet/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-100000}
INTERVAL=${INTERVAL:-60}
STEADY=${STEADY:-60}
COMMAND_DEVICES=${COMMAND_DEVICES:-200}
COMMAND_RATE=${COMMAND_RATE:-1000}
COMMAND_SECONDS=${COMMAND_SECONDS:-20}
OFFSET=${PORT_OFFSET:-750}
WORK=target/bench-fleet
SERVICES=device-registry-service,heartbeat-ingest-service,status-monitor-service,command-service
if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q package -DskipTests; fi
rm -rf "$WORK" && mkdir -p "$WORK"
OUT=$WORK/results.md
say() { echo "$*" | tee -a "$OUT"; }
say "# fleet benchmark, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)"
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
say "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "settings: DEVICES=$DEVICES INTERVAL=${INTERVAL}s STEADY=${STEADY}s COMMAND_DEVICES=$COMMAND_DEVICES COMMAND_RATE=$COMMAND_RATE/s for ${COMMAND_SECONDS}s"

# every service keeps every device's view; the default quota (10,000 a tenant) is below the fleet
export HEARTBEAT_REGISTRY_MAX_DEVICES_PER_TENANT=$((DEVICES + COMMAND_DEVICES + 1000))
. bench/stack.sh
start_stack "$WORK" "$OFFSET" "$SERVICES" 2g
say "stack: $(grep -o 'ready in [0-9.]* s' "$WORK/stack.log")"

pids() {
  echo "$STACK local-stack(broker+kafka)"
  for s in ${SERVICES//,/ }; do pgrep -f "$s/target/quarkus-app/quarkus-run.jar" | head -1 | sed "s/\$/ $s/" || true; done
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
declare -A CPU0
while read -r pid name; do CPU0[$pid]=$(ticks "$pid"); done < <(pids)
S0=$(date +%s.%N)

java -jar bench/target/heartbeat-bench.jar fleet --data-dir "$WORK/stack" --work "$WORK" --hb hb/hb \
  --devices "$DEVICES" --interval "$INTERVAL" --steady "$STEADY" --command-devices "$COMMAND_DEVICES" \
  --command-rate "$COMMAND_RATE" --command-seconds "$COMMAND_SECONDS" \
  --jdbc "jdbc:postgresql://127.0.0.1:$((15432 + OFFSET))/heartbeat" | tee -a "$OUT"

S1=$(date +%s.%N)
say ""
say "| process | CPU (cores, mean over the whole run) | RSS now | RSS peak |"
say "| --- | --- | --- | --- |"
while read -r pid name; do
  used=$(echo "scale=2; ($(ticks "$pid") - ${CPU0[$pid]:-0}) / $(getconf CLK_TCK) / ($S1 - $S0)" | bc)
  say "| $name | $used | $(awk '/VmRSS/ {printf "%d MiB", $2/1024}' /proc/$pid/status) | $(awk '/VmHWM/ {printf "%d MiB", $2/1024}' /proc/$pid/status) |"
done < <(pids)
for s in one cmd a b; do
  [ -f "$WORK/$s.json" ] && say "simulator $s: $(tr -d '\n' < "$WORK/$s.json" | cut -c1-600)"
done
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
