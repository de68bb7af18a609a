#!/usr/bin/env bash
# The whole platform under load (issue 14): the local stack with all four services (broker authentication on, as
# always) driven by hb simulate. Phases: warm-up; SUSTAINED seconds at RATE heartbeats/s with every heartbeat
# accounted for (sent, acknowledged by PUBACK or 200, accepted onto `heartbeats`, written to telemetry history,
# processed by the monitor); a burst of BURST_FACTOR x RATE for BURST seconds and the time until the pipeline has
# drained it; CPU and RSS of every process; and, for the ratio, the raw broker rate (bench/broker.sh's message
# phase: publish -> subscriber through the same HiveMQ CE with the extension, no platform behind it).
# Bounded by the durations and SETTLE per wait; talks only to 127.0.0.1; the stack is stopped on exit.
# Usage: bench/full-stack.sh [--no-build]      Results: printed, and in target/bench-full-stack/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${DEVICES:-2000}
# 2000 devices carry up to 20,000/s (ingest allows each at most 600 a minute): enough for a 3x burst of 6,600/s
RATE=${RATE:-10000}
SUSTAINED=${SUSTAINED:-600}
WARMUP=${WARMUP:-60}
BURST=${BURST:-60}
BURST_FACTOR=${BURST_FACTOR:-3}
TRANSPORT=${TRANSPORT:-mqtt}
QOS=${QOS:-1}
SETTLE=${SETTLE:-300}
BROKER_MESSAGES=${BROKER_MESSAGES:-200000}
OFFSET=${PORT_OFFSET:-700}
WORK=target/bench-full-stack
SERVICES=device-registry-service,heartbeat-ingest-service,status-monitor-service,command-service
if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q package -DskipTests; fi
rm -rf "$WORK" && mkdir -p "$WORK"
OUT=$WORK/results.md
say() { echo "$*" | tee -a "$OUT"; }

say "# full-stack benchmark, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)"
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
say "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "settings: DEVICES=$DEVICES RATE=$RATE SUSTAINED=${SUSTAINED}s BURST=${BURST}s x$BURST_FACTOR TRANSPORT=$TRANSPORT QOS=$QOS"

. bench/stack.sh
T0=$(date +%s.%N)
start_stack "$WORK" "$OFFSET" "$SERVICES" 2g
say "stack (Postgres, Kafka, HiveMQ CE + extension, 4 services): $(grep -o 'ready in [0-9.]* s' "$WORK/stack.log")"
export HB_CONFIG=$WORK/stack/hb.properties
prop() { grep "^$1=" "$HB_CONFIG" | cut -d= -f2-; }
INGEST=$(prop ingest.url)
MONITOR=$(prop monitor.url)

