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
 * {@code at} of an ingest watermark read from it. Ingest writes a watermark to every partition several times a second
 * while it has taken in everything devices sent (not while it, Kafka or the broker is down, nor while it is still
 * taking in the backlog the broker kept meanwhile), so this time keeps up with the clock while the pipeline works and
 * stops when it does not. A heartbeat's own {@code receivedAt} does not move it: while a backlog is being taken in,
 * one device's heartbeat arriving says nothing about another's still waiting in the broker.
 *
 * <p>
 * A device's deadline is in ingest time too (its last heartbeat's {@code receivedAt} plus a threshold), so it may
 * fire only once the partition's ingest time has passed it: whatever the device sent before its deadline has been read
 * by then. While the pipeline is silent nothing passes, and nothing times out.
 *
 * <p>
 * When records flow again after a gap (the partition's ingest time jumps by more than {@code silence}), the gap does
 * not count against any device: a deadline that fell after the gap began is moved on by the gap's length (by each
 * gap's, when several followed each other), so devices
 * that are alive have their full threshold to be heard again (what the broker kept for ingest arrives first) and the
 * ones that are not time out then, spread as their deadlines were, instead of all at once.
 *
 * <p>
 * The engine thread writes; health and metrics read from any thread.
 */
public final class PipelineWatch {

    /** Gaps remembered per partition: enough for any burst of outages within a device's thresholds. */
    static final int MAX_GAPS = 64;

    /** One partition: its ingest time, when (monitor clock) that last moved, and its recent gaps, oldest first. */
    private static final class Partition {
        volatile Instant ingestTime;
        volatile Instant movedAt;
        volatile List<Gap> gaps = List.of();

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
            ended = new Gap(partition, held, ingestTime);
            List<Gap> gaps = new ArrayList<>(p.gaps);
            gaps.add(ended);
            p.gaps = List.copyOf(gaps.size() > MAX_GAPS ? gaps.subList(gaps.size() - MAX_GAPS, gaps.size()) : gaps);
        }
        p.ingestTime = ingestTime;
        p.movedAt = now;
        return ended;
    }

    /**
     * Whether a deadline that is due by the monitor's clock must wait.
     *
     * @param since the device's last evidence (heartbeat or probe) the deadline was set from; {@code null}: unknown
     * @return when to look at it again, or {@code null} if it may fire now: the partition's ingest time has passed it
     *         (moved on by the gaps the device's silence overlapped, {@link #excused})
     */
    public Instant hold(int partition, Instant deadline, Instant since, Instant now) {
        if (!enabled() || deadline == null) {
            return null;
        }
        Partition p = partitions.get(partition);
        if (p == null) {
            return null;
        }
        Instant due = deadline.plus(excused(partition, deadline, since));
        Instant ingestTime = p.ingestTime;
        if (ingestTime != null && !ingestTime.isBefore(due)) {
            return null;
        }
        // not passed in ingest time yet: at the moved deadline, or soon if only the pipeline is behind
        return due.isAfter(now) ? due : now.plus(recheck);
    }

    /**
     * How much of a device's silence up to {@code deadline} the pipeline excuses. Gaps are taken oldest first: one
     * that began before the deadline (as moved so far) moves it on by its length. So a second outage soon after the
     * first adds to it instead of taking its place (remembering only the newest gap, a deadline the first had moved
     * fell due as the second ended, and every live device of the partition timed out at once). A gap that ended before
     * {@code since} (the device was heard after it) excuses nothing: an outage minutes ago must not delay today's
     * detection.
     */
    public Duration excused(int partition, Instant deadline, Instant since) {
        Partition p = partitions.get(partition);
        if (!enabled() || p == null || deadline == null) {
            return Duration.ZERO;
        }
        Instant due = deadline;
        for (Gap g : p.gaps) {
            if (due.isAfter(g.start()) && (since == null || g.end().isAfter(since))) {
                due = due.plus(g.length());
            }
        }
        return Duration.between(deadline, due);
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
