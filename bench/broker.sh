#!/usr/bin/env bash
# The device edge's price (issue 10): connects/s and QoS 1 messages/s through the embedded HiveMQ CE with the
# platform's extension (authentication against the registry views it follows on Kafka, per-client topic permissions)
# versus the same broker with no extension, one broker at a time in alternating rounds, in one JVM with the clients.
# Runs on 127.0.0.1 only (its own Kafka and brokers on free ports) and stops by itself.
# Usage: bench/broker.sh [--no-build]     Results: printed, and in target/bench-broker/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
# the broker and the clients share one JVM, so each connection takes two file descriptors; these machines allow a
# process 20,000 (ulimit -Hn), which 10,000 connections would exceed
DEVICES=${DEVICES:-8000}
PUBLISHERS=${PUBLISHERS:-100}
MESSAGES=${MESSAGES:-200000}
ROUNDS=${ROUNDS:-4}
if [ "${1:-}" != "--no-build" ]; then ./mvnw -B -q package -DskipTests; fi
echo "load before the run: $(uptime)"
java -Xmx2g -jar bench/target/heartbeat-bench.jar broker --work target/bench-broker --devices "$DEVICES" \
  --publishers "$PUBLISHERS" --messages "$MESSAGES" --rounds "$ROUNDS" --commit "$(git rev-parse --short HEAD)"
