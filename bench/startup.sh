#!/usr/bin/env bash
# Startup-to-ready of each service (issue 14): the time from exec to the first UP of /q/health/ready (Postgres,
# Kafka and the broker reachable, the device views read), RUNS times each, on JDK 17 as the local stack runs them,
# on JDK 25, and on JDK 25 with an AOT cache (JEP 483/514) written by one training run that starts the service,
# waits until it is ready and stops it. Each service is started alone against a running local stack (the other
# services stopped), with the command line the local stack gave it. 127.0.0.1 only; stops everything on exit.
# Usage: bench/startup.sh [--no-build]      Results: printed, and in target/bench-startup/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
OFFSET=${PORT_OFFSET:-850}
WORK=target/bench-startup
SERVICES=device-registry-service,heartbeat-ingest-service,status-monitor-service,command-service
if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q package -DskipTests; fi
rm -rf "$WORK" && mkdir -p "$WORK"
OUT=$WORK/results.md
say() { echo "$*" | tee -a "$OUT"; }
say "# startup benchmark, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)"
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); JDK 17: $(java -version 2>&1 | head -1); JDK 25: $("$JDK25/bin/java" -version 2>&1 | head -1)"
say "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
. bench/stack.sh
start_stack "$WORK" "$OFFSET" "$SERVICES" 2g

# each service's arguments as the local stack launched it (without the java binary), then the service stopped
for s in ${SERVICES//,/ }; do
  pid=$(pgrep -f "$s/target/quarkus-app/quarkus-run.jar" | head -1)
  tail -c +1 "/proc/$pid/cmdline" | tr '\0' '\n' | tail -n +2 >"$WORK/$s.args"
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
done

# ready_ms SERVICE JAVA [JVM OPTION...]: starts it, prints the ms until ready, stops it (SIGTERM, as in production)
ready_ms() {
  local s=$1 java=$2; shift 2
  mapfile -t args <"$WORK/$s.args"
  local port; port=$(printf '%s\n' "${args[@]}" | sed -n 's/^-Dquarkus.http.port=//p')
  local t0; t0=$(date +%s%N)
  "$java" "$@" "${args[@]}" >>"$WORK/$s.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1200); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready" && break
    kill -0 $pid 2>/dev/null || { echo "$s exited" >&2; tail -20 "$WORK/$s.log" >&2; return 1; }
    sleep 0.05
  done
  echo $((($(date +%s%N) - t0) / 1000000))
  kill -TERM $pid
  wait $pid 2>/dev/null || true
}
stats() { sort -n | awk '{v[NR] = $1; s += $1} END {printf "%.0f ms (min %d, max %d, %d runs)", s / NR, v[1], v[NR], NR}'; }

say ""
say "| service | JDK 17 (as the local stack runs it) | JDK 25 | JDK 25 + AOT cache | AOT cache size |"
say "| --- | --- | --- | --- | --- |"
for s in ${SERVICES//,/ }; do
  ready_ms "$s" java >/dev/null # a first start after the stack's warms the page cache; not counted
  j17=$(for _ in $(seq 1 "$RUNS"); do ready_ms "$s" java; done | stats)
  j25=$(for _ in $(seq 1 "$RUNS"); do ready_ms "$s" "$JDK25/bin/java"; done | stats)
  ready_ms "$s" "$JDK25/bin/java" "-XX:AOTCacheOutput=$WORK/$s.aot" >/dev/null # the training run
  aot=$(for _ in $(seq 1 "$RUNS"); do ready_ms "$s" "$JDK25/bin/java" "-XX:AOTCache=$WORK/$s.aot"; done | stats)
  say "| $s | $j17 | $j25 | $aot | $(du -m "$WORK/$s.aot" | cut -f1) MiB |"
done
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
