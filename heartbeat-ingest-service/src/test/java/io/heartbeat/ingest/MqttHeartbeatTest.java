package io.heartbeat.ingest;

import static io.heartbeat.ingest.IngestTestSupport.connectDevice;
import static io.heartbeat.ingest.IngestTestSupport.device;
import static io.heartbeat.ingest.IngestTestSupport.deviceJwt;
import static io.heartbeat.ingest.IngestTestSupport.first;
import static io.heartbeat.ingest.IngestTestSupport.oneMarked;
import static io.heartbeat.ingest.IngestTestSupport.recreated;
import static io.heartbeat.ingest.IngestTestSupport.rotated;
import static io.heartbeat.ingest.IngestTestSupport.send;
import static io.heartbeat.ingest.IngestTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.HeartbeatRejected;
import io.heartbeat.contracts.RejectReason;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.messaging.MqttHeartbeatListener;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.quarkus.test.junit.QuarkusTest;

/**
 * MQTT heartbeats through the real broker, whose extension authenticates every device (client id = user name = device
 * id) and lets it publish only on its own topics. Test devices connect exactly as real ones must.
 */
@QuarkusTest
class MqttHeartbeatTest {

    @Inject
    DeviceDirectory directory;

    @Inject
    MqttHeartbeatListener listener;

    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void intakeSubscribed() {
        await().atMost(Duration.ofSeconds(30)).until(listener::subscribed);
    }

    @AfterEach
    void disconnect() {
        clients.forEach(IngestTestSupport::close);
        clients.clear();
    }

    private DeviceView seeded(String prefix, String token) {
        DeviceView view = device(uniqueId(prefix), token);
        IngestTestSupport.seed(directory, view);
        return view;
    }

    /** Connects as the device once the broker knows it; closed after the test. */
    private MqttClient connected(String deviceId, String password) {
        MqttClient client = connectDevice(deviceId, password);
        clients.add(client);
        return client;
    }

    private static String heartbeatTopic(String deviceId) {
        return "devices/" + deviceId + "/heartbeat";
    }

    @Test
    void aSeedHeartbeatWithAJwtIsAcceptedWithoutTheCredential() throws Exception {
        String token = DeviceTokens.generate();
        DeviceView view = seeded("mqtt", token);
        String id = view.deviceId();
        String jwt = deviceJwt(view, Instant.now().plusSeconds(600));
        // the broker takes the device JWT as the CONNECT password too
        MqttClient device = connected(id, jwt);
        send(device, heartbeatTopic(id), Map.of("device_id", id, "timestamp", Instant.now().toString(),
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
        String id = seeded("mqtt-data", token).deviceId();
        send(connected(id, token), "devices/" + id + "/data",
                Map.of("api_token", token, "voltage", 229.8, "heart_rate", 40));
        HeartbeatAccepted hb = first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> true);
        assertThat(hb.kind()).isEqualTo(HeartbeatKind.DATA);
        assertThat(hb.telemetry()).containsOnlyKeys("voltage", "heart_rate");
        assertThat(hb.anomalies()).containsExactly("HEART_RATE_LOW");
    }

    @Test
    void aHeartbeatWithoutACredentialOnTheDevicesOwnTopicIsAcceptedAsThatDevice() throws Exception {
        String token = DeviceTokens.generate();
        String id = seeded("mqtt-vouched", token).deviceId();
        // the broker authenticated the connection and lets it publish only on its own topics
        send(connected(id, token), heartbeatTopic(id), Map.of("status", "alive", "voltage", 230.1));
        HeartbeatAccepted hb = first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> true);
        assertThat(hb.deviceId()).isEqualTo(id);
        assertThat(hb.tenantId()).isEqualTo(IngestTestSupport.TENANT);
        assertThat(hb.channel()).isEqualTo(Channel.MQTT);
        assertThat(hb.status()).isEqualTo("alive");
        assertThat(hb.telemetry()).containsOnlyKeys("voltage");
        assertThat(hb.registryRevision()).isEqualTo(1);
    }

    @Test
    void aWrongApiTokenInTheBodyIsStillRefusedOnTheDevicesOwnTopic() throws Exception {
        String token = DeviceTokens.generate();
        String id = seeded("mqtt-wrong", token).deviceId();
        String wrong = DeviceTokens.generate();
        send(connected(id, token), heartbeatTopic(id), Map.of("status", "alive", "api_token", wrong));
        HeartbeatRejected r = assertReason(id, RejectReason.INVALID_CREDENTIAL);
        assertThat(r.source()).isEqualTo(heartbeatTopic(id));
        assertThat(r.payloadExcerpt()).doesNotContain(wrong).contains("[redacted]");
        assertThat(IngestTestSupport.read(Topics.HEARTBEATS, rec -> id.equals(rec.key()), 1, Duration.ofSeconds(2)))
                .isEmpty();
    }

