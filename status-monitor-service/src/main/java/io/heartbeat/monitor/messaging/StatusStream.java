package io.heartbeat.monitor.messaging;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.TopicFollower;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

/**
 * The live stream of transitions: every replica follows the whole {@code device-status} topic from its end (whichever
 * replica made a transition, every replica's SSE clients see it) and broadcasts each event to its subscribers.
 */
@ApplicationScoped
public class StatusStream {

    private final BroadcastProcessor<DeviceStatusChanged> broadcast = BroadcastProcessor.create();
    private final TopicFollower loop;

    public StatusStream(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.loop = TopicFollower.fromEnd(Topics.DEVICE_STATUS, bootstrapServers, "monitor-status-stream",
                Duration.ofMillis(200), (key, value) -> {
                    DeviceStatusChanged e = value == null ? null : EventJson.read(value, DeviceStatusChanged.class);
                    if (e != null) { // a JSON null is skipped like a tombstone (onNext(null) would throw)
                        broadcast.onNext(e);
                    }
                });
    }

    void start(@Observes StartupEvent event) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        loop.stop();
    }

    /**
     * Events a subscriber may be behind by before its stream fails: a burst of timeouts (hundreds at once) comes faster
     * than an SSE client takes it, and without a buffer the broadcast cut that client off at the first one it had not
     * asked for yet.
     */
    static final int SUBSCRIBER_BUFFER = 10_000;

    /** Transitions from now on, of {@code tenant} (null: every tenant); each subscriber buffered on its own. */
    public Multi<DeviceStatusChanged> transitions(String tenant) {
        return broadcast.onOverflow().buffer(SUBSCRIBER_BUFFER).filter(e -> tenant == null || tenant.equals(e.tenantId()));
    }
}
