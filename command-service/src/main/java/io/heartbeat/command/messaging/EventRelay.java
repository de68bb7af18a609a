package io.heartbeat.command.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.heartbeat.common.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Publishes the outbox ({@code command-results}, {@code commands.dlq}, {@code device-signals}, written in the
 * transactions that change commands) on the {@code command-events} channel: every second, and after each dispatcher
 * round so a result leaves right after the change that made it.
 */
@ApplicationScoped
public class EventRelay {

    /** Advisory lock key of the command service's outbox relay ("hbrelay4"). */
    static final long RELAY_LOCK = 0x6862_7265_6c61_7934L;

    private final OutboxRelay relay;

    public EventRelay(Pool pool, @Channel("command-events") MutinyEmitter<Record<String, String>> events,
            MeterRegistry metrics) {
        this.relay = new OutboxRelay(pool, RELAY_LOCK, events, 500, metrics, "command.outbox");
    }

    @Scheduled(every = "1s", delayed = "3s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> run() {
        return relay.run();
    }
}
