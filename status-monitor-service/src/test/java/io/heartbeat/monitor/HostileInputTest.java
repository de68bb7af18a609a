package io.heartbeat.monitor;

import static io.heartbeat.monitor.MonitorTestSupport.as;
import static io.heartbeat.monitor.MonitorTestSupport.tokens;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** Issue 11: hostile fields, parameters and JSON get a problem, never a 500 or a 404. */
@QuarkusTest
class HostileInputTest {

    @Test
    void aNullDeviceIdInAScenarioIs422NamingIt() {
        as(tokens().operator("acme")).contentType("application/json")
                .body("{\"name\":\"s\",\"flowType\":\"MQTT_PING\",\"deviceIds\":[\"d-1\",null]}")
                .post("/api/v1/scenarios").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("deviceIds[1]"));
        as(tokens().operator("acme")).contentType("application/json")
                .body("{\"name\":\"s\",\"flowType\":\"MQTT_PING\",\"deviceIds\":[\"a/b\"]}")
                .post("/api/v1/scenarios").then().statusCode(422)
                .body("errors.field", hasItem("deviceIds[0]"));
    }

    @Test
    void aParameterOfTheWrongTypeIs400NamingIt() {
        as(tokens().viewer("acme")).get("/api/v1/status/devices?size=ten").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/bad-request"))
                .body("detail", containsString("query parameter 'size' must be an integer"));
    }

    @Test
    void nulInAPathIdOrQueryValueAndDuplicatedKeysAre400() {
        RestAssured.given().urlEncodingEnabled(false).header("Authorization", "Bearer " + tokens().viewer("acme"))
                .get("/api/v1/status/devices/d%00").then().statusCode(400)
                .contentType("application/problem+json").body("status", equalTo(400));
        RestAssured.given().urlEncodingEnabled(false).header("Authorization", "Bearer " + tokens().viewer("acme"))
                .get("/api/v1/status/devices?profileId=%00").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("'profileId' contains a NUL"));
        as(tokens().operator("acme")).contentType("application/json")
                .body("{\"name\":\"s\",\"name\":\"t\",\"flowType\":\"MQTT_PING\"}")
                .post("/api/v1/scenarios").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("at 'name': is a duplicated key"));
    }
}
