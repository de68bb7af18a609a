package io.heartbeat.command.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.store.CommandStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Keeps command history for {@code heartbeat.command.retention} (30 days, like the monitor's results): final
 * commands older than that are deleted with their transitions, a batch per transaction. Replicas share the work
 * through {@code SKIP LOCKED}.
 */
@ApplicationScoped
public class CommandRetention {

    static final int BATCH = 5000;

    private final CommandStore store;
    private final Clock clock;
    private final Duration retention;
    private final Counter purged;

    public CommandRetention(CommandStore store, Clock clock, MeterRegistry metrics, CommandConfig config) {
        this.store = store;
        this.clock = clock;
        this.retention = config.retention();
        this.purged = metrics.counter("command.purged");
    }

    @Scheduled(every = "${heartbeat.command.retention-interval}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge(clock.instant()).invoke(n -> {
            if (n > 0) {
                Log.infof("deleted %d commands final for over %s", n, retention);
            }
        }).onFailure().invoke(e -> Log.warnf("command retention failed, the next run retries: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Deletes every command final before {@code now - retention}; returns how many. */
    public Uni<Integer> purge(Instant now) {
        return store.purge(now.minus(retention), BATCH).flatMap(n -> {
            purged.increment(n);
            return n >= BATCH ? purge(now).map(more -> n + more) : Uni.createFrom().item(n);
        });
    }
}
