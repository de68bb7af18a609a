package io.heartbeat.monitor.engine;

import java.time.Duration;
import java.time.Instant;

import io.heartbeat.contracts.DeviceState;

/**
 * A device's current liveness, as stored in {@code monitor.device_status} (one row per device).
 *
 * @param lastHeartbeatAt the ingest timestamp ({@code receivedAt}) of the newest heartbeat, null if none
 * @param lastEvidenceAt the newest sign of life: that heartbeat or a later successful probe
 * @param deadlineAt when the next timeout transition is due, null when none is (UNKNOWN, DISCONNECTED, untracked)
 * @param tracked false once the device is disabled or deleted: no deadlines, no transitions but its own
 * @param version bumped on every write; a write names the version it read (the database guard)
 * @param deviceCreatedAt the device instance this status belongs to ({@code DeviceView.createdAt}); a device deleted and
 *        registered again under the same id starts over with a new status. {@code null} until the registry view is
 *        read (a heartbeat overtook it) and in rows from before instances were recorded
 */
public record DeviceStatus(String deviceId, String tenantId, String profileId, DeviceState state, Instant since,
        Instant lastHeartbeatAt, Instant lastEvidenceAt, Instant deadlineAt, boolean tracked, Limits limits,
        long version, Instant deviceCreatedAt) {

    /** The thresholds the state machine uses, in seconds (from the device's profile and overrides). */
    public record Limits(int intervalSeconds, int connectedWithinSeconds, int disconnectedAfterSeconds) {

        public Duration interval() {
            return Duration.ofSeconds(intervalSeconds);
        }

        public Duration connectedWithin() {
            return Duration.ofSeconds(connectedWithinSeconds);
        }

        public Duration disconnectedAfter() {
            return Duration.ofSeconds(disconnectedAfterSeconds);
        }
    }

    public static DeviceStatus unknown(String deviceId, String tenantId, String profileId, Limits limits, Instant at,
            Instant deviceCreatedAt) {
        return new DeviceStatus(deviceId, tenantId, profileId, DeviceState.UNKNOWN, at, null, null, null, true, limits,
                0, deviceCreatedAt);
    }

    /**
     * A new UNKNOWN status for another registration of the same device id, replacing this one: it keeps this row's
     * version (the write is guarded by it), nothing else.
     */
    public DeviceStatus registeredAgain(String tenantId, String profileId, Limits limits, Instant at,
            Instant deviceCreatedAt) {
        return new DeviceStatus(deviceId, tenantId, profileId, DeviceState.UNKNOWN, at, null, null, null, true, limits,
                version, deviceCreatedAt);
    }

    /** This status with its instance known (it was created before the registry view arrived). */
    public DeviceStatus withInstance(Instant deviceCreatedAt) {
        return new DeviceStatus(deviceId, tenantId, profileId, state, since, lastHeartbeatAt, lastEvidenceAt,
                deadlineAt, tracked, limits, version, deviceCreatedAt);
    }

    DeviceStatus with(DeviceState state, Instant since, Instant lastHeartbeatAt, Instant lastEvidenceAt,
            Instant deadlineAt, boolean tracked) {
        return new DeviceStatus(deviceId, tenantId, profileId, state, since, lastHeartbeatAt, lastEvidenceAt,
                deadlineAt, tracked, limits, version, deviceCreatedAt);
    }

    public DeviceStatus withLimits(String tenantId, String profileId, Limits limits) {
        return new DeviceStatus(deviceId, tenantId, profileId, state, since, lastHeartbeatAt, lastEvidenceAt,
                deadlineAt, tracked, limits, version, deviceCreatedAt);
    }

    public DeviceStatus withVersion(long version) {
        return new DeviceStatus(deviceId, tenantId, profileId, state, since, lastHeartbeatAt, lastEvidenceAt,
                deadlineAt, tracked, limits, version, deviceCreatedAt);
    }

    /** Milliseconds since the last heartbeat at {@code at}, null if there was none. */
    public Long heartbeatAgeMs(Instant at) {
        return lastHeartbeatAt == null ? null : Duration.between(lastHeartbeatAt, at).toMillis();
    }
}
