package io.heartbeat.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;

import io.heartbeat.broker.ConnectDecisions.Decision;
import io.heartbeat.broker.ConnectDecisions.Device;
import io.heartbeat.broker.ConnectDecisions.Refused;
import io.heartbeat.broker.ConnectDecisions.Service;
import io.heartbeat.broker.ConnectDecisions.Will;
import io.heartbeat.contracts.DeviceJwtVerifier;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;

/** The broker's authentication rule, case by case, without a broker. */
class ConnectDecisionsTest {

    static final KeyPair KEYS = rsa();
    static final KeyPair OTHER_KEYS = rsa();
    static final Instant SINCE = Instant.parse("2026-11-01T10:00:00.123Z");
    static final String TOKEN = "token-of-socket-1";

    final DeviceAccessViews views = DeviceAccessViews.unfollowed((id, reason) -> {
    });
    final BrokerSettings settings = BrokerSettings.of(Map.of(
            "service-account.heartbeat-ingest.password", "ingest-secret",
            "service-account.heartbeat-command-service.password", DeviceTokens.hash("command-secret")));
    final ConnectDecisions decisions = new ConnectDecisions(settings, views, Optional.of(
            new DeviceJwtVerifier(KEYS.getPublic(), "heartbeat-registry", "heartbeat-devices", Duration.ofSeconds(30))));

    ConnectDecisionsTest() {
        views.apply("socket-1", view("socket-1", "acme", true, 1, SINCE));
        views.apply("socket-off", view("socket-off", "acme", false, 1, SINCE));
    }

    @Test
    void aDeviceWithItsTokenAndItsIdAsClientIdIsADevice() {
        assertThat(decide("socket-1", TOKEN, "socket-1", null)).isEqualTo(new Device("socket-1"));
    }

