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
 * <li>any other field is kept as telemetry, as sent (at most {@value #MAX_FIELDS} fields, nested at most
 * {@value #MAX_DEPTH} levels, at most {@value #MAX_VALUES} values in all).</li>
 * </ul>
 * A field of the wrong type is INVALID_FIELD (HTTP 400) and refuses the whole heartbeat. A well-typed reading out of
 * its range refuses only that reading: the heartbeat is valid without it (an authenticated message proves liveness
 * even when one sensor is faulty), and {@link Heartbeat#refusedFields()} says which readings were left out and why.
 * A {@code null} reading is no reading: it is left out of the telemetry.
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
    /** How deep telemetry may nest: a field's value is level 1, an object or array in it level 2, and so on. */
    public static final int MAX_DEPTH = 8;
    /** Most values (objects, arrays, scalars) a heartbeat's telemetry may hold in all. */
    public static final int MAX_VALUES = 512;
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

    /** A reading left out of an accepted heartbeat, and why (e.g. {@code out of range 30..220 bpm}). */
    public record RefusedField(String field, RejectReason reason, String detail) {
    }

    /** What a valid body says; {@code refusedFields}: readings out of range, not in {@code telemetry}. */
    public record Heartbeat(String deviceId, Instant sentAt, String status, String jwtToken, String apiToken,
            Map<String, Object> telemetry, List<String> anomalies, List<RefusedField> refusedFields) {
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
                    && !CREDENTIAL_FIELDS.contains(e.getKey()) && e.getValue() != null) {
                telemetry.put(e.getKey(), e.getValue());
            }
        }
        String shape = checkShape(telemetry);
        if (shape != null) {
            return Result.refused(RejectReason.INVALID_FIELD, shape);
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
        List<RefusedField> refused = new ArrayList<>();
        for (Reading reading : List.of(
                new Reading(HEART_RATE, limits.heartRateMin(), limits.heartRateMax(), "bpm"),
                new Reading("voltage", limits.voltageMin(), limits.voltageMax(), "V"),
                new Reading("current", limits.currentMin(), limits.currentMax(), "A"),
                new Reading("power", limits.powerMin(), limits.powerMax(), "W"),
                new Reading("energy", limits.energyMin(), limits.energyMax(), "kWh"))) {
            Object value = body.get(reading.field());
            if (value == null) {
                continue;
            }
            if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                return Result.refused(RejectReason.INVALID_FIELD, reading.field() + " must be a number");
            }
            double v = n.doubleValue();
            if (v < reading.min() || v > reading.max()) {
                refused.add(new RefusedField(reading.field(), RejectReason.OUT_OF_RANGE, "out of range "
                        + plain(reading.min()) + ".." + plain(reading.max()) + " " + reading.unit()));
                telemetry.remove(reading.field());
            }
        }
        if (telemetry.get(HEART_RATE) instanceof Number heartRate) {
            double bpm = heartRate.doubleValue();
            if (bpm < limits.heartRateLow()) {
                anomalies.add(HEART_RATE_LOW);
            } else if (bpm > limits.heartRateHigh()) {
                anomalies.add(HEART_RATE_HIGH);
            }
        }
        Object relay = body.get("relay");
        if (relay != null && !(relay instanceof Boolean)
                && !(relay instanceof String s && (s.equalsIgnoreCase("on") || s.equalsIgnoreCase("off")))) {
            return Result.refused(RejectReason.INVALID_FIELD, "relay must be \"on\", \"off\", true or false");
        }
        return Result.valid(new Heartbeat(deviceId, sentAt, status, (String) body.get(JWT_TOKEN),
                (String) body.get(API_TOKEN), telemetry, List.copyOf(anomalies), List.copyOf(refused)));
    }

    private record Reading(String field, double min, double max, String unit) {
    }

    /**
     * null when the telemetry nests at most {@link #MAX_DEPTH} levels and holds at most {@link #MAX_VALUES} values;
     * else why not. Iterative, so no payload can make the check itself overflow the stack.
     */
    static String checkShape(Map<String, Object> telemetry) {
        java.util.ArrayDeque<Object[]> pending = new java.util.ArrayDeque<>();
        for (Object value : telemetry.values()) {
            pending.push(new Object[] { value, 1 });
        }
        int values = 0;
        while (!pending.isEmpty()) {
            Object[] next = pending.pop();
            int depth = (Integer) next[1];
            if (depth > MAX_DEPTH) {
                return "telemetry nests at most " + MAX_DEPTH + " levels deep";
            }
            if (++values > MAX_VALUES) {
                return "telemetry holds at most " + MAX_VALUES + " values";
            }
            if (next[0] instanceof Map<?, ?> map) {
                for (Object child : map.values()) {
                    pending.push(new Object[] { child, depth + 1 });
                }
            } else if (next[0] instanceof List<?> list) {
                for (Object child : list) {
                    pending.push(new Object[] { child, depth + 1 });
                }
            }
        }
        return null;
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
