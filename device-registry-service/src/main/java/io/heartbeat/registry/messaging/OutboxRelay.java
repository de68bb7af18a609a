package io.heartbeat.registry.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.heartbeat.contracts.Topics;
import io.heartbeat.registry.config.RegistryConfig;
import io.heartbeat.registry.repository.OutboxRepository;
import io.heartbeat.registry.repository.OutboxRepository.Pending;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Publishes outbox rows to Kafka in id order and deletes them once Kafka has acknowledged them (acks=all, idempotent
 * producer). While Kafka is down rows stay and are retried on the next run: an event is delayed, never lost. A row
 * published whose deletion then fails is published again: consumers drop views whose revision they already hold.
 */
@ApplicationScoped
public class OutboxRelay {

    private final OutboxRepository outbox;
    private final MutinyEmitter<Record<String, String>> emitter;
    private final RegistryConfig config;
    private final Counter published;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();

    public OutboxRelay(OutboxRepository outbox, @Channel(Topics.REGISTRY_DEVICES) MutinyEmitter<Record<String, String>> emitter,
            RegistryConfig config, MeterRegistry metrics) {
        this.outbox = outbox;
        this.emitter = emitter;
        this.config = config;
        this.published = metrics.counter("registry.outbox.published");
        this.failures = metrics.counter("registry.outbox.publish.failures");
        metrics.gauge("registry.outbox.pending", pending);
    }

    @Scheduled(every = "${heartbeat.registry.outbox.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledRun() {
        return drain()
                .onFailure().invoke(e -> Log.warnf("outbox relay run failed, will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .call(() -> outbox.pendingCount().invoke(pending::set))
                .replaceWithVoid();
    }

    /** Publishes batch after batch while full batches come back, so a backlog leaves at Kafka's pace. */
    Uni<Void> drain() {
        return relayOnce().flatMap(n -> n >= config.outbox().batchSize() ? drain() : Uni.createFrom().voidItem());
    }

    /** One relay run: publishes up to a batch and returns how many rows left the outbox. */
    public Uni<Integer> relayOnce() {
        return outbox.relay(config.outbox().batchSize(), this::publishInOrder);
    }

    /**
     * Sends the whole batch (the producer keeps per-partition order) and returns the ids of the longest prefix that
     * Kafka acknowledged: rows after a failure stay, so nothing is deleted out of order.
     */
    private Uni<List<Long>> publishInOrder(List<Pending> rows) {
        List<Uni<Boolean>> sends = new ArrayList<>(rows.size());
        for (Pending row : rows) {
            Message<Record<String, String>> message = Message.of(Record.of(row.key(), row.payload()))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String> builder().withTopic(row.topic()).build());
            sends.add(emitter.sendMessage(message)
                    .replaceWith(true)
                    .onFailure().invoke(e -> Log.debugf("publishing outbox row %d failed: %s", row.id(), e))
                    .onFailure().recoverWithItem(false));
        }
        return Uni.join().all(sends).andFailFast().map(acks -> {
            List<Long> done = new ArrayList<>();
            for (int i = 0; i < rows.size() && acks.get(i); i++) {
                done.add(rows.get(i).id());
            }
            published.increment(done.size());
            if (done.size() < rows.size()) {
                failures.increment(rows.size() - done.size());
                Log.warnf("Kafka did not acknowledge %d of %d outbox rows; they stay queued",
                        rows.size() - done.size(), rows.size());
            }
            return done;
        });
    }
}