    @Test
    void refusalsBecomeRejectedRecordsWithTheirReason() throws Exception {
        String token = DeviceTokens.generate();
        DeviceView view = seeded("mqtt-bad", token);
        String id = view.deviceId();
        String otherToken = DeviceTokens.generate();
        String other = seeded("mqtt-other", otherToken).deviceId();
        String jwt = deviceJwt(view, Instant.now().plusSeconds(600));
        MqttClient device = connected(id, token);
        MqttClient otherDevice = connected(other, otherToken);

        // a valid credential of one device in a message another device publishes on its own topic
        send(otherDevice, heartbeatTopic(other), Map.of("jwt_token", jwt));
        HeartbeatRejected mismatch = assertReason(id, RejectReason.DEVICE_ID_MISMATCH);
        assertThat(mismatch.source()).isEqualTo(heartbeatTopic(other));
        assertThat(mismatch.payloadExcerpt()).doesNotContain(jwt).contains("[redacted]");
        // the topic and the body name different devices
        send(device, heartbeatTopic(id), Map.of("device_id", other, "jwt_token", jwt));
        assertThat(first(Topics.HEARTBEATS_REJECTED, id, HeartbeatRejected.class,
                r -> r.reason() == RejectReason.DEVICE_ID_MISMATCH && r.source().endsWith(id + "/heartbeat"))
                .channel()).isEqualTo(Channel.MQTT);
        device.publish(heartbeatTopic(id), "{not json".getBytes(StandardCharsets.UTF_8), 1, false);
        assertReason(id, RejectReason.MALFORMED_JSON);
        // none of it was accepted
        assertThat(IngestTestSupport.read(Topics.HEARTBEATS, r -> id.equals(r.key()) || other.equals(r.key()), 1,
                Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aJwtFromBeforeARotationOrOfAnEarlierDeviceWithTheSameIdIsRefused() throws Exception {
        DeviceView first = seeded("mqtt-rotated", DeviceTokens.generate());
        String id = first.deviceId();
        Instant exp = Instant.now().plusSeconds(600);
        String beforeRotation = deviceJwt(first, exp);

        // the registry rotated the token: a later credentialsSince, so JWTs issued before it no longer fit
        String rotatedToken = DeviceTokens.generate();
        DeviceView rotated = rotated(first, rotatedToken);
        IngestTestSupport.seed(directory, rotated);
        MqttClient device = connected(id, rotatedToken);
        String marker = UUID.randomUUID().toString();
        send(device, heartbeatTopic(id), Map.of("status", marker, "jwt_token", beforeRotation));
        HeartbeatRejected stale = oneMarked(Topics.HEARTBEATS_REJECTED, marker, HeartbeatRejected.class);
        assertThat(stale.reason()).isEqualTo(RejectReason.INVALID_CREDENTIAL);
        assertThat(stale.detail()).contains("earlier credential or registration");
        assertThat(stale.channel()).isEqualTo(Channel.MQTT);
        // one issued under the current credential is accepted
        String current = deviceJwt(rotated, exp);
        send(device, heartbeatTopic(id), Map.of("status", "alive", "jwt_token", current));
        assertThat(first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> true).registryRevision())
                .isEqualTo(rotated.revision());

        // deleted, then the id registered again by another tenant: the first device's JWTs are not the new one's
        IngestTestSupport.delete(directory, id);
        String globexToken = DeviceTokens.generate();
        DeviceView globex = recreated(rotated, "globex", globexToken);
        IngestTestSupport.seed(directory, globex);
        MqttClient newDevice = connected(id, globexToken);
        String otherMarker = UUID.randomUUID().toString();
        send(newDevice, heartbeatTopic(id), Map.of("status", otherMarker, "jwt_token", current));
        HeartbeatRejected foreign = oneMarked(Topics.HEARTBEATS_REJECTED, otherMarker, HeartbeatRejected.class);
        assertThat(foreign.reason()).isEqualTo(RejectReason.INVALID_CREDENTIAL);
        assertThat(foreign.tenantId()).as("refused before any device is known").isNull();
    }

    private static HeartbeatRejected assertReason(String key, RejectReason reason) {
        HeartbeatRejected r = first(Topics.HEARTBEATS_REJECTED, key, HeartbeatRejected.class,
                x -> x.reason() == reason);
        assertThat(r.channel()).isEqualTo(Channel.MQTT);
        return r;
    }
}
