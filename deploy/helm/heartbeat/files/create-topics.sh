#!/bin/sh
# Creates the platform's Kafka topics that do not exist yet (the local stack's KafkaBroker.createTopics, for a real
# cluster): compacted ones with cleanup.policy=compact, min.compaction.lag.ms=0 and delete.retention.ms of one day,
# the others with seven days' retention. Topics and their policy come from contracts Topics.ALL (deployment-tests
# checks every copy of the list against it).
#
#   KAFKA_BOOTSTRAP_SERVERS   the cluster
#   HEARTBEAT_TOPICS          "name:compact name:delete ..."
#   HEARTBEAT_PARTITIONS      partitions per topic (the most replicas any consumer group can use)
#   HEARTBEAT_REPLICATION     replication factor
#   KAFKA_BIN                 where kafka-topics.sh is (default /opt/kafka/bin)
set -eu
BIN="${KAFKA_BIN:-/opt/kafka/bin}"
for spec in $HEARTBEAT_TOPICS; do
    name="${spec%%:*}"
    policy="${spec#*:}"
    if [ "$policy" = compact ]; then
        configs="--config cleanup.policy=compact --config min.compaction.lag.ms=0 --config delete.retention.ms=86400000"
    else
        configs="--config cleanup.policy=delete --config retention.ms=604800000"
    fi
    # shellcheck disable=SC2086
    "$BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --create --if-not-exists --topic "$name" \
        --partitions "$HEARTBEAT_PARTITIONS" --replication-factor "$HEARTBEAT_REPLICATION" $configs
done
"$BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --list
