package io.heartbeat.registry;

import static io.heartbeat.registry.RegistryTestSupport.as;
import static io.heartbeat.registry.RegistryTestSupport.create;
import static io.heartbeat.registry.RegistryTestSupport.mqttDevice;
import static io.heartbeat.registry.RegistryTestSupport.readDeviceTopic;
import static io.heartbeat.registry.RegistryTestSupport.registryDb;
import static io.heartbeat.registry.RegistryTestSupport.tokens;
import static io.heartbeat.registry.RegistryTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** POST /api/v1/devices/batch: every device or none, checked and written as a single registration is. */
@QuarkusTest
class DeviceBatchTest {

    static final String BATCH = "/api/v1/devices/batch";

    final String operator = tokens().operator("acme");

    static Map<String, Object> batch(Object... devices) {
        return Map.of("devices", Arrays.asList(devices));
    }

    @Test
    void aBatchRegistersEveryDeviceWithItsTokenEventAndAuditEntryInRequestOrder() throws Exception {
        String prefix = uniqueId("bat");
        String reused = prefix + "-reused";
        // an id of a deleted device continues above its last revision, as a single create does
        create(operator, mqttDevice(reused));
        as(operator).delete("/api/v1/devices/" + reused).then().statusCode(204);
        Map<String, Object> http = new HashMap<>(Map.of("id", prefix + "-kiosk", "name", "Kiosk", "protocol", "HTTP",
                "protocolConfig", Map.of("healthUrl", "http://10.0.0.7/health"), "metadata", Map.of("site", "hall-3"),
                "thresholdOverrides", Map.of("disconnectedAfterSeconds", 600), "remoteControlEnabled", true));
        List<String> ids = List.of(prefix + "-b", http.get("id").toString(), reused, prefix + "-a");

        JsonPath answer = as(operator).body(batch(mqttDevice(ids.get(0)), http, mqttDevice(ids.get(2)),
                mqttDevice(ids.get(3)))).post(BATCH).then().statusCode(201)
                .body("devices", hasSize(4))
                .body("devices.id", equalTo(ids))
                .body("devices[1].tenantId", equalTo("acme"))
                .body("devices[1].protocolConfig.healthUrl", equalTo("http://10.0.0.7/health"))
                .body("devices[1].thresholds.disconnectedAfterSeconds", equalTo(600))
                .body("devices[1].thresholds.heartbeatIntervalSeconds", equalTo(30))
                .body("devices[1].remoteControlEnabled", equalTo(true))
                .body("devices.revision", equalTo(List.of(1, 1, 2, 1)))
                .extract().jsonPath();
        List<String> apiTokens = answer.getList("devices.apiToken");
        assertThat(apiTokens).allSatisfy(t -> assertThat(t).matches("[A-Za-z0-9]{64}")).doesNotHaveDuplicates();

        // stored as a single create stores it: the token's hash only, JSON columns as objects
        as(operator).get("/api/v1/devices/" + ids.get(1)).then().statusCode(200)
                .body("metadata.site", equalTo("hall-3"))
                .body("protocolConfig.healthUrl", equalTo("http://10.0.0.7/health"))
                .body("thresholdOverrides.disconnectedAfterSeconds", equalTo(600));
        try (Connection db = registryDb();
                PreparedStatement st = db.prepareStatement("SELECT token_hash FROM device WHERE id = ?")) {
            for (int i = 0; i < ids.size(); i++) {
                st.setString(1, ids.get(i));
                try (ResultSet rs = st.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(DeviceTokens.hash(apiTokens.get(i)));
                }
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            as(operator).queryParam("deviceId", id).get("/api/v1/audit").then().statusCode(200)
                    .body("items.action", hasItem("DEVICE_CREATED"))
                    .body("items[0].details.protocol", equalTo(i == 1 ? "HTTP" : "MQTT"));
            int revision = i == 2 ? 2 : 1;
            List<ConsumerRecord<String, String>> records = readDeviceTopic(id,
                    r -> r.stream().anyMatch(c -> c.value() != null && c.value().contains("\"revision\":" + revision)),
                    Duration.ofSeconds(30));
            DeviceView view = EventJson.read(records.get(records.size() - 1).value(), DeviceView.class);
            assertThat(view.revision()).isEqualTo(revision);
            assertThat(view.tenantId()).isEqualTo("acme");
            assertThat(DeviceTokens.matches(apiTokens.get(i), view.tokenHash())).isTrue();
        }
        // a registered device's token can be rotated like any other
        as(operator).post("/api/v1/devices/" + ids.get(0) + "/token").then().statusCode(200)
                .body("revision", equalTo(2));
    }

    @Test
    void anInvalidItemRegistersNoneAndTheErrorsNameEachItem() {
        String prefix = uniqueId("inv");
        Map<String, Object> badQos = Map.of("id", prefix + "-1", "name", "x", "protocol", "MQTT",
                "protocolConfig", Map.of("qos", 2));
        Map<String, Object> noName = Map.of("id", prefix + "-2", "protocol", "MQTT");
        as(operator).body(batch(mqttDevice(prefix + "-0"), badQos, noName, mqttDevice("a/b"))).post(BATCH).then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/validation-failed"))
                .body("errors.field", equalTo(List.of("devices[1].protocolConfig.qos", "devices[2].name",
                        "devices[3].id")));
        for (int i = 0; i < 3; i++) {
            as(operator).get("/api/v1/devices/" + prefix + "-" + i).then().statusCode(404);
        }
    }

    @Test
    void anIdRepeatedInTheBatchIsRefused() {
        String id = uniqueId("twice");
        String other = uniqueId("once");
        as(operator).body(batch(mqttDevice(id), mqttDevice(other), mqttDevice(id))).post(BATCH).then()
                .statusCode(422)
                .body("type", equalTo("/problems/validation-failed"))
                .body("errors.field", equalTo(List.of("devices[2].id")))
                .body("errors[0].message", containsString("devices[0]"));
        as(operator).get("/api/v1/devices/" + id).then().statusCode(404);
        as(operator).get("/api/v1/devices/" + other).then().statusCode(404);
    }

    @Test
    void takenIdsAreA409NamingEachItemAndRegisterNone() {
        String taken = uniqueId("taken");
        String elsewhere = uniqueId("elsewhere");
        String fresh = uniqueId("fresh");
        create(operator, mqttDevice(taken));
        create(tokens().operator("globex"), mqttDevice(elsewhere));
        as(operator).body(batch(mqttDevice(fresh), mqttDevice(taken), mqttDevice(elsewhere))).post(BATCH).then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/device-exists"))
                .body("errors.field", equalTo(List.of("devices[1].id", "devices[2].id")))
                .body("detail", containsString(taken))
                .body("detail", containsString(elsewhere));
        as(operator).get("/api/v1/devices/" + fresh).then().statusCode(404);
    }

    @Test
    void aBatchThatDoesNotFitTheTenantsQuotaRegistersNone() {
        // the test profile's quota is 50
        String tenant = uniqueId("bquota");
        String owner = tokens().operator(tenant);
        as(owner).body(Map.of("devices", devices(tenant + "-a", 51))).post(BATCH).then().statusCode(409)
                .body("type", equalTo("/problems/tenant-quota-exceeded"))
                .body("detail", containsString("has 0 devices, and 51 more would pass its quota"))
                .body("detail", containsString("heartbeat.registry.max-devices-per-tenant = 50"));
        as(owner).get("/api/v1/devices").then().body("totalItems", equalTo(0));

        as(owner).body(Map.of("devices", devices(tenant + "-b", 50))).post(BATCH).then().statusCode(201)
                .body("devices", hasSize(50));
        as(owner).body(batch(mqttDevice(tenant + "-c"))).post(BATCH).then().statusCode(409)
                .body("type", equalTo("/problems/tenant-quota-exceeded"));
        as(owner).get("/api/v1/devices").then().body("totalItems", equalTo(50));
    }

    @Test
    void moreDevicesThanTheMaximumBatchSizeIsA413() {
        String prefix = uniqueId("big");
        as(operator).body(Map.of("devices", devices(prefix, 1001))).post(BATCH).then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/payload-too-large"))
                .body("detail", containsString("at most 1000"));
        as(operator).get("/api/v1/devices/" + prefix + "-0").then().statusCode(404);
    }

    @Test
    void anEmptyOrMissingListOrAMissingItemIsA422() {
        as(operator).body(Map.of("devices", List.of())).post(BATCH).then().statusCode(422)
                .body("type", equalTo("/problems/validation-failed"))
                .body("errors.field", equalTo(List.of("devices")));
        as(operator).body("{}").post(BATCH).then().statusCode(422)
                .body("errors.field", equalTo(List.of("devices")));
        String id = uniqueId("nul");
        as(operator).body("{\"devices\":[{\"id\":\"" + id + "\",\"name\":\"x\",\"protocol\":\"MQTT\"},null]}")
                .post(BATCH).then().statusCode(422)
                .body("errors.field", equalTo(List.of("devices[1]")));
        as(operator).get("/api/v1/devices/" + id).then().statusCode(404);
        as(operator).body("{\"devices\":[{\"id\":\"x\",\"name\":\"x\",\"protocol\":\"MQTT\",\"colour\":\"red\"}]}")
                .post(BATCH).then().statusCode(400)
                .body("type", equalTo("/problems/malformed-request"))
                .body("detail", containsString("devices[0]"));
    }

    @Test
    void aNonAdminRegistersOnlyInItsOwnTenantAndAnAdminInAny() {
        String mine = uniqueId("mine");
        Map<String, Object> theirs = new HashMap<>(mqttDevice(uniqueId("theirs")));
        theirs.put("tenantId", "globex");
        as(operator).body(batch(mqttDevice(mine), theirs)).post(BATCH).then().statusCode(403)
                .body("type", equalTo("/problems/forbidden"))
                .body("detail", containsString("devices[1]"));
        as(operator).get("/api/v1/devices/" + mine).then().statusCode(404);
        as(tokens().viewer("acme")).body(batch(mqttDevice(mine))).post(BATCH).then().statusCode(403);

        Map<String, Object> acme = new HashMap<>(mqttDevice(mine));
        acme.put("tenantId", "acme");
        as(tokens().admin()).body(batch(acme, theirs)).post(BATCH).then().statusCode(201)
                .body("devices.tenantId", equalTo(List.of("acme", "globex")));
    }

    @Test
    void aDeviceCalledBatchIsReachedOnEveryRouteOfItsId() {
        // "batch" is a valid device id: only POST /devices/batch is the batch registration
        as(tokens().admin()).delete("/api/v1/devices/batch");
        create(operator, mqttDevice("batch"));
        as(operator).get("/api/v1/devices/batch").then().statusCode(200).body("id", equalTo("batch"));
        as(operator).contentType("application/merge-patch+json").body(Map.of("name", "renamed"))
                .patch("/api/v1/devices/batch").then().statusCode(200).body("name", equalTo("renamed"));
        as(operator).post("/api/v1/devices/batch/token").then().statusCode(200).body("id", equalTo("batch"));
        as(operator).body(batch(mqttDevice("batch"))).post(BATCH).then().statusCode(409)
                .body("type", equalTo("/problems/device-exists"));
        as(operator).delete("/api/v1/devices/batch").then().statusCode(204);
        as(operator).get("/api/v1/audit").then().body("items.entityId", hasItems("batch"));
    }

    private static List<Map<String, Object>> devices(String prefix, int n) {
        List<Map<String, Object>> devices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            devices.add(mqttDevice(prefix + "-" + i));
        }
        return devices;
    }
}
