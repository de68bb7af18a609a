package io.heartbeat.ingest.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Device JWTs as the registry issues them (RS256, subject = device id). Ingest verifies them with the registry's public
 * key; the keys are the registry's {@code heartbeat.device-jwt.*} ones, so one setting serves both services.
 */
@ConfigMapping(prefix = "heartbeat.device-jwt")
public interface DeviceJwtConfig {

    /** PEM public key matching the registry's signing key; without it device JWTs are refused (API tokens still work). */
    Optional<String> publicKeyLocation();

    /** The registry's signing key: not used by ingest, mapped only because shared configuration may name it. */
    Optional<String> privateKeyLocation();

    /** The required {@code iss} claim. */
    @WithDefault("heartbeat-registry")
    String issuer();

    /** The required {@code aud} claim. */
    @WithDefault("heartbeat-devices")
    String audience();

    /** Clock difference tolerated when checking {@code exp}, {@code iat} and {@code nbf}. */
    @WithDefault("PT30S")
    Duration clockSkew();

    /** The registry's default lifetime: not used by ingest, mapped only because shared configuration may name it. */
    Optional<Duration> defaultLifetime();

    /** The registry's longest lifetime: not used by ingest, mapped only because shared configuration may name it. */
    Optional<Duration> maxLifetime();
}
