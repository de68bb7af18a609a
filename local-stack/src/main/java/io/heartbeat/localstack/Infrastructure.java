package io.heartbeat.localstack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.heartbeat.broker.BrokerSettings;
import io.heartbeat.broker.ServiceAccount;
import io.heartbeat.contracts.Topics;

/**
 * Postgres, the MQTT broker and Kafka, started together, provisioned (schemas, roles, topics, dev keys) and stopped
 * in reverse order. The one place both the local-stack runner and the services' test resource start infrastructure.
 */
public final class Infrastructure implements AutoCloseable {

    /**
     * Where things go and which ports they take; a zero port means "any free port".
     *
     * @param mqttTlsPort the broker's TLS listener (with a self-signed development certificate, {@link DevTls}); -1
     *        for none
     */
    public record Settings(Path dataDir, int postgresPort, int mqttPort, int kafkaPort, int kafkaControllerPort,
            int partitions, int mqttTlsPort) {

        /** Without a TLS listener. */
        public Settings(Path dataDir, int postgresPort, int mqttPort, int kafkaPort, int kafkaControllerPort,
                int partitions) {
            this(dataDir, postgresPort, mqttPort, kafkaPort, kafkaControllerPort, partitions, -1);
        }
    }

    private final Settings settings;
    /** Replaced by {@link #restartPostgres}. */
    private volatile PostgresNode postgres;
    /** Replaced by {@link #restartMqtt}. */
    private volatile MqttBroker mqtt;
    private final KafkaBroker kafka;
    private final DevKeys userKeys;
    private final DevKeys deviceKeys;
    private final DevServiceAccounts serviceAccounts;

    private Infrastructure(Settings settings, PostgresNode postgres, MqttBroker mqtt, KafkaBroker kafka,
            DevKeys userKeys, DevKeys deviceKeys, DevServiceAccounts serviceAccounts) {
        this.settings = settings;
        this.postgres = postgres;
        this.mqtt = mqtt;
        this.kafka = kafka;
        this.userKeys = userKeys;
        this.deviceKeys = deviceKeys;
        this.serviceAccounts = serviceAccounts;
    }

    /** Starts Postgres, then Kafka with its topics, then the broker, whose extension follows registry.devices. */
    public static Infrastructure start(Settings s) {
        return start(s, part -> {
        });
    }

    /**
     * Starts Postgres, Kafka and the MQTT broker in that order, telling {@code progress} as each is up (with the time
     * it took), so a start that stalls names the part it stalled in.
     */
    public static Infrastructure start(Settings s, java.util.function.Consumer<String> progress) {
        Path keys = s.dataDir().resolve("keys");
        DevKeys users = DevKeys.ensure(keys, "users");
        DevKeys devices = DevKeys.ensure(keys, "devices");
        DevServiceAccounts accounts = DevServiceAccounts.ensure(keys);
        long t0 = System.nanoTime();
        PostgresNode postgres = PostgresNode.start(s.dataDir().resolve("postgres"), Ports.freeOr(s.postgresPort()));
        KafkaBroker kafka = null;
        try {
            postgres.provision(ServiceDatabase.ALL);
            progress.accept(up("Postgres", "127.0.0.1:" + postgres.port(), t0));
            long t1 = System.nanoTime();
            kafka = KafkaBroker.start(s.dataDir().resolve("kafka"), Ports.freeOr(s.kafkaPort()),
                    Ports.freeOr(s.kafkaControllerPort()));
            kafka.createTopics(Topics.ALL, s.partitions());
            progress.accept(up("Kafka", kafka.bootstrapServers(), t1));
            long t2 = System.nanoTime();
            MqttBroker.Tls tls = s.mqttTlsPort() < 0 ? null : DevTls.ensure(keys, Ports.freeOr(s.mqttTlsPort()));
            MqttBroker mqtt = MqttBroker.start(s.dataDir().resolve("mqtt"), Ports.freeOr(s.mqttPort()), tls,
                    brokerSettings(kafka, devices, accounts));
            progress.accept(up("MQTT broker", "127.0.0.1:" + mqtt.port(), t2));
            return new Infrastructure(s, postgres, mqtt, kafka, users, devices, accounts);
        } catch (RuntimeException e) {
            if (kafka != null) {
                kafka.close();
            }
            postgres.close();
            throw e;
        }
    }

