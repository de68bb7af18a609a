package io.heartbeat.registry;

import static io.heartbeat.registry.RegistryTestSupport.as;
import static io.heartbeat.registry.RegistryTestSupport.create;
import static io.heartbeat.registry.RegistryTestSupport.mqttDevice;
import static io.heartbeat.registry.RegistryTestSupport.registryDb;
import static io.heartbeat.registry.RegistryTestSupport.tokens;
import static io.heartbeat.registry.RegistryTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;

/** Issue 11: no request or field can get a 5xx, a non-problem answer, or an unbounded amount of memory. */
@QuarkusTest
class HostileInputTest {

    final String operator = tokens().operator("acme");

    private ValidatableResponse postRaw(String json) {
        return as(operator).body(json.getBytes(StandardCharsets.UTF_8)).post("/api/v1/devices").then()
                .contentType("application/problem+json");
    }

    @Test
    void nulLoneSurrogatesAndDuplicatedKeysAreRefusedAtTheParserWithTheirPath() {
        String id = uniqueId("hostile");
        postRaw("{\"id\":\"" + id + "\",\"name\":\"a\\u0000b\",\"protocol\":\"MQTT\"}").statusCode(400)
                .body("type", equalTo("/problems/malformed-request"))
                .body("detail", containsString("at 'name': contains a NUL"));
        postRaw("{\"id\":\"" + id + "\",\"name\":\"n\",\"protocol\":\"MQTT\",\"metadata\":{\"k\\u0000\":1}}")
                .statusCode(400).body("detail", containsString("at 'metadata.k\\u0000': (a key) contains a NUL"));
        postRaw("{\"id\":\"" + id + "\",\"name\":\"n\",\"protocol\":\"MQTT\",\"metadata\":{\"k\":[\"\\ud800\"]}}")
                .statusCode(400).body("detail", containsString("at 'metadata.k[0]': contains a lone surrogate"));
        postRaw("{\"id\":\"" + id + "\",\"name\":\"n\",\"name\":\"m\",\"protocol\":\"MQTT\"}").statusCode(400)
                .body("detail", containsString("at 'name': is a duplicated key"));
        postRaw("{\"id\":\"" + id + "\",\"name\":\"n\",\"protocol\":\"MQTT\",\"metadata\":"
                + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}").statusCode(400)
                .body("detail", containsString("deeper than 32"));
        // a pair is a character like any other
        as(operator).body("{\"id\":\"" + id + "\",\"name\":\"plug \\ud83d\\udd0c\",\"protocol\":\"MQTT\"}")
                .post("/api/v1/devices").then().statusCode(201);

        // merge patches are read as trees: the same rules
        as(operator).contentType("application/merge-patch+json").body("{\"metadata\":{\"x\":\"\\u0000\"}}")
                .patch("/api/v1/devices/" + id).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("at 'metadata.x': contains a NUL"));
        as(operator).get("/api/v1/devices/" + id).then().statusCode(200).body("name", equalTo("plug \ud83d\udd0c"));
    }

    @Test
    void pagesBeyondAnIntOffsetAndBadlyTypedParametersAre400NamingTheParameter() {
        for (String path : List.of("/api/v1/devices", "/api/v1/audit")) {
            as(operator).get(path + "?page=4294968&size=500").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("/problems/bad-request"))
                    .body("detail", containsString("page must be at most 4294967 with size 500"));
            as(operator).get(path + "?page=abc").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("status", equalTo(400))
                    .body("detail", containsString("query parameter 'page' must be an integer"));
            as(operator).get(path + "?size=99999999999").then().statusCode(400)
                    .body("detail", containsString("query parameter 'size'"));
        }
    }

    @Test
    void nulInAPathIdOrQueryValueIs400() {
        RestAssured.given().urlEncodingEnabled(false).header("Authorization", "Bearer " + operator)
                .get("/api/v1/devices/a%00b").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("The path contains a NUL"));
        RestAssured.given().urlEncodingEnabled(false).header("Authorization", "Bearer " + operator)
                .get("/api/v1/devices?q=x%00y").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("query parameter 'q' contains a NUL"));
        RestAssured.given().urlEncodingEnabled(false).header("Authorization", "Bearer " + operator)
                .get("/api/v1/devices?q=%ED%A0%80").then().statusCode(400)
                .body("detail", containsString("query parameter 'q' is not UTF-8"));
    }

    @Test
    void malformedEscapesAndOverLongUrisAreAnsweredWithProblems() throws Exception {
        Raw bad = raw("GET /api/v1/devices/%zz HTTP/1.1");
        assertThat(bad.status).isEqualTo(400);
        assertThat(bad.body).contains("\"type\":\"/problems/bad-request\"").contains("malformed % escape");
        Raw badQuery = raw("GET /api/v1/devices?q=%4 HTTP/1.1");
        assertThat(badQuery.status).isEqualTo(400);
        assertThat(badQuery.body).contains("query parameter 'q' has a malformed % escape");
        Raw longUri = raw("GET /api/v1/devices?q=" + "x".repeat(20_000) + " HTTP/1.1");
        assertThat(longUri.status).isEqualTo(414);
        assertThat(longUri.contentType).isEqualTo("application/problem+json");
        assertThat(longUri.body).contains("\"status\":414").contains("\"title\":\"URI Too Long\"");
    }

    @Test
    void everyFreeFormFieldIsBounded() {
        Map<String, Object> http = new HashMap<>(Map.of("id", uniqueId("hostile"), "name", "Probe", "protocol",
                "HTTP"));
        http.put("protocolConfig", Map.of("healthUrl", "https://example.com/" + "a".repeat(250_000)));
        as(operator).body(http).post("/api/v1/devices").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("protocolConfig.healthUrl"))
                .body("errors.message", hasItem(containsString("at most 2048 characters")));
        http.put("protocolConfig", Map.of("healthUrl", "ftp://example.com/x"));
        as(operator).body(http).post("/api/v1/devices").then().statusCode(422)
                .body("errors.field", hasItem("protocolConfig.healthUrl"));

        Map<String, Object> mqtt = new HashMap<>(mqttDevice(uniqueId("hostile")));
        mqtt.put("metadata", Map.of("k".repeat(129), "v"));
        as(operator).body(mqtt).post("/api/v1/devices").then().statusCode(422)
                .body("errors.field", hasItem("metadata"));
        mqtt.put("metadata", Map.of("site", "v".repeat(2000)));
        as(operator).body(mqtt).post("/api/v1/devices").then().statusCode(422)
                .body("errors.field", hasItem("metadata.site"));
        mqtt.put("metadata", Map.of());
        mqtt.put("firmwareVersion", "1".repeat(65));
        as(operator).body(mqtt).post("/api/v1/devices").then().statusCode(422)
                .body("errors.field", hasItem("firmwareVersion"));
        mqtt.remove("firmwareVersion");
        mqtt.put("name", "n".repeat(201));
        as(operator).body(mqtt).post("/api/v1/devices").then().statusCode(422)
                .body("errors.field", hasItem("name"));

        as(tokens().admin()).body(Map.of("id", uniqueId("p"), "name", "P", "description", "d".repeat(2001)))
                .post("/api/v1/profiles").then().statusCode(422)
                .body("errors.field", hasItem("description"));
    }

    @Test
    void aTenantCannotGoBeyondItsDeviceQuotaEvenWithConcurrentCreates() throws Exception {
        // the test profile's quota is 50: fill 48 places directly, then race for the last two
        String tenant = uniqueId("quota");
        try (Connection db = registryDb(); PreparedStatement st = db.prepareStatement("""
                INSERT INTO device (id, tenant_id, name, protocol, profile_id, enabled, remote_control_enabled,
                                    token_hash, token_rotated_at, created_at, updated_at, revision)
                SELECT ? || '-' || n, ?, 'filler', 'MQTT', 'default', true, false, 'x', now(), now(), now(), 1
                FROM generate_series(1, 48) AS n
                """)) {
            st.setString(1, tenant);
            st.setString(2, tenant);
            st.executeUpdate();
        }
        String owner = tokens().operator(tenant);
        List<CompletableFuture<Integer>> racing = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = tenant + "-race-" + i;
            racing.add(CompletableFuture.supplyAsync(
                    () -> as(owner).body(mqttDevice(id)).post("/api/v1/devices").then().extract().statusCode()));
        }
        List<Integer> statuses = racing.stream().map(CompletableFuture::join).toList();
        assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(2);

        as(owner).body(mqttDevice(tenant + "-one-more")).post("/api/v1/devices").then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/tenant-quota-exceeded"))
                .body("detail", containsString("heartbeat.registry.max-devices-per-tenant = 50"));
        // another tenant is not affected
        create(operator, mqttDevice(uniqueId("hostile")));
    }

    record Raw(int status, String contentType, String body) {
    }

    /** Sends a request line as it is (no client would send these), with the operator's token. */
    private Raw raw(String requestLine) throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: localhost\r\nAuthorization: Bearer " + operator
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String response = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            String head = response.substring(0, Math.max(response.indexOf("\r\n\r\n"), 0)).toLowerCase();
            String type = head.lines().filter(l -> l.startsWith("content-type:"))
                    .map(l -> l.substring(13).strip()).findFirst().orElse(null);
            return new Raw(status, type, response.substring(response.indexOf("\r\n\r\n") + 4));
        }
    }
}
