package io.heartbeat.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * The full current view of one device, the value on the compacted {@link Topics#REGISTRY_DEVICES} topic (key: device
 * id). Produced by the device registry on every change; consumed by ingest (authentication, rate limits), the status
 * monitor (thresholds) and the command service (remote control flag).
 *
 * <p>
 * A record with the device id as key and a {@code null} value (tombstone) means the device was deleted. Consumers
 * ignore a view whose {@link #revision()} is lower than or equal to the one they already hold.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param deviceId the device id (also the record key)
 * @param tenantId the owning tenant
 * @param name human-readable name
 * @param protocol the protocol the device is registered for
 * @param protocolConfig protocol-specific settings (free-form)
 * @param profileId the device profile the thresholds come from
 * @param thresholds effective thresholds: the profile's values merged with per-device overrides
 * @param enabled {@code false}: ingest rejects the device's heartbeats with {@link RejectReason#DEVICE_DISABLED}
 * @param remoteControlEnabled whether commands may be sent to the device
 * @param firmwareVersion last known firmware version, nullable
 * @param metadata free-form operator metadata (location, model, ...)
 * @param tokenHash hash of the device API token, {@code sha256:<64 lowercase hex>}, see {@link DeviceTokens#hash(String)}
 * @param credentialsSince when the device's current credential was issued: its registration or its last token
 *        rotation. A device JWT carries the value it was issued under ({@link DeviceJwtVerifier}); one issued under
 *        an earlier credential, or for an earlier device of the same id, is refused. {@code null} in views written
 *        before the field existed: {@link #credentialsEpoch()} then falls back to {@code createdAt}.
 * @param revision strictly increasing per device
 * @param createdAt when the device was registered
 * @param updatedAt when this revision was written
 */
public record DeviceView(
        int schemaVersion,
        String deviceId,
        String tenantId,
        String name,
        Protocol protocol,
        Map<String, Object> protocolConfig,
        String profileId,
        Thresholds thresholds,
        boolean enabled,
        boolean remoteControlEnabled,
        String firmwareVersion,
        Map<String, Object> metadata,
        String tokenHash,
        Instant credentialsSince,
        long revision,
        Instant createdAt,
        Instant updatedAt) {

    public static final int SCHEMA_VERSION = 1;

    /**
     * {@code createdAt} identifies the registration (the device instance) wherever a view, a status or a command is
     * tied to it, and it goes through Postgres (microseconds) in every service: it is held at that precision, so
     * every copy of it compares equal.
     */
    public DeviceView {
        createdAt = micros(createdAt);
    }

    /** {@code t} at the microsecond precision instants are stored with. */
    public static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    /**
     * The view as a consumer keeps it in memory: without its free-form parts (name, firmware version, metadata) and
     * with only the named keys of {@code protocolConfig}. Every consumer that follows {@link Topics#REGISTRY_DEVICES}
     * keeps every device, so what it keeps per device is what the fleet costs it; each keeps only what it reads.
     */
    public DeviceView slim(String... protocolConfigKeys) {
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        if (protocolConfig != null) {
            for (String key : protocolConfigKeys) {
                Object value = protocolConfig.get(key);
                if (value != null) {
                    config.put(key, value);
                }
            }
        }
        return new DeviceView(schemaVersion, deviceId, tenantId, "", protocol, Map.copyOf(config), profileId,
                thresholds, enabled, remoteControlEnabled, null, Map.of(), tokenHash, credentialsSince, revision,
                createdAt, updatedAt);
    }

    /** When the current credential was issued ({@link #credentialsSince()}, else {@link #createdAt()}). */
    public Instant credentialsEpoch() {
        return credentialsSince != null ? credentialsSince : createdAt;
    }
}
