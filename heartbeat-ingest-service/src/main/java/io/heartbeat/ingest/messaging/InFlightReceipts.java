package io.heartbeat.ingest.messaging;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receipt times of the heartbeats handed to Kafka and not yet acknowledged or failed. A watermark vouches that
 * everything received before its time is on Kafka, so it must not pass the oldest of these: a heartbeat the producer
 * is still retrying (Kafka restarting) may fail in the end while watermarks written after it succeed.
 */
final class InFlightReceipts {

    private final ConcurrentHashMap<Long, Instant> receipts = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /** Records a receipt; the returned key releases it. */
    long add(Instant receivedAt) {
        long key = sequence.incrementAndGet();
        receipts.put(key, receivedAt);
        return key;
    }

    void release(long key) {
        receipts.remove(key);
    }

    /** The oldest receipt time still in flight, or {@code null}. */
    Instant oldest() {
        Instant oldest = null;
        for (Instant t : receipts.values()) {
            if (oldest == null || t.isBefore(oldest)) {
                oldest = t;
            }
        }
        return oldest;
    }

    /**
     * A watermark's time: {@code candidate} (the clock less a settling margin), or just before the oldest receipt still
     * in flight if that is earlier.
     */
    Instant bound(Instant candidate) {
        Instant oldest = oldest();
        return oldest != null && !oldest.isAfter(candidate) ? oldest.minusMillis(1) : candidate;
    }
}
