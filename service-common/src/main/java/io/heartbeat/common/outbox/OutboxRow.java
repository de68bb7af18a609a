package io.heartbeat.common.outbox;

/** One event waiting in a service's outbox table. A null payload is a tombstone. */
public record OutboxRow(long id, String topic, String key, String payload) {
}
