package io.heartbeat.monitor.scenario;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The test scenario model (seed 000): what a scenario is, and what a run of it found. */
public final class Scenarios {

    private Scenarios() {
    }

    /** What a run checks on each selected device. */
    public enum FlowType {
        /** The last heartbeat is within the device's connected-within threshold. */
        HEARTBEAT_FRESHNESS,
        /** GET on the HTTP device's configured {@code healthUrl}. */
        HTTP_CHECK,
        /** A {@code ping} command through the command service, timed round trip. */
        MQTT_PING,
        /** Heartbeat freshness and the active check of the device's protocol (HTTP_CHECK or MQTT_PING). */
        FULL
    }

    /**
     * Which devices of the tenant a run covers: the listed ids, else the devices of a profile, else every enabled device.
     */
    public record Selection(List<String> deviceIds, String profileId) {
    }

    /** A stored scenario. */
    public record Scenario(String id, String tenantId, String name, String description, FlowType flowType,
            Selection devices, long timeoutMs, int retries, String createdBy, Instant createdAt) {
    }

    /** One device's outcome in a run. */
    public record DeviceResult(String deviceId, boolean success, String check, Long responseTimeMs, String error,
            Map<String, Object> metadata) {
    }

    /** A run's summary with every device's result; response-time percentiles over the results that have one. */
    public record RunSummary(String id, String scenarioId, FlowType flowType, Instant startedAt, Instant finishedAt,
            int devices, int succeeded, double successRate, Long p50ResponseTimeMs, Long p95ResponseTimeMs,
            List<DeviceResult> results) {
    }

    /** Nearest-rank percentile of the response times present, null when none is. */
    static Long percentile(List<DeviceResult> results, double p) {
        long[] times = results.stream().filter(r -> r.responseTimeMs() != null).mapToLong(DeviceResult::responseTimeMs)
                .sorted().toArray();
        if (times.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(p * times.length);
        return times[Math.max(0, Math.min(times.length - 1, rank - 1))];
    }
}
