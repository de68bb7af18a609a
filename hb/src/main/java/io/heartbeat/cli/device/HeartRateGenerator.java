package io.heartbeat.cli.device;

import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * Seed 003's generator of heart-rate readings, per device: a baseline drawn once from 60-90 bpm, a daily variation
 * of at most ±15 bpm (a sine over the day with the device's own phase, so readings drift like a day does instead of
 * jumping), a spike of ±40 bpm in 4 % of readings, and the result clamped to 25-230 bpm. The clamp range is wider
 * than ingest's valid range (30-220) on purpose: spikes below 30 and above 220 exercise its out-of-range refusal,
 * and readings under 45 or over 180 its HEART_RATE_LOW / HEART_RATE_HIGH flags.
 */
public final class HeartRateGenerator {

    public static final int BASELINE_MIN = 60;
    public static final int BASELINE_MAX = 90;
    public static final double DAILY_VARIATION = 15;
    public static final double SPIKE_PROBABILITY = 0.04;
    public static final double SPIKE_MAX = 40;
    public static final int CLAMP_MIN = 25;
    public static final int CLAMP_MAX = 230;

    private final RandomGenerator random;
    private final int baseline;
    private final double phase;

    public HeartRateGenerator(RandomGenerator random) {
        this.random = random;
        this.baseline = BASELINE_MIN + random.nextInt(BASELINE_MAX - BASELINE_MIN + 1);
        this.phase = random.nextDouble() * 2 * Math.PI;
    }

    public int baseline() {
        return baseline;
    }

    /** The reading at {@code at}. */
    public int next(Instant at) {
        double dayFraction = (at.getEpochSecond() % 86_400) / 86_400.0;
        double value = baseline + DAILY_VARIATION * Math.sin(2 * Math.PI * dayFraction + phase);
        if (random.nextDouble() < SPIKE_PROBABILITY) {
            value += (random.nextDouble() * 2 - 1) * SPIKE_MAX;
        }
        return clamp((int) Math.round(value));
    }

    static int clamp(int bpm) {
        return Math.max(CLAMP_MIN, Math.min(CLAMP_MAX, bpm));
    }
}
