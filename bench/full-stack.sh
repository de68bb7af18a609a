#!/usr/bin/env bash
# The whole platform under load (issue 14): the local stack with all four services (broker authentication on, as
# always) driven by hb simulate. Phases: warm-up; SUSTAINED seconds at RATE heartbeats/s with every heartbeat
# accounted for (sent, acknowledged by PUBACK or 200, accepted onto `heartbeats`, written to telemetry history,
# processed by the monitor) and device send -> status persisted p50/p99; a burst of BURST_FACTOR x RATE for BURST
# seconds and the time until the pipeline has drained it; CPU and RSS of every process; and, for the ratio, the raw
# broker rate (bench/broker.sh's message phase: publish -> subscriber through the same HiveMQ CE with the extension,
# no platform behind it).
# BURST=0 or BROKER_MESSAGES=0 leaves that phase out. Bounded by the durations and SETTLE per wait; talks only to
# 127.0.0.1; the stack is stopped on exit.
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
# CPU ticks of a process; for Postgres also its backends (live children, and the reaped ones its cutime/cstime hold)
ticks() {
  if [ "$(cat "/proc/$1/comm" 2>/dev/null)" = postgres ]; then
    awk '{s += $14 + $15 + $16 + $17} END {print s + 0}' "/proc/$1/stat" \
      $(pgrep -P "$1" | sed 's|.*|/proc/&/stat|') 2>/dev/null || echo 0
  else
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
  fi
}
HZ=$(getconf CLK_TCK)

