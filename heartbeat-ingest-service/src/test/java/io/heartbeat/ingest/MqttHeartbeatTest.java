package io.heartbeat.ingest;

import static io.heartbeat.ingest.IngestTestSupport.device;
import static io.heartbeat.ingest.IngestTestSupport.deviceJwt;
import static io.heartbeat.ingest.IngestTestSupport.first;
import static io.heartbeat.ingest.IngestTestSupport.publish;
import static io.heartbeat.ingest.IngestTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.HeartbeatRejected;
import io.heartbeat.contracts.RejectReason;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.messaging.MqttHeartbeatListener;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class MqttHeartbeatTest {

    @Inject
    DeviceDirectory directory;

    @Inject
    MqttHeartbeatListener listener;

    private MqttClient deviceClient;

    @BeforeEach
    void connect() throws MqttException {
        await().atMost(Duration.ofSeconds(30)).until(listener::subscribed);
        deviceClient = new MqttClient("tcp://" + IngestTestSupport.config("heartbeat.mqtt.host") + ":"
                + IngestTestSupport.config("heartbeat.mqtt.port"), "test-device-" + UUID.randomUUID(),
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        deviceClient.connect(options);
    }

    @AfterEach
    void disconnect() throws MqttException {
        deviceClient.disconnect();
        deviceClient.close();
    }

    private void send(String topic, Map<String, Object> body) throws MqttException {
        deviceClient.publish(topic, EventJson.write(body).getBytes(StandardCharsets.UTF_8), 1, false);
    }

    private String seeded(String prefix, String token) {
        String id = uniqueId(prefix);
        DeviceView view = device(id, token);
        publish(view);
        await().atMost(Duration.ofSeconds(20)).until(() -> directory.find(id).isPresent());
        return id;
    }

    @Test
    void aSeedHeartbeatWithAJwtIsAcceptedWithoutTheCredential() throws Exception {
        String id = seeded("mqtt", DeviceTokens.generate());
        String jwt = deviceJwt(id, Instant.now().plusSeconds(600));
        send("devices/" + id + "/heartbeat", Map.of("device_id", id, "timestamp", Instant.now().toString(),
                "status", "alive", "jwt_token", jwt));
        HeartbeatAccepted hb = first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> true);
        assertThat(hb.channel()).isEqualTo(Channel.MQTT);
        assertThat(hb.kind()).isEqualTo(HeartbeatKind.HEARTBEAT);
        assertThat(hb.status()).isEqualTo("alive");
        assertThat(hb.telemetry()).isEmpty();
    }

    @Test
    void dataMessagesWithTheApiTokenProveLivenessToo() throws Exception {
        String token = DeviceTokens.generate();
        String id = seeded("mqtt-data", token);
        send("devices/" + id + "/data", Map.of("api_token", token, "voltage", 229.8, "heart_rate", 40));
        HeartbeatAccepted hb = first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> true);
        assertThat(hb.kind()).isEqualTo(HeartbeatKind.DATA);
        assertThat(hb.telemetry()).containsOnlyKeys("voltage", "heart_rate");
        assertThat(hb.anomalies()).containsExactly("HEART_RATE_LOW");
    }

    @Test
    void refusalsBecomeRejectedRecordsWithTheirReason() throws Exception {
        String token = DeviceTokens.generate();
        String id = seeded("mqtt-bad", token);
        String other = seeded("mqtt-other", DeviceTokens.generate());
        String jwt = deviceJwt(id, Instant.now().plusSeconds(600));

        send("devices/" + id + "/heartbeat", Map.of("status", "alive"));
        assertReason(id, RejectReason.UNAUTHENTICATED);
        send("devices/" + id + "/data", Map.of("api_token", token, "heart_rate", 250));
        assertReason(id, RejectReason.OUT_OF_RANGE);
        // a valid credential for one device on another device's topic
        send("devices/" + other + "/heartbeat", Map.of("jwt_token", jwt));
        HeartbeatRejected mismatch = assertReason(id, RejectReason.DEVICE_ID_MISMATCH);
        assertThat(mismatch.source()).isEqualTo("devices/" + other + "/heartbeat");
        assertThat(mismatch.payloadExcerpt()).doesNotContain(jwt).contains("[redacted]");
        // the topic and the body name different devices
        send("devices/" + id + "/heartbeat", Map.of("device_id", other, "jwt_token", jwt));
        assertThat(first(Topics.HEARTBEATS_REJECTED, id, HeartbeatRejected.class,
                r -> r.reason() == RejectReason.DEVICE_ID_MISMATCH && r.source().endsWith(id + "/heartbeat"))
                .channel()).isEqualTo(Channel.MQTT);
        deviceClient.publish("devices/" + id + "/heartbeat", "{not json".getBytes(StandardCharsets.UTF_8), 1, false);
        assertReason(id, RejectReason.MALFORMED_JSON);
        // none of it was accepted
        assertThat(IngestTestSupport.read(Topics.HEARTBEATS, r -> id.equals(r.key()), 1, Duration.ofSeconds(2)))
                .isEmpty();
    }

    private static HeartbeatRejected assertReason(String key, RejectReason reason) {
        HeartbeatRejected r = first(Topics.HEARTBEATS_REJECTED, key, HeartbeatRejected.class,
                x -> x.reason() == reason);
        assertThat(r.channel()).isEqualTo(Channel.MQTT);
        return r;
    }
}
