package io.heartbeat.ingest;

import static io.heartbeat.ingest.IngestTestSupport.HEARTBEATS_PATH;
import static io.heartbeat.ingest.IngestTestSupport.bearer;
import static io.heartbeat.ingest.IngestTestSupport.config;
import static io.heartbeat.ingest.IngestTestSupport.connectDevice;
import static io.heartbeat.ingest.IngestTestSupport.device;
import static io.heartbeat.ingest.IngestTestSupport.first;
import static io.heartbeat.ingest.IngestTestSupport.oneMarked;
import static io.heartbeat.ingest.IngestTestSupport.send;
import static io.heartbeat.ingest.IngestTestSupport.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.messaging.MqttHeartbeatListener;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.ingest.service.HeartbeatIntake;
import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.DevTokens;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Issue 11, hostile input: no message, request or field stalls MQTT intake, fails a heartbeat of a talking device, or
 * gets a 5xx. Every message ends accepted or refused with a record, and MQTT messages are always acknowledged.
 */
@QuarkusTest
class HostileInputTest {

    private static final Thresholds FREQUENT = new Thresholds(30, 40, 300, 0, 600);

    @Inject
    DeviceDirectory directory;

    @Inject
    MqttHeartbeatListener listener;

    @Inject
    HeartbeatIntake intake;

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

    private DeviceView seeded(String prefix, String token, Thresholds thresholds) {
        DeviceView view = device(uniqueId(prefix), token, thresholds, true, 1);
        IngestTestSupport.seed(directory, view);
        return view;
    }

    private MqttClient connected(String deviceId, String password) {
        MqttClient client = connectDevice(deviceId, password);
        clients.add(client);
        return client;
    }

    /**
     * {"status": marker, "n": {"n": ... 1}} with {@code depth} levels in all, counting the body and the number:
     * {@code nested(1001, m)} is 1000 objects deep, as deep as the parser allows; inside a HeartbeatAccepted it is
     * 1001, more than any consumer's parser reads back.
     */
    private static String nested(int depth, String marker) {
        StringBuilder s = new StringBuilder("{\"status\":\"" + marker + "\",\"n\":");
        for (int i = 2; i < depth; i++) {
            s.append("{\"n\":");
        }
        s.append('1');
        s.append("}".repeat(Math.max(0, depth - 1)));
        return s.toString();
    }

    private static void assertProblem(Response response, int status) {
        response.then().statusCode(status)
                .contentType("application/problem+json")
                .body("type", notNullValue())
                .body("title", notNullValue())
                .body("status", equalTo(status));
    }

