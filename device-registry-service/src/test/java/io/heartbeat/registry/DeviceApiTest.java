package io.heartbeat.registry;

import static io.heartbeat.registry.RegistryTestSupport.as;
import static io.heartbeat.registry.RegistryTestSupport.create;
import static io.heartbeat.registry.RegistryTestSupport.mqttDevice;
import static io.heartbeat.registry.RegistryTestSupport.registryDb;
import static io.heartbeat.registry.RegistryTestSupport.tokens;
import static io.heartbeat.registry.RegistryTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.heartbeat.contracts.DeviceTokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class DeviceApiTest {

    final String operator = tokens().operator("acme");

    @Test
    void createAnswersTheDeviceWithItsTokenOnceAndKeepsOnlyTheHash() throws Exception {
        String id = uniqueId("socket");
        Map<String, Object> body = new HashMap<>(mqttDevice(id));
        body.put("firmwareVersion", "1.4.2");
        body.put("metadata", Map.of("site", "hall-3"));
        String token = as(operator).body(body).post("/api/v1/devices").then()
                .statusCode(201)
                .header("Location", endsWith("/api/v1/devices/" + id))
                .header("ETag", "\"1\"")
                .body("id", equalTo(id))
                .body("tenantId", equalTo("acme"))
                .body("protocol", equalTo("MQTT"))
                .body("profileId", equalTo("default"))
                .body("enabled", equalTo(true))
                .body("remoteControlEnabled", equalTo(false))
                .body("thresholds.heartbeatIntervalSeconds", equalTo(30))
                .body("thresholds.connectedWithinSeconds", equalTo(40))
                .body("thresholds.disconnectedAfterSeconds", equalTo(300))
                .body("revision", equalTo(1))
                .body("apiToken", matchesPattern("[A-Za-z0-9]{64}"))
                .body("tokenHash", nullValue())
                .extract().path("apiToken");

        as(operator).get("/api/v1/devices/" + id).then().statusCode(200)
                .body("apiToken", nullValue())
                .body("tokenHash", nullValue())
                .body("metadata.site", equalTo("hall-3"));

        try (Connection db = registryDb();
                PreparedStatement st = db.prepareStatement("SELECT * FROM device WHERE id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("token_hash")).isEqualTo(DeviceTokens.hash(token));
                for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                    assertThat(String.valueOf(rs.getObject(c))).doesNotContain(token);
                }
            }
        }
    }

    @Test
    void rotationReplacesTheToken() {
        String id = uniqueId("socket");
        String first = create(operator, mqttDevice(id));
        String second = as(operator).post("/api/v1/devices/" + id + "/token").then().statusCode(200)
                .body("revision", equalTo(2)).extract().path("apiToken");
        assertThat(second).hasSize(64).isNotEqualTo(first);
    }

    @Test
    void listFiltersAndPages() {
        String prefix = uniqueId("flt");
        for (int i = 0; i < 3; i++) {
            create(operator, Map.of("id", prefix + "-m" + i, "name", prefix + " mqtt " + i, "protocol", "MQTT"));
        }
        create(operator, Map.of("id", prefix + "-h", "name", prefix + " http kiosk", "protocol", "HTTP",
                "enabled", false, "protocolConfig", Map.of("healthUrl", "http://10.0.0.7/health")));

        as(operator).queryParam("q", prefix).get("/api/v1/devices").then().statusCode(200)
                .body("totalItems", equalTo(4)).body("items", hasSize(4));
        as(operator).queryParam("q", prefix).queryParam("protocol", "http").get("/api/v1/devices").then()
                .body("totalItems", equalTo(1)).body("items[0].id", equalTo(prefix + "-h"));
        as(operator).queryParam("q", prefix).queryParam("enabled", "true").get("/api/v1/devices").then()
                .body("totalItems", equalTo(3)).body("items.protocol", everyItem(equalTo("MQTT")));
        as(operator).queryParam("q", prefix.toUpperCase() + " MQTT").get("/api/v1/devices").then()
                .body("totalItems", equalTo(3));
        as(operator).queryParam("q", prefix).queryParam("size", 2).queryParam("page", 1).get("/api/v1/devices")
                .then().body("items", hasSize(2)).body("page", equalTo(1)).body("totalPages", equalTo(2))
                .body("items[0].id", equalTo(prefix + "-m1"));
        as(operator).queryParam("q", prefix).queryParam("profileId", "none").get("/api/v1/devices").then()
                .body("totalItems", equalTo(0));
        as(operator).queryParam("q", "100%_").get("/api/v1/devices").then().statusCode(200)
                .body("totalItems", equalTo(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "size too large | size=501 | size must be from 1 to 500",
            "negative page | page=-1 | page must be 0 or more",
            "unknown protocol | protocol=COAP | protocol must be one of",
            "enabled not boolean | enabled=yes | enabled must be true or false" })
    void badQueryParametersAreA400WithTheReason(String name, String query, String reason) {
        String[] kv = query.split("=");
        as(operator).queryParam(kv[0], kv[1]).get("/api/v1/devices").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/bad-request"))
                .body("detail", containsString(reason));
    }

    @Test
    void patchMergesAndBumpsTheRevision() {
        String id = uniqueId("socket");
        create(operator, Map.of("id", id, "name", "Socket", "protocol", "MQTT",
                "metadata", Map.of("site", "hall-3", "rack", 4)));
        as(operator).contentType("application/merge-patch+json").header("If-Match", "\"1\"")
                .body(Map.of("name", "Socket renamed", "remoteControlEnabled", true,
                        "metadata", Map.of("rack", 5),
                        "thresholdOverrides", Map.of("connectedWithinSeconds", 60)))
                .patch("/api/v1/devices/" + id).then().statusCode(200)
                .header("ETag", "\"2\"")
                .body("name", equalTo("Socket renamed"))
                .body("remoteControlEnabled", equalTo(true))
                .body("metadata.site", equalTo("hall-3"))
                .body("metadata.rack", equalTo(5))
                .body("thresholdOverrides.connectedWithinSeconds", equalTo(60))
                .body("thresholds.connectedWithinSeconds", equalTo(60))
                .body("thresholds.disconnectedAfterSeconds", equalTo(300))
                .body("revision", equalTo(2));

        // a stale If-Match is refused and changes nothing
        as(operator).header("If-Match", "\"1\"").body(Map.of("name", "lost update"))
                .patch("/api/v1/devices/" + id).then().statusCode(412)
                .body("type", equalTo("/problems/revision-mismatch"));

        // null clears
        Map<String, Object> clear = new HashMap<>();
        clear.put("thresholdOverrides", null);
        clear.put("firmwareVersion", null);
        as(operator).body(clear).patch("/api/v1/devices/" + id).then().statusCode(200)
                .body("thresholds.connectedWithinSeconds", equalTo(40))
                .body("name", equalTo("Socket renamed"))
                .body("revision", equalTo(3));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "id cannot change | {\"id\":\"other\"} | id",
            "unknown field | {\"colour\":\"red\"} | colour",
            "name blank | {\"name\":\" \"} | name",
            "name not a string | {\"name\":7} | name",
            "enabled not boolean | {\"enabled\":\"yes\"} | enabled",
            "inconsistent overrides | {\"thresholdOverrides\":{\"disconnectedAfterSeconds\":20}} | thresholdOverrides",
            "override not integer | {\"thresholdOverrides\":{\"connectedWithinSeconds\":1.5}} | thresholdOverrides.connectedWithinSeconds",
            "HTTP setting on MQTT | {\"protocolConfig\":{\"healthUrl\":\"http://x\"}} | protocolConfig.healthUrl",
            "unknown profile | {\"profileId\":\"nope\"} | profileId" })
    void invalidPatchesAreA422NamingTheField(String name, String patch, String field) {
        String id = uniqueId("socket");
        create(operator, mqttDevice(id));
        as(operator).body(patch).patch("/api/v1/devices/" + id).then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/validation-failed"))
                .body("errors.field", hasItem(field));
        as(operator).get("/api/v1/devices/" + id).then().body("revision", equalTo(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad id characters | {\"id\":\"a/b\",\"name\":\"x\",\"protocol\":\"MQTT\"} | id",
            "id too long | {\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"name\":\"x\",\"protocol\":\"MQTT\"} | id",
            "missing id | {\"name\":\"x\",\"protocol\":\"MQTT\"} | id",
            "missing name | {\"id\":\"ok-1\",\"protocol\":\"MQTT\"} | name",
            "missing protocol | {\"id\":\"ok-1\",\"name\":\"x\"} | protocol",
            "bad health URL | {\"id\":\"ok-1\",\"name\":\"x\",\"protocol\":\"HTTP\",\"protocolConfig\":{\"healthUrl\":\"ftp://x\"}} | protocolConfig.healthUrl",
            "bad qos | {\"id\":\"ok-1\",\"name\":\"x\",\"protocol\":\"MQTT\",\"protocolConfig\":{\"qos\":2}} | protocolConfig.qos",
            "unknown MQTT key | {\"id\":\"ok-1\",\"name\":\"x\",\"protocol\":\"MQTT\",\"protocolConfig\":{\"url\":\"x\"}} | protocolConfig.url",
            "overrides disconnect before connected | {\"id\":\"ok-1\",\"name\":\"x\",\"protocol\":\"MQTT\",\"thresholdOverrides\":{\"connectedWithinSeconds\":500}} | thresholdOverrides",
            "negative override | {\"id\":\"ok-1\",\"name\":\"x\",\"protocol\":\"MQTT\",\"thresholdOverrides\":{\"heartbeatIntervalSeconds\":-1}} | thresholdOverrides.heartbeatIntervalSeconds",
            "unknown profile | {\"id\":\"ok-1\",\"name\":\"x\",\"protocol\":\"MQTT\",\"profileId\":\"ghost\"} | profileId" })
    void invalidDevicesAreA422NamingTheField(String name, String body, String field) {
        as(operator).body(body).post("/api/v1/devices").then().statusCode(422)
                .contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("errors.field", hasItem(field))
                .body("detail", notNullValue());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "heartbeat-ingest", "heartbeat-ingest-0", "heartbeat-status-monitor-socket",
            "heartbeat-command-service.1" })
    void idsWithAServiceAccountPrefixAreA422NamingTheIdAndWhy(String id) {
        as(operator).body(mqttDevice(id)).post("/api/v1/devices").then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/validation-failed"))
                .body("errors.field", equalTo(java.util.List.of("id")))
                .body("errors[0].message", containsString("reserved for the platform's MQTT service accounts"))
                .body("errors[0].message", containsString("must not start with"));
        as(operator).get("/api/v1/devices/" + id).then().statusCode(404);
    }

    @Test
    void idsThatOnlyResembleAServiceAccountAreFine() {
        String id = uniqueId("my-heartbeat-ingest");
        create(operator, mqttDevice(id));
        as(operator).get("/api/v1/devices/" + id).then().statusCode(200);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON | {\"id\": | malformed-request",
            "wrong type | {\"id\":\"x\",\"name\":\"x\",\"protocol\":\"MQTT\",\"enabled\":\"maybe\"} | malformed-request",
            "unknown protocol | {\"id\":\"x\",\"name\":\"x\",\"protocol\":\"COAP\"} | malformed-request",
            "an array | [1,2] | malformed-request" })
    void unreadableBodiesAreA400(String name, String body, String type) {
        as(operator).body(body).post("/api/v1/devices").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/" + type))
                .body("detail", not(containsString("io.heartbeat")))
                .body("detail", not(containsString("com.fasterxml")));
    }

    @Test
    void wrongContentTypeIsA415AndUnknownPathA404AsProblems() {
        as(operator).contentType("text/plain").body("hello").post("/api/v1/devices").then().statusCode(415)
                .contentType("application/problem+json");
        as(operator).get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aBodyOverTheLimitIsA413Problem() {
        String huge = "{\"id\":\"big\",\"name\":\"x\",\"protocol\":\"MQTT\",\"metadata\":{\"a\":\""
                + "x".repeat(300 * 1024) + "\"}}";
        as(operator).body(huge).post("/api/v1/devices").then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/payload-too-large"));
    }

    @Test
    void aTakenIdIsA409EvenAcrossTenants() {
        String id = uniqueId("dup");
        create(operator, mqttDevice(id));
        as(tokens().operator("globex")).body(mqttDevice(id)).post("/api/v1/devices").then().statusCode(409)
                .body("type", equalTo("/problems/device-exists"));
    }

    @Test
    void deleteRemovesTheDevice() {
        String id = uniqueId("gone");
        create(operator, mqttDevice(id));
        as(operator).header("If-Match", "\"9\"").delete("/api/v1/devices/" + id).then().statusCode(412);
        as(operator).delete("/api/v1/devices/" + id).then().statusCode(204);
        as(operator).get("/api/v1/devices/" + id).then().statusCode(404)
                .body("type", equalTo("/problems/not-found"));
        as(operator).delete("/api/v1/devices/" + id).then().statusCode(404);
    }
}
