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
        assertThat(watch.hold(0, deadline, T0, T0.plusMillis(1600))).isEqualTo(T0.plusMillis(1850));
        watch.seen(0, T0.plusMillis(1700), T0.plusMillis(1700));
        assertThat(watch.hold(0, deadline, T0, T0.plusMillis(1700))).isNull();
    }

    @Test
    void whileThePipelineIsSilentNothingFiresAndThePartitionIsReportedSilent() {
        watch.seen(0, T0.plusSeconds(1), T0.plusSeconds(1));

        Instant now = T0.plusSeconds(60);
        assertThat(watch.hold(0, T0.plusSeconds(2), T0, now)).isEqualTo(now.plusMillis(250));
        assertThat(watch.hold(1, T0.plusSeconds(2), T0, now)).isEqualTo(now.plusMillis(250));
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
        assertThat(watch.hold(0, T0.plusSeconds(10), T0, now)).isEqualTo(T0.plusSeconds(40));
        // due before the gap began: it was passed then already
        assertThat(watch.hold(0, T0.plusMillis(900), T0, now)).isNull();
        // once the partition's ingest time passes the moved deadline (in steps: no second gap), it fires
        for (int ms = 33_000; ms <= 41_000; ms += 2_000) {
            assertThat(watch.seen(0, T0.plusMillis(ms), T0.plusMillis(ms))).isNull();
        }
        assertThat(watch.hold(0, T0.plusSeconds(10), T0, T0.plusSeconds(41))).isNull();
    }

    @Test
    void aSecondGapSoonAfterTheFirstAddsToItAndDoesNotEraseIt() {
        // Kafka restarted (12 s without watermarks), then ingest was silent once more for 4 s while its MQTT
        // connections still waited for the records they had taken before the outage (FaultIT in CI)
        watch.seen(0, T0.plusSeconds(1), T0.plusSeconds(1));
        watch.seen(0, T0.plusSeconds(13), T0.plusSeconds(13));
        PipelineWatch.Gap second = watch.seen(0, T0.plusSeconds(17), T0.plusSeconds(17));
        assertThat(second.length()).isEqualTo(Duration.ofSeconds(4));

        Instant deadline = T0.plusSeconds(5); // fell in the first gap: moved by 12 s to 17 s, then past the second
        assertThat(watch.excused(0, deadline, T0)).isEqualTo(Duration.ofSeconds(16));
        assertThat(watch.hold(0, deadline, T0, T0.plusSeconds(17))).isEqualTo(T0.plusSeconds(21));
        // one that had passed before either gap stays passed
        assertThat(watch.excused(0, T0.plusMillis(900), T0)).isEqualTo(Duration.ZERO);
    }

    @Test
    void aGapExcusesNothingToADeviceHeardAfterItEnded() {
        watch.seen(0, T0.plusSeconds(1), T0.plusSeconds(1));
        watch.seen(0, T0.plusSeconds(31), T0.plusSeconds(31)); // a broker restart, long ago
        for (int s = 33; s <= 99; s += 2) {
            watch.seen(0, T0.plusSeconds(s), T0.plusSeconds(s));
        }
        // heard at 90 s, deadline 98 s: its silence began well after the gap, so it fires at 98 s, not 30 s later
        assertThat(watch.excused(0, T0.plusSeconds(98), T0.plusSeconds(90))).isEqualTo(Duration.ZERO);
        assertThat(watch.hold(0, T0.plusSeconds(98), T0.plusSeconds(90), T0.plusSeconds(99))).isNull();
        // heard at 20 s, within the gap's silence: still excused
        assertThat(watch.excused(0, T0.plusSeconds(28), T0.plusSeconds(20))).isEqualTo(Duration.ofSeconds(30));
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

        assertThat(off.hold(0, T0.plusSeconds(1), T0, T0.plusSeconds(100))).isNull();
        assertThat(off.silentPartitions(T0.plusSeconds(100))).isEmpty();
    }
}
