package io.heartbeat.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class LogThrottleTest {

    private static final Instant T0 = Instant.parse("2025-03-14T09:00:00Z");

    @Test
    void atMostTheLimitPerWindowAndTheSuppressedCountIsReportedOnce() {
        LogThrottle throttle = new LogThrottle(2, Duration.ofMinutes(1));
        assertThat(throttle.permit("k", T0).log()).isTrue();
        assertThat(throttle.permit("k", T0.plusSeconds(1)).log()).isTrue();
        assertThat(throttle.permit("k", T0.plusSeconds(2)).log()).isFalse();
        assertThat(throttle.permit("k", T0.plusSeconds(59)).log()).isFalse();
        assertThat(throttle.permit("other", T0.plusSeconds(59)).log()).isTrue();
        LogThrottle.Permit next = throttle.permit("k", T0.plusSeconds(60));
        assertThat(next.log()).isTrue();
        assertThat(next.suppressed()).isEqualTo(2);
        assertThat(throttle.permit("k", T0.plusSeconds(61)).suppressed()).isZero();
    }
}
