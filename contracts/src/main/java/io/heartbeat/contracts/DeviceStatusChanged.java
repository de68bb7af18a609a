package io.heartbeat.contracts;

import java.time.Instant;

/**
 * A liveness transition of one device. Produced by the status monitor on {@link Topics#DEVICE_STATUS} (key: device
 * id); consumed by the command service (e.g. to send queued commands on reconnect), dashboards and integrations.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param eventId UUID of this transition
 * @param deviceId the device id (also the record key)
 * @param tenantId the owning tenant
 * @param from the state before
 * @param to the state after
 * @param reason why it changed
 * @param at when it changed (monitor clock)
 * @param lastHeartbeatAt ingest time of the last accepted heartbeat, {@code null} if none yet
 * @param heartbeatAgeMs age of that heartbeat at {@code at}, in milliseconds; {@code null} if none yet
 * @param detail human-readable context (e.g. the probe's error), nullable
 */
public record DeviceStatusChanged(
        int schemaVersion,
        String eventId,
        String deviceId,
        String tenantId,
        DeviceState from,
        DeviceState to,
        TransitionReason reason,
        Instant at,
        Instant lastHeartbeatAt,
        Long heartbeatAgeMs,
        String detail) {

    public static final int SCHEMA_VERSION = 1;
}