    @Test
    void missingWrongAndUnknownCredentialsAreBadCredentialsAlike() {
        assertThat(code(decide(null, null, "socket-1", null))).isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(code(decide("socket-1", "", "socket-1", null)))
                .isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        Refused wrong = (Refused) decide("socket-1", "wrong", "socket-1", null);
        Refused unknown = (Refused) decide("nobody", TOKEN, "nobody", null);
        assertThat(wrong.code()).isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        // an unauthenticated client learns nothing about which device ids exist
        assertThat(unknown).isEqualTo(wrong);
        assertThat(code(decide("socket-1", "x".repeat(ConnectDecisions.MAX_PASSWORD_CHARS + 1), "socket-1", null)))
                .isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void aDisabledDeviceIsNotAuthorizedButOnlyWithItsRightCredential() {
        views.apply("socket-off", view("socket-off", "acme", false, 2, SINCE));
        assertThat(code(decide("socket-off", TOKEN, "socket-off", null))).isEqualTo(ConnackReasonCode.NOT_AUTHORIZED);
        assertThat(code(decide("socket-off", "wrong", "socket-off", null)))
                .isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void aDeviceMustUseItsIdAsClientIdAndNoDeviceMayUseAServicePrefix() {
        assertThat(code(decide("socket-1", TOKEN, "socket-2", null)))
                .isEqualTo(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(code(decide("socket-1", TOKEN, "heartbeat-ingest-0", null)))
                .isEqualTo(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        views.apply("heartbeat-command-service-x", view("heartbeat-command-service-x", "acme", true, 1, SINCE));
        assertThat(code(decide("heartbeat-command-service-x", TOKEN, "heartbeat-command-service-x", null)))
                .isEqualTo(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
    }

    @Test
    void aWillOnlyOnTheDevicesOwnStatusTopicAndNotRetained() {
        assertThat(decide("socket-1", TOKEN, "socket-1", new Will("devices/socket-1/status", false)))
                .isEqualTo(new Device("socket-1"));
        assertThat(code(decide("socket-1", TOKEN, "socket-1", new Will("devices/socket-2/status", false))))
                .isEqualTo(ConnackReasonCode.NOT_AUTHORIZED);
        assertThat(code(decide("socket-1", TOKEN, "socket-1", new Will("devices/socket-1/status", true))))
                .isEqualTo(ConnackReasonCode.NOT_AUTHORIZED);
        assertThat(code(decide("socket-1", TOKEN, "socket-1", new Will("devices/socket-1/heartbeat", false))))
                .isEqualTo(ConnackReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void serviceAccountsNeedTheirPasswordPlainOrHashedAndTheirPrefix() {
        assertThat(decide("heartbeat-ingest", "ingest-secret", "heartbeat-ingest-0", null))
                .isEqualTo(new Service(ServiceAccount.INGEST));
        assertThat(decide("heartbeat-command-service", "command-secret", "heartbeat-command-service-out-1", null))
                .isEqualTo(new Service(ServiceAccount.COMMAND));
        assertThat(code(decide("heartbeat-ingest", "wrong", "heartbeat-ingest-0", null)))
                .isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(code(decide("heartbeat-ingest", "ingest-secret", "socket-1", null)))
                .isEqualTo(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        // an account without a configured password cannot connect at all
        assertThat(code(decide("heartbeat-status-monitor", "anything", "heartbeat-status-monitor-1", null)))
                .isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void untilTheViewsAreReadDevicesAndServicesAreToldToRetry() {
        DeviceAccessViews reading = new DeviceAccessViews(
                BrokerSettings.of(Map.of("kafka.bootstrap.servers", "127.0.0.1:1")), (id, reason) -> {
                });
        ConnectDecisions early = new ConnectDecisions(settings, reading, Optional.empty());
        assertThat(code(early.decide("socket-1", TOKEN, "socket-1", null)))
                .isEqualTo(ConnackReasonCode.SERVER_UNAVAILABLE);
        assertThat(code(early.decide("heartbeat-ingest", "ingest-secret", "heartbeat-ingest-0", null)))
                .isEqualTo(ConnackReasonCode.SERVER_UNAVAILABLE);
    }

    @Test
    void aDeviceJwtMustBeForThisDeviceTenantAndCurrentCredential() {
        Instant exp = Instant.now().plusSeconds(600);
        assertThat(decide("socket-1", jwt(KEYS, "socket-1", "acme", SINCE, exp), "socket-1", null))
                .isEqualTo(new Device("socket-1"));
        assertThat(code(decide("socket-1", jwt(KEYS, "socket-2", "acme", SINCE, exp), "socket-1", null)))
                .as("another device's JWT").isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(code(decide("socket-1", jwt(KEYS, "socket-1", "globex", SINCE, exp), "socket-1", null)))
                .as("another tenant").isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(code(decide("socket-1", jwt(KEYS, "socket-1", "acme", SINCE.minusMillis(1), exp), "socket-1",
                null))).as("an earlier credential").isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(code(decide("socket-1", jwt(KEYS, "socket-1", "acme", SINCE, Instant.now().minusSeconds(60)),
                "socket-1", null))).as("expired").isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(code(decide("socket-1", jwt(OTHER_KEYS, "socket-1", "acme", SINCE, exp), "socket-1", null)))
                .as("forged signature").isEqualTo(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void revocationsAreDeleteDisableRotationAndTenantChangeNotOtherEdits() {
        DeviceAccess held = DeviceAccess.of(view("d", "acme", true, 1, SINCE));
        assertThat(DeviceAccess.revocation(held, null)).contains("deleted");
        assertThat(DeviceAccess.revocation(held, DeviceAccess.of(view("d", "acme", false, 2, SINCE))))
                .contains("disabled");
        assertThat(DeviceAccess.revocation(held, DeviceAccess.of(view("d", "acme", true, 2, SINCE.plusSeconds(1)))))
                .contains("rotated");
        assertThat(DeviceAccess.revocation(held, DeviceAccess.of(view("d", "globex", true, 2, SINCE))))
                .contains("tenant");
        assertThat(DeviceAccess.revocation(held, DeviceAccess.of(view("d", "acme", true, 2, SINCE)))).isNull();
    }

    @Test
    void theViewKeepsTheNewestRevisionAndReportsRevocationsOnce() {
        java.util.List<String> revoked = new java.util.ArrayList<>();
        DeviceAccessViews v = DeviceAccessViews.unfollowed((id, reason) -> revoked.add(id + ": " + reason));
        v.apply("d", view("d", "acme", true, 3, SINCE));
        v.apply("d", view("d", "acme", false, 2, SINCE));
        assertThat(v.find("d")).get().extracting(DeviceAccess::enabled).isEqualTo(true);
        assertThat(revoked).isEmpty();
        v.apply("d", view("d", "acme", false, 4, SINCE));
        v.apply("d", null);
        v.apply("d", null);
        assertThat(revoked).containsExactly("d: the device was disabled", "d: the device was deleted");
        assertThat(v.find("d")).isEmpty();
    }

    private Decision decide(String user, String password, String clientId, Will will) {
        return decisions.decide(user, password, clientId, will);
    }

    private static ConnackReasonCode code(Decision d) {
        assertThat(d).isInstanceOf(Refused.class);
        return ((Refused) d).code();
    }

    static DeviceView view(String id, String tenant, boolean enabled, long revision, Instant since) {
        return new DeviceView(DeviceView.SCHEMA_VERSION, id, tenant, id, Protocol.MQTT, Map.of(), "default",
                Thresholds.DEFAULTS, enabled, false, null, Map.of(), DeviceTokens.hash(TOKEN), since, revision, since,
                since);
    }

    static String jwt(KeyPair keys, String deviceId, String tenant, Instant since, Instant exp) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer("heartbeat-registry");
        claims.setAudience("heartbeat-devices");
        claims.setSubject(deviceId);
        claims.setClaim("tenant", tenant);
        claims.setClaim("credentials_since", since.toEpochMilli());
        claims.setExpirationTime(NumericDate.fromSeconds(exp.getEpochSecond()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
