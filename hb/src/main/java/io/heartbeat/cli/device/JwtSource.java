package io.heartbeat.cli.device;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.cli.config.Service;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.Json;

/**
 * A device JWT from the registry ({@code POST /api/v1/devices/{id}/jwt}, with the operator's token), renewed when a
 * fifth of its lifetime is left, so a heartbeat never carries, and a connect never presents, an expired one.
 */
public final class JwtSource {

    private final Api api;
    private final String deviceId;
    private final Duration lifetime;
    private final Log log;
    private String token;
    private Instant renewAt = Instant.MIN;

    public JwtSource(Api api, String deviceId, Duration lifetime, Log log) {
        this.api = api;
        this.deviceId = deviceId;
        this.lifetime = lifetime;
        this.log = log;
    }

    /** The current JWT, renewed first if it is due. */
    public synchronized String current() {
        if (token == null || !Instant.now().isBefore(renewAt)) {
            renew();
        }
        return token;
    }

    /** A new JWT now (after a 401, or a reconnect). */
    public synchronized void renew() {
        JsonNode jwt = api.post(Service.REGISTRY, "/api/v1/devices/" + Api.seg(deviceId) + "/jwt",
                Json.object().put("lifetimeSeconds", lifetime.toSeconds()));
        token = jwt.path("token").asText();
        Instant expires = Instant.parse(jwt.path("expiresAt").asText());
        Duration left = Duration.between(Instant.now(), expires);
        renewAt = Instant.now().plus(left.minus(left.dividedBy(5)));
        log.info("Device JWT issued", "device", deviceId, "expires_at", expires, "renew_at", renewAt);
    }
}
