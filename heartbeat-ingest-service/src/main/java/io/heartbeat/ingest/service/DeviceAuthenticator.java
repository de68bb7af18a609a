package io.heartbeat.ingest.service;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.contracts.DeviceJwtVerifier;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.RejectReason;
import io.heartbeat.ingest.config.DeviceJwtConfig;
import io.quarkus.logging.Log;

/**
 * Finds the device a credential belongs to: a device API token (looked up by its hash in the directory) or a device
 * JWT the registry signed (three dot-separated parts; checked by the shared {@link DeviceJwtVerifier}: signature, issuer,
 * audience, expiry, and that it was issued for the device's current registration and credential).
 *
 * <p>
 * This is deliberately not a Quarkus security mechanism: device credentials are only ever checked here, for
 * heartbeats, and never become a user identity. The public key is read at startup, so a wrong location stops the
 * service at once.
 */
@ApplicationScoped
public class DeviceAuthenticator {

    /** Either the device or the refusal (UNAUTHENTICATED, INVALID_CREDENTIAL, EXPIRED_CREDENTIAL, UNKNOWN_DEVICE). */
    public record Authentication(DeviceView device, Refusal refusal) {

        static Authentication of(DeviceView device) {
            return new Authentication(device, null);
        }

        static Authentication refused(RejectReason reason, String detail) {
            return new Authentication(null, new Refusal(reason, detail));
        }

        public boolean authenticated() {
            return device != null;
        }
    }

    /**
     * The longest credential looked at. Device API tokens and the registry's JWTs are far shorter; a longer one is
     * refused without hashing or parsing it.
     */
    public static final int MAX_CREDENTIAL_LENGTH = 4096;

    private final DeviceDirectory directory;
    private final Optional<DeviceJwtVerifier> jwtVerifier;

    public DeviceAuthenticator(DeviceDirectory directory, DeviceJwtConfig config) {
        this.directory = directory;
        this.jwtVerifier = config.publicKeyLocation().map(location -> new DeviceJwtVerifier(
                DeviceJwtVerifier.readPublicKey(location), config.issuer(), config.audience(), config.clockSkew()));
        if (jwtVerifier.isEmpty()) {
            Log.warn("heartbeat.device-jwt.public-key-location is not set: device JWTs are refused, API tokens work");
        }
    }

    /** Whether the credential looks like a JWT (three dot-separated parts) rather than an API token. */
    public static boolean isJwt(String credential) {
        return DeviceJwtVerifier.looksLikeJwt(credential);
    }

    /**
     * The device an MQTT topic names, for a message that carries no credential of its own: the broker authenticated
     * the connection and its ACL lets a device publish only on its own topics, so the topic is the device's identity.
     */
    public Authentication vouchedByBroker(String deviceId) {
        return directory.find(deviceId)
                .map(Authentication::of)
                .orElseGet(() -> Authentication.refused(RejectReason.UNKNOWN_DEVICE,
                        "device " + deviceId + " is not registered"));
    }

    /**
     * @param credential the presented API token or JWT, null or blank when none was presented
     */
    public Authentication authenticate(String credential) {
        if (credential == null || credential.isBlank()) {
            return Authentication.refused(RejectReason.UNAUTHENTICATED,
                    "a device API token or device JWT is required");
        }
        if (credential.length() > MAX_CREDENTIAL_LENGTH) {
            return Authentication.refused(RejectReason.INVALID_CREDENTIAL, "the device credential is not valid");
        }
        String token = credential.strip();
        return isJwt(token) ? jwt(token) : apiToken(token);
    }

    private Authentication apiToken(String token) {
        String hash = DeviceTokens.hash(token);
        return directory.findByTokenHash(hash)
                .filter(view -> DeviceTokens.matches(token, view.tokenHash()))
                .map(Authentication::of)
                .orElseGet(() -> Authentication.refused(RejectReason.INVALID_CREDENTIAL,
                        "the device credential is not valid"));
    }

    private Authentication jwt(String token) {
        if (jwtVerifier.isEmpty()) {
            return Authentication.refused(RejectReason.INVALID_CREDENTIAL,
                    "device JWTs are not accepted by this service; use the device API token");
        }
        DeviceJwtVerifier.Result result = jwtVerifier.get().verify(token);
        if (result instanceof DeviceJwtVerifier.Invalid invalid) {
            return Authentication.refused(
                    invalid.expired() ? RejectReason.EXPIRED_CREDENTIAL : RejectReason.INVALID_CREDENTIAL,
                    invalid.detail());
        }
        DeviceJwtVerifier.Valid valid = (DeviceJwtVerifier.Valid) result;
        return directory.find(valid.deviceId())
                .map(view -> valid.issuedFor(view) ? Authentication.of(view)
                        : Authentication.refused(RejectReason.INVALID_CREDENTIAL,
                                "the device JWT was issued for an earlier credential or registration of this device; "
                                        + "request a new one"))
                .orElseGet(() -> Authentication.refused(RejectReason.UNKNOWN_DEVICE,
                        "the device of this JWT is not registered"));
    }
}
