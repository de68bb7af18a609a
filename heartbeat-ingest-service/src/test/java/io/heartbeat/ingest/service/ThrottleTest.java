package io.heartbeat.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class ThrottleTest {

    private static final Instant T0 = Instant.parse("2025-03-14T09:00:00Z");

    @Test
    void atMostTheLimitPerWindowAndTheSuppressedCountIsReportedOnce() {
        Throttle throttle = new Throttle(2, Duration.ofMinutes(1));
        assertThat(throttle.permit("k", T0).allowed()).isTrue();
        assertThat(throttle.permit("k", T0.plusSeconds(1)).allowed()).isTrue();
        assertThat(throttle.permit("k", T0.plusSeconds(2)).allowed()).isFalse();
        assertThat(throttle.permit("k", T0.plusSeconds(59)).allowed()).isFalse();
        assertThat(throttle.permit("other", T0.plusSeconds(59)).allowed()).isTrue();
        Throttle.Permit next = throttle.permit("k", T0.plusSeconds(60));
        assertThat(next.allowed()).isTrue();
        assertThat(next.suppressed()).isEqualTo(2);
        assertThat(throttle.permit("k", T0.plusSeconds(61)).suppressed()).isZero();
    }

    @Test
    void aLimitOfZeroLetsNothingThrough() {
        Throttle throttle = new Throttle(0, Duration.ofMinutes(1));
        assertThat(throttle.permit("k", T0).allowed()).isFalse();
        assertThat(throttle.permit("k", T0.plusSeconds(60)).suppressed()).isEqualTo(1);
    }

    @Test
    void keysBeyondTheMaximumShareOneOverflowWindow() {
        Throttle throttle = new Throttle(1, Duration.ofMinutes(1), 2);
        assertThat(throttle.permit("a", T0).allowed()).isTrue();
        assertThat(throttle.permit("b", T0).allowed()).isTrue();
        // a third key and every further one: one shared budget, so the total stays bounded
        assertThat(throttle.permit("c", T0).allowed()).isTrue();
        assertThat(throttle.permit("d", T0).allowed()).isFalse();
        assertThat(throttle.permit("e", T0).allowed()).isFalse();
        assertThat(throttle.trackedKeys()).isEqualTo(3);
        // a key already tracked keeps its own window
        assertThat(throttle.permit("a", T0.plusSeconds(60)).allowed()).isTrue();
    }

    @Test
    void idleKeysAreForgottenOnceTheirWindowEnded() {
        Throttle throttle = new Throttle(1, Duration.ofMinutes(1), 2);
        throttle.permit("a", T0);
        throttle.permit("b", T0.plusSeconds(30));
        assertThat(throttle.evictIdle(T0.plusSeconds(59))).isZero();
        assertThat(throttle.evictIdle(T0.plusSeconds(60))).isEqualTo(1);
        assertThat(throttle.trackedKeys()).isEqualTo(1);
        // room again for a key of its own
        assertThat(throttle.permit("c", T0.plusSeconds(60)).allowed()).isTrue();
        assertThat(throttle.permit("c", T0.plusSeconds(61)).allowed()).isFalse();
        assertThat(throttle.permit("b", T0.plusSeconds(61)).allowed()).isFalse();
    }

    @Test
    void concurrentEventsOfOneKeyNeverExceedTheLimit() {
        Throttle throttle = new Throttle(10, Duration.ofMinutes(1));
        ConcurrentLinkedQueue<Boolean> allowed = new ConcurrentLinkedQueue<>();
        IntStream.range(0, 1000).parallel().forEach(i -> allowed.add(throttle.permit("k", T0).allowed()));
        assertThat(allowed.stream().filter(a -> a)).hasSize(10);
    }

    @Test
    void aNegativeLimitOrAnEmptyWindowIsAMistake() {
        assertThatThrownBy(() -> new Throttle(-1, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Throttle(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
