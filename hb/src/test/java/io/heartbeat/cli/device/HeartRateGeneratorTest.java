package io.heartbeat.cli.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class HeartRateGeneratorTest {

    @Test
    void baselinesAreSpreadOverSixtyToNinety() {
        SplittableRandom random = new SplittableRandom(1);
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int i = 0; i < 5_000; i++) {
            int b = new HeartRateGenerator(random.split()).baseline();
            min = Math.min(min, b);
            max = Math.max(max, b);
        }
        assertThat(min).isEqualTo(60);
        assertThat(max).isEqualTo(90);
    }

    @Test
    void readingsStayInTheClampRangeAndTheLowSideIsClamped() {
        SplittableRandom random = new SplittableRandom(2);
        int below30 = 0;
        int at25 = 0;
        int below45 = 0;
        int max = 0;
        int readings = 0;
        for (int d = 0; d < 200; d++) {
            HeartRateGenerator g = new HeartRateGenerator(random.split());
            for (int i = 0; i < 1_000; i++) {
                int bpm = g.next(Instant.ofEpochSecond(1_700_000_000L + i * 97L));
                readings++;
                assertThat(bpm).isBetween(25, 230);
                below30 += bpm < 30 ? 1 : 0;
                at25 += bpm == 25 ? 1 : 0;
                below45 += bpm < 45 ? 1 : 0;
                max = Math.max(max, bpm);
            }
        }
        // seed 003's numbers: baseline 60-90, ±15 a day, ±40 spikes: 5..145 before the clamp, so the clamp only ever
        // bites low; readings under 30 (ingest refuses them) and under 45 (flagged low) occur, none above 145
        assertThat(at25).isPositive();
        assertThat(below30).isPositive();
        assertThat(below45).isGreaterThan(below30);
        assertThat(max).isLessThanOrEqualTo(145);
        assertThat(readings).isEqualTo(200_000);
    }

    @Test
    void aboutFourPercentOfReadingsAreSpikes() {
        SplittableRandom random = new SplittableRandom(3);
        HeartRateGenerator g = new HeartRateGenerator(random);
        // the same instant gives the same baseline and variation, so a reading off the most common one is a spike
        Instant at = Instant.ofEpochSecond(1_700_000_000L);
        java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            counts.merge(g.next(at), 1, Integer::sum);
        }
        int usual = counts.values().stream().max(Integer::compare).orElseThrow();
        double spikes = (n - usual) / (double) n;
        // a spike rounds back to the usual value only when it is within ±0.5 bpm (about 1 % of spikes)
        assertThat(spikes).isBetween(0.035, 0.045);
    }

    @Test
    void theDailyVariationIsAtMostFifteen() {
        HeartRateGenerator g = new HeartRateGenerator(new SplittableRandom(4));
        int lo = Integer.MAX_VALUE;
        int hi = Integer.MIN_VALUE;
        java.util.Map<Integer, Integer> perInstant = new java.util.HashMap<>();
        for (int s = 0; s < 86_400; s += 600) {
            perInstant.clear();
            for (int i = 0; i < 60; i++) {
                perInstant.merge(g.next(Instant.ofEpochSecond(1_700_006_400L + s)), 1, Integer::sum);
            }
            int usual = perInstant.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow()
                    .getKey();
            lo = Math.min(lo, usual);
            hi = Math.max(hi, usual);
        }
        assertThat(hi - lo).isBetween(25, 30);
        assertThat(g.baseline()).isBetween(lo, hi);
    }

    @Test
    void clampBoundsBothSides() {
        assertThat(HeartRateGenerator.clamp(3)).isEqualTo(25);
        assertThat(HeartRateGenerator.clamp(400)).isEqualTo(230);
        assertThat(HeartRateGenerator.clamp(72)).isEqualTo(72);
    }
}
