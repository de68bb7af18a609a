package io.heartbeat.monitor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class PipelineWatchTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    final PipelineWatch watch = new PipelineWatch(Duration.ofSeconds(3), Duration.ofMillis(250));

    {
        watch.assigned(List.of(0, 1), T0);
    }

    @Test
    void aDeadlineFiresOnceThePartitionsIngestTimeHasPassedIt() {
        watch.seen(0, T0.plusSeconds(1), T0.plusSeconds(1));

        Instant deadline = T0.plusMillis(1500);
        // due by the monitor's clock, but what ingest took in before the deadline may still be on its way
        assertThat(watch.hold(0, deadline, T0.plusMillis(1600))).isEqualTo(T0.plusMillis(1850));
        watch.seen(0, T0.plusMillis(1700), T0.plusMillis(1700));
        assertThat(watch.hold(0, deadline, T0.plusMillis(1700))).isNull();
    }

    @Test
    void whileThePipelineIsSilentNothingFiresAndThePartitionIsReportedSilent() {
        watch.seen(0, T0.plusSeconds(1), T0.plusSeconds(1));

        Instant now = T0.plusSeconds(60);
        assertThat(watch.hold(0, T0.plusSeconds(2), now)).isEqualTo(now.plusMillis(250));
        assertThat(watch.hold(1, T0.plusSeconds(2), now)).isEqualTo(now.plusMillis(250));
        assertThat(watch.silentPartitions(now)).containsExactly(0, 1);
        assertThat(watch.silentSince(now)).isEqualTo(T0);
        assertThat(watch.silentPartitions(T0.plusSeconds(2))).isEmpty();
    }

    @Test
    void afterAGapDeadlinesThatFellInItMoveOnByItsLength() {
        watch.seen(0, T0.plusSeconds(1), T0.plusSeconds(1));

        PipelineWatch.Gap gap = watch.seen(0, T0.plusSeconds(31), T0.plusSeconds(31));

        assertThat(gap.start()).isEqualTo(T0.plusSeconds(1));
        assertThat(gap.length()).isEqualTo(Duration.ofSeconds(30));
        Instant now = T0.plusSeconds(31);
        // due during the gap: moved by its 30 s, to when its device has had its full threshold again
        assertThat(watch.hold(0, T0.plusSeconds(10), now)).isEqualTo(T0.plusSeconds(40));
        // due before the gap began: it was passed then already
        assertThat(watch.hold(0, T0.plusMillis(900), now)).isNull();
        // once the partition's ingest time passes the moved deadline, it fires
        watch.seen(0, T0.plusSeconds(41), T0.plusSeconds(41));
        assertThat(watch.hold(0, T0.plusSeconds(10), T0.plusSeconds(41))).isNull();
    }

    @Test
    void smallStepsAreNoGapAndOlderTimesChangeNothing() {
        watch.seen(0, T0.plusSeconds(1), T0.plusSeconds(1));

        assertThat(watch.seen(0, T0.plusSeconds(3), T0.plusSeconds(3))).isNull();
        assertThat(watch.seen(0, T0.plusSeconds(2), T0.plusSeconds(4))).isNull();
        assertThat(watch.ingestTime(0)).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void aZeroSilenceTurnsTheWatchOff() {
        PipelineWatch off = new PipelineWatch(Duration.ZERO, Duration.ofMillis(250));
        off.assigned(List.of(0), T0);

        assertThat(off.hold(0, T0.plusSeconds(1), T0.plusSeconds(100))).isNull();
        assertThat(off.silentPartitions(T0.plusSeconds(100))).isEmpty();
    }
}
