package io.heartbeat.cli.device;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The simulator's counts, updated from the pacer, Netty and HTTP threads alike. */
public final class Stats {

    public final LongAdder sent = new LongAdder();
    /** MQTT: the broker acknowledged (QoS 1/2) or the message was written (QoS 0); HTTP: 200 accepted. */
    public final LongAdder accepted = new LongAdder();
    public final LongAdder behind = new LongAdder();
    public final LongAdder commands = new LongAdder();
    public final LongAdder acks = new LongAdder();
    public final LatencyHistogram latency = new LatencyHistogram();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

    public void refused(String reason) {
        refused.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public long refusedTotal() {
        return refused.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Reason → count, sorted by reason. */
    public Map<String, Long> refusedByReason() {
        Map<String, Long> m = new TreeMap<>();
        refused.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
