package io.heartbeat.contracts;

import java.time.Instant;

/**
 * Ingest answered an HTTP heartbeat with {@code should_reconnect=true}: the {@link DeviceSignal} reached the device.
 * Produced by ingest on {@link Topics#DEVICE_SIGNALS_DELIVERED} (key: device id); consumed by the command service,
 * for which this is the delivery of the reconnect command.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param deviceId the device id (also the record key)
 * @param tenantId the device's tenant
 * @param reconnectCommandId the {@link DeviceSignal#reconnectCommandId()} that was delivered
 * @param deliveredAt when the heartbeat response carrying it was sent
 */
public record SignalDelivered(
        int schemaVersion,
        String deviceId,
        String tenantId,
        String reconnectCommandId,
        Instant deliveredAt) {

    public static final int SCHEMA_VERSION = 1;
}
