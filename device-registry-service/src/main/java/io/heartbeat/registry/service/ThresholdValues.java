package io.heartbeat.registry.service;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.heartbeat.contracts.Thresholds;

/**
 * Threshold values as a client sends them: any may be absent (a profile fills it from the defaults, a device override
 * from its profile).
 */
public record ThresholdValues(Integer heartbeatIntervalSeconds, Integer connectedWithinSeconds,
        Integer disconnectedAfterSeconds, Integer minHeartbeatSpacingSeconds, Integer maxHeartbeatsPerMinute) {

    public static final ThresholdValues NONE = new ThresholdValues(null, null, null, null, null);

    public Thresholds over(Thresholds base) {
        return new Thresholds(
                heartbeatIntervalSeconds != null ? heartbeatIntervalSeconds : base.heartbeatIntervalSeconds(),
                connectedWithinSeconds != null ? connectedWithinSeconds : base.connectedWithinSeconds(),
                disconnectedAfterSeconds != null ? disconnectedAfterSeconds : base.disconnectedAfterSeconds(),
                minHeartbeatSpacingSeconds != null ? minHeartbeatSpacingSeconds : base.minHeartbeatSpacingSeconds(),
                maxHeartbeatsPerMinute != null ? maxHeartbeatsPerMinute : base.maxHeartbeatsPerMinute());
    }

    @JsonIgnore
    public boolean isEmpty() {
        return heartbeatIntervalSeconds == null && connectedWithinSeconds == null && disconnectedAfterSeconds == null
                && minHeartbeatSpacingSeconds == null && maxHeartbeatsPerMinute == null;
    }
}
