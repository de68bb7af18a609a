package io.heartbeat.command;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.heartbeat.common.outbox.OutboxRelay;
import io.heartbeat.contracts.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.mqtt.MqttMessage;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Moves commands along their timers: expires those whose TTL passed, times out (and retries with exponential backoff
 * and jitter, or dead-letters) those whose ack is overdue, and sends due commands of connected devices to
 * {@code devices/{id}/commands}. Every timer is a column of the {@code command} table, so the first round after a
 * restart re-arms all of them. Runs every poll interval and at once after a create or a device's reconnect; rounds
 * never overlap within a replica, and replicas split the rows through {@code FOR UPDATE SKIP LOCKED}.
 */
@ApplicationScoped
public class Dispatcher {

    /** Advisory lock key of the command service's outbox relay ("hbrelay4"). */
    static final long RELAY_LOCK = 0x6862_7265_6c61_7934L;

    /** How long a publish, with its retries, may take before it counts as failed. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    /** Tries after a refused publish (e.g. the client's in-flight window is full), 20 to 500 ms apart. */
    static final int PUBLISH_RETRIES = 20;

    private final CommandStore store;
    private final Devices devices;
    private final Clock clock;
    @Inject
    @Channel("device-commands")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
    MutinyEmitter<byte[]> mqtt;
    private final OutboxRelay relay;
    private final int batchSize;
    private final Duration retryBase;
    private final Duration retryMax;
    private final double retryJitter;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final Counter sent;
    private final Counter sendFailures;
    private final Counter publishRetries;

    public Dispatcher(CommandStore store, Devices devices, Clock clock, Pool pool,
            @Channel("command-events") MutinyEmitter<Record<String, String>> events, MeterRegistry metrics,
            @ConfigProperty(name = "heartbeat.command.batch-size") int batchSize,
            @ConfigProperty(name = "heartbeat.command.retry-base") Duration retryBase,
            @ConfigProperty(name = "heartbeat.command.retry-max") Duration retryMax,
            @ConfigProperty(name = "heartbeat.command.retry-jitter") double retryJitter) {
        this.store = store;
        this.devices = devices;
        this.clock = clock;
        this.relay = new OutboxRelay(pool, RELAY_LOCK, events, 500, metrics, "command.outbox");
        this.batchSize = batchSize;
        this.retryBase = retryBase;
        this.retryMax = retryMax;
        this.retryJitter = retryJitter;
        this.sent = metrics.counter("command.sent");
        this.sendFailures = metrics.counter("command.send.failures");
        this.publishRetries = metrics.counter("command.publish.retries");
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

    @Scheduled(every = "1s", delayed = "3s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        return relay.run();
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

    /** One round: expiries, then overdue acks, then sending, each batch after batch. */
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
     * timeout when a fleet reconnects with thousands of queued commands.
     */
    private Uni<Void> sendAll() {
        return store.claimDue(devices.connectedIds(), clock.instant(), batchSize).flatMap(claimed -> publish(claimed)
                .flatMap(ignored -> claimed.size() >= batchSize ? sendAll() : Uni.createFrom().voidItem()));
    }

    /**
     * Publishes in creation order, one after the other (the connector reports a publish done once it is written, so
     * this is fast), and completes when all are handed to the MQTT client. Because that is before the broker's PUBACK,
     * the client's window of unacknowledged QoS 1 messages ({@code max-inflight-queue}) can still fill in a burst: a
     * refused publish is tried again after a short backoff while the window drains, and the ones behind it wait, so
     * the order holds. One that still fails within {@link #PUBLISH_TIMEOUT} leaves the command SENT, so its ack
     * timeout retries it; the rest of the batch is then not tried (the broker is likely unreachable), so an outage
     * holds a round up for one timeout, not one per command.
     */
    private Uni<Void> publish(List<Command> claimed) {
        if (claimed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        AtomicBoolean givenUp = new AtomicBoolean();
        return Multi.createFrom().iterable(claimed).onItem().transformToUniAndConcatenate(c -> publish(c, givenUp))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> publish(Command c, AtomicBoolean givenUp) {
        if (givenUp.get()) {
            sendFailures.increment();
            return Uni.createFrom().voidItem();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command_id", c.id());
        body.put("name", c.name());
        body.put("payload", c.payload());
        body.put("expires_at", c.expiresAt().toString());
        body.put("attempt", c.attempts());
        MqttMessage<byte[]> message = MqttMessage.of("devices/" + c.deviceId() + "/commands",
                EventJson.writeBytes(body), MqttQoS.AT_LEAST_ONCE);
        return Uni.createFrom().deferred(() -> mqtt.sendMessage(message))
                .onFailure().invoke(e -> publishRetries.increment())
                .onFailure().retry().withBackOff(Duration.ofMillis(20), Duration.ofMillis(500)).atMost(PUBLISH_RETRIES)
                .ifNoItem().after(PUBLISH_TIMEOUT).fail()
                .invoke(() -> sent.increment())
                .onFailure().recoverWithItem(e -> {
                    givenUp.set(true);
                    sendFailures.increment();
                    Log.debugf("publishing command %s failed, its ack timeout retries it: %s", c.id(), e);
                    return null;
                });
    }
}
