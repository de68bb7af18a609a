package io.heartbeat.ingest.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets at most {@code limit} log lines per key through per window, so a misbehaving device (or a flood of bad
 * credentials) cannot flood the log. Refusals stay fully visible on heartbeats.rejected and in the metrics.
 */
public final class LogThrottle {

    /**
     * @param log whether this line may be logged
     * @param suppressed how many lines of this key were held back in the previous window (report it once)
     */
    public record Permit(boolean log, long suppressed) {
    }

    private static final class Window {
        Instant start;
        int logged;
        long suppressed;
    }

    private final int limit;
    private final Duration window;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public LogThrottle(int limit, Duration window) {
        this.limit = limit;
        this.window = window;
    }

    public Permit permit(String key, Instant now) {
        Permit[] permit = new Permit[1];
        windows.compute(key, (k, w) -> {
            Window current = w == null ? new Window() : w;
            long carried = 0;
            if (current.start == null || !now.isBefore(current.start.plus(window))) {
                carried = current.suppressed;
                current.start = now;
                current.logged = 0;
                current.suppressed = 0;
            }
            if (current.logged < limit) {
                current.logged++;
                permit[0] = new Permit(true, carried);
            } else {
                current.suppressed++;
                permit[0] = new Permit(false, carried);
            }
            return current;
        });
        return permit[0];
    }
}
