package io.heartbeat.ingest.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.RejectReason;
import io.heartbeat.ingest.config.DeviceJwtConfig;
import io.quarkus.logging.Log;

/**
 * Finds the device a credential belongs to: a device API token (looked up by its hash in the directory) or a device
 * JWT the registry signed (three dot-separated parts; RS256, issuer, audience and expiry checked; subject = device id).
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

    private final DeviceDirectory directory;
    private final Optional<JwtConsumer> jwtConsumer;

    public DeviceAuthenticator(DeviceDirectory directory, DeviceJwtConfig config) {
        this.directory = directory;
        this.jwtConsumer = config.publicKeyLocation().map(location -> new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setExpectedIssuer(config.issuer())
                .setExpectedAudience(config.audience())
                .setAllowedClockSkewInSeconds((int) config.clockSkew().toSeconds())
                .setVerificationKey(readPublicKey(location))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256)
                .build());
        if (jwtConsumer.isEmpty()) {
            Log.warn("heartbeat.device-jwt.public-key-location is not set: device JWTs are refused, API tokens work");
        }
    }

    /** Whether the credential looks like a JWT (three dot-separated parts) rather than an API token. */
    public static boolean isJwt(String credential) {
        return credential.chars().filter(c -> c == '.').count() == 2;
    }

    /**
     * @param credential the presented API token or JWT, null or blank when none was presented
     */
    public Authentication authenticate(String credential) {
        if (credential == null || credential.isBlank()) {
            return Authentication.refused(RejectReason.UNAUTHENTICATED,
                    "a device API token or device JWT is required");
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
        if (jwtConsumer.isEmpty()) {
            return Authentication.refused(RejectReason.INVALID_CREDENTIAL,
                    "device JWTs are not accepted by this service; use the device API token");
        }
        JwtClaims claims;
        try {
            claims = jwtConsumer.get().processToClaims(token);
        } catch (InvalidJwtException e) {
            if (e.hasExpired()) {
                return Authentication.refused(RejectReason.EXPIRED_CREDENTIAL, "the device JWT has expired");
            }
            return Authentication.refused(RejectReason.INVALID_CREDENTIAL, "the device credential is not valid");
        }
        String deviceId;
        try {
            deviceId = claims.getSubject();
        } catch (MalformedClaimException e) {
            return Authentication.refused(RejectReason.INVALID_CREDENTIAL, "the device credential is not valid");
        }
        return directory.find(deviceId)
                .map(Authentication::of)
                .orElseGet(() -> Authentication.refused(RejectReason.UNKNOWN_DEVICE,
                        "the device of this JWT is not registered"));
    }

    private static PublicKey readPublicKey(String location) {
        Path file = Path.of(location.replaceFirst("^file:", ""));
        try {
            String body = Files.readString(file, StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the device JWT public key at " + location, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("not a PEM (X.509) RSA public key: " + location, e);
        }
    }
}
