package io.heartbeat.localstack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.heartbeat.contracts.Topics;

/**
 * Postgres, the MQTT broker and Kafka, started together, provisioned (schemas, roles, topics, dev keys) and stopped
 * in reverse order. The one place both the local-stack runner and the services' test resource start infrastructure.
 */
public final class Infrastructure implements AutoCloseable {

    /** Where things go and which ports they take; a zero port means "any free port". */
    public record Settings(Path dataDir, int postgresPort, int mqttPort, int kafkaPort, int kafkaControllerPort,
            int partitions) {
    }

    private final Settings settings;
    private final PostgresNode postgres;
    private final MqttBroker mqtt;
    private final KafkaBroker kafka;
    private final DevKeys userKeys;
    private final DevKeys deviceKeys;

    private Infrastructure(Settings settings, PostgresNode postgres, MqttBroker mqtt, KafkaBroker kafka,
            DevKeys userKeys, DevKeys deviceKeys) {
        this.settings = settings;
        this.postgres = postgres;
        this.mqtt = mqtt;
        this.kafka = kafka;
        this.userKeys = userKeys;
        this.deviceKeys = deviceKeys;
    }

    public static Infrastructure start(Settings s) {
        DevKeys users = DevKeys.ensure(s.dataDir().resolve("keys"), "users");
        DevKeys devices = DevKeys.ensure(s.dataDir().resolve("keys"), "devices");
        PostgresNode postgres = PostgresNode.start(s.dataDir().resolve("postgres"), Ports.freeOr(s.postgresPort()));
        MqttBroker mqtt = null;
        try {
            postgres.provision(ServiceDatabase.ALL);
            mqtt = MqttBroker.start(s.dataDir().resolve("mqtt"), Ports.freeOr(s.mqttPort()));
            KafkaBroker kafka = KafkaBroker.start(s.dataDir().resolve("kafka"), Ports.freeOr(s.kafkaPort()),
                    Ports.freeOr(s.kafkaControllerPort()));
            kafka.createTopics(Topics.ALL, s.partitions());
            return new Infrastructure(s, postgres, mqtt, kafka, users, devices);
        } catch (RuntimeException e) {
            if (mqtt != null) {
                mqtt.close();
            }
            postgres.close();
            throw e;
        }
    }

    public Settings settings() {
        return settings;
    }

    public PostgresNode postgres() {
        return postgres;
    }

    public MqttBroker mqtt() {
        return mqtt;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public DevKeys userKeys() {
        return userKeys;
    }

    public DevKeys deviceKeys() {
        return deviceKeys;
    }

    /**
     * The configuration a service needs to reach this infrastructure as {@code service}'s role: the keys every
     * service of the platform reads (Quarkus's own where there is one).
     */
    public Map<String, String> serviceConfig(ServiceDatabase db) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.datasource.username", db.role());
        c.put("quarkus.datasource.password", db.password());
        c.put("quarkus.datasource.reactive.url", postgres.reactiveUrl());
        c.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        c.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        c.put("heartbeat.mqtt.host", "127.0.0.1");
        c.put("heartbeat.mqtt.port", Integer.toString(mqtt.port()));
        c.put("mp.jwt.verify.publickey.location", userKeys.publicKey().toAbsolutePath().toString());
        c.put("mp.jwt.verify.issuer", DevTokens.ISSUER);
        c.put("heartbeat.device-jwt.private-key-location", deviceKeys.privateKey().toAbsolutePath().toString());
        c.put("heartbeat.device-jwt.public-key-location", deviceKeys.publicKey().toAbsolutePath().toString());
        return c;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable part : new AutoCloseable[] { kafka, mqtt, postgres }) {
            try {
                part.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("stopping the local infrastructure failed", e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
