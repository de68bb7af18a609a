package io.heartbeat.cli.device;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in buckets 2 % wide (from 10 µs to over 10 minutes), recorded lock-free from any thread; percentiles are
 * the upper bound of the bucket they fall in, so they are at most 2 % high.
 */
public final class LatencyHistogram {

    private static final double GROWTH = 1.02;
    private static final double LOG_GROWTH = Math.log(GROWTH);
    private static final long MIN_MICROS = 10;
    private static final int BUCKETS = 1000;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    public void record(long nanos) {
        counts.incrementAndGet(bucket(nanos / 1000));
    }

    static int bucket(long micros) {
        if (micros <= MIN_MICROS) {
            return 0;
        }
        int b = (int) Math.ceil(Math.log((double) micros / MIN_MICROS) / LOG_GROWTH);
        return Math.min(BUCKETS - 1, b);
    }

    static double upperMillis(int bucket) {
        return MIN_MICROS * Math.pow(GROWTH, bucket) / 1000.0;
    }

    /** A copy of the counts; {@code minus} a previous snapshot gives an interval's. */
    public long[] snapshot() {
        long[] s = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            s[i] = counts.get(i);
        }
        return s;
    }

    /** The {@code q} quantile (0..1) in milliseconds of {@code now - before}, or NaN without samples. */
    public static double quantile(long[] now, long[] before, double q) {
        long total = 0;
        for (int i = 0; i < now.length; i++) {
            total += now[i] - (before == null ? 0 : before[i]);
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < now.length; i++) {
            seen += now[i] - (before == null ? 0 : before[i]);
            if (seen >= Math.max(1, rank)) {
                return upperMillis(i);
            }
        }
        return upperMillis(now.length - 1);
    }
}
