/**
 * Versioned Kafka event contracts of the heartbeat platform.
 *
 * <p>
 * Every event is a Java record carrying a {@code schemaVersion}; {@link io.heartbeat.contracts.Topics} names the
 * topics, and {@link io.heartbeat.contracts.EventJson} is the one JSON mapping all services use. Every record on every
 * topic is keyed by device id, so one partition (and one consumer) owns one device.
 *
 * <p>
 * This package depends only on Jackson: no Quarkus, no Kafka client, so any service (or tool) can use it.
 */
package io.heartbeat.contracts;
