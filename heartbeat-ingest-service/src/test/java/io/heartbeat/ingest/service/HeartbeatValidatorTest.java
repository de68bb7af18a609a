package io.heartbeat.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.heartbeat.contracts.RejectReason;

class HeartbeatValidatorTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    private final HeartbeatValidator validator = new HeartbeatValidator(HeartbeatValidator.Limits.DEFAULTS,
            Duration.ofMinutes(5), Duration.ofHours(24));

    private HeartbeatValidator.Result validate(Map<String, Object> body) {
        return validator.validate(body, NOW);
    }

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void anEmptyBodyIsAValidHeartbeat() {
        HeartbeatValidator.Result r = validate(Map.of());
        assertThat(r.valid()).isTrue();
        assertThat(r.heartbeat().telemetry()).isEmpty();
        assertThat(r.heartbeat().anomalies()).isEmpty();
        assertThat(r.heartbeat().sentAt()).isNull();
    }

    @Test
    void theSeedHeartbeatIsSplitIntoFieldsAndTelemetryWithoutTheCredential() {
        HeartbeatValidator.Result r = validate(body("device_id", "socket-0042", "timestamp", "2025-03-14T09:26:50Z",
                "status", "alive", "jwt_token", "a.b.c", "voltage", 229.8, "current", 0.41, "power", 94.2,
                "energy", 12.7, "relay", "on", "firmware", "1.4.2"));
        assertThat(r.valid()).isTrue();
        HeartbeatValidator.Heartbeat hb = r.heartbeat();
        assertThat(hb.deviceId()).isEqualTo("socket-0042");
        assertThat(hb.sentAt()).isEqualTo(Instant.parse("2025-03-14T09:26:50Z"));
        assertThat(hb.status()).isEqualTo("alive");
        assertThat(hb.jwtToken()).isEqualTo("a.b.c");
        assertThat(hb.telemetry()).containsOnlyKeys("voltage", "current", "power", "energy", "relay", "firmware");
    }

    @ParameterizedTest(name = "heart_rate {0} -> {1}")
    @CsvSource({ "29, OUT_OF_RANGE", "29.9, OUT_OF_RANGE", "30, HEART_RATE_LOW", "44, HEART_RATE_LOW", "44.9, HEART_RATE_LOW",
            "45, ok", "72, ok", "180, ok", "180.1, HEART_RATE_HIGH", "181, HEART_RATE_HIGH", "220, HEART_RATE_HIGH",
            "220.5, OUT_OF_RANGE", "221, OUT_OF_RANGE", "-1, OUT_OF_RANGE", "0, OUT_OF_RANGE" })
    void heartRateBoundaries(double bpm, String expected) {
        HeartbeatValidator.Result r = validate(body("heart_rate", bpm));
        if (expected.equals("OUT_OF_RANGE")) {
            // the reading is refused, the heartbeat is not: it proves liveness without it
            assertThat(r.valid()).isTrue();
            assertThat(r.heartbeat().telemetry()).doesNotContainKey("heart_rate");
            assertThat(r.heartbeat().anomalies()).isEmpty();
            assertThat(r.heartbeat().refusedFields()).containsExactly(new HeartbeatValidator.RefusedField(
                    "heart_rate", RejectReason.OUT_OF_RANGE, "out of range 30..220 bpm"));
        } else {
            assertThat(r.valid()).isTrue();
            assertThat(r.heartbeat().anomalies())
                    .isEqualTo(expected.equals("ok") ? List.of() : List.of(expected));
            assertThat(r.heartbeat().telemetry()).containsEntry("heart_rate", bpm);
        }
    }

    @Test
    void integerHeartRatesAreAcceptedToo() {
        assertThat(validate(body("heart_rate", 195)).heartbeat().anomalies()).containsExactly("HEART_RATE_HIGH");
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource({ "voltage, 0, ok", "voltage, 300, ok", "voltage, 300.1, OUT_OF_RANGE", "voltage, -0.1, OUT_OF_RANGE",
            "current, 32, ok", "current, 32.5, OUT_OF_RANGE", "current, -1, OUT_OF_RANGE",
            "power, 8000, ok", "power, 8001, OUT_OF_RANGE", "power, -5, OUT_OF_RANGE",
            "energy, 0, ok", "energy, 10000000, ok", "energy, 10000001, OUT_OF_RANGE", "energy, -1, OUT_OF_RANGE" })
    void socketTelemetryRanges(String field, double value, String expected) {
        HeartbeatValidator.Result r = validate(body(field, value));
        assertThat(r.valid()).isTrue();
        if (expected.equals("ok")) {
            assertThat(r.heartbeat().refusedFields()).isEmpty();
            assertThat(r.heartbeat().telemetry()).containsKey(field);
        } else {
            assertThat(r.heartbeat().refusedFields()).extracting(HeartbeatValidator.RefusedField::field,
                    HeartbeatValidator.RefusedField::reason).containsExactly(
                            org.assertj.core.groups.Tuple.tuple(field, RejectReason.OUT_OF_RANGE));
            assertThat(r.heartbeat().telemetry()).doesNotContainKey(field);
        }
    }

    @Test
    void configuredRangesApply() {
        HeartbeatValidator strict = new HeartbeatValidator(new HeartbeatValidator.Limits(30, 220, 45, 180, 200, 250,
                0, 16, 0, 3680, 0, 1000), Duration.ofMinutes(5), Duration.ofHours(24));
        assertThat(strict.validate(body("voltage", 199.9), NOW).heartbeat().refusedFields())
                .extracting(HeartbeatValidator.RefusedField::reason).containsExactly(RejectReason.OUT_OF_RANGE);
        assertThat(strict.validate(body("voltage", 230), NOW).valid()).isTrue();
    }

    @ParameterizedTest(name = "{0} of the wrong type is INVALID_FIELD")
    @ValueSource(strings = { "heart_rate", "voltage", "current", "power", "energy" })
    void numbersMustBeNumbers(String field) {
        for (Object wrong : new Object[] { "72", true, List.of(1), Map.of("v", 1) }) {
            HeartbeatValidator.Result r = validate(body(field, wrong));
            assertThat(r.refusal().reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(r.refusal().detail()).isEqualTo(field + " must be a number");
        }
    }

    @ParameterizedTest(name = "{0} must be a string")
    @ValueSource(strings = { "device_id", "status", "timestamp", "jwt_token", "api_token" })
    void stringsMustBeStrings(String field) {
        HeartbeatValidator.Result r = validate(body(field, 42));
        assertThat(r.refusal().reason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(r.refusal().detail()).isEqualTo(field + " must be a string");
    }

    @Test
    void relayIsOnOffOrABoolean() {
        for (Object ok : new Object[] { "on", "off", "ON", true, false }) {
            assertThat(validate(body("relay", ok)).valid()).as("relay %s", ok).isTrue();
        }
        for (Object bad : new Object[] { "maybe", 1, "" }) {
            assertThat(validate(body("relay", bad)).refusal().reason()).as("relay %s", bad)
                    .isEqualTo(RejectReason.INVALID_FIELD);
        }
    }

    @ParameterizedTest(name = "timestamp {0}")
    @ValueSource(strings = { "yesterday", "2025-03-14", "2025-03-14T09:26:53", "1710408413", "" })
    void timestampsMustBeIsoWithOffset(String ts) {
        HeartbeatValidator.Result r = validate(body("timestamp", ts));
        assertThat(r.refusal().reason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(r.refusal().detail()).startsWith("timestamp must be an ISO-8601");
    }

    @Test
    void timestampsWithAnyOffsetAndFractionsAreRead() {
        assertThat(validate(body("timestamp", "2025-03-14T10:26:53.250+01:00")).heartbeat().sentAt())
                .isEqualTo(Instant.parse("2025-03-14T09:26:53.250Z"));
    }

    @Test
    void futureAndOldTimestampBoundaries() {
        assertThat(validate(body("timestamp", "2025-03-14T09:31:53Z")).valid()).isTrue();
        assertThat(validate(body("timestamp", "2025-03-14T09:31:54Z")).refusal().reason())
                .isEqualTo(RejectReason.CLOCK_SKEW);
        assertThat(validate(body("timestamp", "2025-03-13T09:26:53Z")).valid()).isTrue();
        assertThat(validate(body("timestamp", "2025-03-13T09:26:52Z")).refusal().reason())
                .isEqualTo(RejectReason.TOO_OLD);
    }

    @Test
    void underTheFlagPolicyOutOfWindowTimestampsAreAcceptedAndFlagged() {
        HeartbeatValidator flagging = new HeartbeatValidator(HeartbeatValidator.Limits.DEFAULTS, Duration.ofMinutes(5),
                Duration.ofHours(24), HeartbeatValidator.TimestampPolicy.FLAG);
        HeartbeatValidator.Result ahead = flagging.validate(body("timestamp", "2025-03-14T09:31:54Z"), NOW);
        assertThat(ahead.valid()).isTrue();
        assertThat(ahead.heartbeat().anomalies()).containsExactly(HeartbeatValidator.TIMESTAMP_AHEAD);
        assertThat(ahead.heartbeat().sentAt()).isEqualTo(Instant.parse("2025-03-14T09:31:54Z"));
        HeartbeatValidator.Result old = flagging.validate(body("timestamp", "2025-03-13T09:26:52Z", "heart_rate", 40),
                NOW);
        assertThat(old.heartbeat().anomalies()).containsExactly(HeartbeatValidator.TIMESTAMP_OLD,
                HeartbeatValidator.HEART_RATE_LOW);
        assertThat(flagging.validate(body("timestamp", "2025-03-14T09:31:53Z"), NOW).heartbeat().anomalies()).isEmpty();
        // the window still decides; out-of-range values are still refused
        assertThat(flagging.validate(body("heart_rate", 10), NOW).heartbeat().refusedFields())
                .extracting(HeartbeatValidator.RefusedField::reason).containsExactly(RejectReason.OUT_OF_RANGE);
    }

    @Test
    void blankOrOverlongDeviceIdsAndStatusesAreInvalid() {
        assertThat(validate(body("device_id", " ")).refusal().reason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(validate(body("device_id", "x".repeat(257))).refusal().reason())
                .isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(validate(body("status", "x".repeat(257))).refusal().reason())
                .isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(validate(body("status", "x".repeat(256))).valid()).isTrue();
    }

    @Test
    void tooManyFieldsAreRefused() {
        Map<String, Object> many = new HashMap<>();
        for (int i = 0; i < HeartbeatValidator.MAX_FIELDS; i++) {
            many.put("f" + i, i);
        }
        assertThat(validate(many).valid()).isTrue();
        many.put("one-more", 1);
        assertThat(validate(many).refusal().reason()).isEqualTo(RejectReason.INVALID_FIELD);
    }

    @Test
    void unknownFieldsAreKeptAsSent() {
        Map<String, Object> nested = Map.of("rssi", -61, "ssid", "warehouse");
        HeartbeatValidator.Result r = validate(body("wifi", nested, "uptime_s", 86400));
        assertThat(r.heartbeat().telemetry()).containsEntry("wifi", nested).containsEntry("uptime_s", 86400);
    }

    /**
     * Property: for seed 003's generator (per-device baseline 60-90 bpm, ±15 daily variation, 4 % spikes of ±40,
     * clamped to 25-230) and any other readings beside it, a reading in [30, 220] is stored (flagged below 45 or
     * above 180), one outside is refused on its own, and the heartbeat is always valid. Seeded, so a failure repeats.
     */
    @Test
    void seed003ReadingsAreStoredFlaggedOrRefusedOnTheirOwnAndTheHeartbeatAlwaysCounts() {
        java.util.Random random = new java.util.Random(3003);
        int refused = 0;
        int flagged = 0;
        for (int i = 0; i < 20_000; i++) {
            double baseline = 60 + random.nextDouble() * 30;
            double bpm = baseline + (random.nextDouble() * 30 - 15);
            if (random.nextDouble() < 0.04) {
                bpm += random.nextBoolean() ? 40 : -40;
            }
            bpm = Math.max(25, Math.min(230, Math.round(bpm * 10) / 10.0));
            Map<String, Object> b = body("heart_rate", bpm, "status", "alive");
            if (random.nextBoolean()) {
                b.put("voltage", 200 + random.nextInt(60));
            }
            HeartbeatValidator.Result r = validate(b);
            assertThat(r.valid()).as("heart_rate %s", bpm).isTrue();
            HeartbeatValidator.Heartbeat hb = r.heartbeat();
            if (bpm < 30 || bpm > 220) {
                refused++;
                assertThat(hb.telemetry()).as("heart_rate %s", bpm).doesNotContainKey("heart_rate");
                assertThat(hb.refusedFields()).extracting(HeartbeatValidator.RefusedField::reason)
                        .containsExactly(RejectReason.OUT_OF_RANGE);
            } else {
                assertThat(hb.telemetry()).as("heart_rate %s", bpm).containsEntry("heart_rate", bpm);
                assertThat(hb.refusedFields()).isEmpty();
                List<String> expected = bpm < 45 ? List.of("HEART_RATE_LOW")
                        : bpm > 180 ? List.of("HEART_RATE_HIGH") : List.of();
                assertThat(hb.anomalies()).as("heart_rate %s", bpm).isEqualTo(expected);
                flagged += expected.size();
            }
            assertThat(hb.telemetry().containsKey("voltage")).isEqualTo(b.containsKey("voltage"));
        }
        // the generator does reach every branch
        assertThat(refused).isPositive();
        assertThat(flagged).isPositive();
    }

    @Test
    void oneReadingOutOfRangeLeavesTheOthersAndTheHeartbeat() {
        HeartbeatValidator.Result r = validate(body("heart_rate", 250, "voltage", 230, "status", "alive"));
        assertThat(r.valid()).isTrue();
        assertThat(r.heartbeat().status()).isEqualTo("alive");
        assertThat(r.heartbeat().telemetry()).containsOnlyKeys("voltage");
        assertThat(r.heartbeat().refusedFields()).extracting(HeartbeatValidator.RefusedField::field)
                .containsExactly("heart_rate");
    }

    @Test
    void aNullReadingIsNoReading() {
        HeartbeatValidator.Result r = validate(body("heart_rate", null, "voltage", null, "firmware", null));
        assertThat(r.valid()).isTrue();
        assertThat(r.heartbeat().telemetry()).isEmpty();
        assertThat(r.heartbeat().refusedFields()).isEmpty();
        assertThat(r.heartbeat().anomalies()).isEmpty();
    }

    @Test
    void telemetryNestsAtMostEightLevels() {
        Object eight = 1;
        for (int i = 1; i < HeartbeatValidator.MAX_DEPTH; i++) {
            eight = Map.of("n", eight);
        }
        assertThat(validate(body("deep", eight)).valid()).isTrue();
        Object nine = Map.of("n", eight);
        HeartbeatValidator.Result r = validate(body("deep", nine));
        assertThat(r.refusal().reason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(r.refusal().detail()).contains("nests at most 8 levels");
        Object thousand = 1;
        for (int i = 0; i < 1000; i++) {
            thousand = List.of(thousand);
        }
        assertThat(validate(body("deep", thousand)).refusal().reason()).isEqualTo(RejectReason.INVALID_FIELD);
    }

    @Test
    void telemetryHoldsABoundedNumberOfValues() {
        List<Integer> many = java.util.Collections.nCopies(HeartbeatValidator.MAX_VALUES, 1);
        HeartbeatValidator.Result r = validate(body("samples", many));
        assertThat(r.refusal().reason()).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(r.refusal().detail()).contains("at most " + HeartbeatValidator.MAX_VALUES + " values");
        assertThat(validate(body("samples", many.subList(0, 100))).valid()).isTrue();
    }
}
