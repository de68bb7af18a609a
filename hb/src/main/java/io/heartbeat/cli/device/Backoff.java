package io.heartbeat.cli.device;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter for reconnects: attempt n waits between half and all of
 * {@code min(max, initial * 2^n)}, so a fleet that lost its broker at the same moment does not come back in one
 * burst, and no device waits less than half the current step.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final RandomGenerator random;
    private int attempt;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    /** The delay before the next attempt; each call doubles the step until {@code max}. */
    public synchronized Duration next() {
        long step = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt, 30));
        attempt++;
        long half = step / 2;
        return Duration.ofMillis(half + (half == 0 ? 0 : random.nextLong(half + 1)));
    }

    /** After a successful connect the next loss starts from {@code initial} again. */
    public synchronized void reset() {
        attempt = 0;
    }

    public synchronized int attempts() {
        return attempt;
    }
}