    private static String up(String part, String address, long since) {
        return String.format(java.util.Locale.ROOT, "%s up on %s in %.1f s", part, address,
                (System.nanoTime() - since) / 1e9);
    }

    /** The broker extension's settings for this stack: its Kafka, the device JWT key, the dev service accounts. */
    static BrokerSettings brokerSettings(KafkaBroker kafka, DevKeys devices, DevServiceAccounts accounts) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put("device-jwt.public-key-location", devices.publicKey().toAbsolutePath().toString());
        for (ServiceAccount account : ServiceAccount.values()) {
            p.put(BrokerSettings.passwordKey(account), accounts.password(account));
        }
        return BrokerSettings.of(p);
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

    /**
     * Stops the MQTT broker and starts it again on the same port, data folder and settings, as a broker restart in
     * production would: every client loses its connection, and devices are refused ("server unavailable") until the
     * new broker's extension has read {@code registry.devices}. For trying and testing devices' reconnects.
     */
    public synchronized void restartMqtt() {
        restartMqtt(java.time.Duration.ZERO);
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

    public DevServiceAccounts serviceAccounts() {
        return serviceAccounts;
    }

    /** The MQTT service account a service's schema stands for, if it connects to the broker. */
    public static java.util.Optional<ServiceAccount> mqttAccount(ServiceDatabase db) {
        return switch (db.schema()) {
            case "ingest" -> java.util.Optional.of(ServiceAccount.INGEST);
            case "monitor" -> java.util.Optional.of(ServiceAccount.MONITOR);
            case "command" -> java.util.Optional.of(ServiceAccount.COMMAND);
            default -> java.util.Optional.empty();
        };
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
        mqttAccount(db).ifPresent(account -> {
            c.put("heartbeat.mqtt.username", account.username());
            c.put("heartbeat.mqtt.password", serviceAccounts.password(account));
        });
        c.put("mp.jwt.verify.publickey.location", userKeys.publicKey().toAbsolutePath().toString());
        c.put("mp.jwt.verify.issuer", DevTokens.ISSUER);
        c.put("heartbeat.device-jwt.private-key-location", deviceKeys.privateKey().toAbsolutePath().toString());
        c.put("heartbeat.device-jwt.public-key-location", deviceKeys.publicKey().toAbsolutePath().toString());
        return c;
    }

    /**
     * Stops Postgres, waits {@code down}, and starts it again on the same port and data (an outage or a restart:
     * clients see refused connections meanwhile). For fault tests.
     */
    public synchronized void restartPostgres(java.time.Duration down) {
        int port = postgres.port();
        postgres.close();
        pause(down);
        postgres = PostgresNode.start(settings.dataDir().resolve("postgres"), port);
    }

    /** Stops the MQTT broker, waits {@code down}, and starts it again on the same port and data. For fault tests. */
    public synchronized void restartMqtt(java.time.Duration down) {
        int port = mqtt.port();
        MqttBroker.Tls tls = mqtt.tls();
        mqtt.close();
        pause(down);
        mqtt = MqttBroker.start(settings.dataDir().resolve("mqtt"), port, tls,
                brokerSettings(kafka, deviceKeys, serviceAccounts));
    }

    /** Stops Kafka, waits {@code down}, and starts it again with its data. For fault tests. */
    public synchronized void restartKafka(java.time.Duration down) {
        kafka.stop();
        pause(down);
        kafka.start();
    }

    private static void pause(java.time.Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
