package io.heartbeat.cli.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void eachStepDoublesUpToTheMaximumWithJitterInItsUpperHalf() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new SplittableRandom(5));
        long[] steps = { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
        for (long step : steps) {
            long d = b.next().toMillis();
            assertThat(d).isBetween(step / 2, step);
        }
    }

    @Test
    void theJitterSpreadsAFleet() {
        java.util.Set<Long> delays = new java.util.HashSet<>();
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < 100; i++) {
            delays.add(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), r.split()).next().toMillis());
        }
        assertThat(delays.size()).isGreaterThan(50);
    }

    @Test
    void aResetStartsOver() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), new SplittableRandom(7));
        for (int i = 0; i < 6; i++) {
            b.next();
        }
        b.reset();
        assertThat(b.next().toMillis()).isBetween(500L, 1000L);
        assertThat(b.attempts()).isEqualTo(1);
    }
}
