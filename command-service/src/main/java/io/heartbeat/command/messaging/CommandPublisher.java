package io.heartbeat.command.messaging;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.heartbeat.command.store.Command;
import io.heartbeat.contracts.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.mqtt.MqttMessage;

/**
 * Publishes claimed commands on {@code devices/{id}/commands} (QoS 1), in the order given, one after the other. The
 * connector reports a publish done once it is written (not at PUBACK), so in a burst the client's window of
 * unacknowledged QoS 1 messages ({@code max-inflight-queue}) can still fill: a refused publish is tried again after a
 * short backoff while the window drains, and the ones behind it wait, so the order holds. One that still fails within
 * {@link #PUBLISH_TIMEOUT} ends the batch: the rest is not tried (the broker is likely unreachable), so an outage holds
 * a round up for one timeout, not one per command.
 */
@ApplicationScoped
public class CommandPublisher {

    /** How long a publish, with its retries, may take before it counts as failed. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    /** Tries after a refused publish (e.g. the client's in-flight window is full), 20 to 500 ms apart. */
    static final int PUBLISH_RETRIES = 20;

    private final MutinyEmitter<byte[]> mqtt;
    private final Counter sent;
    private final Counter sendFailures;
    private final Counter publishRetries;

    @Inject
    public CommandPublisher(
            @Channel("device-commands") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000) MutinyEmitter<byte[]> mqtt,
            MeterRegistry metrics) {
        this.mqtt = mqtt;
        this.sent = metrics.counter("command.sent");
        this.sendFailures = metrics.counter("command.send.failures");
        this.publishRetries = metrics.counter("command.publish.retries");
    }

    /** Publishes {@code claimed} in order; completes when each is handed to the MQTT client or given up on. */
    public Uni<Void> publish(List<Command> claimed) {
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
        MqttMessage<byte[]> message = MqttMessage.of("devices/" + c.deviceId() + "/commands", body(c),
                MqttQoS.AT_LEAST_ONCE);
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

    /** The message a device receives: {@code {command_id, name, payload, expires_at, attempt}}. */
    static byte[] body(Command c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command_id", c.id());
        body.put("name", c.name());
        body.put("payload", c.payload());
        body.put("expires_at", c.expiresAt().toString());
        body.put("attempt", c.attempts());
        return EventJson.writeBytes(body);
    }
}
