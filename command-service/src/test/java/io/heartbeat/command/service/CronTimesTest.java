package io.heartbeat.command.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** Fire times of five-field crons: the arithmetic the schedule job relies on. */
class CronTimesTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void theNextFireTimeIsStrictlyAfter() {
        CronTimes every5 = CronTimes.of("*/5 * * * *", ZoneOffset.UTC);
        assertThat(every5.after(Instant.parse("2026-11-22T10:02:00Z"))).contains(Instant.parse("2026-11-22T10:05:00Z"));
        assertThat(every5.after(Instant.parse("2026-11-22T10:05:00Z"))).contains(Instant.parse("2026-11-22T10:10:00Z"));
    }

    @Test
    void aLocalTimeFollowsDaylightSaving() {
        // Berlin moves from UTC+1 to UTC+2 on 2026-03-29
        CronTimes eight = CronTimes.of("0 8 * * *", BERLIN);
        Instant saturday = eight.after(Instant.parse("2026-03-27T12:00:00Z")).orElseThrow();
        assertThat(saturday).isEqualTo(Instant.parse("2026-03-28T07:00:00Z"));
        assertThat(eight.after(saturday)).contains(Instant.parse("2026-03-29T06:00:00Z"));
    }

    @Test
    void theLatestFireTimeIncludesTheMomentItselfAndNeverGoesBelowTheFloor() {
        CronTimes minutely = CronTimes.of("* * * * *", ZoneOffset.UTC);
        Instant floor = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(minutely.latest(floor, Instant.parse("2026-11-22T10:07:00Z")))
                .isEqualTo(Instant.parse("2026-11-22T10:07:00Z"));
        assertThat(minutely.latest(floor, Instant.parse("2026-11-22T10:07:59Z")))
                .isEqualTo(Instant.parse("2026-11-22T10:07:00Z"));
        assertThat(minutely.latest(floor, Instant.parse("2026-11-22T09:59:30Z"))).isEqualTo(floor);
    }

    @Test
    void missedFireTimesAreCountedInAHalfOpenRange() {
        CronTimes minutely = CronTimes.of("* * * * *", ZoneOffset.UTC);
        assertThat(minutely.count(Instant.parse("2026-11-22T10:00:00Z"), Instant.parse("2026-11-22T10:10:00Z")))
                .isEqualTo(10);
        assertThat(minutely.count(Instant.parse("2026-11-22T10:00:00Z"), Instant.parse("2026-11-22T10:00:00Z")))
                .isZero();
        // a year of minutes stops at the limit instead of looping for long
        assertThat(minutely.count(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z")))
                .isEqualTo(CronTimes.COUNT_LIMIT);
    }

    @Test
    void badExpressionsSayWhy() {
        assertThatThrownBy(() -> CronTimes.of("61 * * * *", ZoneOffset.UTC)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("five-field cron");
        assertThatThrownBy(() -> CronTimes.of("0 0 * * * *", ZoneOffset.UTC)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CronTimes.of(" ", ZoneOffset.UTC)).hasMessage("is required");
        assertThat(CronTimes.of("0 0 30 2 *", ZoneOffset.UTC).after(Instant.parse("2026-01-01T00:00:00Z"))).isEmpty();
    }
}
