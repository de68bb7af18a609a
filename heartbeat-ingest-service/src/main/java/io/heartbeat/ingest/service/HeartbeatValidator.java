package io.heartbeat.ingest.service;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.heartbeat.contracts.RejectReason;

/**
 * Checks a heartbeat body (already parsed JSON) against the seeds' rules. Pure logic: no Quarkus, no I/O.
 *
 * <ul>
 * <li>{@code device_id}, {@code status}, {@code jwt_token}, {@code api_token}: strings when present;</li>
 * <li>{@code timestamp}: ISO-8601 with offset when present, not further ahead than {@code maxFutureSkew} (CLOCK_SKEW)
 * nor older than {@code maxAge} (TOO_OLD); under {@link TimestampPolicy#FLAG} such a heartbeat is accepted and flagged
 * {@code TIMESTAMP_AHEAD} / {@code TIMESTAMP_OLD} instead;</li>
 * <li>{@code heart_rate} (seed 003): a number; outside [30, 220] refused (OUT_OF_RANGE), below 45 or above 180
 * accepted and flagged {@code HEART_RATE_LOW} / {@code HEART_RATE_HIGH};</li>
 * <li>socket telemetry (seed 002): {@code voltage}, {@code current}, {@code power}, {@code energy} numbers within
 * configurable plausible ranges; {@code relay} {@code "on"}/{@code "off"} or a boolean;</li>
 * <li>any other field is kept as telemetry, as sent (at most {@value #MAX_FIELDS} fields).</li>
 * </ul>
 * A field of the wrong type is INVALID_FIELD (HTTP 400); a well-typed value out of range is a 422.
 */
public final class HeartbeatValidator {

    public static final String DEVICE_ID = "device_id";
    public static final String TIMESTAMP = "timestamp";
    public static final String STATUS = "status";
    public static final String JWT_TOKEN = "jwt_token";
    public static final String API_TOKEN = "api_token";
    public static final String HEART_RATE = "heart_rate";

    /** Body fields that are credentials: never published, redacted from rejected excerpts. */
    public static final Set<String> CREDENTIAL_FIELDS = Set.of(JWT_TOKEN, API_TOKEN);

    public static final String HEART_RATE_LOW = "HEART_RATE_LOW";
    public static final String HEART_RATE_HIGH = "HEART_RATE_HIGH";
    /** Anomalies of an accepted heartbeat whose timestamp is out of the window, under {@link TimestampPolicy#FLAG}. */
    public static final String TIMESTAMP_AHEAD = "TIMESTAMP_AHEAD";
    public static final String TIMESTAMP_OLD = "TIMESTAMP_OLD";

    /** What a timestamp outside the window does: refuse the heartbeat, or accept it flagged as an anomaly. */
    public enum TimestampPolicy {
        REJECT,
        FLAG
    }

    /** Most fields a heartbeat body may have. */
    public static final int MAX_FIELDS = 64;
    static final int MAX_STRING = 256;

    /**
     * Plausible ranges (inclusive).
     */
    public record Limits(double heartRateMin, double heartRateMax, double heartRateLow, double heartRateHigh,
            double voltageMin, double voltageMax, double currentMin, double currentMax, double powerMin,
            double powerMax, double energyMin, double energyMax) {

        /** The seeds' heart-rate bounds and generous socket ranges. */
        public static final Limits DEFAULTS = new Limits(30, 220, 45, 180, 0, 300, 0, 32, 0, 8000, 0, 10_000_000);
    }

    /** What a valid body says. */
    public record Heartbeat(String deviceId, Instant sentAt, String status, String jwtToken, String apiToken,
            Map<String, Object> telemetry, List<String> anomalies) {
    }

    /** Either a valid heartbeat or the refusal. */
    public record Result(Heartbeat heartbeat, Refusal refusal) {

        static Result valid(Heartbeat heartbeat) {
            return new Result(heartbeat, null);
        }

        static Result refused(RejectReason reason, String detail) {
            return new Result(null, new Refusal(reason, detail));
        }

        public boolean valid() {
            return refusal == null;
        }
    }

    private final Limits limits;
    private final Duration maxFutureSkew;
    private final Duration maxAge;
    private final TimestampPolicy timestampPolicy;

    public HeartbeatValidator(Limits limits, Duration maxFutureSkew, Duration maxAge) {
        this(limits, maxFutureSkew, maxAge, TimestampPolicy.REJECT);
    }

    public HeartbeatValidator(Limits limits, Duration maxFutureSkew, Duration maxAge, TimestampPolicy timestampPolicy) {
        this.timestampPolicy = timestampPolicy;
        this.limits = limits;
        this.maxFutureSkew = maxFutureSkew;
        this.maxAge = maxAge;
    }

