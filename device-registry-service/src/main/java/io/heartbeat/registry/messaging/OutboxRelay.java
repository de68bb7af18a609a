package io.heartbeat.registry.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.heartbeat.contracts.Topics;
import io.heartbeat.registry.config.RegistryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Publishes the registry's outbox ({@code registry.devices} views and tombstones) with the shared
 * {@link io.heartbeat.common.outbox.OutboxRelay}: one relay across replicas, id order, rows deleted once Kafka has
 * them.
 */
@ApplicationScoped
public class OutboxRelay {

    /** Advisory lock key of the registry's relay ("hbrelay1"). */
    static final long RELAY_LOCK = 0x6862_7265_6c61_7931L;

    private final io.heartbeat.common.outbox.OutboxRelay relay;

    public OutboxRelay(Pool pool, @Channel(Topics.REGISTRY_DEVICES) MutinyEmitter<Record<String, String>> emitter,
            RegistryConfig config, MeterRegistry metrics) {
        this.relay = new io.heartbeat.common.outbox.OutboxRelay(pool, RELAY_LOCK, emitter, config.outbox().batchSize(),
                metrics, "registry.outbox");
    }

    @Scheduled(every = "${heartbeat.registry.outbox.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledRun() {
        return relay.run();
    }
}
