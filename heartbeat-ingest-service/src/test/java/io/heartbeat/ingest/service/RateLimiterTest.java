package io.heartbeat.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateLimiterTest {

    private static final Instant T0 = Instant.parse("2025-03-14T09:00:00Z");
    private static final Duration TEN_S = Duration.ofSeconds(10);

    private final RateLimiter limiter = new RateLimiter();

    private RateLimiter.Decision at(String device, long millis, Duration spacing, int perMinute) {
        return limiter.tryAcquire(device, T0.plusMillis(millis), spacing, perMinute);
    }

    @Test
    void firstHeartbeatIsAllowed() {
        assertThat(at("d", 0, TEN_S, 10).allowed()).isTrue();
    }

    @ParameterizedTest(name = "second heartbeat after {0} ms: allowed={1}, retry after {2} s")
    @CsvSource({ "1, false, 10", "5000, false, 5", "9000, false, 1", "9001, false, 1", "9999, false, 1",
            "10000, true, 0", "10001, true, 0", "60000, true, 0" })
    void minimumSpacingBoundary(long after, boolean allowed, long retryAfter) {
        at("d", 0, TEN_S, 10);
        RateLimiter.Decision d = at("d", after, TEN_S, 10);
        assertThat(d.allowed()).isEqualTo(allowed);
        assertThat(d.retryAfter()).isEqualTo(Duration.ofSeconds(retryAfter));
    }

    @Test
    void refusedHeartbeatsDoNotCount() {
        at("d", 0, TEN_S, 10);
        for (int i = 1; i < 10; i++) {
            assertThat(at("d", i * 1000L, TEN_S, 10).allowed()).isFalse();
        }
        assertThat(at("d", 10_000, TEN_S, 10).allowed()).isTrue();
    }

    @Test
    void atMostNPerSlidingMinute() {
        // no spacing, 3 per minute
        assertThat(at("d", 0, Duration.ZERO, 3).allowed()).isTrue();
        assertThat(at("d", 1000, Duration.ZERO, 3).allowed()).isTrue();
        assertThat(at("d", 2000, Duration.ZERO, 3).allowed()).isTrue();
        RateLimiter.Decision fourth = at("d", 3000, Duration.ZERO, 3);
        assertThat(fourth.allowed()).isFalse();
        // the first leaves the window at 60 s: 57 s to go
        assertThat(fourth.retryAfter()).isEqualTo(Duration.ofSeconds(57));
        assertThat(at("d", 59_999, Duration.ZERO, 3).allowed()).isFalse();
        assertThat(at("d", 60_000, Duration.ZERO, 3).allowed()).isTrue();
        // now 1000, 2000, 60000 are in the window
        assertThat(at("d", 60_500, Duration.ZERO, 3).allowed()).isFalse();
        assertThat(at("d", 61_000, Duration.ZERO, 3).allowed()).isTrue();
    }

    @Test
    void seedDefaultsAllowTenPerMinuteAtTheMinimumSpacing() {
        // 10 s apart gives 6 per minute; the per-minute limit only bites with a shorter spacing
        int allowed = 0;
        for (int i = 0; i < 12; i++) {
            if (at("d", i * 10_000L, TEN_S, 10).allowed()) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(12);
    }

    @Test
    void retryAfterIsTheLongerOfBothLimits() {
        Duration five = Duration.ofSeconds(5);
        at("d", 0, five, 2);
        at("d", 5000, five, 2);
        RateLimiter.Decision d = at("d", 6000, five, 2);
        assertThat(d.allowed()).isFalse();
        // spacing would allow it at 10 s, the minute limit only at 60 s
        assertThat(d.retryAfter()).isEqualTo(Duration.ofSeconds(54));
    }

    @Test
    void devicesAreIndependent() {
        at("a", 0, TEN_S, 10);
        assertThat(at("b", 1, TEN_S, 10).allowed()).isTrue();
        assertThat(at("a", 2, TEN_S, 10).allowed()).isFalse();
    }

    @Test
    void aReleasedHeartbeatNoLongerCounts() {
        at("d", 0, TEN_S, 10);
        limiter.release("d", T0);
        assertThat(at("d", 1, TEN_S, 10).allowed()).isTrue();
    }

    @Test
    void lowerLimitsTakeEffectAtOnce() {
        at("d", 0, Duration.ZERO, 10);
        at("d", 1, Duration.ZERO, 10);
        assertThat(at("d", 2, Duration.ZERO, 2).allowed()).isFalse();
        assertThat(at("d", 3, Duration.ZERO, 3).allowed()).isTrue();
    }

    @Test
    void idleDevicesAreForgottenActiveOnesKept() {
        at("idle", 0, TEN_S, 10);
        at("active", 50_000, TEN_S, 10);
        assertThat(limiter.evictIdle(T0.plusSeconds(61))).isEqualTo(1);
        assertThat(limiter.trackedDevices()).isEqualTo(1);
        // the active device's spacing survived the sweep
        assertThat(at("active", 55_000, TEN_S, 10).allowed()).isFalse();
    }

    @Test
    void memoryPerDeviceIsBoundedByTheLimit() {
        for (int i = 0; i < 10_000; i++) {
            at("d", i, Duration.ZERO, 5);
        }
        assertThat(limiter.trackedDevices()).isEqualTo(1);
        // still exactly 5 in the window: the 6th within the minute is refused
        assertThat(at("d", 10_001, Duration.ZERO, 5).allowed()).isFalse();
    }

    @Test
    void concurrentHeartbeatsOfOneDeviceAreCountedExactly() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                start.await();
                int ok = 0;
                for (int i = 0; i < 1000; i++) {
                    if (limiter.tryAcquire("d", T0.plusMillis(i), Duration.ZERO, 50).allowed()) {
                        ok++;
                    }
                }
                return ok;
            }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : results) {
            total += f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(total).isEqualTo(50);
    }

    @Test
    void outOfOrderArrivalsStillExpireInTimeOrder() {
        assertThat(at("d", 30_000, Duration.ZERO, 2).allowed()).isTrue();
        // an earlier timestamp that queued behind the later one
        assertThat(at("d", 10_000, Duration.ZERO, 2).allowed()).isTrue();
        RateLimiter.Decision third = at("d", 31_000, Duration.ZERO, 2);
        assertThat(third.allowed()).isFalse();
        // the 10 s one leaves the window first: at 70 s
        assertThat(third.retryAfter()).isEqualTo(Duration.ofSeconds(39));
        assertThat(at("d", 70_000, Duration.ZERO, 2).allowed()).isTrue();
    }

    @Test
    void anEarlierTimestampThanTheLastAcceptedIsTooCloseWhenSpacingApplies() {
        at("d", 30_000, TEN_S, 10);
        assertThat(at("d", 29_000, TEN_S, 10).allowed()).isFalse();
    }

    @Test
    void retryAfterRoundsUpToWholeSecondsAndIsNeverZero() {
        assertThat(RateLimiter.roundUpToSeconds(Duration.ofMillis(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(RateLimiter.roundUpToSeconds(Duration.ofMillis(1000))).isEqualTo(Duration.ofSeconds(1));
        assertThat(RateLimiter.roundUpToSeconds(Duration.ofMillis(1001))).isEqualTo(Duration.ofSeconds(2));
        assertThat(RateLimiter.roundUpToSeconds(Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void heartbeatsAndDataMessagesHaveBucketsOfTheirOwn() {
        Duration spacing = Duration.ofSeconds(10);
        RateLimiter limiter = new RateLimiter();
        assertThat(limiter.tryAcquire("d", io.heartbeat.contracts.HeartbeatKind.DATA, T0, spacing, 10).allowed())
                .isTrue();
        // a heartbeat in between two data messages is not "too soon"
        assertThat(limiter.tryAcquire("d", io.heartbeat.contracts.HeartbeatKind.HEARTBEAT, T0.plusSeconds(1),
                spacing, 10).allowed()).isTrue();
        assertThat(limiter.tryAcquire("d", io.heartbeat.contracts.HeartbeatKind.DATA, T0.plusSeconds(2), spacing, 10)
                .allowed()).isFalse();
        assertThat(limiter.tryAcquire("d", io.heartbeat.contracts.HeartbeatKind.DATA, T0.plusSeconds(10), spacing,
                10).allowed()).isTrue();
    }
}
