package io.heartbeat.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A heartbeat (or data message) that passed authentication, rate limits and validation. Produced by ingest on
 * {@link Topics#HEARTBEATS} (key: device id); consumed by the status monitor, for which it is the authority on
 * liveness.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param heartbeatId UUID assigned by ingest; consumers use it to drop redeliveries
 * @param deviceId the device id (also the record key)
 * @param tenantId the owning tenant
 * @param channel the channel it arrived on
 * @param kind heartbeat or data message
 * @param sentAt the device's own timestamp, nullable; informational only (device clocks drift)
 * @param receivedAt when ingest received it; liveness deadlines count from this
 * @param status the device-reported status (e.g. {@code "alive"}), nullable
 * @param telemetry the remaining payload fields, keys as the device sent them (e.g. {@code voltage},
 *        {@code heart_rate}); empty when none
 * @param anomalies flags for plausible but unusual values (e.g. {@code HEART_RATE_HIGH}); empty when none
 * @param registryRevision the {@link DeviceView#revision()} ingest validated against
 */
public record HeartbeatAccepted(
        int schemaVersion,
        String heartbeatId,
        String deviceId,
        String tenantId,
        Channel channel,
        HeartbeatKind kind,
        Instant sentAt,
        Instant receivedAt,
        String status,
        Map<String, Object> telemetry,
        List<String> anomalies,
        long registryRevision) {

    public static final int SCHEMA_VERSION = 1;
}
