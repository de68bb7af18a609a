package io.heartbeat.registry;

import static io.heartbeat.registry.RegistryTestSupport.as;
import static io.heartbeat.registry.RegistryTestSupport.config;
import static io.heartbeat.registry.RegistryTestSupport.create;
import static io.heartbeat.registry.RegistryTestSupport.mqttDevice;
import static io.heartbeat.registry.RegistryTestSupport.tokens;
import static io.heartbeat.registry.RegistryTestSupport.uniqueId;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.DevTokens;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Who may do what: no token, bad tokens, each role, and tenants that must not see each other. */
@QuarkusTest
class AuthTest {

    final DevTokens tokens = tokens();

    @Test
    void noTokenIsA401ProblemWithAChallenge() {
        given().get("/api/v1/devices").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/unauthenticated"));
        given().contentType("application/json").body(mqttDevice("x-1")).post("/api/v1/devices").then()
                .statusCode(401);
        given().get("/api/v1/profiles").then().statusCode(401);
        given().get("/api/v1/audit").then().statusCode(401);
    }

    @Test
    void aTokenSignedByAnotherKeyIsA401() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String forged = new DevTokens(generator.generateKeyPair().getPrivate()).admin();
        as(forged).get("/api/v1/devices").then().statusCode(401).body("type", equalTo("/problems/unauthenticated"));
    }

    @Test
    void anExpiredTokenIsA401() {
        String expired = tokens.expired("op@acme", "acme", List.of("operator"), Duration.ofMinutes(10));
        as(expired).get("/api/v1/devices").then().statusCode(401);
    }

    @Test
    void aTokenFromAnotherIssuerIsA401() {
        String other = new DevTokens(DevKeys.readPrivate(Path.of(config(LocalStackTestResource.USER_KEY_PROPERTY))),
                "https://someone-else.example").operator("acme");
        as(other).get("/api/v1/devices").then().statusCode(401);
    }

    @Test
    void aTokenOfTheRightIssuerForAnotherAudienceIsA401() {
        DevTokens otherAudience = new DevTokens(
                DevKeys.readPrivate(Path.of(config(LocalStackTestResource.USER_KEY_PROPERTY))), DevTokens.ISSUER,
                "another-application");
        as(otherAudience.operator("acme")).get("/api/v1/devices").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/unauthenticated"));
        // the same user with the platform's audience is let in
        as(tokens.operator("acme")).get("/api/v1/devices").then().statusCode(200);
    }

    @Test
    void garbageIsA401() {
        as("not.a.jwt").get("/api/v1/devices").then().statusCode(401);
    }

    @Test
    void viewersReadButCannotChange() {
        String id = uniqueId("ro");
        create(tokens.operator("acme"), mqttDevice(id));
        String viewer = tokens.viewer("acme");
        as(viewer).get("/api/v1/devices/" + id).then().statusCode(200);
        as(viewer).get("/api/v1/profiles").then().statusCode(200);
        as(viewer).body(mqttDevice(uniqueId("ro"))).post("/api/v1/devices").then().statusCode(403)
                .contentType("application/problem+json").body("type", equalTo("/problems/forbidden"));
        as(viewer).body(Map.of("name", "x")).patch("/api/v1/devices/" + id).then().statusCode(403);
        as(viewer).delete("/api/v1/devices/" + id).then().statusCode(403);
        as(viewer).post("/api/v1/devices/" + id + "/token").then().statusCode(403);
    }

    @Test
    void operatorsCannotManageProfiles() {
        as(tokens.operator("acme")).body(Map.of("id", "op-profile", "name", "x")).post("/api/v1/profiles").then()
                .statusCode(403);
        as(tokens.operator("acme")).body(Map.of("name", "x")).patch("/api/v1/profiles/default").then()
                .statusCode(403);
    }

    @Test
    void anotherTenantsDeviceIsNotFoundForEveryVerb() {
        String id = uniqueId("secret");
        create(tokens.operator("acme"), mqttDevice(id));
        String globex = tokens.operator("globex");
        as(globex).get("/api/v1/devices/" + id).then().statusCode(404).body("type", equalTo("/problems/not-found"));
        as(globex).body(Map.of("name", "mine now")).patch("/api/v1/devices/" + id).then().statusCode(404);
        as(globex).delete("/api/v1/devices/" + id).then().statusCode(404);
        as(globex).post("/api/v1/devices/" + id + "/token").then().statusCode(404);
        as(globex).post("/api/v1/devices/" + id + "/jwt").then().statusCode(404);
        as(globex).queryParam("q", id).get("/api/v1/devices").then().body("totalItems", equalTo(0));
        as(tokens.operator("acme")).get("/api/v1/devices/" + id).then().statusCode(200)
                .body("name", not(equalTo("mine now")));
    }

    @Test
    void operatorsCannotCreateInAnotherTenantNorFilterIntoOne() {
        as(tokens.operator("acme")).body(Map.of("id", uniqueId("x"), "name", "x", "protocol", "MQTT",
                "tenantId", "globex")).post("/api/v1/devices").then().statusCode(403);
        create(tokens.operator("globex"), mqttDevice(uniqueId("g")));
        as(tokens.operator("acme")).queryParam("tenantId", "globex").get("/api/v1/devices").then().statusCode(200)
                .body("items.tenantId", everyItem(equalTo("acme")));
    }

    @Test
    void adminsSeeAndManageEveryTenant() {
        String id = uniqueId("adm");
        create(tokens.operator("initech"), mqttDevice(id));
        String admin = tokens.admin();
        as(admin).get("/api/v1/devices/" + id).then().statusCode(200).body("tenantId", equalTo("initech"));
        as(admin).queryParam("tenantId", "initech").get("/api/v1/devices").then()
                .body("items.id", hasItem(id)).body("items.tenantId", everyItem(equalTo("initech")));
        String other = uniqueId("adm");
        as(admin).body(Map.of("id", other, "name", "x", "protocol", "HTTP", "tenantId", "initech"))
                .post("/api/v1/devices").then().statusCode(201).body("tenantId", equalTo("initech"));
    }

    @Test
    void aUserTokenWithoutATenantIsForbidden() {
        String noTenant = tokens.issue("drifter", null, List.of("operator"), Duration.ofMinutes(5));
        as(noTenant).get("/api/v1/devices").then().statusCode(403).body("detail", equalTo(
                "the token carries no 'tenant' claim"));
    }

    @Test
    void aTokenWithoutAKnownGroupIsForbidden() {
        String nobody = tokens.issue("nobody", "acme", List.of("guest"), Duration.ofMinutes(5));
        as(nobody).get("/api/v1/devices").then().statusCode(403);
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }
}
