package io.heartbeat.ingest;

import static io.heartbeat.ingest.IngestTestSupport.FORWARDED_FOR;
import static io.heartbeat.ingest.IngestTestSupport.HEARTBEATS_PATH;
import static io.heartbeat.ingest.IngestTestSupport.bearer;
import static io.heartbeat.ingest.IngestTestSupport.config;
import static io.heartbeat.ingest.IngestTestSupport.device;
import static io.heartbeat.ingest.IngestTestSupport.deviceJwt;
import static io.heartbeat.ingest.IngestTestSupport.deviceKey;
import static io.heartbeat.ingest.IngestTestSupport.first;
import static io.heartbeat.ingest.IngestTestSupport.marked;
import static io.heartbeat.ingest.IngestTestSupport.oneMarked;
import static io.heartbeat.ingest.IngestTestSupport.publish;
import static io.heartbeat.ingest.IngestTestSupport.recreated;
import static io.heartbeat.ingest.IngestTestSupport.rotated;
import static io.heartbeat.ingest.IngestTestSupport.uniqueId;
import static io.heartbeat.ingest.IngestTestSupport.uniqueSource;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

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
import io.heartbeat.contracts.golden.GoldenFixtures;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.localstack.test.TestDeviceJwts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class HttpHeartbeatTest {

    /** No spacing and a high per-minute cap, so one device can heartbeat several times in a row. */
    private static final Thresholds FREQUENT = new Thresholds(30, 40, 300, 0, 600);

    @Inject
    DeviceDirectory directory;

    @Inject
    MeterRegistry metrics;

    /** Publishes views to registry.devices and waits until the service's directory holds them. */
    private void seed(DeviceView... views) {
        IngestTestSupport.seed(directory, views);
    }

    private String seededDevice(String prefix, String token) {
        return seededView(prefix, token).deviceId();
    }

    private DeviceView seededView(String prefix, String token) {
        DeviceView view = device(uniqueId(prefix), token);
        seed(view);
        return view;
    }

    @Test
    void apiTokenHeartbeatIsAcceptedAndPublishedWithoutTheCredential() {
        String token = DeviceTokens.generate();
        String id = seededDevice("http", token);
        Instant before = Instant.now();
        bearer(token)
                .body(Map.of("device_id", id, "status", "alive", "timestamp", before.toString(), "voltage", 229.8,
                        "current", 0.41, "relay", "on", "firmware", "1.4.2"))
                .post(HEARTBEATS_PATH)
                .then().statusCode(200)
                .body("accepted", equalTo(true))
                .body("server_time", notNullValue())
                .body("next_heartbeat_in_s", equalTo(30))
                .body("remote_control_enabled", equalTo(true))
                .body("should_reconnect", equalTo(false));

        HeartbeatAccepted hb = first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> true);
        assertThat(UUID.fromString(hb.heartbeatId())).isNotNull();
        assertThat(hb.deviceId()).isEqualTo(id);
        assertThat(hb.tenantId()).isEqualTo("acme");
        assertThat(hb.channel()).isEqualTo(Channel.HTTP);
        assertThat(hb.kind()).isEqualTo(HeartbeatKind.HEARTBEAT);
        assertThat(hb.status()).isEqualTo("alive");
        assertThat(hb.sentAt()).isEqualTo(before);
        assertThat(hb.receivedAt()).isBetween(before, Instant.now());
        assertThat(hb.telemetry()).containsOnlyKeys("voltage", "current", "relay", "firmware");
        assertThat(hb.anomalies()).isEmpty();
        assertThat(hb.registryRevision()).isEqualTo(1);
    }

    @Test
    void theGoldenDeviceAuthenticatesWithItsToken() {
        DeviceView golden = GoldenFixtures.read("device-view", DeviceView.class);
        seed(golden);
        given().header("Authorization", "Bearer " + GoldenFixtures.DEVICE_VIEW_TOKEN)
                .post(HEARTBEATS_PATH)
                .then().statusCode(200)
                .body("remote_control_enabled", equalTo(true))
                .body("next_heartbeat_in_s", equalTo(30));
        assertThat(first(Topics.HEARTBEATS, "socket-0042", HeartbeatAccepted.class, h -> true).registryRevision())
                .isEqualTo(4);
    }

    @Test
    void aDeviceJwtIsAcceptedAndHeartRateAnomaliesAreFlagged() {
        DeviceView view = seededView("jwt", DeviceTokens.generate());
        String id = view.deviceId();
        bearer(deviceJwt(view, Instant.now().plusSeconds(600)))
                .body(Map.of("device_id", id, "heart_rate", 195))
                .post(HEARTBEATS_PATH)
                .then().statusCode(200).body("accepted", equalTo(true));
        HeartbeatAccepted hb = first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> true);
        assertThat(hb.anomalies()).containsExactly("HEART_RATE_HIGH");
        assertThat(hb.telemetry()).containsEntry("heart_rate", 195);
    }

    private static void assertRefused(Response response, int status, RejectReason reason) {
        response.then().statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/" + reason.name().toLowerCase().replace('_', '-')))
                .body("status", equalTo(status))
                .body("detail", notNullValue())
                .body("instance", equalTo(HEARTBEATS_PATH));
    }

    @Test
    void missingWrongExpiredAndForeignCredentialsAre401() {
        String token = DeviceTokens.generate();
        DeviceView view = seededView("auth", token);
        String id = view.deviceId();
        String marker = UUID.randomUUID().toString();
        Map<String, Object> body = Map.of("status", marker);
        // a source of its own: unauthenticated refusals are recorded per source, up to a limit
        String source = uniqueSource();
        Instant exp = Instant.now().plusSeconds(600);

        Response none = given().header(FORWARDED_FOR, source).contentType("application/json").body(body)
                .post(HEARTBEATS_PATH);
        assertRefused(none, 401, RejectReason.UNAUTHENTICATED);
        none.then().header("WWW-Authenticate", "Bearer");
        assertRefused(bearer(DeviceTokens.generate()).header(FORWARDED_FOR, source).body(body).post(HEARTBEATS_PATH),
                401, RejectReason.INVALID_CREDENTIAL);
        assertRefused(bearer(token.substring(1) + "x").header(FORWARDED_FOR, source).body(body).post(HEARTBEATS_PATH),
                401, RejectReason.INVALID_CREDENTIAL);
        assertRefused(given().header(FORWARDED_FOR, source).header("Authorization", "Basic " + token)
                .post(HEARTBEATS_PATH), 401, RejectReason.UNAUTHENTICATED);
        assertRefused(bearer(deviceJwt(view, Instant.now().minusSeconds(120))).header(FORWARDED_FOR, source)
                .body(body).post(HEARTBEATS_PATH), 401, RejectReason.EXPIRED_CREDENTIAL);
        assertRefused(bearer(TestDeviceJwts.sign(deviceKey(), uniqueId("unregistered"), IngestTestSupport.TENANT,
                Instant.now(), exp)).header(FORWARDED_FOR, source).body(body).post(HEARTBEATS_PATH), 401,
                RejectReason.UNKNOWN_DEVICE);
        assertRefused(bearer(deviceJwt(view, "someone-else", TestDeviceJwts.AUDIENCE, exp))
                .header(FORWARDED_FOR, source).body(body).post(HEARTBEATS_PATH), 401, RejectReason.INVALID_CREDENTIAL);
        assertRefused(bearer(deviceJwt(view, TestDeviceJwts.ISSUER, "other-audience", exp))
                .header(FORWARDED_FOR, source).body(body).post(HEARTBEATS_PATH), 401, RejectReason.INVALID_CREDENTIAL);
        assertRefused(bearer(TestDeviceJwts.sign(foreignKey(), id, view.tenantId(), view.credentialsEpoch(), exp))
                .header(FORWARDED_FOR, source).body(body).post(HEARTBEATS_PATH), 401, RejectReason.INVALID_CREDENTIAL);

        // every refusal is on heartbeats.rejected; unauthenticated ones carry no tenant
        List<?> rejected = IngestTestSupport.read(Topics.HEARTBEATS_REJECTED,
                r -> r.value() != null && r.value().contains(marker), 8, Duration.ofSeconds(20));
        assertThat(rejected).hasSize(8);
        // a JWT of a registered device that names another device in the body is forbidden
        String other = seededDevice("other", DeviceTokens.generate());
        assertRefused(bearer(deviceJwt(view, exp)).body(Map.of("device_id", other))
                .post(HEARTBEATS_PATH), 403, RejectReason.DEVICE_ID_MISMATCH);
        assertThat(first(Topics.HEARTBEATS_REJECTED, id, HeartbeatRejected.class,
                r -> r.reason() == RejectReason.DEVICE_ID_MISMATCH).payloadExcerpt()).contains(other);
        // nothing was accepted for the device
        assertThat(IngestTestSupport.read(Topics.HEARTBEATS, r -> id.equals(r.key()), 1, Duration.ofSeconds(2)))
                .isEmpty();
    }

    private static java.security.PrivateKey foreignKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair().getPrivate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDisabledDeviceIs403AndADeletedOne401() {
        String token = DeviceTokens.generate();
        String id = uniqueId("disabled");
        seed(device(id, token, Thresholds.DEFAULTS, false, 1));
        assertRefused(bearer(token).post(HEARTBEATS_PATH), 403, RejectReason.DEVICE_DISABLED);
        HeartbeatRejected r = first(Topics.HEARTBEATS_REJECTED, id, HeartbeatRejected.class,
                x -> x.reason() == RejectReason.DEVICE_DISABLED);
        assertThat(r.tenantId()).isEqualTo("acme");
        assertThat(r.channel()).isEqualTo(Channel.HTTP);
        assertThat(r.source()).isEqualTo(HEARTBEATS_PATH);

        // enabled by a newer revision: accepted; an older revision arriving late changes nothing
        seed(device(id, token, Thresholds.DEFAULTS, true, 2));
        publish(device(id, token, Thresholds.DEFAULTS, false, 1));
        bearer(token).post(HEARTBEATS_PATH).then().statusCode(200);

        IngestTestSupport.tombstone(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> directory.find(id).isEmpty());
        assertRefused(bearer(token).post(HEARTBEATS_PATH), 401, RejectReason.INVALID_CREDENTIAL);
    }

    @Test
    void invalidBodiesAreRefusedWithTheirReasonAndNoCredentialInTheExcerpt() {
        String token = DeviceTokens.generate();
        DeviceView view = seededView("invalid", token);
        String id = view.deviceId();
        String jwt = deviceJwt(view, Instant.now().plusSeconds(600));
        String future = Instant.now().plus(Duration.ofHours(1)).toString();
        Object[][] cases = {
                { "{\"status\":\"alive\",", 400, RejectReason.MALFORMED_JSON },
                { "[1,2]", 400, RejectReason.MALFORMED_JSON },
                { "{\"heart_rate\":\"fast\"}", 400, RejectReason.INVALID_FIELD },
                { "{\"timestamp\":\"yesterday\"}", 400, RejectReason.INVALID_FIELD },
                { "{\"relay\":\"maybe\",\"jwt_token\":\"" + jwt + "\"}", 400, RejectReason.INVALID_FIELD },
                { "{\"timestamp\":\"" + future + "\"}", 422, RejectReason.CLOCK_SKEW },
                { "{\"x\":\"" + "a".repeat(20_000) + "\"}", 413, RejectReason.PAYLOAD_TOO_LARGE },
                { "alive", 415, RejectReason.UNSUPPORTED_MEDIA_TYPE }, };
        for (Object[] c : cases) {
            String type = c[2] == RejectReason.UNSUPPORTED_MEDIA_TYPE ? "text/plain" : "application/json";
            Response response = bearer(token).contentType(type).body((String) c[0]).post(HEARTBEATS_PATH);
            assertRefused(response, (int) c[1], (RejectReason) c[2]);
            assertThat(response.jsonPath().getString("detail")).doesNotContain("Exception").doesNotContain("java.");
        }

        List<HeartbeatRejected> rejected = IngestTestSupport
                .read(Topics.HEARTBEATS_REJECTED, r -> id.equals(r.key()), cases.length, Duration.ofSeconds(20))
                .stream().map(r -> io.heartbeat.contracts.EventJson.read(r.value(), HeartbeatRejected.class))
                .toList();
        assertThat(rejected).extracting(HeartbeatRejected::reason).containsExactly(RejectReason.MALFORMED_JSON,
                RejectReason.MALFORMED_JSON, RejectReason.INVALID_FIELD, RejectReason.INVALID_FIELD,
                RejectReason.INVALID_FIELD, RejectReason.CLOCK_SKEW, RejectReason.PAYLOAD_TOO_LARGE,
                RejectReason.UNSUPPORTED_MEDIA_TYPE);
        assertThat(rejected).allSatisfy(r -> {
            assertThat(r.tenantId()).isEqualTo("acme");
            assertThat(r.payloadExcerpt()).doesNotContain(jwt).doesNotContain(token);
            assertThat(r.payloadExcerpt().length()).isLessThanOrEqualTo(HeartbeatRejected.DEFAULT_EXCERPT_BYTES + 1);
        });
        assertThat(rejected.get(4).payloadExcerpt()).contains("\"jwt_token\":\"[redacted]\"");
        // refusals do not count against the rate limit: a valid heartbeat is still accepted at once
        bearer(token).body("{\"heart_rate\":44}").post(HEARTBEATS_PATH).then().statusCode(200);
        assertThat(first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> true).anomalies())
                .containsExactly("HEART_RATE_LOW");
    }

    @Test
    void tooFrequentHeartbeatsAre429WithRetryAfter() {
        String token = DeviceTokens.generate();
        String id = uniqueId("rate");
        seed(device(id, token, new Thresholds(30, 40, 300, 10, 10), true, 1));
        bearer(token).post(HEARTBEATS_PATH).then().statusCode(200);
        Response limited = bearer(token).post(HEARTBEATS_PATH);
        assertRefused(limited, 429, RejectReason.RATE_LIMITED);
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 10);
        limited.then().body("detail", containsString("at least 10 s apart"));
        HeartbeatRejected r = first(Topics.HEARTBEATS_REJECTED, id, HeartbeatRejected.class,
                x -> x.reason() == RejectReason.RATE_LIMITED);
        assertThat(r.detail()).contains("retry in");

        // a device allowed 2 per minute and no spacing: the third within the minute waits for the first to age out
        String busyToken = DeviceTokens.generate();
        String busy = uniqueId("busy");
        seed(device(busy, busyToken, new Thresholds(30, 40, 300, 0, 2), true, 1));
        bearer(busyToken).post(HEARTBEATS_PATH).then().statusCode(200);
        bearer(busyToken).post(HEARTBEATS_PATH).then().statusCode(200);
        Response third = bearer(busyToken).post(HEARTBEATS_PATH);
        assertRefused(third, 429, RejectReason.RATE_LIMITED);
        assertThat(Integer.parseInt(third.header("Retry-After"))).isBetween(50, 60);
    }

    @Test
    void aJwtIssuedBeforeARotationOrForAnEarlierDeviceOfTheSameIdIs401() {
        String source = uniqueSource();
        Instant exp = Instant.now().plusSeconds(600);
        DeviceView first = device(uniqueId("jwt-rotated"), DeviceTokens.generate(), FREQUENT, true, 1);
        seed(first);
        String id = first.deviceId();
        String beforeRotation = deviceJwt(first, exp);
        bearer(beforeRotation).post(HEARTBEATS_PATH).then().statusCode(200);

        // the registry rotated the token: JWTs issued before it are refused, one issued after it is accepted
        DeviceView rotated = rotated(first, DeviceTokens.generate());
        seed(rotated);
        String marker = UUID.randomUUID().toString();
        Response stale = bearer(beforeRotation).header(FORWARDED_FOR, source).body(Map.of("status", marker))
                .post(HEARTBEATS_PATH);
        assertRefused(stale, 401, RejectReason.INVALID_CREDENTIAL);
        stale.then().body("detail", containsString("earlier credential or registration"));
        assertThat(oneMarked(Topics.HEARTBEATS_REJECTED, marker, HeartbeatRejected.class).reason())
                .isEqualTo(RejectReason.INVALID_CREDENTIAL);
        String current = deviceJwt(rotated, exp);
        bearer(current).post(HEARTBEATS_PATH).then().statusCode(200);

        // deleted, then the id registered again by another tenant: the earlier device's JWTs do not carry over
        IngestTestSupport.delete(directory, id);
        DeviceView globex = recreated(rotated, "globex", DeviceTokens.generate());
        seed(globex);
        String otherMarker = UUID.randomUUID().toString();
        Response foreign = bearer(current).header(FORWARDED_FOR, source).body(Map.of("status", otherMarker))
                .post(HEARTBEATS_PATH);
        assertRefused(foreign, 401, RejectReason.INVALID_CREDENTIAL);
        assertThat(oneMarked(Topics.HEARTBEATS_REJECTED, otherMarker, HeartbeatRejected.class).tenantId()).isNull();
        bearer(deviceJwt(globex, exp)).body(Map.of("status", "alive")).post(HEARTBEATS_PATH).then().statusCode(200);
        assertThat(first(Topics.HEARTBEATS, id, HeartbeatAccepted.class, h -> "globex".equals(h.tenantId()))
                .registryRevision()).isEqualTo(globex.revision());
    }

    @Test
    void aBurstOfBadCredentialsFromOneSourceIsAnsweredInFullButRecordedOnlyUpToItsLimit() {
        int limit = Integer.parseInt(config("heartbeat.ingest.unauthenticated-rejections.per-source-limit"));
        int burst = 50;
        assertThat(limit).isLessThan(burst);
        String source = uniqueSource();
        String marker = UUID.randomUUID().toString();
        double suppressedBefore = suppressed(RejectReason.INVALID_CREDENTIAL);

        Response firstAnswer = null;
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            Response answer = bearer(DeviceTokens.generate()).header(FORWARDED_FOR, source)
                    .body(Map.of("status", marker)).post(HEARTBEATS_PATH);
            firstAnswer = firstAnswer == null ? answer : firstAnswer;
            answers.add(answer.statusCode() + " " + answer.contentType() + " " + answer.header("WWW-Authenticate")
                    + " " + answer.asString());
        }
        // every answer is the same 401 problem, whether its refusal was recorded or not
        assertRefused(firstAnswer, 401, RejectReason.INVALID_CREDENTIAL);
        firstAnswer.then().header("WWW-Authenticate", "Bearer").body("title", equalTo("Invalid credential"));
        assertThat(answers).hasSize(burst).containsOnly(answers.get(0));
        // another source has a limit of its own
        String otherMarker = UUID.randomUUID().toString();
        assertRefused(bearer(DeviceTokens.generate()).header(FORWARDED_FOR, uniqueSource())
                .body(Map.of("status", otherMarker)).post(HEARTBEATS_PATH), 401, RejectReason.INVALID_CREDENTIAL);

        // the rest were answered and counted, never published
        assertThat(suppressed(RejectReason.INVALID_CREDENTIAL) - suppressedBefore).isEqualTo(burst - limit);
        assertThat(marked(Topics.HEARTBEATS_REJECTED, marker, HeartbeatRejected.class, limit, Duration.ofSeconds(20)))
                .hasSize(limit).allSatisfy(r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID_CREDENTIAL));
        assertThat(oneMarked(Topics.HEARTBEATS_REJECTED, otherMarker, HeartbeatRejected.class).reason())
                .isEqualTo(RejectReason.INVALID_CREDENTIAL);
        assertThat(marked(Topics.HEARTBEATS_REJECTED, marker, HeartbeatRejected.class, limit + 1,
                Duration.ofSeconds(2))).hasSize(limit);
    }

    private double suppressed(RejectReason reason) {
        Counter counter = metrics.find("ingest.rejections.suppressed").tag("reason", reason.name()).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aBodyOverTheHttpLayersCapIsStillAProblem() {
        // 1 MiB is quarkus.http.limits.max-body-size; above it the answer comes before the body is read
        bearer(DeviceTokens.generate()).body("{\"x\":\"" + "a".repeat(1_100_000) + "\"}")
                .post(HEARTBEATS_PATH)
                .then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/payload-too-large"));
    }

    @Test
    void readinessReportsTheDeviceDirectory() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'device-directory' }.status", equalTo("UP"));
    }
}
