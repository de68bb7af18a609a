package io.heartbeat.command.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.store.Command;
import io.heartbeat.contracts.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.mqtt.MqttMessage;

/**
 * Publishes claimed commands on {@code devices/{id}/commands} (QoS 1), in the order given, one after the other. The
 * connector reports a publish done once it is written (not at PUBACK), so in a burst the client's window of
 * unacknowledged QoS 1 messages ({@code max-inflight-queue}) can still fill: a refused publish is tried again after a
 * short backoff while the window drains, and the ones behind it wait, so the order holds. One that still fails within
 * {@link #PUBLISH_TIMEOUT} ends the batch: the rest is not tried (the broker is likely unreachable), so an outage holds
 * a round up for one timeout, not one per command. The {@link Outcome} tells the caller which commands definitely did
 * not leave (they go back to the queue without spending an attempt) and which may have.
 */
@ApplicationScoped
public class CommandPublisher {

    /** How long a publish, with its retries, may take before it counts as failed. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    /** Tries after a refused publish (e.g. the client's in-flight window is full), 20 to 500 ms apart. */
    static final int PUBLISH_RETRIES = 20;

    /**
     * What publishing a batch did.
     *
     * @param notSent the commands that definitely did not leave: the publish that failed (the MQTT client refused it
     *        every time, e.g. while the broker is unreachable) and every one behind it, which was not tried
     * @param uncertain the command whose publish neither completed nor failed in time: it may have reached the broker,
     *        so it counts as sent (its ack timeout retries it)
     */
    public record Outcome(List<Command> notSent, List<Command> uncertain) {

        /** Whether every command was handed to the MQTT client. */
        public boolean allSent() {
            return notSent.isEmpty() && uncertain.isEmpty();
        }
    }

    private final DeviceCommandChannel channel;
    private final Counter sent;
    private final Counter sendFailures;
    private final Counter publishRetries;

    public CommandPublisher(DeviceCommandChannel channel, MeterRegistry metrics) {
        this.channel = channel;
        this.sent = metrics.counter("command.sent");
        this.sendFailures = metrics.counter("command.send.failures");
        this.publishRetries = metrics.counter("command.publish.retries");
    }

    /** Publishes {@code claimed} in order; completes when each is handed to the MQTT client or given up on. */
    public Uni<Outcome> publish(List<Command> claimed) {
        List<Command> notSent = new ArrayList<>();
        List<Command> uncertain = new ArrayList<>();
        if (claimed.isEmpty()) {
            return Uni.createFrom().item(new Outcome(notSent, uncertain));
        }
        return Multi.createFrom().iterable(claimed)
                .onItem().transformToUniAndConcatenate(c -> {
                    if (!notSent.isEmpty() || !uncertain.isEmpty()) {
                        notSent.add(c); // behind a failed publish: not tried, so the order holds
                        sendFailures.increment();
                        return Uni.createFrom().voidItem();
                    }
                    return publish(c).invoke(result -> {
                        switch (result) {
                            case SENT -> sent.increment();
                            case FAILED -> {
                                notSent.add(c);
                                sendFailures.increment();
                            }
                            case UNCERTAIN -> {
                                uncertain.add(c);
                                sendFailures.increment();
                            }
                        }
                    }).replaceWithVoid();
                })
                .collect().last().map(ignored -> new Outcome(List.copyOf(notSent), List.copyOf(uncertain)));
    }

    private enum Result {
        SENT,
        /** The client refused it every time: it did not leave. */
        FAILED,
        /** No answer from the client within the timeout while a publish was under way: it may have left. */
        UNCERTAIN
    }

    private Uni<Result> publish(Command c) {
        MqttMessage<byte[]> message = MqttMessage.of("devices/" + c.deviceId() + "/commands", body(c),
                MqttQoS.AT_LEAST_ONCE);
        AtomicBoolean inFlight = new AtomicBoolean();
        return Uni.createFrom().deferred(() -> {
            inFlight.set(true);
            return channel.send(message).onFailure().invoke(e -> {
                inFlight.set(false);
                publishRetries.increment();
            });
        })
                .onFailure().retry().withBackOff(Duration.ofMillis(20), Duration.ofMillis(500)).atMost(PUBLISH_RETRIES)
                .ifNoItem().after(PUBLISH_TIMEOUT).fail()
                .replaceWith(Result.SENT)
                .onFailure().recoverWithItem(e -> {
                    Result r = e instanceof TimeoutException && inFlight.get() ? Result.UNCERTAIN : Result.FAILED;
                    Log.debugf("publishing command %s failed (%s): %s", c.id(), r, e);
                    return r;
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
