package io.heartbeat.broker;

import java.util.Optional;

import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;

import io.heartbeat.contracts.DeviceJwtVerifier;
import io.heartbeat.contracts.DeviceTokens;

/**
 * Who a CONNECT is, or why it is refused: the whole authentication rule of the broker, free of the broker's runtime.
 *
 * <ul>
 * <li>A service account: user name = account name, its password, a client id with the account's prefix.</li>
 * <li>A device: user name = device id, password = its API token or a device JWT issued for its current registration
 * and credential ({@link DeviceJwtVerifier}), client id = device id (so no client can take over another's session),
 * enabled, and a last will, if any, only on its own {@code devices/{id}/status}, not retained.</li>
 * </ul>
 *
 * Refusals say why with the MQTT reason code a client can act on: {@code BAD_USER_NAME_OR_PASSWORD} for missing or
 * wrong credentials and for unknown or deleted devices (an unauthenticated client learns nothing about which ids
 * exist), {@code NOT_AUTHORIZED} for a disabled device or a will on a foreign topic, {@code CLIENT_IDENTIFIER_NOT_VALID}
 * for a client id that is not the device's (or is a service's), and {@code SERVER_UNAVAILABLE} while the broker has not
 * yet read the registry's views, so devices retry instead of taking their credential for revoked. Services get that
 * answer too until then: a broker that cannot admit devices yet is not up, and ingest, once its subscriptions are
 * drained, tells the monitor that it has heard everything devices sent; were it connected before the devices could
 * be, they would time out while the broker still refused them.
 */
final class ConnectDecisions {

    /** Longer passwords are refused unread (a device JWT is well under 2 KB). */
    static final int MAX_PASSWORD_CHARS = 4096;

    sealed interface Decision permits Device, Service, Refused {
    }

    record Device(String deviceId) implements Decision {
    }

    record Service(ServiceAccount account) implements Decision {
    }

    record Refused(ConnackReasonCode code, String reason) implements Decision {
    }

    /** A last will as CONNECT declares it. */
    record Will(String topic, boolean retained) {
    }

    private final BrokerSettings settings;
    private final DeviceAccessViews views;
    private final Optional<DeviceJwtVerifier> jwtVerifier;

    ConnectDecisions(BrokerSettings settings, DeviceAccessViews views, Optional<DeviceJwtVerifier> jwtVerifier) {
        this.settings = settings;
        this.views = views;
        this.jwtVerifier = jwtVerifier;
    }

    Decision decide(String username, String password, String clientId, Will will) {
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            return new Refused(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    "a user name (the device id) and a password (its API token or a device JWT) are required");
        }
        if (password.length() > MAX_PASSWORD_CHARS) {
            return new Refused(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "the password is too long");
        }
        if (!views.caughtUp()) {
            // services too: ingest must not take itself for caught up while devices cannot yet reconnect
            return new Refused(ConnackReasonCode.SERVER_UNAVAILABLE,
                    "the broker is still reading the device registry; retry shortly");
        }
        Optional<ServiceAccount> account = ServiceAccount.named(username);
        if (account.isPresent()) {
            return service(account.get(), password, clientId, will);
        }
        Optional<ServiceAccount> reserved = ServiceAccount.reserving(clientId);
        if (reserved.isPresent()) {
            return new Refused(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "client ids starting with " + reserved.get().username() + " are reserved for the platform");
        }
        Optional<DeviceAccess> found = views.find(username);
        if (found.isEmpty()) {
            return badCredentials();
        }
        DeviceAccess device = found.get();
        Refused credential = checkCredential(username, password, device);
        if (credential != null) {
            return credential;
        }
        if (!device.enabled()) {
            return new Refused(ConnackReasonCode.NOT_AUTHORIZED, "device " + username + " is disabled");
        }
        if (!username.equals(clientId)) {
            return new Refused(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "a device connects with its device id as client id");
        }
        if (will != null && (will.retained() || !will.topic().equals(TopicRule.willTopic(username)))) {
            return new Refused(ConnackReasonCode.NOT_AUTHORIZED,
                    "a device's last will may only go to " + TopicRule.willTopic(username) + ", not retained");
        }
        return new Device(username);
    }

    private Decision service(ServiceAccount account, String password, String clientId, Will will) {
        if (!settings.passwordMatches(account, password)) {
            return badCredentials();
        }
        if (!clientId.startsWith(account.username())) {
            return new Refused(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                    "service account " + account.username() + " connects with client ids starting with its name");
        }
        if (will != null) {
            return new Refused(ConnackReasonCode.NOT_AUTHORIZED, "service accounts do not set a last will");
        }
        return new Service(account);
    }

    /** Null when the password is the device's current API token or a JWT issued for it; else the refusal. */
    private Refused checkCredential(String deviceId, String password, DeviceAccess device) {
        if (!DeviceJwtVerifier.looksLikeJwt(password)) {
            return DeviceTokens.matches(password, device.tokenHash()) ? null : badCredentials();
        }
        if (jwtVerifier.isEmpty()) {
            return new Refused(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    "device JWTs are not accepted by this broker; use the device API token");
        }
        DeviceJwtVerifier.Result result = jwtVerifier.get().verify(password);
        if (result instanceof DeviceJwtVerifier.Invalid invalid) {
            return new Refused(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, invalid.detail());
        }
        DeviceJwtVerifier.Valid valid = (DeviceJwtVerifier.Valid) result;
        if (!deviceId.equals(valid.deviceId()) || !valid.issuedFor(device.tenantId(), device.credentialsEpoch())) {
            return new Refused(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    "the device JWT was not issued for this device's current credential");
        }
        return null;
    }

    private static Refused badCredentials() {
        return new Refused(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "unknown device or wrong credential");
    }
}
