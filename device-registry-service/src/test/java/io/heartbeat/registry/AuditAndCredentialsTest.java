package io.heartbeat.registry;

import static io.heartbeat.registry.RegistryTestSupport.as;
import static io.heartbeat.registry.RegistryTestSupport.config;
import static io.heartbeat.registry.RegistryTestSupport.create;
import static io.heartbeat.registry.RegistryTestSupport.mqttDevice;
import static io.heartbeat.registry.RegistryTestSupport.readDeviceTopic;
import static io.heartbeat.registry.RegistryTestSupport.tokens;
import static io.heartbeat.registry.RegistryTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceJwtVerifier;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.localstack.DevKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class AuditAndCredentialsTest {

    final String operator = tokens().operator("acme");

    @Test
    void everyChangeIsAuditedWithActorAndTenantButNeverTheToken() {
        String id = uniqueId("aud");
        String apiToken = create(operator, mqttDevice(id));
        as(operator).body(Map.of("name", "renamed")).patch("/api/v1/devices/" + id).then().statusCode(200);
        as(operator).post("/api/v1/devices/" + id + "/token").then().statusCode(200);
        as(operator).delete("/api/v1/devices/" + id).then().statusCode(204);

        Response page = as(tokens().viewer("acme")).queryParam("deviceId", id).get("/api/v1/audit");
        page.then().statusCode(200)
                .body("items", hasSize(4))
                .body("items.action", equalTo(List.of("DEVICE_DELETED", "DEVICE_TOKEN_ROTATED", "DEVICE_UPDATED",
                        "DEVICE_CREATED")))
                .body("items.actor", everyItem(equalTo("operator@acme")))
                .body("items.tenantId", everyItem(equalTo("acme")))
                .body("items[2].details.fields", equalTo(List.of("name")));
        assertThat(page.asString()).doesNotContain(apiToken);

        as(tokens().operator("globex")).queryParam("deviceId", id).get("/api/v1/audit").then()
                .body("items", hasSize(0));
        as(tokens().admin()).queryParam("deviceId", id).get("/api/v1/audit").then().body("items", hasSize(4));
    }

    @Test
    void anEmptyPatchChangesNothing() {
        String id = uniqueId("noop");
        create(operator, mqttDevice(id));
        as(operator).body("{}").patch("/api/v1/devices/" + id).then().statusCode(200).body("revision", equalTo(1));
        as(operator).body(Map.of("name", "Socket " + id)).patch("/api/v1/devices/" + id).then()
                .body("revision", equalTo(1));
        as(operator).queryParam("deviceId", id).get("/api/v1/audit").then().body("items", hasSize(1));
    }

    @Test
    void aDeviceRecreatedUnderTheSameIdContinuesAboveItsOldRevision() {
        String id = uniqueId("again");
        create(operator, mqttDevice(id));
        as(operator).body(Map.of("enabled", false)).patch("/api/v1/devices/" + id).then().body("revision",
                equalTo(2));
        as(operator).delete("/api/v1/devices/" + id).then().statusCode(204);
        as(operator).body(mqttDevice(id)).post("/api/v1/devices").then().statusCode(201).body("revision", equalTo(3));
    }

    @Test
    void theDeviceJwtIsSignedByTheDeviceKeyForThatDevice() throws Exception {
        String id = uniqueId("jwt");
        create(operator, mqttDevice(id));
        Instant before = Instant.now();
        String jwt = as(operator).body(Map.of("lifetimeSeconds", 3600)).post("/api/v1/devices/" + id + "/jwt")
                .then().statusCode(200)
                .body("deviceId", equalTo(id))
                .body("tokenType", equalTo("Bearer"))
                .extract().path("token");

        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKey(DevKeys.readPublic(Path.of(config("heartbeat.device-jwt.public-key-location"))))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256)
                .setExpectedIssuer("heartbeat-registry")
                .setExpectedAudience("heartbeat-devices")
                .setRequireExpirationTime()
                .build();
        JwtClaims claims = consumer.processToClaims(jwt);
        assertThat(claims.getSubject()).isEqualTo(id);
        assertThat(claims.getStringClaimValue("tenant")).isEqualTo("acme");
        long lifetime = claims.getExpirationTime().getValue() - before.getEpochSecond();
        assertThat(lifetime).isBetween(3590L, 3610L);

        // the user key does not verify it: device and user tokens cannot stand in for each other
        JwtConsumer userKey = new JwtConsumerBuilder()
                .setVerificationKey(DevKeys.readPublic(Path.of(config("mp.jwt.verify.publickey.location"))))
                .setSkipDefaultAudienceValidation().build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> userKey.processToClaims(jwt));
        as(jwt).get("/api/v1/devices").then().statusCode(401);
    }

    @Test
    void theDeviceJwtCarriesTheViewsCredentialsSinceWhichARotationOrAReRegistrationMovesOn() throws Exception {
        String id = uniqueId("since");
        create(operator, mqttDevice(id));
        String firstJwt = issueJwt(operator, id);
        DeviceView created = view(readDeviceTopic(id, r -> r.size() >= 1, Duration.ofSeconds(30)).get(0));
        assertThat(created.credentialsSince()).isEqualTo(created.createdAt());
        assertThat(claims(firstJwt).getClaimValue(DeviceJwtVerifier.CREDENTIALS_SINCE_CLAIM, Long.class))
                .isEqualTo(created.credentialsSince().toEpochMilli());
        DeviceJwtVerifier verifier = new DeviceJwtVerifier(
                DeviceJwtVerifier.readPublicKey(config("heartbeat.device-jwt.public-key-location")),
                "heartbeat-registry", "heartbeat-devices", Duration.ofSeconds(30));
        assertThat(valid(verifier, firstJwt).issuedFor(created)).isTrue();

        // a rotation moves credentialsSince on: the JWT issued before no longer fits, one issued after does
        as(operator).post("/api/v1/devices/" + id + "/token").then().statusCode(200);
        DeviceView rotated = view(readDeviceTopic(id, r -> r.size() >= 2, Duration.ofSeconds(30)).get(1));
        assertThat(rotated.revision()).isEqualTo(created.revision() + 1);
        assertThat(rotated.credentialsSince()).isAfter(created.credentialsSince());
        assertThat(rotated.createdAt()).isEqualTo(created.createdAt());
        assertThat(valid(verifier, firstJwt).issuedFor(rotated)).isFalse();
        String rotatedJwt = issueJwt(operator, id);
        assertThat(claims(rotatedJwt).getClaimValue(DeviceJwtVerifier.CREDENTIALS_SINCE_CLAIM, Long.class))
                .isEqualTo(rotated.credentialsSince().toEpochMilli());
        assertThat(valid(verifier, rotatedJwt).issuedFor(rotated)).isTrue();

        // deleted and registered again by another tenant: a new device, none of the old one's JWTs fit
        as(operator).delete("/api/v1/devices/" + id).then().statusCode(204);
        String globex = tokens().operator("globex");
        create(globex, mqttDevice(id));
        DeviceView again = view(readDeviceTopic(id, r -> r.size() >= 4, Duration.ofSeconds(30)).get(3));
        assertThat(again.tenantId()).isEqualTo("globex");
        assertThat(again.credentialsSince()).isAfter(rotated.credentialsSince());
        assertThat(valid(verifier, rotatedJwt).issuedFor(again)).isFalse();
        assertThat(valid(verifier, issueJwt(globex, id)).issuedFor(again)).isTrue();
    }

    private static String issueJwt(String user, String deviceId) {
        return as(user).post("/api/v1/devices/" + deviceId + "/jwt").then().statusCode(200).extract().path("token");
    }

    private static DeviceView view(ConsumerRecord<String, String> record) {
        return EventJson.read(record.value(), DeviceView.class);
    }

    private static JwtClaims claims(String jwt) throws Exception {
        return new JwtConsumerBuilder()
                .setVerificationKey(DevKeys.readPublic(Path.of(config("heartbeat.device-jwt.public-key-location"))))
                .setExpectedIssuer("heartbeat-registry")
                .setExpectedAudience("heartbeat-devices")
                .build().processToClaims(jwt);
    }

    private static DeviceJwtVerifier.Valid valid(DeviceJwtVerifier verifier, String jwt) {
        DeviceJwtVerifier.Result result = verifier.verify(jwt);
        assertThat(result).isInstanceOf(DeviceJwtVerifier.Valid.class);
        return (DeviceJwtVerifier.Valid) result;
    }

    @Test
    void aDeviceJwtLifetimeOverTheMaximumOrForADisabledDeviceIsRefused() {
        String id = uniqueId("jwt");
        create(operator, Map.of("id", id, "name", "x", "protocol", "MQTT", "enabled", false));
        as(operator).body(Map.of("lifetimeSeconds", 100 * 24 * 3600)).post("/api/v1/devices/" + id + "/jwt").then()
                .statusCode(422).body("errors[0].field", equalTo("lifetimeSeconds"));
        as(operator).post("/api/v1/devices/" + id + "/jwt").then().statusCode(409)
                .body("type", equalTo("/problems/device-disabled"))
                .body("detail", not(containsString("Exception")));
    }
}
