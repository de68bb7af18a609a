package io.heartbeat.contracts;

import java.util.ArrayList;
import java.util.List;

/**
 * Liveness thresholds and heartbeat rate limits of one device: its profile's values merged with per-device overrides.
 * Carried in {@link DeviceView}; the status monitor uses the timing values, ingest the rate limits.
 *
 * @param heartbeatIntervalSeconds how often the device is expected to send a heartbeat
 * @param connectedWithinSeconds the device is {@link DeviceState#CONNECTED} while its last heartbeat is younger than
 *        this, {@link DeviceState#TEMPORARILY_OFFLINE} from then on
 * @param disconnectedAfterSeconds the device is {@link DeviceState#DISCONNECTED} once its last heartbeat is this old
 * @param minHeartbeatSpacingSeconds heartbeats closer together than this are {@link RejectReason#RATE_LIMITED}
 *        (0 = no minimum spacing)
 * @param maxHeartbeatsPerMinute more heartbeats than this within a minute are {@link RejectReason#RATE_LIMITED}
 */
public record Thresholds(
        int heartbeatIntervalSeconds,
        int connectedWithinSeconds,
        int disconnectedAfterSeconds,
        int minHeartbeatSpacingSeconds,
        int maxHeartbeatsPerMinute) {

    /** The seeds' values: interval 30 s, connected within 40 s, disconnected after 300 s, min 10 s apart, max 10/min. */
    public static final Thresholds DEFAULTS = new Thresholds(30, 40, 300, 10, 10);

    /** Upper bound of {@link #heartbeatIntervalSeconds()}: one day. */
    public static final int MAX_INTERVAL_SECONDS = 86_400;

    /** Upper bound of {@link #maxHeartbeatsPerMinute()}: ten per second. */
    public static final int MAX_HEARTBEATS_PER_MINUTE = 600;

    /**
     * Checks that the values are consistent. A comparison between two values is only reported when both values are
     * valid on their own, so one wrong value yields one message.
     *
     * @return human-readable reasons, empty when the thresholds are consistent
     */
    public List<String> violations() {
        List<String> violations = new ArrayList<>();
        boolean interval = positive("heartbeatIntervalSeconds", heartbeatIntervalSeconds, violations);
        boolean connected = positive("connectedWithinSeconds", connectedWithinSeconds, violations);
        boolean disconnected = positive("disconnectedAfterSeconds", disconnectedAfterSeconds, violations);
        boolean spacing = minHeartbeatSpacingSeconds >= 0;
        if (!spacing) {
            violations.add("minHeartbeatSpacingSeconds must not be negative (is " + minHeartbeatSpacingSeconds + ")");
        }
        if (maxHeartbeatsPerMinute < 1 || maxHeartbeatsPerMinute > MAX_HEARTBEATS_PER_MINUTE) {
            violations.add("maxHeartbeatsPerMinute must be between 1 and " + MAX_HEARTBEATS_PER_MINUTE + " (is "
                    + maxHeartbeatsPerMinute + ")");
        }
        if (interval && heartbeatIntervalSeconds > MAX_INTERVAL_SECONDS) {
            violations.add("heartbeatIntervalSeconds must be at most " + MAX_INTERVAL_SECONDS + " (is "
                    + heartbeatIntervalSeconds + ")");
        }
        if (interval && connected && heartbeatIntervalSeconds > connectedWithinSeconds) {
            violations.add("heartbeatIntervalSeconds (" + heartbeatIntervalSeconds
                    + ") must not exceed connectedWithinSeconds (" + connectedWithinSeconds + ")");
        }
        if (connected && disconnected && connectedWithinSeconds >= disconnectedAfterSeconds) {
            violations.add("connectedWithinSeconds (" + connectedWithinSeconds
                    + ") must be less than disconnectedAfterSeconds (" + disconnectedAfterSeconds + ")");
        }
        if (interval && spacing && minHeartbeatSpacingSeconds > heartbeatIntervalSeconds) {
            violations.add("minHeartbeatSpacingSeconds (" + minHeartbeatSpacingSeconds
                    + ") must not exceed heartbeatIntervalSeconds (" + heartbeatIntervalSeconds + ")");
        }
        return List.copyOf(violations);
    }

    private static boolean positive(String name, int value, List<String> violations) {
        if (value > 0) {
            return true;
        }
        violations.add(name + " must be positive (is " + value + ")");
        return false;
    }
}
