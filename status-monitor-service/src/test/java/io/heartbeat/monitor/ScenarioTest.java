package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.as;
import static io.heartbeat.monitor.MonitorTestSupport.config;
import static io.heartbeat.monitor.MonitorTestSupport.tokens;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.test.TopicReader;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Scenario runs against real devices' endpoints: results recorded per device, the summary computed from them. */
@QuarkusTest
class ScenarioTest {

    static final Thresholds LONG = new Thresholds(30, 40, 300, 0, 600);

    private final MonitorTestSupport kafka = new MonitorTestSupport();
    private HttpServer server;

    @Inject
    Pool pool;

    @BeforeEach
    void healthEndpoints() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.createContext("/broken", x -> {
            x.sendResponseHeaders(503, -1);
            x.close();
        });
        server.start();
    }

    @AfterEach
    void close() {
        kafka.close();
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static String createScenario(String body) {
        return as(tokens().operator("acme")).contentType(ContentType.JSON).body(body).post("/api/v1/scenarios").then()
                .statusCode(201).extract().path("id");
    }

    private static boolean known(String id) {
        return as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id).statusCode() == 200;
    }

    @Test
    void anHttpCheckRunRecordsEachDevicesResultAndSummarisesThem() {
        String up = uniqueId("http-up");
        String down = uniqueId("http-down");
        kafka.view(up, Protocol.HTTP, Map.of("healthUrl", url("/ok")), LONG, true, 1);
        kafka.view(down, Protocol.HTTP, Map.of("healthUrl", url("/broken")), LONG, true, 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> known(up) && known(down));

        String scenario = createScenario("{\"name\":\"health\",\"flowType\":\"HTTP_CHECK\",\"devices\":{\"deviceIds\":[\""
                + up + "\",\"" + down + "\"]},\"timeoutMs\":2000,\"retries\":1}");
        JsonPath run = as(tokens().operator("acme")).post("/api/v1/scenarios/" + scenario + "/runs").then()
                .statusCode(201).extract().jsonPath();

        assertThat(run.getInt("devices")).isEqualTo(2);
        assertThat(run.getInt("succeeded")).isEqualTo(1);
        assertThat(run.getDouble("successRate")).isEqualTo(0.5);
        assertThat(run.getLong("p50ResponseTimeMs")).isNotNull();
        Map<String, Object> ok = run.getMap("results.find { it.deviceId == '" + up + "' }");
        Map<String, Object> failed = run.getMap("results.find { it.deviceId == '" + down + "' }");
        assertThat(ok.get("success")).isEqualTo(true);
        assertThat(failed.get("success")).isEqualTo(false);
        assertThat(failed.get("error")).isEqualTo("HTTP 503");
        // a failed check is retried once
        assertThat(((Map<?, ?>) failed.get("metadata")).get("attempts")).isEqualTo(2);

        String runId = run.getString("id");
        List<Boolean> rows = pool.preparedQuery("SELECT success FROM device_monitoring_results WHERE run_id = $1"
                + " AND scenario_id = $2 ORDER BY device_id = $3").execute(Tuple.of(runId, scenario, up)).await()
                .indefinitely().stream().map(r -> r.getBoolean(0)).toList();
        assertThat(rows).containsExactly(false, true);

        JsonPath kept = as(tokens().viewer("acme")).get("/api/v1/scenarios/" + scenario + "/runs/" + runId).then()
                .statusCode(200).extract().jsonPath();
        assertThat(kept.getDouble("successRate")).isEqualTo(0.5);
        assertThat(kept.getList("results")).hasSize(2);
        // scenario results are records: the devices' states did not change
        assertThat(as(tokens().viewer("acme")).get("/api/v1/status/devices/" + down).then().extract()
                .<String> path("state")).isEqualTo("UNKNOWN");
    }

    @Test
    void anMqttPingGoesThroughTheCommandServiceAndTakesItsRoundTrip() {
        String device = uniqueId("mqtt-ping");
        kafka.view(device, Protocol.MQTT, Map.of(), LONG, true, 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> known(device));
        String scenario = createScenario("{\"name\":\"ping\",\"flowType\":\"MQTT_PING\",\"devices\":{\"deviceIds\":[\""
                + device + "\"]},\"timeoutMs\":10000}");

        // plays the command service: answers the ping request once it appears on command-requests
        Thread commandService = new Thread(() -> {
            CommandRequest request = TopicReader.read(config("kafka.bootstrap.servers"), Topics.COMMAND_REQUESTS,
                    r -> device.equals(r.key()), 1, Duration.ofSeconds(15)).stream()
                    .map(r -> EventJson.read(r.value(), CommandRequest.class)).findFirst().orElseThrow();
            assertThat(request.name()).isEqualTo("ping");
            kafka.commandResult(new CommandResult(CommandResult.SCHEMA_VERSION, request.requestId(), "cmd-1", device,
                    "acme", CommandStatus.SUCCEEDED, Map.of(), 42L, request.correlationId(), Instant.now()));
        });
        commandService.start();

        JsonPath run = as(tokens().operator("acme")).post("/api/v1/scenarios/" + scenario + "/runs").then()
                .statusCode(201).extract().jsonPath();
        assertThat(run.getInt("succeeded")).isEqualTo(1);
        assertThat(run.getLong("results[0].responseTimeMs")).isEqualTo(42L);
        assertThat(run.getString("results[0].check")).isEqualTo("MQTT_PING");
    }

    @Test
    void aFreshnessRunTellsAFreshHeartbeatFromNone() {
        String fresh = uniqueId("fresh");
        String silent = uniqueId("silent");
        kafka.view(fresh, LONG, true, 1);
        kafka.view(silent, LONG, true, 1);
        kafka.heartbeat(fresh, Instant.now());
        await().atMost(Duration.ofSeconds(15)).until(() -> known(silent) && "CONNECTED".equals(as(tokens()
                .viewer("acme")).get("/api/v1/status/devices/" + fresh).then().extract().path("state")));
        String scenario = createScenario("{\"name\":\"fresh\",\"flowType\":\"HEARTBEAT_FRESHNESS\",\"devices\":"
                + "{\"deviceIds\":[\"" + fresh + "\",\"" + silent + "\",\"no-such-device\"]}}");

        JsonPath run = as(tokens().operator("acme")).post("/api/v1/scenarios/" + scenario + "/runs").then()
                .statusCode(201).extract().jsonPath();
        assertThat(run.getInt("devices")).isEqualTo(3);
        assertThat(run.getList("results.findAll { it.success }.deviceId")).containsExactly(fresh);
        assertThat(run.getString("results.find { it.deviceId == 'no-such-device' }.error")).isEqualTo("unknown device");
    }

    @Test
    void badScenariosAreProblemsAndViewersCannotRun() {
        as(tokens().operator("acme")).contentType(ContentType.JSON).body("{\"name\":\"x\"}").post("/api/v1/scenarios")
                .then().statusCode(422);
        as(tokens().operator("acme")).contentType(ContentType.JSON).body("{\"name\":\"x\",\"flowType\":\"SMOKE\"}")
                .post("/api/v1/scenarios").then().statusCode(400);
        as(tokens().operator("acme")).contentType(ContentType.JSON)
                .body("{\"name\":\"x\",\"flowType\":\"HEARTBEAT_FRESHNESS\",\"timeoutMs\":0}").post("/api/v1/scenarios")
                .then().statusCode(422);
        String scenario = createScenario("{\"name\":\"x\",\"flowType\":\"HEARTBEAT_FRESHNESS\"}");
        as(tokens().viewer("acme")).post("/api/v1/scenarios/" + scenario + "/runs").then().statusCode(403);
        as(tokens().viewer("other")).get("/api/v1/scenarios/" + scenario).then().statusCode(404);
    }
}
