package io.heartbeat.registry.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.contracts.DeviceJwtVerifier;
import io.heartbeat.registry.config.DeviceJwtConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/**
 * Signs device JWTs (RS256, subject = device id, {@code tenant} and {@value DeviceJwtVerifier#CREDENTIALS_SINCE_CLAIM}
 * claims) with the registry's device key, loaded at startup so a wrong key location stops the service at once instead
 * of failing its first request. Ingest and the broker accept a JWT only while its
 * {@value DeviceJwtVerifier#CREDENTIALS_SINCE_CLAIM} equals the device view's credentials epoch
 * ({@link DeviceJwtVerifier}), so a token rotation or a re-registration revokes the JWTs issued before it.
 */
@Startup
@ApplicationScoped
public class DeviceJwtIssuer {

    public record IssuedJwt(String token, Instant expiresAt) {
    }

    private final DeviceJwtConfig config;
    private final Optional<PrivateKey> key;

    public DeviceJwtIssuer(DeviceJwtConfig config) {
        this.config = config;
        this.key = config.privateKeyLocation().map(DeviceJwtIssuer::load);
        if (key.isEmpty()) {
            Log.warn("heartbeat.device-jwt.private-key-location is not set: issuing device JWTs is disabled");
        }
    }

    /** The lifetime to use: the requested one, or the default; at most the configured maximum. */
    public Duration lifetime(Duration requested) {
        if (requested == null) {
            return config.defaultLifetime();
        }
        if (requested.isNegative() || requested.isZero() || requested.compareTo(config.maxLifetime()) > 0) {
            throw new DomainException.Invalid("lifetimeSeconds",
                    "must be from 1 to " + config.maxLifetime().toSeconds() + " seconds");
        }
        return requested;
    }

    public IssuedJwt issue(String deviceId, String tenantId, long revision, Instant credentialsSince,
            Duration lifetime) {
        PrivateKey signingKey = key.orElseThrow(() -> new DomainException.Unavailable(
                "device JWTs are not enabled on this registry (no signing key configured)"));
        Instant now = Instant.now();
        Instant expiresAt = now.plus(lifetime);
        String token = Jwt.issuer(config.issuer())
                .subject(deviceId)
                .audience(config.audience())
                .claim("tenant", tenantId)
                .claim("device_revision", revision)
                .claim(DeviceJwtVerifier.CREDENTIALS_SINCE_CLAIM, credentialsSince.toEpochMilli())
                .issuedAt(now)
                .expiresAt(expiresAt)
                .jws().keyId("device-signing-key").sign(signingKey);
        return new IssuedJwt(token, expiresAt);
    }

    private static PrivateKey load(String location) {
        try {
            return KeyUtils.decodePrivateKey(Files.readString(Path.of(location.replaceFirst("^file:", ""))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the device JWT signing key at " + location, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not a PKCS#8 PEM private key: " + location, e);
        }
    }
}
