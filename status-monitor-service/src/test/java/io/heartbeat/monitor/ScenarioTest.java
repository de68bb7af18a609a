package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.as;
import static io.heartbeat.monitor.MonitorTestSupport.config;
import static io.heartbeat.monitor.MonitorTestSupport.tokens;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.test.TopicReader;
import io.heartbeat.monitor.engine.DeviceViews;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Scenario runs against a real HTTP health endpoint and a played command service, recorded with their summary. */
@QuarkusTest
class ScenarioTest {

    static final Thresholds T = new Thresholds(30, 40, 300, 0, 600);

    @Inject
    Pool pool;

    @Inject
    DeviceViews views;

    private static String create(Map<String, Object> body) {
        return as(tokens().operator("acme")).contentType("application/json").body(body).post("/api/v1/scenarios")
                .then().statusCode(201).extract().path("id");
    }

    private static JsonPath run(String scenarioId) {
        return as(tokens().operator("acme")).post("/api/v1/scenarios/" + scenarioId + "/runs")
                .then().statusCode(201).extract().jsonPath();
    }

    @Test
    void anHttpCheckRunRecordsEachDeviceAndSummarises() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/fail", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        server.start();
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            String ok = uniqueId("http-ok");
            String bad = uniqueId("http-bad");
            kafka.view(ok, T, true, 1, Protocol.HTTP, Map.of("healthUrl", base + "/ok"));
            kafka.view(bad, T, true, 1, Protocol.HTTP, Map.of("healthUrl", base + "/fail"));
            await().atMost(Duration.ofSeconds(15)).until(() -> views.find(ok).isPresent() && views.find(bad).isPresent());
            String id = create(Map.of("name", "health", "flowType", "HTTP_CHECK", "deviceIds", List.of(ok, bad),
                    "timeoutMs", 2000, "retries", 1));
            JsonPath run = run(id);
            assertThat(run.getInt("devices")).isEqualTo(2);
            assertThat(run.getInt("succeeded")).isEqualTo(1);
            assertThat(run.getDouble("successRate")).isEqualTo(0.5);
            assertThat(run.getList("results.deviceId")).containsExactlyInAnyOrder(ok, bad);
            Map<String, Object> failed = run.getMap("results.find { it.deviceId == '" + bad + "' }");
            assertThat(failed.get("error")).isEqualTo("HTTP 503");
            assertThat(run.getLong("p50Ms")).isNotNull();
            long rows = pool.preparedQuery("SELECT count(*) FROM device_monitoring_results WHERE test_run_id = $1")
                    .execute(Tuple.of(run.getString("id"))).await().atMost(Duration.ofSeconds(5)).iterator().next()
                    .getLong(0);
            // the failing device was tried twice (one retry) but is one result; both devices have status rows
            assertThat(rows).isEqualTo(2);
            String types = pool.preparedQuery("SELECT jsonb_typeof(r.results) || '/' || jsonb_typeof(m.metadata)"
                    + " FROM test_runs r JOIN device_monitoring_results m ON m.test_run_id = r.id WHERE r.id = $1"
                    + " LIMIT 1").execute(Tuple.of(run.getString("id"))).await().atMost(Duration.ofSeconds(5))
                    .iterator().next().getString(0);
            assertThat(types).as("stored as JSON values, not as JSON strings").isEqualTo("array/object");
            as(tokens().viewer("acme")).get("/api/v1/scenarios/" + id + "/runs").then().statusCode(200)
                    .body("size()", equalTo(1)).body("[0].succeeded", equalTo(1));
            as(tokens().viewer("globex")).get("/api/v1/scenarios/" + id).then().statusCode(404);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anMqttPingGoesThroughTheCommandServiceAndAFreshnessCheckReadsTheStatus() {
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            String device = uniqueId("mqtt");
            kafka.view(device, T, true, 1, Protocol.MQTT, Map.of());
            kafka.heartbeat(device, Instant.now());
            await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(LivenessFlowTest.state(device)));
            Thread commandService = new Thread(() -> {
                CommandRequest ping = EventJson.read(TopicReader.read(config("kafka.bootstrap.servers"),
                        Topics.COMMAND_REQUESTS, r -> device.equals(r.key()), 1, Duration.ofSeconds(15)).get(0).value(),
                        CommandRequest.class);
                assertThat(ping.name()).isEqualTo("ping");
                kafka.result(ping, CommandStatus.SUCCEEDED, 12);
            });
            commandService.start();
            String ping = create(Map.of("name", "ping", "flowType", "MQTT_PING", "deviceIds", List.of(device),
                    "timeoutMs", 10_000, "retries", 0));
            JsonPath run = run(ping);
            assertThat(run.getInt("succeeded")).isEqualTo(1);
            assertThat(run.getLong("results[0].responseTimeMs")).isEqualTo(12);
            assertThat(run.getString("results[0].check")).isEqualTo("MQTT_PING");

