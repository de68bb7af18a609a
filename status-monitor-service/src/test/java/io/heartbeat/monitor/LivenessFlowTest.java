package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.as;
import static io.heartbeat.monitor.MonitorTestSupport.events;
import static io.heartbeat.monitor.MonitorTestSupport.tokens;
import static io.heartbeat.monitor.MonitorTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.TransitionReason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Heartbeat, silence, registry changes and probes through the running monitor, with short thresholds. */
@QuarkusTest
class LivenessFlowTest {

    /** interval 1 s, temporarily offline after 2 s, disconnected after 4 s. */
    static final Thresholds SHORT = new Thresholds(1, 2, 4, 0, 600);

    private final MonitorTestSupport kafka = new MonitorTestSupport();

    @Inject
    MeterRegistry metrics;

    @AfterEach
    void close() {
        kafka.close();
    }

    static String state(String id) {
        return as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id).then().extract().path("state");
    }

    @Test
    void transitionsRecordedBeforeTheRegistryViewArrivedStayInTheDevicesHistory() {
        String id = uniqueId("overtaken");
        // the heartbeat reaches the monitor before the device's view: the status starts without its instance
        kafka.heartbeat(id, Instant.now());
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id)));
        kafka.view(id, SHORT, true, 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> "DISCONNECTED".equals(state(id)));

        JsonPath transitions = as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id + "/transitions")
                .then().statusCode(200).extract().jsonPath();
        assertThat(transitions.getList("items.reason")).containsExactly("HEARTBEAT_TIMEOUT", "HEARTBEAT_TIMEOUT",
                "HEARTBEAT_RECEIVED", "DEVICE_REGISTERED");
        assertThat(transitions.getLong("totalItems")).isEqualTo(4);
    }

    @Test
    void aHeartbeatConnectsAndSilenceTakesTheDeviceOfflineThenDisconnected() {
        String id = uniqueId("flow");
        kafka.view(id, SHORT, true, 1);
        kafka.heartbeat(id, Instant.now());
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id)));
        await().atMost(Duration.ofSeconds(15)).until(() -> "DISCONNECTED".equals(state(id)));

        List<DeviceStatusChanged> events = events(id, 4);
        assertThat(events).extracting(DeviceStatusChanged::reason).containsExactly(TransitionReason.DEVICE_REGISTERED,
                TransitionReason.HEARTBEAT_RECEIVED, TransitionReason.HEARTBEAT_TIMEOUT,
                TransitionReason.HEARTBEAT_TIMEOUT);
        assertThat(events).extracting(DeviceStatusChanged::to).containsExactly(DeviceState.UNKNOWN,
                DeviceState.CONNECTED, DeviceState.TEMPORARILY_OFFLINE, DeviceState.DISCONNECTED);
        DeviceStatusChanged offline = events.get(2);
        // fired within a second of its deadline (2 s after the heartbeat)
        assertThat(offline.heartbeatAgeMs()).isBetween(2_000L, 3_000L);
        assertThat(offline.tenantId()).isEqualTo("acme");
        assertThat(events.get(3).heartbeatAgeMs()).isBetween(4_000L, 5_000L);

        JsonPath transitions = as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id + "/transitions")
                .then().statusCode(200).extract().jsonPath();
        assertThat(transitions.getList("items.reason")).containsExactly("HEARTBEAT_TIMEOUT", "HEARTBEAT_TIMEOUT",
                "HEARTBEAT_RECEIVED", "DEVICE_REGISTERED");
        assertThat(transitions.getLong("totalItems")).isEqualTo(4);

        // and back: the next heartbeat reconnects it
        kafka.heartbeat(id, Instant.now());
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id)));
    }

    @Test
    void eachAppliedHeartbeatRecordsHowLongAfterItsReceiptAndItsSendingTheStatusWasPersisted() {
        Timer receipt = metrics.get("monitor.heartbeat.persist.delay").tag("since", "receipt").timer();
        Timer device = metrics.get("monitor.heartbeat.persist.delay").tag("since", "device").timer();
        long receipts = receipt.count();
        long sends = device.count();
        double receiptMs = receipt.totalTime(TimeUnit.MILLISECONDS);
        double deviceMs = device.totalTime(TimeUnit.MILLISECONDS);
        String id = uniqueId("delay");
        kafka.view(id, new Thresholds(30, 40, 300, 0, 600), true, 1);
        Instant received = Instant.now().minusSeconds(2);
        kafka.heartbeat(id, received.minusSeconds(3), received);

        await().atMost(Duration.ofSeconds(15)).until(() -> receipt.count() > receipts && device.count() > sends);
        assertThat(state(id)).isEqualTo("CONNECTED");
        assertThat(receipt.count() - receipts).as("one heartbeat, one measurement").isEqualTo(1);
        assertThat(device.count() - sends).isEqualTo(1);
        // persisted at least 2 s after ingest received it and 5 s after the device sent it, and not long after that
        assertThat(receipt.totalTime(TimeUnit.MILLISECONDS) - receiptMs).isBetween(2_000.0, 12_000.0);
        assertThat(device.totalTime(TimeUnit.MILLISECONDS) - deviceMs).isBetween(5_000.0, 15_000.0);
    }

    @Test
    void aHeartbeatReadBeforeTheDevicesRegistryViewConnectsItOnceTheViewArrives() throws InterruptedException {
        String id = uniqueId("early");
        kafka.heartbeat(id, Instant.now());
        // the engine polls every 100 ms: it reads the heartbeat (and commits it) while it does not know the device
        Thread.sleep(1_000);
        kafka.view(id, new Thresholds(30, 40, 300, 0, 600), true, 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id)));
    }

    @Test
    void disablingAndDeletingEndTrackingWithTheirOwnTransitions() {
        String id = uniqueId("registry");
        kafka.view(id, SHORT, true, 1);
        kafka.heartbeat(id, Instant.now());
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id)));
        kafka.view(id, SHORT, false, 2);
        await().atMost(Duration.ofSeconds(15)).until(() -> "DISCONNECTED".equals(state(id)));
        as(tokens().viewer("acme")).get("/api/v1/status/devices/" + id).then().body("tracked", equalTo(false));
        kafka.view(id, SHORT, true, 3);
        await().atMost(Duration.ofSeconds(15)).until(() -> "UNKNOWN".equals(state(id)));
        kafka.tombstone(id);
        List<DeviceStatusChanged> events = events(id, 5);
        assertThat(events).extracting(DeviceStatusChanged::reason).containsExactly(TransitionReason.DEVICE_REGISTERED,
                TransitionReason.HEARTBEAT_RECEIVED, TransitionReason.DEVICE_DISABLED, TransitionReason.DEVICE_ENABLED,
                TransitionReason.DEVICE_DELETED);
    }

    @Test
    void aProbeIsRecordedButCannotOverruleAFreshHeartbeat() {
        String id = uniqueId("probe");
        Thresholds t = new Thresholds(5, 10, 20, 0, 600);
        kafka.view(id, t, true, 1);
        kafka.heartbeat(id, Instant.now());
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id)));
        String operator = tokens().operator("acme");
        as(operator).contentType("application/json")
                .body(Map.of("deviceId", id, "success", false, "source", "pinger", "error", "timeout"))
                .post("/api/v1/probes/results")
                .then().statusCode(200)
                .body("applied", equalTo(false))
                .body("state", equalTo("CONNECTED"));
        assertThat(state(id)).isEqualTo("CONNECTED");
    }

    @Test
    void aProbeDecidesOnceTheHeartbeatIsOlderThanTheInterval() {
        String id = uniqueId("probe-old");
        Thresholds t = new Thresholds(5, 30, 60, 0, 600);
        kafka.view(id, t, true, 1);
        kafka.heartbeat(id, Instant.now().minusSeconds(6));
        await().atMost(Duration.ofSeconds(15)).until(() -> "CONNECTED".equals(state(id)));
        String operator = tokens().operator("acme");
        as(operator).contentType("application/json").body(Map.of("deviceId", id, "success", false))
                .post("/api/v1/probes/results")
                .then().statusCode(200).body("applied", equalTo(true)).body("state", equalTo("TEMPORARILY_OFFLINE"));
        as(operator).contentType("application/json")
                .body(Map.of("deviceId", id, "success", true, "responseTimeMs", 42))
                .post("/api/v1/probes/results")
                .then().statusCode(200).body("applied", equalTo(true)).body("state", equalTo("CONNECTED"));
        assertThat(events(id, 4)).extracting(DeviceStatusChanged::reason).containsExactly(
                TransitionReason.DEVICE_REGISTERED, TransitionReason.HEARTBEAT_RECEIVED, TransitionReason.PROBE_FAILED,
                TransitionReason.PROBE_SUCCEEDED);
        // a heartbeat after the probes is still the authority
        kafka.heartbeat(id, Instant.now());
        as(operator).contentType("application/json").body(Map.of("deviceId", id, "success", false))
                .post("/api/v1/probes/results");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> as(operator).contentType("application/json")
                .body(Map.of("deviceId", id, "success", false)).post("/api/v1/probes/results")
                .then().body("applied", equalTo(false)));
    }

    @Test
    void readsAreTenantScopedAndInputIsChecked() {
        String id = uniqueId("scope");
        kafka.view(id, SHORT, true, 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> "UNKNOWN".equals(state(id)));
        as(tokens().viewer("globex")).get("/api/v1/status/devices/" + id).then().statusCode(404)
                .contentType("application/problem+json");
        as(tokens().viewer("acme")).get("/api/v1/status/devices?state=SLEEPING").then().statusCode(400);
        as(tokens().viewer("acme")).get("/api/v1/status/devices?changedSince=yesterday").then().statusCode(400);
        io.restassured.RestAssured.given().get("/api/v1/status/counts").then().statusCode(401);
        as(tokens().viewer("acme")).contentType("application/json").body(Map.of("deviceId", id, "success", false))
                .post("/api/v1/probes/results").then().statusCode(403);
        as(tokens().operator("acme")).contentType("application/json").body(Map.of("deviceId", id))
                .post("/api/v1/probes/results").then().statusCode(422);
        JsonPath list = as(tokens().viewer("acme")).get("/api/v1/status/devices?state=UNKNOWN&size=500")
                .then().statusCode(200).extract().jsonPath();
        assertThat(list.getList("items.deviceId")).contains(id);
        assertThat(as(tokens().viewer("acme")).get("/api/v1/status/counts").then().statusCode(200).extract()
                .jsonPath().getLong("UNKNOWN")).isGreaterThanOrEqualTo(1);
    }
}
