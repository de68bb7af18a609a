package io.heartbeat.ingest;

import static io.heartbeat.ingest.IngestTestSupport.HEARTBEATS_PATH;
import static io.heartbeat.ingest.IngestTestSupport.bearer;
import static io.heartbeat.ingest.IngestTestSupport.config;
import static io.heartbeat.ingest.IngestTestSupport.device;
import static io.heartbeat.ingest.IngestTestSupport.publish;
import static io.heartbeat.ingest.IngestTestSupport.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.ingest.telemetry.TelemetryPartitions;
import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.DevTokens;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Telemetry history: accepted heartbeats land in ingest.telemetry and are read back by users of the tenant. */
@QuarkusTest
class TelemetryHistoryTest {

    private static final Thresholds FREQUENT = new Thresholds(30, 40, 300, 0, 600);

    @Inject
    DeviceDirectory directory;

    @Inject
    TelemetryPartitions partitions;

    @Inject
    Pool pool;

    private static DevTokens tokens() {
        return new DevTokens(DevKeys.readPrivate(Path.of(config(LocalStackTestResource.USER_KEY_PROPERTY))));
    }

    private static JsonPath history(String userToken, String deviceId, String query, int status) {
        return given().header("Authorization", "Bearer " + userToken)
                .get(HEARTBEATS_PATH + "/" + deviceId + query)
                .then().statusCode(status).extract().jsonPath();
    }

    @Test
    void acceptedHeartbeatsAreKeptWithTheirTelemetryAndReadByTheTenantOnly() {
        String token = DeviceTokens.generate();
        String id = uniqueId("history");
        publish(device(id, token, FREQUENT, true, 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> directory.find(id).isPresent());
        Instant sent = Instant.now().minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        bearer(token).body(Map.of("status", "alive", "timestamp", sent.toString(), "voltage", 229.5, "relay", "on"))
                .post(HEARTBEATS_PATH).then().statusCode(200);
        bearer(token).body(Map.of("heart_rate", 190)).post(HEARTBEATS_PATH).then().statusCode(200);
        bearer(token).post(HEARTBEATS_PATH).then().statusCode(200);

        String viewer = tokens().viewer("acme");
        await().atMost(Duration.ofSeconds(20)).until(() -> history(viewer, id, "", 200).getList("items").size() == 3);

        JsonPath all = history(viewer, id, "", 200);
        assertThat(all.getString("deviceId")).isEqualTo(id);
        // newest first: the empty heartbeat, the heart rate, the socket reading
        assertThat(all.getMap("items[0].telemetry")).isEmpty();
        assertThat(all.getList("items[1].anomalies")).containsExactly("HEART_RATE_HIGH");
        assertThat(all.getMap("items[1].telemetry")).containsEntry("heart_rate", 190);
        assertThat(all.getMap("items[2].telemetry")).containsEntry("voltage", 229.5f).containsEntry("relay", "on");
        assertThat(all.getString("items[2].status")).isEqualTo("alive");
        assertThat(Instant.parse(all.getString("items[2].measuredAt"))).isEqualTo(sent);
        assertThat(all.getString("items[2].channel")).isEqualTo("HTTP");
        assertThat(all.getString("nextTo")).isNull();

        // paging: a full page names where the next one ends
        JsonPath first = history(viewer, id, "?limit=2", 200);
        assertThat(first.getList("items")).hasSize(2);
        String nextTo = first.getString("nextTo");
        assertThat(nextTo).isEqualTo(first.getString("items[1].receivedAt"));
        JsonPath second = history(viewer, id, "?limit=2&to=" + nextTo, 200);
        assertThat(second.getList("items")).hasSize(1);
        assertThat(second.getString("items[0].heartbeatId")).isEqualTo(all.getString("items[2].heartbeatId"));

        // a window before the heartbeats is empty
        history(viewer, id, "?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z", 200);
        assertThat(history(viewer, id, "?to=2020-01-02T00:00:00Z", 200).getList("items")).isEmpty();

        // admins see every tenant; another tenant's user gets a 404, as if the device did not exist
        assertThat(history(tokens().admin(), id, "", 200).getList("items")).hasSize(3);
        history(tokens().viewer("globex"), id, "", 404);
        history(viewer, "no-such-device", "", 404);
    }

    @Test
    void historyNeedsAUserTokenAndValidParameters() {
        given().get(HEARTBEATS_PATH + "/some-device").then().statusCode(401)
                .contentType("application/problem+json");
        // a device credential is not a user token
        given().header("Authorization", "Bearer " + DeviceTokens.generate()).get(HEARTBEATS_PATH + "/some-device")
                .then().statusCode(401);
        String viewer = tokens().viewer("acme");
        given().header("Authorization", "Bearer " + viewer).get(HEARTBEATS_PATH + "/some-device?from=yesterday")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("from must be an ISO-8601 instant such as 2026-11-22T10:00:00Z"));
        given().header("Authorization", "Bearer " + viewer)
                .get(HEARTBEATS_PATH + "/some-device?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")
                .then().statusCode(400).body("detail", equalTo("from must be before to"));
        given().header("Authorization", "Bearer " + viewer).get(HEARTBEATS_PATH + "/some-device?limit=0")
                .then().statusCode(400).body("instance", equalTo(HEARTBEATS_PATH + "/some-device"))
                .body("errors", nullValue());
    }

