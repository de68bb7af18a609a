package io.heartbeat.monitor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class DeadlineIndexTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void dueDevicesComeOutInDeadlineOrderExactlyOnce() {
        DeadlineIndex index = new DeadlineIndex();
        index.schedule("b", T0.plusSeconds(2));
        index.schedule("a", T0.plusSeconds(1));
        index.schedule("c", T0.plusSeconds(3));
        assertThat(index.due(T0)).isEmpty();
        assertThat(index.next()).isEqualTo(T0.plusSeconds(1));
        assertThat(index.due(T0.plusSeconds(2))).containsExactly("a", "b");
        assertThat(index.due(T0.plusSeconds(2))).isEmpty();
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void reschedulingReplacesTheOldDeadlineAndClearingRemovesIt() {
        DeadlineIndex index = new DeadlineIndex();
        index.schedule("a", T0.plusSeconds(1));
        index.schedule("a", T0.plusSeconds(10));
        index.schedule("b", T0.plusSeconds(1));
        index.schedule("b", null);
        assertThat(index.due(T0.plusSeconds(5))).isEmpty();
        assertThat(index.due(T0.plusSeconds(10))).containsExactly("a");
        assertThat(index.next()).isNull();
    }

    @Test
    void manyReschedulesStayCompact() {
        DeadlineIndex index = new DeadlineIndex();
        for (int i = 0; i < 100_000; i++) {
            index.schedule("d" + (i % 100), T0.plusMillis(i));
        }
        assertThat(index.size()).isEqualTo(100);
        assertThat(index.due(T0.plusMillis(99_899))).isEmpty();
        assertThat(index.due(T0.plusMillis(100_000))).hasSize(100);
    }

    /**
     * Postgres keeps microseconds: a deadline at .500 ms past a millisecond is not due at .100 ms past it (the
     * engine would find it not passed and the device would drop out of the index); it is due from the next whole
     * millisecond on.
     */
    @Test
    void aDeadlineBetweenMillisecondsIsNotDueBeforeItPasses() {
        DeadlineIndex index = new DeadlineIndex();
        Instant deadline = T0.plusNanos(1_500_000);
        index.schedule("a", deadline);
        assertThat(index.due(T0.plusNanos(1_100_000))).isEmpty();
        assertThat(index.next()).isAfterOrEqualTo(deadline);
        assertThat(index.due(T0.plusMillis(2))).containsExactly("a");
    }
}