            String fresh = create(Map.of("name", "fresh", "flowType", "HEARTBEAT_FRESHNESS", "deviceIds",
                    List.of(device)));
            assertThat(run(fresh).getDouble("successRate")).isEqualTo(1.0);

            as(tokens().operator("acme")).contentType("application/json")
                    .body(Map.of("name", "x", "flowType", "PING_ALL")).post("/api/v1/scenarios")
                    .then().statusCode(422);
        }
    }

    /**
     * A ping refused for a reason that has nothing to do with the device (remote control disabled, the default) is a
     * result with its reason: the device stays CONNECTED even though its heartbeat is older than the interval. A ping
     * that reached the device and was never answered is evidence, and takes it offline.
     */
    @Test
    void onlyAnUnansweredPingIsEvidenceARefusalIsAResultWithItsReason() {
        try (MonitorTestSupport kafka = new MonitorTestSupport()) {
            Thresholds slow = new Thresholds(1, 30, 60, 0, 600);
            String device = uniqueId("refused");
            kafka.view(device, slow, true, 1, Protocol.MQTT, Map.of());
            kafka.heartbeat(device, Instant.now().minusSeconds(5));
            await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(LivenessFlowTest.state(device)));

            answerPings(kafka, device, "remote-control-disabled");
            JsonPath refused = run(create(Map.of("name", "refused", "flowType", "MQTT_PING", "deviceIds",
                    List.of(device), "timeoutMs", 5_000, "retries", 0)));
            assertThat(refused.getInt("succeeded")).isZero();
            assertThat(refused.getBoolean("results[0].inconclusive")).isTrue();
            assertThat(refused.getString("results[0].error")).isEqualTo("not sent: remote-control-disabled");
            assertThat(LivenessFlowTest.state(device)).isEqualTo("CONNECTED");

            answerPings(kafka, device, null);
            JsonPath unanswered = run(create(Map.of("name", "unanswered", "flowType", "MQTT_PING", "deviceIds",
                    List.of(device), "timeoutMs", 5_000, "retries", 0)));
            assertThat(unanswered.getBoolean("results[0].inconclusive")).isFalse();
            assertThat(unanswered.getString("results[0].error")).startsWith("the device did not answer");
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> "TEMPORARILY_OFFLINE".equals(LivenessFlowTest.state(device)));
        }
    }

    /** Plays the command service for the next ping to the device: refused with {@code refusal}, or sent and expired. */
    private static void answerPings(MonitorTestSupport kafka, String device, String refusal) {
        long since = System.currentTimeMillis();
        Thread commandService = new Thread(() -> {
            CommandRequest ping = EventJson.read(TopicReader.read(config("kafka.bootstrap.servers"),
                    Topics.COMMAND_REQUESTS, r -> device.equals(r.key()) && r.timestamp() >= since, 1,
                    Duration.ofSeconds(15)).get(0).value(), CommandRequest.class);
            if (refusal != null) {
                kafka.result(ping, CommandStatus.FAILED, 0, refusal);
            } else {
                kafka.result(ping, CommandStatus.EXPIRED, 1, null);
            }
        });
        commandService.setDaemon(true);
        commandService.start();
    }
}