    @Test
    void retentionDropsWholePartitionsOlderThanTheRetention() {
        Instant now = Instant.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate old = today.minusDays(40);
        LocalDate edge = today.minusDays(29);
        partitions.ensure(List.of(old, edge)).await().atMost(Duration.ofSeconds(10));
        insertRow("retention-old", old.atTime(12, 0).toInstant(ZoneOffset.UTC));
        insertRow("retention-edge", edge.atTime(12, 0).toInstant(ZoneOffset.UTC));
        insertRow("retention-today", now);

        List<String> dropped = partitions.maintain(now).await().atMost(Duration.ofSeconds(10));

        assertThat(dropped).contains("telemetry_p" + old.toString().replace("-", ""));
        List<LocalDate> days = partitions.days().await().atMost(Duration.ofSeconds(10));
        assertThat(days).doesNotContain(old).contains(edge, today, today.plusDays(3));
        assertThat(days).allMatch(d -> !d.isBefore(today.minusDays(30)));
        assertThat(count("retention-old")).isZero();
        assertThat(count("retention-edge")).isEqualTo(1);
        assertThat(count("retention-today")).isEqualTo(1);
    }

    /**
     * Heartbeats Postgres refuses reach the recorder in the same poll as good ones: the good ones are written, the bad
     * ones kept in rejected_row, and history goes on (the recorder used to retry the same batch forever). A NUL in a
     * string no longer gets this far (EventJson refuses it on reading: the record is skipped as unreadable), so the
     * row faults here are ones EventJson lets through: a device id too long for the history's primary key (SQLSTATE
     * 54000), as a forged record on heartbeats could carry.
     */
    @Test
    void aHeartbeatPostgresRefusesIsSetAsideAndHistoryGoesOn() throws Exception {
        String id = uniqueId("history-bad");
        // random, so Postgres cannot compress the index entry below its limit
        String tooLong = id + "-" + randomText(3_200);
        HeartbeatAccepted good = heartbeat(id, "alive", Map.of("voltage", 230));
        HeartbeatAccepted badKey = heartbeat(tooLong, "alive", Map.of());
        HeartbeatAccepted nulStatus = heartbeat(id, "a\u0000b", Map.of());
        HeartbeatAccepted badKeyToo = heartbeat(tooLong, "alive", Map.of("relay", "on"));
        HeartbeatAccepted alsoGood = heartbeat(id, "alive", Map.of("voltage", 231));
        sendHeartbeats(good, badKey, nulStatus, badKeyToo, alsoGood);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> count(id) == 2 && rejected(id) == 2);
        assertThat(heartbeatIds(id)).containsExactlyInAnyOrder(good.heartbeatId(), alsoGood.heartbeatId());
        var kept = pool.preparedQuery("SELECT payload, error, sql_state, rejected_at FROM rejected_row"
                + " WHERE writer = 'ingest-telemetry' AND payload LIKE $1 ORDER BY id")
                .execute(Tuple.of("%" + id + "%")).await().atMost(Duration.ofSeconds(10));
        for (var row : kept) {
            assertThat(row.getString("sql_state")).startsWith("54");
            assertThat(row.getString("payload")).contains(tooLong);
            assertThat(row.getOffsetDateTime("rejected_at")).isNotNull();
        }
        // the recorder did not stall on them: a later heartbeat is written too
        HeartbeatAccepted later = heartbeat(id, "alive", Map.of());
        sendHeartbeats(later);
        await().atMost(Duration.ofSeconds(20)).until(() -> count(id) == 3);
    }

    private static HeartbeatAccepted heartbeat(String deviceId, String status, Map<String, Object> telemetry) {
        return new HeartbeatAccepted(HeartbeatAccepted.SCHEMA_VERSION, UUID.randomUUID().toString(), deviceId, "acme",
                Channel.HTTP, HeartbeatKind.HEARTBEAT, null, Instant.now(), status, telemetry, List.of(), 1);
    }

    private static void sendHeartbeats(HeartbeatAccepted... heartbeats) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config("kafka.bootstrap.servers"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (HeartbeatAccepted hb : heartbeats) {
                producer.send(new ProducerRecord<>(Topics.HEARTBEATS, hb.deviceId(), EventJson.write(hb)));
            }
            producer.flush();
        }
    }

    static String randomText(int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            sb.append(io.heartbeat.contracts.DeviceTokens.generate());
        }
        return sb.substring(0, length);
    }

    private long rejected(String deviceId) {
        return pool.preparedQuery("SELECT count(*) FROM rejected_row WHERE payload LIKE $1")
                .execute(Tuple.of("%" + deviceId + "%")).await().atMost(Duration.ofSeconds(10)).iterator().next()
                .getLong(0);
    }

    private List<String> heartbeatIds(String deviceId) {
        List<String> ids = new java.util.ArrayList<>();
        pool.preparedQuery("SELECT heartbeat_id FROM telemetry WHERE device_id = $1").execute(Tuple.of(deviceId))
                .await().atMost(Duration.ofSeconds(10)).forEach(r -> ids.add(r.getString(0)));
        return ids;
    }

    private void insertRow(String deviceId, Instant receivedAt) {
        pool.preparedQuery("INSERT INTO telemetry (device_id, received_at, heartbeat_id, tenant_id, channel, kind)"
                + " VALUES ($1, $2, gen_random_uuid()::text, 'acme', 'HTTP', 'HEARTBEAT')")
                .execute(Tuple.of(deviceId, receivedAt.atOffset(ZoneOffset.UTC)))
                .await().atMost(Duration.ofSeconds(10));
    }

    private long count(String deviceId) {
        return pool.preparedQuery("SELECT count(*) FROM telemetry WHERE device_id = $1").execute(Tuple.of(deviceId))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }
}
