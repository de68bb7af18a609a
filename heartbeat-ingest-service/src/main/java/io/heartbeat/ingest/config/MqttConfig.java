package io.heartbeat.ingest.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The MQTT broker devices publish heartbeats to (HEARTBEAT_MQTT_HOST, HEARTBEAT_MQTT_PORT, ...). */
@ConfigMapping(prefix = "heartbeat.mqtt")
public interface MqttConfig {

    /** false: no MQTT intake (HTTP only). */
    @WithDefault("true")
    boolean enabled();

    /** Broker host. */
    @WithDefault("127.0.0.1")
    String host();

    /** Broker port. */
    @WithDefault("1883")
    int port();

    /** The client id; unique per replica, stable across restarts so the broker keeps its QoS 1 queue. */
    @WithDefault("heartbeat-ingest")
    String clientId();

    /** Broker user name, if the broker requires one. */
    Optional<String> username();

    /** Broker password, if the broker requires one. */
    Optional<String> password();

    /**
     * Shared-subscription group: with a value, replicas subscribe as {@code $share/<group>/devices/+/...} and the
     * broker spreads devices over them; empty: every replica gets every message (one replica only).
     */
    Optional<String> sharedGroup();

    /**
     * MQTT connections per replica. HiveMQ CE sends a connection at most 50 unacknowledged QoS 1 messages (its own
     * cap, whatever receive maximum the client announces), in batches: it reads the next batch only once every message
     * of the last one is acknowledged, and each waits here for Kafka. So more connections carry more heartbeats per
     * second. Above 1 they form a shared-subscription
     * group ({@link #sharedGroup()}, or {@code heartbeat-ingest} when none is set).
     */
    @WithDefault("4")
    int connections();

    /** Pause before reconnecting after the connection was lost or refused. */
    @WithDefault("PT2S")
    Duration reconnectDelay();
}
