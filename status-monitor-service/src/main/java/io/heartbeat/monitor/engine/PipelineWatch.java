package io.heartbeat.monitor.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far the heartbeat pipeline has got on each owned partition of {@code heartbeats}, in ingest time: the newest
 * {@code receivedAt} of a heartbeat or {@code at} of a watermark read from it. Ingest writes a watermark to every
 * partition several times a second while its intake works, so this time keeps up with the clock while the pipeline
 * works, also when no device sends, and stops when ingest (or Kafka between them) is down or stalled.
 *
 * <p>
 * A device's deadline is in ingest time too (its last heartbeat's {@code receivedAt} plus a threshold), so it may
 * fire only once the partition's ingest time has passed it: whatever the device sent before its deadline has been read
 * by then. While the pipeline is silent nothing passes, and nothing times out.
 *
 * <p>
 * When records flow again after a gap (the partition's ingest time jumps by more than {@code silence}), the gap does
 * not count against any device: a deadline that fell after the gap began is moved on by the gap's length, so devices
 * that are alive have their full threshold to be heard again (what the broker kept for ingest arrives first) and the
 * ones that are not time out then, spread as their deadlines were, instead of all at once.
 *
 * <p>
 * The engine thread writes; health and metrics read from any thread.
 */
public final class PipelineWatch {

    /** One partition: its ingest time, when (monitor clock) that last moved, and its newest gap. */
    private static final class Partition {
        volatile Instant ingestTime;
        volatile Instant movedAt;
        volatile Instant gapStart;
        volatile Instant gapEnd;

        Partition(Instant now) {
            this.movedAt = now;
        }
    }

    /** A gap that just ended on a partition, in ingest time. */
    public record Gap(int partition, Instant start, Instant end) {
        public Duration length() {
            return Duration.between(start, end);
        }
    }

    private final Duration silence;
    private final Duration recheck;
    private final Map<Integer, Partition> partitions = new ConcurrentHashMap<>();

    /**
     * @param silence a partition whose ingest time has not moved for this long is silent (health, metrics), and a jump
     *        of its ingest time by more than this is a gap; {@code 0} turns the watch off (deadlines fire by the
     *        monitor's clock alone: for an ingest that writes no watermarks)
     * @param recheck how soon a deadline held for a silent pipeline is looked at again
     */
    public PipelineWatch(Duration silence, Duration recheck) {
        this.silence = silence;
        this.recheck = recheck;
    }

    public boolean enabled() {
        return !silence.isZero() && !silence.isNegative();
    }

    /** The engine now owns these partitions. */
    public void assigned(Collection<Integer> owned, Instant now) {
        for (int p : owned) {
            partitions.putIfAbsent(p, new Partition(now));
        }
    }

    public void revoked(Collection<Integer> gone) {
        gone.forEach(partitions::remove);
    }

    /**
     * A record (heartbeat or watermark) with this ingest time was read from the partition.
     *
     * @return the gap that this record ended, or {@code null}
     */
    public Gap seen(int partition, Instant ingestTime, Instant now) {
        if (ingestTime == null) {
            return null;
        }
        Partition p = partitions.computeIfAbsent(partition, ignored -> new Partition(now));
        Instant held = p.ingestTime;
        if (held != null && !ingestTime.isAfter(held)) {
            return null;
        }
        Gap ended = null;
        if (held != null && enabled() && Duration.between(held, ingestTime).compareTo(silence) > 0) {
            p.gapStart = held;
            p.gapEnd = ingestTime;
            ended = new Gap(partition, held, ingestTime);
        }
        p.ingestTime = ingestTime;
        p.movedAt = now;
        return ended;
    }

    /**
     * Whether a deadline that is due by the monitor's clock must wait.
     *
     * @return when to look at it again, or {@code null} if it may fire now: the partition's ingest time has passed it
     *         (moved on by the newest gap's length if it fell after that gap began)
     */
    public Instant hold(int partition, Instant deadline, Instant now) {
        if (!enabled() || deadline == null) {
            return null;
        }
        Partition p = partitions.get(partition);
        if (p == null) {
            return null;
        }
        Instant due = deadline.plus(excused(partition, deadline));
        Instant ingestTime = p.ingestTime;
        if (ingestTime != null && !ingestTime.isBefore(due)) {
            return null;
        }
        // not passed in ingest time yet: at the moved deadline, or soon if only the pipeline is behind
        return due.isAfter(now) ? due : now.plus(recheck);
    }

    /**
     * How much of a device's silence up to {@code deadline} the pipeline excuses: the length of the partition's newest
     * gap if the deadline fell after it began, else nothing.
     */
    public Duration excused(int partition, Instant deadline) {
        Partition p = partitions.get(partition);
        if (!enabled() || p == null || deadline == null || p.gapStart == null || !deadline.isAfter(p.gapStart)) {
            return Duration.ZERO;
        }
        return Duration.between(p.gapStart, p.gapEnd);
    }

    /** The owned partitions whose ingest time has not moved for the silence period. */
    public List<Integer> silentPartitions(Instant now) {
        if (!enabled()) {
            return List.of();
        }
        List<Integer> silent = new ArrayList<>();
        partitions.forEach((id, p) -> {
            if (Duration.between(p.movedAt, now).compareTo(silence) > 0) {
                silent.add(id);
            }
        });
        silent.sort(Integer::compare);
        return silent;
    }

    /** The partition's ingest time, {@code null} before its first record. */
    public Instant ingestTime(int partition) {
        Partition p = partitions.get(partition);
        return p == null ? null : p.ingestTime;
    }

    /** Since when (monitor clock) the longest-silent partition has not moved, or {@code null} if none is silent. */
    public Instant silentSince(Instant now) {
        return partitions.values().stream().filter(p -> Duration.between(p.movedAt, now).compareTo(silence) > 0)
                .map(p -> p.movedAt).min(Instant::compareTo).orElse(null);
    }
}