# A QoS 1 PUBACK comes from the broker once it has queued the message, before ingest has read it (hb simulate's
# settle then waits for ingest), so ingest's own intake is sampled: its accepted counter every 0.5 s, in NAME.samples
simulate() { # DURATION RATE NAME
  (while :; do echo "$(date +%s.%N) $(metric "$INGEST" ingest_heartbeats_accepted_total)"; sleep 0.5; done) \
    >"$WORK/$3.samples" &
  local sampler=$!
  hb/hb simulate --devices "$DEVICES" --rate "$2" --duration "$1s" --qos "$QOS" --transport "$TRANSPORT" \
    --prefix full-stack --settle "${SETTLE}s" --quiet --json >"$WORK/$3.json" 2>"$WORK/$3.err"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
}
# ingest's intake over a phase from its samples: intake NAME SENT RATE -> rate, time, largest backlog behind the sender
intake() {
  python3 - "$WORK/$1.samples" "$2" "$3" <<'PY'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
sent, rate = float(sys.argv[2]), float(sys.argv[3])
base = rows[0][1]
start = next((t for t, c in rows if c > base), None)
if start is None or sent == 0:
    print('ingest took in nothing'); sys.exit()
start -= 0.5  # the first heartbeat arrived within the sample interval before
end = next((t for t, c in rows if c - base >= sent), rows[-1][0])
got = rows[-1][1] - base
backlog = max(min(sent, rate * (t - start)) - (c - base) for t, c in rows if t >= start)
print('ingest took in %d of %d in %.1f s after its first (%.0f/s); largest backlog behind the sender %d heartbeats'
      ' (%.1f s of sending)' % (got, sent, end - start, got / (end - start), backlog, backlog / rate))
PY
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
# the monitor's send -> status persisted histogram (since="device": the heartbeat's own timestamp, the simulator's
# clock, this machine's); quantiles of what was recorded between two scrapes: delay_quantiles BEFORE AFTER
persist_buckets() { curl -s "$MONITOR/q/metrics" | grep '^monitor_heartbeat_persist_delay_seconds_bucket{' | grep "since=\"$1\""; }
delay_quantiles() {
  python3 - "$1" "$2" <<'PY'
import re, sys
def read(path):
    b = {}
    for line in open(path):
        le = re.search(r'le="([^"]+)"', line).group(1)
        b[float('inf') if le == '+Inf' else float(le)] = float(line.rsplit(' ', 1)[1])
    return b
before, after = read(sys.argv[1]), read(sys.argv[2])
bounds = sorted(after)
total = after[bounds[-1]] - before.get(bounds[-1], 0)
def q(p):
    for le in bounds:
        if after[le] - before.get(le, 0) >= p * total:
            return 'n/a' if le == float('inf') else '%.0f ms' % (le * 1000)
print('p50 <= %s / p99 <= %s over %d heartbeats' % (q(0.5), q(0.99), total) if total else 'none recorded')
PY
}

say "warm-up: ${WARMUP}s at $((RATE / 2))/s (registers the devices; the JIT compilers take a core for a minute)"
simulate "$WARMUP" $((RATE / 2)) warmup
drain >/dev/null

read -r A0 W0 M0 <<<"$(counts)"
declare -A CPU0
while read -r pid name; do CPU0[$pid]=$(ticks "$pid"); done < <(pids)
persist_buckets device >"$WORK/persist-device-0"; persist_buckets receipt >"$WORK/persist-receipt-0"
S0=$(date +%s.%N)
say "sustained: ${SUSTAINED}s at $RATE/s over $TRANSPORT QoS $QOS"
simulate "$SUSTAINED" "$RATE" sustained
S1=$(date +%s.%N)
DRAIN=$(drain)
read -r A1 W1 M1 <<<"$(counts)"
persist_buckets device >"$WORK/persist-device-1"; persist_buckets receipt >"$WORK/persist-receipt-1"
J=$WORK/sustained.json
SENT=$(field "$J" "['sent']"); ACKED=$(field "$J" "['accepted']"); REFUSED=$(field "$J" "['refused']")
SECS=$(field "$J" "['seconds']")
say ""
say "| sustained | sent | acknowledged (PUBACK/200) | on \`heartbeats\` | in telemetry history | processed by the monitor | refused at send | refused by ingest (a rejection record each) | lost |"
say "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
# acknowledged heartbeats ingest refused (rate limit, validation) are on heartbeats.rejected, not lost
INGEST_REFUSED=$(python3 -c "import json; print(int(sum(v for k, v in json.load(open('$J'))['ingest']['rejectedByReason'].items() if k != 'OUT_OF_RANGE')))")
REASONS=$(python3 -c "import json; print(json.load(open('$J'))['ingest']['rejectedByReason'] or '')")
LEAST=$(printf '%s\n' $((A1 - A0)) $((W1 - W0)) $((M1 - M0)) | sort -n | head -1)
say "| $SECS s | $SENT | $ACKED | $((A1 - A0)) | $((W1 - W0)) | $((M1 - M0)) | $REFUSED | $INGEST_REFUSED $REASONS | $((ACKED > LEAST + INGEST_REFUSED ? ACKED - LEAST - INGEST_REFUSED : 0)) |"
say ""
say "acknowledged heartbeats/s (acknowledged / sending time): $(echo "$ACKED / $SECS" | bc); simulator latency p50 / p99:" \
  "$(field "$J" ".get('latencyP50Ms')") / $(field "$J" ".get('latencyP99Ms')") ms; Kafka -> monitor drained ${DRAIN}s after"
say "$(intake sustained "$ACKED" "$RATE")"
say ""
say "device send -> status persisted (monitor_heartbeat_persist_delay_seconds, sustained phase):" \
  "$(delay_quantiles "$WORK/persist-device-0" "$WORK/persist-device-1"); from ingest's receipt:" \
  "$(delay_quantiles "$WORK/persist-receipt-0" "$WORK/persist-receipt-1")"
say ""
say "| process | CPU (cores, sustained phase) | RSS now | RSS peak |"
say "| --- | --- | --- | --- |"
while read -r pid name; do
  used=$(echo "scale=2; ($(ticks "$pid") - ${CPU0[$pid]:-0}) / $HZ / ($S1 - $S0)" | bc)
  say "| $name | $used | $(awk '/VmRSS/ {printf "%d MiB", $2/1024}' /proc/$pid/status) | $(awk '/VmHWM/ {printf "%d MiB", $2/1024}' /proc/$pid/status) |"
done < <(pids)

if [ "$BURST" -gt 0 ]; then
  read -r A0 W0 M0 <<<"$(counts)"
  say ""
  say "burst: ${BURST}s at $((RATE * BURST_FACTOR))/s"
  simulate "$BURST" $((RATE * BURST_FACTOR)) burst
  BDRAIN=$(drain)
  read -r A1 W1 M1 <<<"$(counts)"
  J=$WORK/burst.json
  say "| burst | sent | acknowledged | on \`heartbeats\` | processed by the monitor | refused | Kafka -> monitor drained after |"
  say "| --- | --- | --- | --- | --- | --- | --- |"
  say "| $(field "$J" "['seconds']") s | $(field "$J" "['sent']") | $(field "$J" "['accepted']") | $((A1 - A0)) | $((M1 - M0)) | $(field "$J" "['refused']") | ${BDRAIN}s |"
  say "$(intake burst "$(field "$J" "['accepted']")" $((RATE * BURST_FACTOR)))"
fi

kill -TERM $STACK 2>/dev/null; wait $STACK 2>/dev/null || true
trap - EXIT
if [ "$BROKER_MESSAGES" -gt 0 ]; then
  say ""
  say "raw broker (no platform): bench/broker.sh message phase, $BROKER_MESSAGES QoS 1 messages, one round"
  java -Xmx2g -jar bench/target/heartbeat-bench.jar broker --work "$WORK/broker" --devices 2000 --publishers 100 \
    --messages "$BROKER_MESSAGES" --rounds 1 --commit "$(git rev-parse --short HEAD)" | tee "$WORK/broker.txt"
fi
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
