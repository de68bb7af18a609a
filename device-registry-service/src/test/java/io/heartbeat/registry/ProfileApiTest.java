package io.heartbeat.registry;

import static io.heartbeat.registry.RegistryTestSupport.as;
import static io.heartbeat.registry.RegistryTestSupport.create;
import static io.heartbeat.registry.RegistryTestSupport.tokens;
import static io.heartbeat.registry.RegistryTestSupport.uniqueId;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ProfileApiTest {

    final String admin = tokens().admin();

    @Test
    void theDefaultProfileHasTheSeedsThresholds() {
        as(tokens().viewer("acme")).get("/api/v1/profiles/default").then().statusCode(200)
                .body("thresholds.heartbeatIntervalSeconds", equalTo(30))
                .body("thresholds.connectedWithinSeconds", equalTo(40))
                .body("thresholds.disconnectedAfterSeconds", equalTo(300))
                .body("thresholds.minHeartbeatSpacingSeconds", equalTo(10))
                .body("thresholds.maxHeartbeatsPerMinute", equalTo(10));
    }

    @Test
    void absentThresholdsTakeTheDefaults() {
        String id = uniqueId("p").toLowerCase();
        as(admin).body(Map.of("id", id, "name", "Sensors", "thresholds", Map.of("disconnectedAfterSeconds", 900)))
                .post("/api/v1/profiles").then().statusCode(201)
                .body("thresholds.heartbeatIntervalSeconds", equalTo(30))
                .body("thresholds.disconnectedAfterSeconds", equalTo(900));
        as(admin).get("/api/v1/profiles").then().body("id", hasItem(id));
        as(admin).body(Map.of("id", id, "name", "again")).post("/api/v1/profiles").then().statusCode(409)
                .body("type", equalTo("/problems/profile-exists"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "disconnect before connected | {\"heartbeatIntervalSeconds\":30,\"connectedWithinSeconds\":400,\"disconnectedAfterSeconds\":300}",
            "connected within shorter than the interval | {\"heartbeatIntervalSeconds\":60,\"connectedWithinSeconds\":40}",
            "spacing longer than the interval | {\"minHeartbeatSpacingSeconds\":31}",
            "zero per minute | {\"maxHeartbeatsPerMinute\":0}",
            "negative interval | {\"heartbeatIntervalSeconds\":-5}" })
    void inconsistentThresholdsAreA422WithTheReason(String name, String thresholds) {
        as(admin).body("{\"id\":\"bad-" + Math.abs(name.hashCode()) + "\",\"name\":\"x\",\"thresholds\":" + thresholds
                + "}").post("/api/v1/profiles").then().statusCode(422)
                .contentType("application/problem+json")
                .body("title", equalTo("Unprocessable Content"))
                .body("errors.field", hasItem("thresholds"));
    }

    @Test
    void aMisspeltThresholdIsRefusedNotIgnored() {
        as(admin).body("{\"id\":\"typo\",\"name\":\"x\",\"thresholds\":{\"conectedWithinSeconds\":50}}")
                .post("/api/v1/profiles").then().statusCode(400)
                .body("detail", containsString("'conectedWithinSeconds' is not a field"));
    }

    @Test
    void aChangeThatWouldBreakADevicesOverridesIsRefused() {
        String id = uniqueId("p").toLowerCase();
        as(admin).body(Map.of("id", id, "name", "x")).post("/api/v1/profiles").then().statusCode(201);
        String device = uniqueId("dev");
        create(tokens().operator("acme"), Map.of("id", device, "name", "x", "protocol", "MQTT", "profileId", id,
                "thresholdOverrides", Map.of("disconnectedAfterSeconds", 100)));
        as(admin).body(Map.of("thresholds", Map.of("connectedWithinSeconds", 120)))
                .patch("/api/v1/profiles/" + id).then().statusCode(422)
                .body("errors[0].message", containsString(device));
        as(admin).get("/api/v1/profiles/" + id).then().body("thresholds.connectedWithinSeconds", equalTo(40));
    }

    @Test
    void profilesInUseAndTheDefaultCannotBeDeleted() {
        as(admin).delete("/api/v1/profiles/default").then().statusCode(409)
                .body("type", equalTo("/problems/profile-in-use"));
        String id = uniqueId("p").toLowerCase();
        as(admin).body(Map.of("id", id, "name", "x")).post("/api/v1/profiles").then().statusCode(201);
        String device = uniqueId("dev");
        create(tokens().operator("acme"), Map.of("id", device, "name", "x", "protocol", "MQTT", "profileId", id));
        as(admin).delete("/api/v1/profiles/" + id).then().statusCode(409);
        as(tokens().operator("acme")).delete("/api/v1/devices/" + device).then().statusCode(204);
        as(admin).delete("/api/v1/profiles/" + id).then().statusCode(204);
        as(admin).get("/api/v1/profiles/" + id).then().statusCode(404);
    }
}
