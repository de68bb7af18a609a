package io.heartbeat.command.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.messaging.CommandPublisher;
import io.heartbeat.command.messaging.EventRelay;
import io.heartbeat.command.store.Command;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.contracts.CommandStatus;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Moves commands along their timers: expires those whose TTL passed, times out (and retries with exponential backoff
 * and jitter, or dead-letters) those whose ack is overdue, and sends due commands of connected devices to
 * {@code devices/{id}/commands}. Every timer is a column of the {@code command} table, so the first round after a
 * restart re-arms all of them. Runs every poll interval and at once after a create or a device's reconnect; rounds
 * never overlap within a replica, and replicas split the rows through {@code FOR UPDATE SKIP LOCKED}.
 */
@ApplicationScoped
public class Dispatcher {

    private final CommandStore store;
    private final Devices devices;
    private final CommandPublisher publisher;
    private final EventRelay relay;
    private final Clock clock;
    private final int batchSize;
    private final Duration retryBase;
    private final Duration retryMax;
    private final double retryJitter;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public Dispatcher(CommandStore store, Devices devices, CommandPublisher publisher, EventRelay relay, Clock clock,
            CommandConfig config) {
        this.store = store;
        this.devices = devices;
        this.publisher = publisher;
        this.relay = relay;
        this.clock = clock;
        this.batchSize = config.batchSize();
        this.retryBase = config.retryBase();
        this.retryMax = config.retryMax();
        this.retryJitter = config.retryJitter();
        devices.onConnected(id -> trigger());
    }

    /** The wait after timed-out attempt {@code attempt} (1-based): base * 2^(attempt-1), capped, plus jitter. */
    public Duration backoff(int attempt) {
        long base = retryBase.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        long capped = Math.min(base, retryMax.toMillis());
        long jitter = retryJitter <= 0 ? 0 : (long) (capped * retryJitter * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(capped + jitter);
    }

    @Scheduled(every = "${heartbeat.command.poll-interval}", delayed = "3s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        trigger();
    }

    /** Runs a round now, or right after the one under way. */
    public void trigger() {
        again.set(true);
        if (!running.compareAndSet(false, true)) {
            return;
        }
        again.set(false);
        round().onTermination().invoke(() -> {
            running.set(false);
            if (again.get()) {
                trigger();
            }
        }).subscribe().with(ignored -> {
        }, e -> Log.warnf("dispatcher round failed, the next one retries: %s", e.getMessage()));
    }

    /** One round: expiries, then overdue acks, then sending, each batch after batch, then the events they made. */
    Uni<Void> round() {
        Instant now = clock.instant();
        return expireAll(now)
                .flatMap(ignored -> timeOutAll(now))
                .flatMap(ignored -> sendAll())
                .call(ignored -> relay.run());
    }

    private Uni<Void> expireAll(Instant now) {
        return store.expire(now, batchSize).flatMap(n -> n >= batchSize ? expireAll(now) : Uni.createFrom().voidItem());
    }

    private Uni<Void> timeOutAll(Instant now) {
        return store.timeOut(now, batchSize, this::backoff)
                .flatMap(n -> n >= batchSize ? timeOutAll(now) : Uni.createFrom().voidItem());
    }

    /**
     * Claims and publishes batch after batch. Each claim takes the time afresh: its commands' {@code sent_at} and
     * ack deadline count from their own send, not from the start of a round that may run longer than the ack
     * timeout when a fleet reconnects with thousands of queued commands. A claimed command is SENT and committed
     * before it is published, so a crash in between ends in an ack timeout and a retry: at least once, never lost.
     * Commands whose publish definitely failed (and those behind them, not tried) go back to the queue without
     * spending an attempt, and the round ends there, so the next one sends them first, in order: a broker outage
     * dead-letters nothing that never left.
     */
    private Uni<Void> sendAll() {
        return store.claimDue(devices.connectedTargets(), clock.instant(), batchSize)
                .flatMap(claimed -> publisher.publish(sent(claimed))
                        .flatMap(outcome -> returnUnsent(outcome).replaceWith(outcome))
                        .flatMap(outcome -> outcome.allSent() && claimed.size() >= batchSize ? sendAll()
                                : Uni.createFrom().voidItem()));
    }

    private static List<Command> sent(List<Command> claimed) {
        return claimed.stream().filter(c -> c.status() == CommandStatus.SENT).toList();
    }

    private Uni<Integer> returnUnsent(CommandPublisher.Outcome outcome) {
        if (outcome.notSent().isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Log.warnf("%d commands not sent (publish failed, the broker may be unreachable); queued again without "
                + "spending an attempt", outcome.notSent().size());
        return store.unclaim(outcome.notSent().stream().map(Command::id).toList(), clock.instant(),
                "not sent: the publish failed; queued again, no attempt spent");
    }
}
