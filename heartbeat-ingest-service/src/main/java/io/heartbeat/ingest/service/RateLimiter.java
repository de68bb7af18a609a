package io.heartbeat.ingest.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.heartbeat.contracts.HeartbeatKind;

/**
 * Per-device heartbeat rate limits (seed 004): at least {@code minSpacing} between two accepted heartbeats, and at most
 * {@code maxPerMinute} accepted in any sliding minute. Only accepted heartbeats count; a refused one leaves no trace.
 * Each kind of message has a bucket of its own: a socket (seed 002) that sends {@code data} every 30 s and a heartbeat
 * in between loses neither.
 *
 * <p>
 * Thread-safe: each device's state is changed atomically (inside {@link ConcurrentHashMap#compute}). Memory is
 * bounded: a device holds at most {@code maxPerMinute} timestamps, only authenticated devices get a state at all, and
 * {@link #evictIdle(Instant)} forgets devices quiet for longer than a minute (and their spacing).
 */
public final class RateLimiter {

    /** The sliding window of {@code maxPerMinute}. */
    public static final Duration WINDOW = Duration.ofMinutes(1);

    /**
     * The outcome of {@link #tryAcquire}.
     *
     * @param allowed whether the heartbeat may be accepted (it then counts)
     * @param retryAfter when refused: how long until a heartbeat would be allowed (at least 1 second); else zero
     */
    public record Decision(boolean allowed, Duration retryAfter) {

        static final Decision ALLOWED = new Decision(true, Duration.ZERO);
    }

    private static final class State {
        /** Accepted heartbeats of the last minute, oldest first. */
        final Deque<Instant> accepted = new ArrayDeque<>();
        Instant lastSeen;
    }

    /** One bucket: a device's messages of one kind. */
    private record Key(String deviceId, HeartbeatKind kind) {
    }

    private final Map<Key, State> states = new ConcurrentHashMap<>();

    /** {@link #tryAcquire(String, HeartbeatKind, Instant, Duration, int)} for heartbeats. */
    public Decision tryAcquire(String deviceId, Instant now, Duration minSpacing, int maxPerMinute) {
        return tryAcquire(deviceId, HeartbeatKind.HEARTBEAT, now, minSpacing, maxPerMinute);
    }

    /** {@link #release(String, HeartbeatKind, Instant)} for heartbeats. */
    public void release(String deviceId, Instant at) {
        release(deviceId, HeartbeatKind.HEARTBEAT, at);
    }

    /**
     * Counts a message of {@code deviceId} of {@code kind} at {@code now} if the limits of that kind allow it.
     *
     * @param minSpacing least time between two accepted heartbeats (zero or negative: no minimum)
     * @param maxPerMinute most accepted heartbeats in any minute (at least 1)
     */
    public Decision tryAcquire(String deviceId, HeartbeatKind kind, Instant now, Duration minSpacing,
            int maxPerMinute) {
        Decision[] decision = new Decision[1];
        states.compute(new Key(deviceId, kind), (id, state) -> {
            State s = state == null ? new State() : state;
            s.lastSeen = max(s.lastSeen, now);
            Instant windowStart = now.minus(WINDOW);
            while (!s.accepted.isEmpty() && !s.accepted.peekFirst().isAfter(windowStart)) {
                s.accepted.pollFirst();
            }
            Duration wait = Duration.ZERO;
            Instant last = s.accepted.peekLast();
            if (last != null && minSpacing.compareTo(Duration.ZERO) > 0) {
                Duration sinceLast = Duration.between(last, now);
                if (sinceLast.compareTo(minSpacing) < 0) {
                    wait = minSpacing.minus(sinceLast);
                }
            }
            int limit = Math.max(1, maxPerMinute);
            if (s.accepted.size() >= limit) {
                // the (size - limit + 1)-th oldest must leave the window first
                Instant mustExpire = s.accepted.stream().skip(s.accepted.size() - limit).findFirst().orElseThrow();
                Duration untilFree = Duration.between(now, mustExpire.plus(WINDOW));
                if (untilFree.compareTo(wait) > 0) {
                    wait = untilFree;
                }
            }
            if (wait.isZero() || wait.isNegative()) {
                insertInOrder(s.accepted, now);
                decision[0] = Decision.ALLOWED;
            } else {
                decision[0] = new Decision(false, roundUpToSeconds(wait));
            }
            return s;
        });
        return decision[0];
    }

    /**
     * Takes back a heartbeat counted at {@code at} that was not accepted after all (e.g. Kafka did not store it), so
     * the device may retry at once.
     */
    public void release(String deviceId, HeartbeatKind kind, Instant at) {
        states.computeIfPresent(new Key(deviceId, kind), (id, s) -> {
            s.accepted.removeLastOccurrence(at);
            return s;
        });
    }

    /** Forgets devices that have sent nothing for longer than a minute; returns how many were forgotten. */
    public int evictIdle(Instant now) {
        Instant cutoff = now.minus(WINDOW);
        int[] evicted = new int[1];
        for (Key key : states.keySet()) {
            // atomic per device: a heartbeat arriving meanwhile either sees the old state or a fresh one
            states.computeIfPresent(key, (id, s) -> {
                if (s.lastSeen == null || s.lastSeen.isBefore(cutoff)) {
                    evicted[0]++;
                    return null;
                }
                return s;
            });
        }
        return evicted[0];
    }

    /** How many buckets (device and kind) have rate-limit state. */
    public int trackedDevices() {
        return states.size();
    }

    /**
     * Concurrent requests of one device take their timestamps before they queue for the device's state, so one may
     * arrive slightly out of order; keep the window sorted so expiry stays correct.
     */
    private static void insertInOrder(Deque<Instant> accepted, Instant at) {
        Deque<Instant> later = new ArrayDeque<>();
        while (!accepted.isEmpty() && accepted.peekLast().isAfter(at)) {
            later.addFirst(accepted.pollLast());
        }
        accepted.addLast(at);
        accepted.addAll(later);
    }

    static Duration roundUpToSeconds(Duration d) {
        long seconds = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return Duration.ofSeconds(Math.max(1, seconds));
    }

    private static Instant max(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }
}