# one value of a Prometheus counter summed over its series: metric URL NAME [LABEL-SUBSTRING]
metric() {
  curl -s "$1/q/metrics" | awk -v n="$2" -v l="${3:-}" '($1 == n || index($1, n "{") == 1) && (l == "" || index($1, l)) {s += $2} END {printf "%.0f", s}'
}
counts() {
  echo "$(metric "$INGEST" ingest_heartbeats_accepted_total) $(metric "$INGEST" ingest_telemetry_rows_written_total)" \
    "$(metric "$MONITOR" monitor_heartbeats_processed_total)"
}
# pid name of every process of the run: the stack's JVM (broker, Kafka), Postgres, each service
pids() {
  echo "$STACK local-stack(broker+kafka)"
  pgrep -f "postgres.*$WORK/stack" | head -1 | sed 's/$/ postgres/' || true
  for s in ${SERVICES//,/ }; do pgrep -f "$s/target/quarkus-app/quarkus-run.jar" | head -1 | sed "s/\$/ $s/" || true; done
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

simulate() { # DURATION RATE NAME
  hb/hb simulate --devices "$DEVICES" --rate "$2" --duration "$1s" --qos "$QOS" --transport "$TRANSPORT" \
    --prefix full-stack --settle "${SETTLE}s" --quiet --json >"$WORK/$3.json" 2>"$WORK/$3.err"
}
# waits until the monitor has processed everything ingest accepted; prints the seconds it took
drain() {
  local t=$(date +%s.%N)
  for _ in $(seq 1 $((SETTLE * 2))); do
    read -r a w m <<<"$(counts)"
    [ "$m" -ge "$a" ] && [ "$w" -ge "$a" ] && break
    sleep 0.5
  done
  echo "$(date +%s.%N) - $t" | bc
}
field() { python3 -c "import json,sys; d=json.load(open('$1')); print(d$2)"; }

say "warm-up: ${WARMUP}s at $((RATE / 2))/s (registers the devices; the JIT compilers take a core for a minute)"
simulate "$WARMUP" $((RATE / 2)) warmup
drain >/dev/null

read -r A0 W0 M0 <<<"$(counts)"
declare -A CPU0
while read -r pid name; do CPU0[$pid]=$(ticks "$pid"); done < <(pids)
S0=$(date +%s.%N)
say "sustained: ${SUSTAINED}s at $RATE/s over $TRANSPORT QoS $QOS"
simulate "$SUSTAINED" "$RATE" sustained
S1=$(date +%s.%N)
DRAIN=$(drain)
read -r A1 W1 M1 <<<"$(counts)"
J=$WORK/sustained.json
SENT=$(field "$J" "['sent']"); ACKED=$(field "$J" "['accepted']"); REFUSED=$(field "$J" "['refused']")
SECS=$(field "$J" "['seconds']")
say ""
say "| sustained | sent | acknowledged (PUBACK/200) | on \`heartbeats\` | in telemetry history | processed by the monitor | refused | lost |"
say "| --- | --- | --- | --- | --- | --- | --- | --- |"
LEAST=$(printf '%s\n' $((A1 - A0)) $((W1 - W0)) $((M1 - M0)) | sort -n | head -1)
say "| $SECS s | $SENT | $ACKED | $((A1 - A0)) | $((W1 - W0)) | $((M1 - M0)) | $REFUSED | $((ACKED > LEAST ? ACKED - LEAST : 0)) |"
say ""
say "accepted heartbeats/s (acknowledged / sending time): $(echo "$ACKED / $SECS" | bc); simulator latency p50 / p99:" \
  "$(field "$J" ".get('latencyP50Ms')") / $(field "$J" ".get('latencyP99Ms')") ms; pipeline drained ${DRAIN}s after the run"
say ""
say "| process | CPU (cores, sustained phase) | RSS now | RSS peak |"
say "| --- | --- | --- | --- |"
while read -r pid name; do
  used=$(echo "scale=2; ($(ticks "$pid") - ${CPU0[$pid]:-0}) / $HZ / ($S1 - $S0)" | bc)
  say "| $name | $used | $(awk '/VmRSS/ {printf "%d MiB", $2/1024}' /proc/$pid/status) | $(awk '/VmHWM/ {printf "%d MiB", $2/1024}' /proc/$pid/status) |"
done < <(pids)

read -r A0 W0 M0 <<<"$(counts)"
say ""
say "burst: ${BURST}s at $((RATE * BURST_FACTOR))/s"
simulate "$BURST" $((RATE * BURST_FACTOR)) burst
BDRAIN=$(drain)
read -r A1 W1 M1 <<<"$(counts)"
J=$WORK/burst.json
say "| burst | sent | acknowledged | on \`heartbeats\` | processed by the monitor | refused | drained after the burst |"
say "| --- | --- | --- | --- | --- | --- | --- |"
say "| $(field "$J" "['seconds']") s | $(field "$J" "['sent']") | $(field "$J" "['accepted']") | $((A1 - A0)) | $((M1 - M0)) | $(field "$J" "['refused']") | ${BDRAIN}s |"

kill -TERM $STACK 2>/dev/null; wait $STACK 2>/dev/null || true
trap - EXIT
say ""
say "raw broker (no platform): bench/broker.sh message phase, $BROKER_MESSAGES QoS 1 messages, one round"
java -Xmx2g -jar bench/target/heartbeat-bench.jar broker --work "$WORK/broker" --devices 2000 --publishers 100 \
  --messages "$BROKER_MESSAGES" --rounds 1 --commit "$(git rev-parse --short HEAD)" | tee "$WORK/broker.txt"
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
