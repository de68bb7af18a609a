package io.heartbeat.monitor.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.heartbeat.common.outbox.OutboxRelay;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.monitor.config.MonitorConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * What follows a committed transition: the counter by reason and target state, and the device-status event leaving
 * the outbox (the shared relay, run every second and right after each commit that wrote transitions).
 */
@ApplicationScoped
public class MonitorEvents {

    /** Advisory lock key of the monitor's relay ("hbrelay3"). */
    static final long RELAY_LOCK = 0x6862_7265_6c61_7933L;

    private final OutboxRelay relay;
    private final MeterRegistry metrics;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public MonitorEvents(Pool pool, @Channel(Topics.DEVICE_STATUS) MutinyEmitter<Record<String, String>> emitter,
            MonitorConfig config, MeterRegistry metrics) {
        this.relay = new OutboxRelay(pool, RELAY_LOCK, emitter, 500, metrics, "monitor.outbox");
        this.metrics = metrics;
    }

    public void transition(TransitionReason reason, DeviceState to) {
        counters.computeIfAbsent(reason + "|" + to,
                k -> metrics.counter("monitor.transitions", "reason", reason.name(), "to", to.name())).increment();
    }

    /** Publishes what the last commit wrote now rather than on the next scheduled run. */
    public void published() {
        relay.run().subscribe().with(ignored -> {
        });
    }

    /** The first run waits 3 s: right at startup the emitter's channel may not be wired yet (SRMSG00019). */
    @Scheduled(every = "${heartbeat.monitor.outbox-poll-interval:1s}", delayed = "3s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledRun() {
        return relay.run();
    }
}
