package io.heartbeat.registry.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

import io.heartbeat.contracts.Thresholds;

/** Per-device threshold overrides; a null value takes the profile's. */
@Embeddable
public class ThresholdOverrides {

    @Column(name = "override_interval_s")
    public Integer heartbeatIntervalSeconds;

    @Column(name = "override_connected_within_s")
    public Integer connectedWithinSeconds;

    @Column(name = "override_disconnected_after_s")
    public Integer disconnectedAfterSeconds;

    @Column(name = "override_min_spacing_s")
    public Integer minHeartbeatSpacingSeconds;

    @Column(name = "override_max_per_minute")
    public Integer maxHeartbeatsPerMinute;

    /** The effective thresholds: these overrides applied over the profile's values. */
    public Thresholds over(Thresholds profile) {
        return new Thresholds(
                or(heartbeatIntervalSeconds, profile.heartbeatIntervalSeconds()),
                or(connectedWithinSeconds, profile.connectedWithinSeconds()),
                or(disconnectedAfterSeconds, profile.disconnectedAfterSeconds()),
                or(minHeartbeatSpacingSeconds, profile.minHeartbeatSpacingSeconds()),
                or(maxHeartbeatsPerMinute, profile.maxHeartbeatsPerMinute()));
    }

    public boolean isEmpty() {
        return heartbeatIntervalSeconds == null && connectedWithinSeconds == null && disconnectedAfterSeconds == null
                && minHeartbeatSpacingSeconds == null && maxHeartbeatsPerMinute == null;
    }

    private static int or(Integer override, int fallback) {
        return override != null ? override : fallback;
    }
}
