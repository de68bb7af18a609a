# Sourced by the bench scripts: start_stack WORK OFFSET SERVICES [HEAP] starts a fresh local stack with only SERVICES
# (comma-separated) on ports offset by OFFSET, data in WORK/stack, log in WORK/stack.log, waits until it is ready
# and stops it when the calling script exits.
start_stack() {
  local work=$1 offset=$2 services=$3 heap=${4:-2g}
  mkdir -p "$work"
  java -Xmx"$heap" -jar local-stack/target/local-stack-0.1.0-SNAPSHOT.jar --root . --fresh --data-dir "$work/stack" \
    --port-offset "$offset" --services "$services" >"$work/stack.log" 2>&1 &
  STACK=$!
  trap 'kill -TERM $STACK 2>/dev/null; wait $STACK 2>/dev/null || true' EXIT
  for _ in $(seq 1 240); do
    grep -q "ready in" "$work/stack.log" && break
    kill -0 $STACK 2>/dev/null || { cat "$work/stack.log"; exit 1; }
    sleep 0.5
  done
  grep -q "ready in" "$work/stack.log" || { echo "the stack did not start" >&2; cat "$work/stack.log"; exit 1; }
}
