package io.heartbeat.ingest.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets at most {@code limit} events per key through per fixed window and counts the rest. Ingest uses it twice: log
 * lines per refusal reason, so a misbehaving device or a flood of bad credentials cannot flood the log, and
 * heartbeats.rejected records per source address of requests that did not authenticate, so anyone who can reach the
 * HTTP port cannot turn 401s into an unbounded stream of Kafka records.
 *
 * <p>
 * Thread-safe (each key changes atomically inside {@link ConcurrentHashMap#compute}). Memory is bounded when keys come
 * from outside: at most {@code maxKeys} keys are tracked; further keys share one {@link #OVERFLOW} window (so the
 * total still stays bounded), and {@link #evictIdle(Instant)} forgets keys whose window has ended.
 */
public final class Throttle {

    /** The key every new key shares once {@code maxKeys} keys are tracked. */
    public static final String OVERFLOW = "(overflow)";

    /**
     * @param allowed whether this event may go through (be logged, be published)
     * @param suppressed how many events of this key were held back in the previous window (report it once)
     */
    public record Permit(boolean allowed, long suppressed) {
    }

    private static final class Window {
        Instant start;
        int allowed;
        long suppressed;
    }

    private final int limit;
    private final Duration window;
    private final int maxKeys;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param limit events let through per key and window (0: none)
     * @param window the length of a window, which starts with a key's first event after the previous one ended
     * @param maxKeys most keys tracked at once
     */
    public Throttle(int limit, Duration window, int maxKeys) {
        if (limit < 0 || window.isNegative() || window.isZero() || maxKeys < 1) {
            throw new IllegalArgumentException("limit >= 0, a positive window and maxKeys >= 1 are required");
        }
        this.limit = limit;
        this.window = window;
        this.maxKeys = maxKeys;
    }

    /** A throttle for a small, fixed set of keys (e.g. refusal reasons). */
    public Throttle(int limit, Duration window) {
        this(limit, window, Integer.MAX_VALUE);
    }

    public Permit permit(String key, Instant now) {
        String k = windows.size() >= maxKeys && !windows.containsKey(key) ? OVERFLOW : key;
        Permit[] permit = new Permit[1];
        windows.compute(k, (ignored, w) -> {
            Window current = w == null ? new Window() : w;
            long carried = 0;
            if (current.start == null || !now.isBefore(current.start.plus(window))) {
                carried = current.suppressed;
                current.start = now;
                current.allowed = 0;
                current.suppressed = 0;
            }
            if (current.allowed < limit) {
                current.allowed++;
                permit[0] = new Permit(true, carried);
            } else {
                current.suppressed++;
                permit[0] = new Permit(false, carried);
            }
            return current;
        });
        return permit[0];
    }

    /**
     * Forgets keys whose window ended before {@code now}, and their count of suppressed events; returns how many were
     * forgotten.
     */
    public int evictIdle(Instant now) {
        int[] evicted = new int[1];
        for (String key : windows.keySet()) {
            windows.computeIfPresent(key, (k, w) -> {
                if (!now.isBefore(w.start.plus(window))) {
                    evicted[0]++;
                    return null;
                }
                return w;
            });
        }
        return evicted[0];
    }

    /** How many keys have a window. */
    public int trackedKeys() {
        return windows.size();
    }
}
