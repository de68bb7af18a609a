package io.heartbeat.contracts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * Checks device JWTs the registry signed (RS256; issuer, audience, expiry; subject = device id; {@code tenant} and
 * {@value #CREDENTIALS_SINCE_CLAIM} claims), the one rule ingest (HTTP and MQTT bodies) and the MQTT broker's
 * extension (CONNECT passwords) share.
 *
 * <p>
 * A valid signature is not enough: the JWT must also have been issued for the device instance and credential the
 * current {@link DeviceView} describes ({@link Valid#issuedFor(DeviceView)}). The tenant must match (an id deleted and
 * registered again by another tenant does not inherit the old device's JWTs) and {@value #CREDENTIALS_SINCE_CLAIM} must
 * equal the view's {@link DeviceView#credentialsEpoch()} in milliseconds, so a token rotation or a re-registration
 * revokes every JWT issued before it, exactly, with no clock-skew window.
 */
public final class DeviceJwtVerifier {

    /** The claim with the device's {@link DeviceView#credentialsEpoch()} (epoch milliseconds) at issue time. */
    public static final String CREDENTIALS_SINCE_CLAIM = "credentials_since";
    /** The claim with the device's tenant. */
    public static final String TENANT_CLAIM = "tenant";

    /** The outcome of {@link #verify(String)}. */
    public sealed interface Result permits Valid, Invalid {
    }

    /**
     * A JWT with a valid signature, issuer, audience and expiry.
     *
     * @param deviceId the subject
     * @param tenantId the {@code tenant} claim, null when missing
     * @param credentialsSince the {@value #CREDENTIALS_SINCE_CLAIM} claim (epoch ms), null when missing
     */
    public record Valid(String deviceId, String tenantId, Long credentialsSince) implements Result {

        /** Whether this JWT was issued for the device instance and the credential {@code view} describes. */
        public boolean issuedFor(DeviceView view) {
            return issuedFor(view.tenantId(), view.credentialsEpoch());
        }

        /** {@link #issuedFor(DeviceView)} for a consumer that keeps only these two fields of the view. */
        public boolean issuedFor(String viewTenantId, Instant viewCredentialsEpoch) {
            return tenantId != null && tenantId.equals(viewTenantId) && credentialsSince != null
                    && viewCredentialsEpoch != null && credentialsSince == viewCredentialsEpoch.toEpochMilli();
        }
    }

    /**
     * A JWT that is not accepted.
     *
     * @param expired whether the only problem is its expiry
     * @param detail why, safe to show the device
     */
    public record Invalid(boolean expired, String detail) implements Result {
    }

    private final JwtConsumer consumer;

    /**
     * @param publicKey the registry's device public key
     * @param issuer the expected {@code iss}
     * @param audience the expected {@code aud}
     * @param clockSkew tolerated difference of clocks for {@code exp}
     */
    public DeviceJwtVerifier(PublicKey publicKey, String issuer, String audience, Duration clockSkew) {
        this.consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setExpectedIssuer(issuer)
                .setExpectedAudience(audience)
                .setAllowedClockSkewInSeconds((int) clockSkew.toSeconds())
                .setVerificationKey(publicKey)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256)
                .build();
    }

    /** Whether a credential looks like a JWT (exactly three dot-separated parts) rather than an API token. */
    public static boolean looksLikeJwt(String credential) {
        int dots = 0;
        for (int i = 0; i < credential.length(); i++) {
            if (credential.charAt(i) == '.') {
                dots++;
            }
        }
        return dots == 2;
    }

    public Result verify(String token) {
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            return e.hasExpired() ? new Invalid(true, "the device JWT has expired")
                    : new Invalid(false, "the device credential is not valid");
        }
        try {
            Object tenant = claims.getClaimValue(TENANT_CLAIM);
            Object since = claims.getClaimValue(CREDENTIALS_SINCE_CLAIM);
            return new Valid(claims.getSubject(), tenant instanceof String t ? t : null,
                    since instanceof Number n ? n.longValue() : null);
        } catch (MalformedClaimException e) {
            return new Invalid(false, "the device credential is not valid");
        }
    }

    /** Reads a PEM (X.509 SubjectPublicKeyInfo) RSA public key, e.g. the registry's {@code devices-public.pem}. */
    public static PublicKey readPublicKey(String location) {
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
