package io.heartbeat.registry.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Device JWTs (RS256) the registry issues for devices that authenticate with a JWT, as in seed 001. The ingest service
 * verifies them with the matching public key, issuer and audience (the same {@code heartbeat.device-jwt.*} keys).
 */
@ConfigMapping(prefix = "heartbeat.device-jwt")
public interface DeviceJwtConfig {

    /** PEM (PKCS#8) private key that signs device JWTs; without it the JWT endpoint answers 503. */
    Optional<String> privateKeyLocation();

    /** PEM public key matching the private key; services that verify device JWTs read it (not the registry). */
    Optional<String> publicKeyLocation();

    /** The {@code iss} claim of device JWTs. */
    @WithDefault("heartbeat-registry")
    String issuer();

    /** The {@code aud} claim of device JWTs. */
    @WithDefault("heartbeat-devices")
    String audience();

    /** Lifetime of a device JWT when the request names none. */
    @WithDefault("PT24H")
    Duration defaultLifetime();

    /** Longest lifetime a request may ask for. */
    @WithDefault("P30D")
    Duration maxLifetime();
}
