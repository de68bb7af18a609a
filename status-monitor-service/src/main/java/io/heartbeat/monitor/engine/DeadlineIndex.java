package io.heartbeat.monitor.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The in-memory deadline index of the devices one engine owns: which device's deadline passes next. A binary heap of
 * (deadline, device) entries with lazy deletion: rescheduling a device adds an entry and makes its older ones stale,
 * and stale entries are skipped when they reach the top. Scheduling and taking the due devices are O(log n); the heap
 * holds at most a few entries per device between compactions. Not thread-safe: it belongs to the engine thread.
 */
public final class DeadlineIndex {

    private record Entry(long deadlineMs, String deviceId) {
    }

    private final PriorityQueue<Entry> heap = new PriorityQueue<>((a, b) -> Long.compare(a.deadlineMs, b.deadlineMs));
    private final Map<String, Long> current = new HashMap<>();

    /** Sets (or, with null, clears) the device's deadline. */
    public void schedule(String deviceId, Instant deadline) {
        if (deadline == null) {
            current.remove(deviceId);
            return;
        }
        long ms = ceilingMillis(deadline);
        Long held = current.put(deviceId, ms);
        if (held == null || held != ms) {
            heap.add(new Entry(ms, deviceId));
        }
        if (heap.size() > 4 * current.size() + 1024) {
            compact();
        }
    }

    /**
     * The first whole millisecond at or after {@code t}. Deadlines come from Postgres with microseconds: truncating
     * would make one due up to a millisecond before it passes, and the engine would then find it not passed.
     */
    static long ceilingMillis(Instant t) {
        long ms = t.toEpochMilli();
        return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
    }

    public void remove(String deviceId) {
        current.remove(deviceId);
    }

    /** Removes and returns the devices whose deadline is at or before {@code now}, earliest first. */
    public List<String> due(Instant now) {
        long nowMs = now.toEpochMilli();
        List<String> due = new ArrayList<>();
        while (!heap.isEmpty() && heap.peek().deadlineMs <= nowMs) {
            Entry e = heap.poll();
            Long held = current.get(e.deviceId);
            if (held != null && held == e.deadlineMs) {
                current.remove(e.deviceId);
                due.add(e.deviceId);
            }
        }
        return due;
    }

    /** The earliest pending deadline, or null. */
    public Instant next() {
        while (!heap.isEmpty()) {
            Entry e = heap.peek();
            Long held = current.get(e.deviceId);
            if (held != null && held == e.deadlineMs) {
                return Instant.ofEpochMilli(e.deadlineMs);
            }
            heap.poll();
        }
        return null;
    }

    public int size() {
        return current.size();
    }

    public void clear() {
        heap.clear();
        current.clear();
    }

    private void compact() {
        heap.clear();
        current.forEach((id, ms) -> heap.add(new Entry(ms, id)));
    }
}
