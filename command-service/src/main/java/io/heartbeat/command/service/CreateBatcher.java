package io.heartbeat.command.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.command.store.CommandStore.BatchCreated;
import io.heartbeat.command.store.CommandStore.Created;
import io.heartbeat.command.store.CommandStore.NewCommand;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Creates users' commands in batches: while one batch is being written the next ones gather, so commands POSTed at
 * the same time cost one transaction (three statements) per up to {@code heartbeat.command.batch-size} commands
 * instead of one transaction of four statements each, and the dispatcher runs once per batch. Only commands with no
 * idempotency key that are pushed over MQTT come here; the others need their own lookups in their transaction
 * ({@link CommandStore#create}). Each caller gets its own answer: its command, {@code queue-full} for its device
 * alone, or the failure of the whole batch (Postgres unavailable), on the Vert.x context it called from.
 */
@ApplicationScoped
public class CreateBatcher {

    private record Pending(NewCommand command, CompletableFuture<Created> created, Context context) {
    }

    private final CommandStore store;
    private final Dispatcher dispatcher;
    private final Clock clock;
    private final int batchSize;
    private final int maxQueuedPerDevice;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    public CreateBatcher(CommandStore store, Dispatcher dispatcher, Clock clock, CommandConfig config) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.batchSize = config.batchSize();
        this.maxQueuedPerDevice = config.maxQueuedPerDevice();
    }

    /** Stores the command with the others that arrive meanwhile; completes when its batch is committed. */
    public Uni<Created> submit(NewCommand command) {
        CompletableFuture<Created> created = new CompletableFuture<>();
        queue.add(new Pending(command, created, Vertx.currentContext()));
        drain();
        return Uni.createFrom().completionStage(created);
    }

    /** Writes the next batch unless one is being written; the end of each write starts the next. */
    private void drain() {
        if (!writing.compareAndSet(false, true)) {
            return;
        }
        List<Pending> batch = new ArrayList<>();
        for (Pending p; batch.size() < batchSize && (p = queue.poll()) != null;) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            writing.set(false);
            if (!queue.isEmpty()) {
                drain(); // a command arrived between the poll and the reset
            }
            return;
        }
        Uni.createFrom().deferred(() -> store.createAll(batch.stream().map(Pending::command).toList(),
                clock.instant(), maxQueuedPerDevice)).subscribe().with(answers -> {
                    boolean any = false;
                    for (int i = 0; i < batch.size(); i++) {
                        BatchCreated a = answers.get(i);
                        any |= a.command() != null;
                        answer(batch.get(i), a.command() != null ? new Created(a.command(), true) : null, a.refusal());
                    }
                    if (any) {
                        dispatcher.trigger();
                    }
                    next();
                }, e -> {
                    batch.forEach(p -> answer(p, null, e));
                    next();
                });
    }

    private void next() {
        writing.set(false);
        drain();
    }

    private static void answer(Pending p, Created created, Throwable failure) {
        Runnable complete = failure == null ? () -> p.created().complete(created)
                : () -> p.created().completeExceptionally(failure);
        if (p.context() != null) {
            p.context().runOnContext(ignored -> complete.run());
        } else {
            complete.run();
        }
    }
}
