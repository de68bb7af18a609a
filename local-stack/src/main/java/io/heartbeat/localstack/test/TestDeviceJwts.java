package io.heartbeat.localstack.test;

import java.security.PrivateKey;
import java.time.Instant;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import io.heartbeat.contracts.DeviceJwtVerifier;

/**
 * Device JWTs shaped as the registry issues them (RS256, {@code sub}, {@code tenant}, {@code credentials_since}), for
 * tests that play the registry: signed with the test stack's device key, or any key to forge one.
 */
public final class TestDeviceJwts {

    public static final String ISSUER = "heartbeat-registry";
    public static final String AUDIENCE = "heartbeat-devices";

    private TestDeviceJwts() {
    }

    /**
     * @param credentialsSince the device view's {@code credentialsEpoch()} the JWT is issued under
     */
    public static String sign(PrivateKey key, String deviceId, String tenant, Instant credentialsSince,
            Instant expiresAt) {
        return sign(key, deviceId, tenant, credentialsSince, expiresAt, ISSUER, AUDIENCE);
    }

    public static String sign(PrivateKey key, String deviceId, String tenant, Instant credentialsSince,
            Instant expiresAt, String issuer, String audience) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(deviceId);
        claims.setAudience(audience);
        claims.setClaim(DeviceJwtVerifier.TENANT_CLAIM, tenant);
        if (credentialsSince != null) {
            claims.setClaim(DeviceJwtVerifier.CREDENTIALS_SINCE_CLAIM, credentialsSince.toEpochMilli());
        }
        claims.setIssuedAt(NumericDate.fromSeconds(Instant.now().getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(expiresAt.getEpochSecond()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
