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
 */
public record DeviceStatus(String deviceId, String tenantId, String profileId, DeviceState state, Instant since,
        Instant lastHeartbeatAt, Instant lastEvidenceAt, Instant deadlineAt, boolean tracked, Limits limits,
        long version) {

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

    public static DeviceStatus unknown(String deviceId, String tenantId, String profileId, Limits limits, Instant at) {
        return new DeviceStatus(deviceId, tenantId, profileId, DeviceState.UNKNOWN, at, null, null, null, true, limits,
                0);
    }

    DeviceStatus with(DeviceState state, Instant since, Instant lastHeartbeatAt, Instant lastEvidenceAt,
            Instant deadlineAt, boolean tracked) {
        return new DeviceStatus(deviceId, tenantId, profileId, state, since, lastHeartbeatAt, lastEvidenceAt,
                deadlineAt, tracked, limits, version);
    }

    public DeviceStatus withLimits(String tenantId, String profileId, Limits limits) {
        return new DeviceStatus(deviceId, tenantId, profileId, state, since, lastHeartbeatAt, lastEvidenceAt,
                deadlineAt, tracked, limits, version);
    }

    public DeviceStatus withVersion(long version) {
        return new DeviceStatus(deviceId, tenantId, profileId, state, since, lastHeartbeatAt, lastEvidenceAt,
                deadlineAt, tracked, limits, version);
    }

    /** Milliseconds since the last heartbeat at {@code at}, null if there was none. */
    public Long heartbeatAgeMs(Instant at) {
        return lastHeartbeatAt == null ? null : Duration.between(lastHeartbeatAt, at).toMillis();
    }
}
