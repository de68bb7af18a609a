package io.heartbeat.command.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.command.store.CommandStore.Ack;
import io.heartbeat.common.batch.BisectingBatchWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * Applies devices' answers in batches: while one batch is being written the next ones gather, so a fleet answering at
 * once costs one transaction per {@code heartbeat.command.ack-batch-size} answers instead of one each, and the
 * dispatcher runs once per batch. Up to {@code heartbeat.command.ack-backlog} answers wait in memory; beyond that
 * {@link #submit} completes only when its answer is written, which slows the MQTT channel down to the database's pace
 * (the channel's buffer holds the rest). The connector answers the broker's QoS 1 delivery (PUBACK) on receipt, so
 * an answer lost with the process (a crash before its batch commits) is not redelivered by the broker: its command
 * stays SENT, the ack timeout sends it again, and the device answers again.
 *
 * <p>
 * A batch is written by a {@link BisectingBatchWriter}: an answer Postgres refuses for its data is set aside (in
 * {@code command.rejected_row}, counted in {@code batch.rows.rejected{writer="command-acks"}}, outcome
 * {@link Outcome#REJECTED}) and the rest of its batch is applied; only passing failures (Postgres down) fail a batch,
 * which is then retried a few times before its answers count as {@link Outcome#FAILED}.
 */
@ApplicationScoped
public class AckBatcher {

    /**
     * What an answer did: changed its command, changed nothing (duplicate, late, unknown), was refused by Postgres for
     * its data (set aside), or could not be stored (Postgres unavailable).
     */
    public enum Outcome {
        APPLIED,
        IGNORED,
        REJECTED,
        FAILED
    }

    private record Pending(Ack ack, CompletableFuture<Outcome> outcome) {
    }

    private final BisectingBatchWriter<Ack, Set<String>> writer;
    private final Dispatcher dispatcher;
    private final int batchSize;
    private final int backlog;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean writing = new AtomicBoolean();

    public AckBatcher(CommandStore store, Dispatcher dispatcher, MeterRegistry metrics, CommandConfig config) {
        this.writer = new BisectingBatchWriter<>(CommandStore.ACK_WRITER, store::ackAll, store::reject, metrics);
        this.dispatcher = dispatcher;
        this.batchSize = config.ackBatchSize();
        this.backlog = config.ackBacklog();
        metrics.gauge("command.acks.pending", queued, AtomicInteger::get);
    }

    /**
     * Queues the answer; {@code outcome} learns what it did once its batch is written. The returned Uni completes at
     * once while the backlog has room, else when this answer is written.
     */
    public Uni<Void> submit(Ack ack, Consumer<Outcome> outcome) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        done.thenAccept(outcome);
        queue.add(new Pending(ack, done));
        boolean room = queued.incrementAndGet() <= backlog;
        drain();
        return room ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(done).replaceWithVoid();
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
                drain(); // an answer arrived between the poll and the reset
            }
            return;
        }
        queued.addAndGet(-batch.size());
        Uni.createFrom().deferred(() -> writer.write(batch.stream().map(Pending::ack).toList()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(2)).atMost(3)
                .subscribe().with(outcome -> {
                    Set<String> changed = new HashSet<>();
                    outcome.results().forEach(changed::addAll);
                    Set<Ack> rejected = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                    outcome.rejected().forEach(r -> rejected.add(r.row()));
                    finish(batch, changed, rejected);
                }, e -> {
                    Log.warnf("%d device answers not applied (their commands time out and are sent again): %s",
                            batch.size(), e.getMessage());
                    finish(batch, null, Set.of());
                });
    }

    private void finish(List<Pending> batch, Set<String> changed, Set<Ack> rejected) {
        Set<String> counted = new HashSet<>();
        for (Pending p : batch) {
            p.outcome().complete(changed == null ? Outcome.FAILED
                    : rejected.contains(p.ack()) ? Outcome.REJECTED
                            : changed.contains(p.ack().commandId()) && counted.add(p.ack().commandId())
                                    ? Outcome.APPLIED
                                    : Outcome.IGNORED);
        }
        if (changed != null && !changed.isEmpty()) {
            dispatcher.trigger(); // publish the results now
        }
        writing.set(false);
        drain();
    }
}
