package io.heartbeat.command;

import static io.heartbeat.command.CommandTestSupport.operator;
import static io.heartbeat.command.CommandTestSupport.tokens;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** Issue 11: hostile numbers, parameters and JSON get a problem, never a 500 or a 404. */
@QuarkusTest
class HostileInputTest {

    static final String HUGE = "PT9999999999999999S";

    @Test
    void anAckTimeoutBeyondLongMillisIs422WithTheAllowedRange() {
        operator().body("{\"deviceId\":\"d-1\",\"name\":\"ping\",\"ackTimeout\":\"" + HUGE + "\"}")
                .post("/api/v1/commands").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("ackTimeout"))
                .body("errors.message", hasItem("must be at least PT0.1S and at most PT10M"));
        operator().body("{\"deviceId\":\"d-1\",\"cron\":\"0 * * * *\",\"command\":{\"name\":\"ping\","
                + "\"ackTimeout\":\"" + HUGE + "\"}}")
                .post("/api/v1/schedules").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("command.ackTimeout"));
    }

    @Test
    void aParameterOfTheWrongTypeIs400NamingIt() {
        for (String path : new String[] { "/api/v1/commands", "/api/v1/schedules" }) {
            operator().get(path + "?page=x").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("/problems/bad-request"))
                    .body("detail", containsString("query parameter 'page' must be an integer"));
        }
    }

    @Test
    void nulInAPathIdOrQueryValueAndDuplicatedKeysAre400() {
        RestAssured.given().urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + tokens().operator("acme"))
                .get("/api/v1/commands/c%00d").then().statusCode(400)
                .contentType("application/problem+json").body("status", equalTo(400));
        RestAssured.given().urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + tokens().operator("acme"))
                .get("/api/v1/commands?deviceId=%00").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("'deviceId' contains a NUL"));
        operator().body("{\"deviceId\":\"d-1\",\"name\":\"ping\",\"name\":\"reboot\"}")
                .post("/api/v1/commands").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("at 'name': is a duplicated key"));
        operator().body("{\"deviceId\":\"d-1\",\"name\":\"ping\",\"payload\":{\"k\":\"\\u0000\"}}")
                .post("/api/v1/commands").then().statusCode(400)
                .body("detail", containsString("at 'payload.k': contains a NUL"));
    }
}
