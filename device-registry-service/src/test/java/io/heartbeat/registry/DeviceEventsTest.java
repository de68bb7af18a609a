package io.heartbeat.registry;

import static io.heartbeat.registry.RegistryTestSupport.as;
import static io.heartbeat.registry.RegistryTestSupport.config;
import static io.heartbeat.registry.RegistryTestSupport.create;
import static io.heartbeat.registry.RegistryTestSupport.readDeviceTopic;
import static io.heartbeat.registry.RegistryTestSupport.registryDb;
import static io.heartbeat.registry.RegistryTestSupport.tokens;
import static io.heartbeat.registry.RegistryTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.localstack.KafkaBroker;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** What consumers of registry.devices actually receive, including across a Kafka outage. */
@QuarkusTest
class DeviceEventsTest {

    final String operator = tokens().operator("acme");

    @Test
    void everyChangePublishesTheFullViewWithItsRevisionAndDeleteATombstone() {
        String id = uniqueId("evt");
        String token = create(operator, Map.of("id", id, "name", "Kitchen socket", "protocol", "MQTT",
                "remoteControlEnabled", true, "thresholdOverrides", Map.of("disconnectedAfterSeconds", 600)));
        as(operator).body(Map.of("enabled", false)).patch("/api/v1/devices/" + id).then().statusCode(200);
        as(operator).delete("/api/v1/devices/" + id).then().statusCode(204);

        List<ConsumerRecord<String, String>> records = readDeviceTopic(id, r -> r.size() >= 3, Duration.ofSeconds(30));
        assertThat(records).hasSize(3);

        DeviceView created = EventJson.read(records.get(0).value(), DeviceView.class);
        assertThat(created.schemaVersion()).isEqualTo(DeviceView.SCHEMA_VERSION);
        assertThat(created.deviceId()).isEqualTo(id);
        assertThat(created.tenantId()).isEqualTo("acme");
        assertThat(created.name()).isEqualTo("Kitchen socket");
        assertThat(created.protocol()).isEqualTo(Protocol.MQTT);
        assertThat(created.profileId()).isEqualTo("default");
        assertThat(created.thresholds().heartbeatIntervalSeconds()).isEqualTo(30);
        assertThat(created.thresholds().connectedWithinSeconds()).isEqualTo(40);
        assertThat(created.thresholds().disconnectedAfterSeconds()).isEqualTo(600);
        assertThat(created.enabled()).isTrue();
        assertThat(created.remoteControlEnabled()).isTrue();
        assertThat(created.tokenHash()).isEqualTo(DeviceTokens.hash(token));
        assertThat(created.revision()).isEqualTo(1);

        DeviceView disabled = EventJson.read(records.get(1).value(), DeviceView.class);
        assertThat(disabled.enabled()).isFalse();
        assertThat(disabled.revision()).isEqualTo(2);

        assertThat(records.get(2).value()).as("tombstone").isNull();
        assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(id));
    }

    @Test
    void aThresholdChangeOfTheProfileRepublishesItsDevices() {
        String admin = tokens().admin();
        String profile = uniqueId("prof").toLowerCase();
        as(admin).body(Map.of("id", profile, "name", "Kiosks")).post("/api/v1/profiles").then().statusCode(201);
        String id = uniqueId("kiosk");
        create(operator, Map.of("id", id, "name", "Kiosk", "protocol", "HTTP", "profileId", profile));
        as(admin).body(Map.of("thresholds", Map.of("heartbeatIntervalSeconds", 60, "connectedWithinSeconds", 90)))
                .patch("/api/v1/profiles/" + profile).then().statusCode(200);

        List<ConsumerRecord<String, String>> records = readDeviceTopic(id, r -> r.size() >= 2, Duration.ofSeconds(30));
        assertThat(records).hasSize(2);
        DeviceView after = EventJson.read(records.get(1).value(), DeviceView.class);
        assertThat(after.revision()).isEqualTo(2);
        assertThat(after.thresholds().heartbeatIntervalSeconds()).isEqualTo(60);
        assertThat(after.thresholds().connectedWithinSeconds()).isEqualTo(90);
        assertThat(after.thresholds().disconnectedAfterSeconds()).isEqualTo(300);
    }

    @Test
    void aChangeMadeWhileKafkaIsDownIsPublishedWhenItComesBack() throws Exception {
        KafkaBroker kafka = LocalStackTestResource.infrastructure().kafka();
        // the broker this test stops must be the one the service talks to
        assertThat(kafka.bootstrapServers()).isEqualTo(config("kafka.bootstrap.servers"));
        String id = uniqueId("outage");
        kafka.stop();
        try {
            create(operator, Map.of("id", id, "name", "Made during the outage", "protocol", "MQTT"));
            // the row waits in the outbox, committed together with the device
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> outboxRows(id) == 1);
        } finally {
            kafka.start();
        }
        List<ConsumerRecord<String, String>> records = readDeviceTopic(id, r -> !r.isEmpty(), Duration.ofSeconds(60));
        assertThat(records).hasSize(1);
        assertThat(EventJson.read(records.get(0).value(), DeviceView.class).name()).isEqualTo("Made during the outage");
        await().atMost(Duration.ofSeconds(30)).until(() -> outboxRows(id) == 0);
    }

    static int outboxRows(String deviceId) throws Exception {
        try (Connection db = registryDb();
                Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM outbox WHERE message_key = '" + deviceId + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
