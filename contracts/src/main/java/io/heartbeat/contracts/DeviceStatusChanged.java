package io.heartbeat.contracts;

import java.time.Instant;

/**
 * A liveness transition of one device. Produced by the status monitor on {@link Topics#DEVICE_STATUS} (key: device
 * id; the history of transitions, time-based retention) and on {@link Topics#DEVICE_STATUS_CURRENT} (compacted: the
 * newest transition of every device, kept whatever its age; a tombstone when the device is deleted); consumed by the
 * command service (to send queued commands on reconnect), dashboards and integrations.
 *
 * <p>
 * Order them with {@link #supersedes}, never by {@link #at()}: a transition written by a retried batch may carry an
 * older time than one already read, and a device id may be registered again (by another tenant, too) after a delete.
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
 * @param deviceCreatedAt the device instance: {@link DeviceView#createdAt()} of the registration this transition
 *        belongs to; a device deleted and registered again under the same id is another instance. {@code null} in
 *        events written before the field existed
 * @param version strictly increasing per device instance (the monitor's row version after the change); {@code 0} in
 *        events written before the field existed
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
        String detail,
        Instant deviceCreatedAt,
        long version) {

    public static final int SCHEMA_VERSION = 1;

    /** The instance is held at the precision of {@link DeviceView#createdAt()} ({@link DeviceView#micros}). */
    public DeviceStatusChanged {
        deviceCreatedAt = DeviceView.micros(deviceCreatedAt);
    }

    /**
     * Whether this transition is newer than {@code held} (the one a consumer keeps for the same device id): a later
     * device instance wins, then a higher version; events from before instances and versions existed fall back to
     * their time.
     */
    public boolean supersedes(DeviceStatusChanged held) {
        if (held == null) {
            return true;
        }
        if (deviceCreatedAt != null && held.deviceCreatedAt != null && !deviceCreatedAt.equals(held.deviceCreatedAt)) {
            return deviceCreatedAt.isAfter(held.deviceCreatedAt);
        }
        if (version > 0 && held.version > 0) {
            return version > held.version;
        }
        return !at.isBefore(held.at);
    }

    /** Whether this transition belongs to the registration {@code view} describes (same tenant and instance). */
    public boolean belongsTo(DeviceView view) {
        return view != null && view.tenantId().equals(tenantId)
                && (deviceCreatedAt == null || deviceCreatedAt.equals(view.createdAt()));
    }
}
