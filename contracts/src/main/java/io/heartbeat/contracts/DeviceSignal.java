package io.heartbeat.contracts;

import java.time.Instant;

/**
 * Per-device flags that ingest returns in HTTP heartbeat responses ({@code should_reconnect},
 * {@code remote_control_enabled}); HTTP devices cannot receive pushed commands, so this is how they learn about a
 * pending reconnect. The value on the compacted {@link Topics#DEVICE_SIGNALS} topic (key: device id), produced by the
 * command service, consumed by ingest. Consumers ignore a signal whose {@link #revision()} is lower than or equal to the
 * one they hold.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param deviceId the device id (also the record key)
 * @param tenantId the device's tenant
 * @param shouldReconnect whether the next heartbeat response tells the device to reconnect
 * @param reconnectCommandId the reconnect command this signal stands for, {@code null} when none is pending
 * @param remoteControlEnabled whether remote control is enabled for the device
 * @param revision strictly increasing per device
 * @param updatedAt when this revision was written
 */
public record DeviceSignal(
        int schemaVersion,
        String deviceId,
        String tenantId,
        boolean shouldReconnect,
        String reconnectCommandId,
        boolean remoteControlEnabled,
        long revision,
        Instant updatedAt) {

    public static final int SCHEMA_VERSION = 1;
}