    @Test
    void poisonedMqttMessagesAreRefusedAndAcknowledgedAndIntakeGoesOn() throws Exception {
        String token = DeviceTokens.generate();
        String id = seeded("poison", token, FREQUENT).deviceId();
        MqttClient device = connected(id, token);
        String topic = "devices/" + id + "/heartbeat";
        // more than the broker's in-flight windows of all intake connections hold: unacknowledged, they stop intake
        String marker = UUID.randomUUID().toString();
        byte[] deep = nested(1001, marker).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 45; i++) {
            device.publish(topic, deep, 1, false);
        }
        List<HeartbeatRejected> refused = IngestTestSupport.marked(Topics.HEARTBEATS_REJECTED, marker,
                HeartbeatRejected.class, 45, Duration.ofSeconds(30));
        assertThat(refused).hasSize(45).allSatisfy(r -> {
            assertThat(r.deviceId()).isEqualTo(id);
            assertThat(r.reason()).isIn(RejectReason.INVALID_FIELD, RejectReason.MALFORMED_JSON);
        });
        // and a good heartbeat still goes through
        send(device, topic, Map.of("status", "alive"));
        assertThat(first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "alive".equals(h.status())).channel())
                .isEqualTo(Channel.MQTT);
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("mqtt-intake"));
    }

    @Test
    void aDeeplyNestedHttpBodyIsRefused() {
        String token = DeviceTokens.generate();
        String id = seeded("deep-http", token, FREQUENT).deviceId();
        String marker = UUID.randomUUID().toString();
        Response response = bearer(token).body(nested(1001, marker)).post(HEARTBEATS_PATH);
        assertProblem(response, 400);
        assertThat(oneMarked(Topics.HEARTBEATS_REJECTED, marker, HeartbeatRejected.class).deviceId()).isEqualTo(id);
        // telemetry nests at most 8 levels: the body object, then "n" with 7 objects and a number in it
        bearer(token).body(nested(9, "ok")).post(HEARTBEATS_PATH).then().statusCode(200);
        assertProblem(bearer(token).body(nested(10, "x")).post(HEARTBEATS_PATH), 400);
    }

    @Test
    void aLongCredentialIsRefusedOnMqttAndHttpAndIntakeGoesOn() throws Exception {
        String token = DeviceTokens.generate();
        String id = seeded("long-cred", token, FREQUENT).deviceId();
        MqttClient device = connected(id, token);
        String topic = "devices/" + id + "/heartbeat";
        String marker = UUID.randomUUID().toString();
        String longCredential = "\\\"".repeat(3000);
        device.publish(topic, ("{\"status\":\"" + marker + "\",\"api_token\":\"" + longCredential + "\"}")
                .getBytes(StandardCharsets.UTF_8), 1, false);
        HeartbeatRejected r = oneMarked(Topics.HEARTBEATS_REJECTED, marker, HeartbeatRejected.class);
        assertThat(r.reason()).isEqualTo(RejectReason.INVALID_CREDENTIAL);
        assertThat(r.payloadExcerpt()).contains("[redacted]").doesNotContain("\\\"\\\"");
        send(device, topic, Map.of("status", "still-alive"));
        first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "still-alive".equals(h.status()));

        // HTTP: in the body above the body limit 413, within it a refusal of its own (not a 500)
        assertProblem(bearer(token).body("{\"api_token\":\"" + "\\\"".repeat(10_000) + "\",\"relay\":\"x\"}")
                .post(HEARTBEATS_PATH), 413);
        assertProblem(bearer(token).body("{\"api_token\":\"" + "\\\"".repeat(3000) + "\",\"relay\":\"x\"}")
                .post(HEARTBEATS_PATH), 400);
        assertProblem(given().contentType("application/json")
                .body("{\"api_token\":\"" + "a".repeat(8000) + "\"}").post(HEARTBEATS_PATH), 401);
        assertProblem(bearer("b".repeat(6000)).post(HEARTBEATS_PATH), 401);
    }

    @Test
    void aMessageOnATopicWithoutADeviceIsRefusedWithARecord() {
        String marker = UUID.randomUUID().toString();
        String token = DeviceTokens.generate();
        String id = seeded("no-device", token, FREQUENT).deviceId();
        // the broker lets no device publish there, but + matches an empty level: what arrives is refused, not lost
        HeartbeatIntake.Outcome outcome = intake.receive(new HeartbeatIntake.Submission(Channel.MQTT,
                HeartbeatKind.HEARTBEAT, "devices//heartbeat", null, null, "",
                ("{\"status\":\"" + marker + "\",\"api_token\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8),
                true)).await().atMost(Duration.ofSeconds(20));
        assertThat(outcome.stored()).as("acknowledged").isTrue();
        assertThat(outcome.isAccepted()).isFalse();
        HeartbeatRejected r = oneMarked(Topics.HEARTBEATS_REJECTED, marker, HeartbeatRejected.class);
        assertThat(r.reason()).isEqualTo(RejectReason.INVALID_DEVICE_ID);
        assertThat(r.source()).isEqualTo("devices//heartbeat");
        assertThat(r.deviceId()).isNull();
        assertThat(r.payloadExcerpt()).doesNotContain(token);
        assertThat(IngestTestSupport.read(Topics.HEARTBEATS, rec -> id.equals(rec.key()), 1, Duration.ofSeconds(1)))
                .isEmpty();
    }

    @Test
    void theIntakeNeverFailsEvenOnASubmissionItCannotProcess() {
        String token = DeviceTokens.generate();
        seeded("unprocessable", token, FREQUENT);
        // no channel: every step that names the channel throws; the answer is still a refusal, not an exception
        HeartbeatIntake.Outcome outcome = intake.receive(new HeartbeatIntake.Submission(null, HeartbeatKind.HEARTBEAT,
                "nowhere", null, null, null, ("{\"api_token\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8),
                true)).await().atMost(Duration.ofSeconds(20));
        assertThat(outcome.isAccepted()).isFalse();
        assertThat(outcome.refusal().reason()).isEqualTo(RejectReason.MALFORMED_JSON);
        assertThat(outcome.refusal().detail()).isEqualTo("the heartbeat could not be processed");
        assertThat(outcome.stored()).as("an MQTT message would be acknowledged").isTrue();
    }

    @Test
    void escapedCredentialNamesAreRedacted() throws Exception {
        String token = DeviceTokens.generate();
        String id = seeded("escaped", token, FREQUENT).deviceId();
        String marker = UUID.randomUUID().toString();
        // the name unescapes to api_token: the credential authenticates, and the heartbeat is refused for its relay
        connected(id, token).publish("devices/" + id + "/heartbeat", ("{\"status\":\"" + marker
                + "\",\"api\\u005ftoken\":\"" + token + "\",\"relay\":\"maybe\"}").getBytes(StandardCharsets.UTF_8),
                1, false);
        HeartbeatRejected r = oneMarked(Topics.HEARTBEATS_REJECTED, marker, HeartbeatRejected.class);
        assertThat(r.reason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(r.deviceId()).isEqualTo(id);
        assertThat(r.payloadExcerpt()).doesNotContain(token).contains("[redacted]");
    }

    @Test
    void anOutOfRangeReadingIsRefusedButTheHeartbeatIsAccepted() throws Exception {
        String token = DeviceTokens.generate();
        String id = seeded("faulty-sensor", token, FREQUENT).deviceId();
        bearer(token).body(Map.of("heart_rate", 250, "status", "beating")).post(HEARTBEATS_PATH).then()
                .statusCode(200)
                .contentType("application/json")
                .body("accepted", equalTo(true))
                .body("refused_fields[0].field", equalTo("heart_rate"))
                .body("refused_fields[0].reason", equalTo("out of range 30..220 bpm"));
        HeartbeatAccepted hb = first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "beating".equals(h.status()));
        assertThat(hb.telemetry()).doesNotContainKey("heart_rate");
        HeartbeatRejected r = first(Topics.HEARTBEATS_REJECTED, id, HeartbeatRejected.class,
                x -> x.reason() == RejectReason.OUT_OF_RANGE);
        assertThat(r.detail()).contains("heart_rate");
        assertThat(r.channel()).isEqualTo(Channel.HTTP);

        // on MQTT too: the data message counts, its bad reading goes the rejection path
        MqttClient device = connected(id, token);
        send(device, "devices/" + id + "/data", Map.of("heart_rate", 250, "voltage", 230, "status", "mqtt"));
        HeartbeatAccepted data = first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "mqtt".equals(h.status()));
        assertThat(data.telemetry()).containsOnlyKeys("voltage");
        first(Topics.HEARTBEATS_REJECTED, id, HeartbeatRejected.class,
                x -> x.reason() == RejectReason.OUT_OF_RANGE && x.channel() == Channel.MQTT);
    }

    @Test
    void dataMessagesAndHeartbeatsDoNotShareARateLimit() throws Exception {
        String token = DeviceTokens.generate();
        // the seed thresholds: heartbeats at least 10 s apart
        String id = seeded("socket", token, Thresholds.DEFAULTS).deviceId();
        MqttClient device = connected(id, token);
        send(device, "devices/" + id + "/data", Map.of("voltage", 230, "status", "data"));
        first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "data".equals(h.status()));
        send(device, "devices/" + id + "/heartbeat", Map.of("status", "between"));
        assertThat(first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "between".equals(h.status())).kind())
                .isEqualTo(HeartbeatKind.HEARTBEAT);
    }

    @Test
    void nullReadingsAndAByteOrderMarkAreAccepted() {
        String token = DeviceTokens.generate();
        String id = seeded("lenient", token, FREQUENT).deviceId();
        bearer(token).body("{\"status\":\"nulls\",\"heart_rate\":null,\"voltage\":230}").post(HEARTBEATS_PATH)
                .then().statusCode(200);
        assertThat(first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "nulls".equals(h.status())).telemetry())
                .containsOnlyKeys("voltage");
        ByteArrayOutputStream bom = new ByteArrayOutputStream();
        bom.writeBytes(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF });
        bom.writeBytes("{\"status\":\"bom\"}".getBytes(StandardCharsets.UTF_8));
        bearer(token).body(bom.toByteArray()).post(HEARTBEATS_PATH).then().statusCode(200);
        first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "bom".equals(h.status()));
        // UTF-16 and NUL bytes are not JSON here
        assertProblem(bearer(token).body("{\"status\":\"a\"}".getBytes(StandardCharsets.UTF_16LE))
                .post(HEARTBEATS_PATH), 400);
        assertProblem(bearer(token).body("{\"status\":\"a\u0000\"}".getBytes(StandardCharsets.UTF_8))
                .post(HEARTBEATS_PATH), 400);
    }

    @Test
    void badHistoryParametersAre400ProblemJson() {
        String viewer = new DevTokens(DevKeys.readPrivate(Path.of(config(LocalStackTestResource.USER_KEY_PROPERTY))))
                .viewer("acme");
        String id = seeded("history-params", DeviceTokens.generate(), FREQUENT).deviceId();
        for (String query : new String[] { "?limit=abc", "?limit=1.5", "?limit=0", "?from=%00", "?to=x%00",
                "?limit=%00" }) {
            assertProblem(given().header("Authorization", "Bearer " + viewer)
                    .urlEncodingEnabled(false).get(HEARTBEATS_PATH + "/" + id + query), 400);
        }
        assertProblem(given().header("Authorization", "Bearer " + viewer).urlEncodingEnabled(false)
                .get(HEARTBEATS_PATH + "/a%00b"), 400);
        given().header("Authorization", "Bearer " + viewer).get(HEARTBEATS_PATH + "/" + id + "?limit=5")
                .then().statusCode(200);
    }
}
