package io.heartbeat.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.heartbeat.broker.ServiceAccount;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.test.TestRecords;

/** The real embedded infrastructure: what a service and a user of the local stack rely on. */
class InfrastructureTest {

    static Path dir;
    static Infrastructure infra;

    @BeforeAll
    static void start() {
        dir = Dirs.temp("infra-test-");
        infra = Infrastructure.start(new Infrastructure.Settings(dir, 0, 0, 0, 0, 3));
    }

    @AfterAll
    static void stop() {
        if (infra != null) {
            infra.close();
        }
        Dirs.deleteRecursively(dir);
    }

    @Test
    void eachServiceRoleOwnsItsSchemaAndCannotTouchAnother() throws SQLException {
        try (Connection registry = connect(ServiceDatabase.REGISTRY); Statement st = registry.createStatement()) {
            st.execute("CREATE TABLE probe_own (id int)");
            try (ResultSet rs = st.executeQuery(
                    "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe_own'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("registry");
            }
            assertThatThrownBy(() -> st.execute("CREATE TABLE ingest.intruder (id int)"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> st.execute("CREATE TABLE public.intruder (id int)"))
                    .hasMessageContaining("permission denied");
        }
        try (Connection ingest = connect(ServiceDatabase.INGEST); Statement st = ingest.createStatement()) {
            assertThatThrownBy(() -> st.executeQuery("SELECT * FROM registry.probe_own"))
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void provisioningAgainKeepsWhatTheServicesStored() throws SQLException {
        try (Connection ingest = connect(ServiceDatabase.INGEST); Statement st = ingest.createStatement()) {
            st.execute("CREATE TABLE survives_provisioning (v int)");
            st.execute("INSERT INTO survives_provisioning VALUES (42)");
        }
        infra.postgres().provision(ServiceDatabase.ALL);
        infra.postgres().provision(ServiceDatabase.ALL);
        try (Connection ingest = connect(ServiceDatabase.INGEST);
                Statement st = ingest.createStatement();
                ResultSet rs = st.executeQuery("SELECT v FROM survives_provisioning")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void everyDesignTopicExistsCompactedWhereTheDesignSaysSo() throws Exception {
        try (Admin admin = infra.kafka().admin()) {
            List<String> names = Topics.ALL.stream().map(Topics.TopicSpec::name).toList();
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(30,
                    TimeUnit.SECONDS);
            assertThat(topics).hasSize(Topics.ALL.size());
            for (Topics.TopicSpec spec : Topics.ALL) {
                assertThat(topics.get(spec.name()).partitions()).hasSize(3);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
                String policy = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                        .get(resource).get("cleanup.policy").value();
                assertThat(policy).as(spec.name()).isEqualTo(spec.compacted() ? "compact" : "delete");
            }
        }
    }

    @Test
    void kafkaComesBackAfterAnOutageWithItsData() throws Exception {
        String topic = Topics.HEARTBEATS;
        InfrastructureTestSupport.produce(infra, topic, "before-outage");
        infra.kafka().stop();
        assertThat(infra.kafka().running()).isFalse();
        infra.kafka().start();
        InfrastructureTestSupport.produce(infra, topic, "after-outage");
        assertThat(InfrastructureTestSupport.consume(infra, topic, 2)).containsExactly("before-outage", "after-outage");
    }

    @Test
    void mqttBrokerDeliversQos1MessagesBetweenAuthenticatedClients() throws Exception {
        String id = "socket-" + System.nanoTime();
        String token = DeviceTokens.generate();
        Instant now = Instant.now();
        try (TestRecords records = new TestRecords(infra.kafka().bootstrapServers())) {
            records.send(Topics.REGISTRY_DEVICES, id, EventJson.write(new DeviceView(DeviceView.SCHEMA_VERSION, id,
                    "acme", id, Protocol.MQTT, Map.of(), "default", Thresholds.DEFAULTS, true, false, null, Map.of(),
                    DeviceTokens.hash(token), now, 1, now, now)));
        }
        BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
        MqttConnectOptions service = new MqttConnectOptions();
        service.setCleanSession(true);
        service.setUserName(ServiceAccount.INGEST.username());
        service.setPassword(infra.serviceAccounts().password(ServiceAccount.INGEST).toCharArray());
        MqttConnectOptions device = new MqttConnectOptions();
        device.setCleanSession(true);
        device.setUserName(id);
        device.setPassword(token.toCharArray());
        MqttClient subscriber = new MqttClient(infra.mqtt().url(), "heartbeat-ingest-" + System.nanoTime(),
                new MemoryPersistence());
        MqttClient deviceClient = new MqttClient(infra.mqtt().url(), id, new MemoryPersistence());
        try {
            subscriber.connect(service);
            subscriber.subscribe("devices/+/heartbeat", 1,
                    (t, m) -> received.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
            // the broker knows the device once it has read its view from registry.devices
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
                deviceClient.connect(device);
                return true;
            });
            deviceClient.publish("devices/" + id + "/heartbeat", "{\"status\":\"alive\"}".getBytes(StandardCharsets.UTF_8),
                    1, false);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("devices/" + id + "/heartbeat {\"status\":\"alive\"}");
        } finally {
            deviceClient.disconnect();
            subscriber.disconnect();
        }
    }

    @Test
    void devTokensAreSignedWithTheStacksUserKey() {
        String token = new DevTokens(infra.userKeys().loadPrivate()).operator("acme");
        assertThat(token.split("\\.")).hasSize(3);
        assertThat(DevKeys.readPublic(infra.userKeys().publicKey()).getAlgorithm()).isEqualTo("RSA");
        assertThat(infra.serviceConfig(ServiceDatabase.REGISTRY))
                .containsEntry("quarkus.datasource.username", "registry")
                .containsEntry("kafka.bootstrap.servers", infra.kafka().bootstrapServers());
    }

    static Connection connect(ServiceDatabase db) throws SQLException {
        return DriverManager.getConnection(infra.postgres().jdbcUrl(), db.role(), db.password());
    }
}