    /**
     * @param body the parsed JSON object (an empty map for an empty body)
     * @param receivedAt the ingest clock at arrival
     */
    public Result validate(Map<String, Object> body, Instant receivedAt) {
        if (body.size() > MAX_FIELDS) {
            return Result.refused(RejectReason.INVALID_FIELD,
                    "a heartbeat has at most " + MAX_FIELDS + " fields (this one has " + body.size() + ")");
        }
        Map<String, Object> telemetry = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : body.entrySet()) {
            if (!e.getKey().equals(DEVICE_ID) && !e.getKey().equals(TIMESTAMP) && !e.getKey().equals(STATUS)
                    && !CREDENTIAL_FIELDS.contains(e.getKey())) {
                telemetry.put(e.getKey(), e.getValue());
            }
        }
        for (String field : List.of(DEVICE_ID, STATUS, TIMESTAMP, JWT_TOKEN, API_TOKEN)) {
            Object value = body.get(field);
            if (value != null && !(value instanceof String)) {
                return Result.refused(RejectReason.INVALID_FIELD, field + " must be a string");
            }
        }
        String deviceId = (String) body.get(DEVICE_ID);
        if (deviceId != null && (deviceId.isBlank() || deviceId.length() > MAX_STRING)) {
            return Result.refused(RejectReason.INVALID_FIELD,
                    DEVICE_ID + " must be 1 to " + MAX_STRING + " characters");
        }
        String status = (String) body.get(STATUS);
        if (status != null && status.length() > MAX_STRING) {
            return Result.refused(RejectReason.INVALID_FIELD, STATUS + " must be at most " + MAX_STRING + " characters");
        }
        Instant sentAt = null;
        List<String> anomalies = new ArrayList<>();
        String timestamp = (String) body.get(TIMESTAMP);
        if (timestamp != null) {
            try {
                sentAt = OffsetDateTime.parse(timestamp).toInstant();
            } catch (DateTimeParseException ex) {
                return Result.refused(RejectReason.INVALID_FIELD,
                        TIMESTAMP + " must be an ISO-8601 date-time with offset, such as 2025-03-14T09:26:53Z");
            }
            boolean flag = timestampPolicy == TimestampPolicy.FLAG;
            if (sentAt.isAfter(receivedAt.plus(maxFutureSkew))) {
                if (!flag) {
                    return Result.refused(RejectReason.CLOCK_SKEW, TIMESTAMP + " " + timestamp
                            + " is more than " + maxFutureSkew.toSeconds() + " s ahead of the server clock");
                }
                anomalies.add(TIMESTAMP_AHEAD);
            }
            if (sentAt.isBefore(receivedAt.minus(maxAge))) {
                if (!flag) {
                    return Result.refused(RejectReason.TOO_OLD, TIMESTAMP + " " + timestamp
                            + " is more than " + maxAge.toSeconds() + " s old");
                }
                anomalies.add(TIMESTAMP_OLD);
            }
        }
        Result range = checkNumber(body, HEART_RATE, limits.heartRateMin(), limits.heartRateMax(), "bpm");
        if (range != null) {
            return range;
        }
        Object heartRate = body.get(HEART_RATE);
        if (heartRate != null) {
            double bpm = ((Number) heartRate).doubleValue();
            if (bpm < limits.heartRateLow()) {
                anomalies.add(HEART_RATE_LOW);
            } else if (bpm > limits.heartRateHigh()) {
                anomalies.add(HEART_RATE_HIGH);
            }
        }
        for (Result r : new Result[] {
                checkNumber(body, "voltage", limits.voltageMin(), limits.voltageMax(), "V"),
                checkNumber(body, "current", limits.currentMin(), limits.currentMax(), "A"),
                checkNumber(body, "power", limits.powerMin(), limits.powerMax(), "W"),
                checkNumber(body, "energy", limits.energyMin(), limits.energyMax(), "kWh") }) {
            if (r != null) {
                return r;
            }
        }
        Object relay = body.get("relay");
        if (relay != null && !(relay instanceof Boolean)
                && !(relay instanceof String s && (s.equalsIgnoreCase("on") || s.equalsIgnoreCase("off")))) {
            return Result.refused(RejectReason.INVALID_FIELD, "relay must be \"on\", \"off\", true or false");
        }
        return Result.valid(new Heartbeat(deviceId, sentAt, status, (String) body.get(JWT_TOKEN),
                (String) body.get(API_TOKEN), telemetry, List.copyOf(anomalies)));
    }

    /** null when the field is absent or a number within [min, max]; else the refusal. */
    private static Result checkNumber(Map<String, Object> body, String field, double min, double max, String unit) {
        Object value = body.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            return Result.refused(RejectReason.INVALID_FIELD, field + " must be a number");
        }
        double v = n.doubleValue();
        if (v < min || v > max) {
            return Result.refused(RejectReason.OUT_OF_RANGE,
                    field + " " + value + " is outside the plausible range " + plain(min) + " to " + plain(max) + " "
                            + unit);
        }
        return null;
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
