package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThresholdsTest {

    @Test
    void defaultsAreTheSeedsValuesAndValid() {
        assertThat(Thresholds.DEFAULTS).isEqualTo(new Thresholds(30, 40, 300, 10, 10));
        assertThat(Thresholds.DEFAULTS.violations()).isEmpty();
    }

    @Test
    void theShortTestProfileIsValid() {
        assertThat(new Thresholds(1, 2, 5, 0, 600).violations()).isEmpty();
    }

    @ParameterizedTest(name = "({0}, {1}, {2}, {3}, {4}) is valid")
    @CsvSource({
            "30, 30, 31, 30, 1", // interval == connectedWithin, spacing == interval, 1 per minute
            "86400, 86400, 86401, 0, 600", // the largest interval
            "1, 1, 2, 1, 60",
    })
    void boundariesAreValid(int interval, int connected, int disconnected, int spacing, int perMinute) {
        assertThat(new Thresholds(interval, connected, disconnected, spacing, perMinute).violations()).isEmpty();
    }

    @ParameterizedTest(name = "({0}, {1}, {2}, {3}, {4}): {5}")
    @CsvSource(delimiter = '|', value = {
            "0     | 40    | 300   | 0  | 10  | heartbeatIntervalSeconds must be positive (is 0)",
            "-5    | 40    | 300   | 0  | 10  | heartbeatIntervalSeconds must be positive (is -5)",
            "30    | 0     | 300   | 10 | 10  | connectedWithinSeconds must be positive (is 0)",
            "30    | 40    | 0     | 10 | 10  | disconnectedAfterSeconds must be positive (is 0)",
            "30    | 40    | 300   | -1 | 10  | minHeartbeatSpacingSeconds must not be negative (is -1)",
            "30    | 40    | 300   | 10 | 0   | maxHeartbeatsPerMinute must be between 1 and 600 (is 0)",
            "30    | 40    | 300   | 10 | 601 | maxHeartbeatsPerMinute must be between 1 and 600 (is 601)",
            "86401 | 86401 | 90000 | 10 | 10  | heartbeatIntervalSeconds must be at most 86400 (is 86401)",
            "41    | 40    | 300   | 10 | 10  | heartbeatIntervalSeconds (41) must not exceed connectedWithinSeconds (40)",
            "30    | 300   | 300   | 10 | 10  | connectedWithinSeconds (300) must be less than disconnectedAfterSeconds (300)",
            "30    | 400   | 300   | 10 | 10  | connectedWithinSeconds (400) must be less than disconnectedAfterSeconds (300)",
            "30    | 40    | 300   | 31 | 10  | minHeartbeatSpacingSeconds (31) must not exceed heartbeatIntervalSeconds (30)",
    })
    void eachRuleReportsOneViolation(int interval, int connected, int disconnected, int spacing, int perMinute,
            String violation) {
        assertThat(new Thresholds(interval, connected, disconnected, spacing, perMinute).violations())
                .containsExactly(violation);
    }

    @Test
    void independentProblemsAreAllReported() {
        assertThat(new Thresholds(0, 0, 0, -1, 0).violations()).hasSize(5);
    }
}
