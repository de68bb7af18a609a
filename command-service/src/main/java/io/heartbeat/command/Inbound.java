package io.heartbeat.command;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.EventFormatException;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.SignalDelivered;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.mqtt.ReceivingMqttMessageMetadata;

/**
 * What reaches the command service from outside: device acks on {@code devices/+/status} and other services' command
 * requests on {@code command-requests}.
 */
@ApplicationScoped
public class Inbound {

    static final Pattern STATUS_TOPIC = Pattern.compile("devices/([^/]+)/status");

    private final CommandService commands;
    private final CommandStore store;
    private final Dispatcher dispatcher;
    private final AckBatcher acks;
    private final Devices devices;
    private final Clock clock;
    private final MeterRegistry metrics;

    public Inbound(CommandService commands, CommandStore store, Dispatcher dispatcher, AckBatcher acks,
            Devices devices, Clock clock, MeterRegistry metrics) {
        this.commands = commands;
        this.store = store;
        this.dispatcher = dispatcher;
        this.acks = acks;
        this.devices = devices;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * {@code {command_id, status: ok|error, result}} completes the command. Messages without {@code command_id} (the
     * broker's last wills, for the monitor) and acks that change nothing (duplicate, late, unknown) are counted.
     * Answers are applied in batches ({@link AckBatcher}). Three channels (three connections in one shared
     * subscription) feed this method, because the broker's per-connection window of unacknowledged deliveries caps
     * one connection.
     */
    @Incoming("device-acks")
    @Incoming("device-acks-2")
    @Incoming("device-acks-3")
    public Uni<Void> onStatus(Message<byte[]> message) {
        String topic = message.getMetadata(ReceivingMqttMessageMetadata.class)
                .map(ReceivingMqttMessageMetadata::getTopic).orElse("");
        Matcher m = STATUS_TOPIC.matcher(topic);
        Map<String, Object> body;
        try {
            body = EventJson.mapper().readValue(message.getPayload(), Command.OBJECT);
        } catch (java.io.IOException | RuntimeException e) {
            return count(message, "unreadable");
        }
        Object commandId = body.get("command_id");
        Object status = body.get("status");
        if (!m.matches() || commandId == null) {
            return count(message, "without-command-id");
        }
        if (!"ok".equals(status) && !"error".equals(status)) {
            return count(message, "bad-status");
        }
        Object result = body.get("result");
        @SuppressWarnings("unchecked")
        Map<String, Object> resultMap = result == null ? null
                : result instanceof Map ? (Map<String, Object>) result : Map.of("value", result);
        return acks.submit(new CommandStore.Ack(m.group(1), commandId.toString(), "ok".equals(status), resultMap,
                clock.instant()),
                outcome -> count(message, outcome.name().toLowerCase(java.util.Locale.ROOT)));
    }

    private Uni<Void> count(Message<byte[]> message, String outcome) {
        metrics.counter("command.acks", "outcome", outcome).increment();
        return Uni.createFrom().completionStage(message.ack());
    }

    /** A request from another service becomes a command (at most one per request id); its result goes back. */
    @Incoming("command-requests")
    public Uni<Void> onRequest(String value) {
        CommandRequest request;
        try {
            request = EventJson.read(value, CommandRequest.class);
        } catch (EventFormatException e) {
            metrics.counter("command.requests.unreadable").increment();
            Log.errorf("skipping unreadable command request: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return devicesLoaded().flatMap(ignored -> commands.request(request))
                .invoke(() -> metrics.counter("command.requests").increment())
                .replaceWithVoid();
    }

    /**
     * Ingest answered an HTTP device's heartbeat with {@code should_reconnect}: that reconnect command is delivered,
     * so it SUCCEEDED and its signal is cleared. Redelivered or late reports change nothing. While Postgres cannot
     * take the change the report is retried (its offset stays uncommitted), so none is lost.
     */
    @Incoming("signal-deliveries")
    public Uni<Void> onSignalDelivered(String value) {
        SignalDelivered delivered;
        try {
            delivered = EventJson.read(value, SignalDelivered.class);
        } catch (EventFormatException e) {
            metrics.counter("command.signal.deliveries", "outcome", "unreadable").increment();
            Log.errorf("skipping an unreadable signal delivery: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (delivered.reconnectCommandId() == null || delivered.deviceId() == null) {
            metrics.counter("command.signal.deliveries", "outcome", "without-command-id").increment();
            return Uni.createFrom().voidItem();
        }
        Instant at = delivered.deliveredAt() == null ? clock.instant() : delivered.deliveredAt();
        return Uni.createFrom().deferred(() -> store.signalDelivered(delivered.deviceId(),
                delivered.reconnectCommandId(), at, clock.instant()))
                .onFailure().invoke(e -> Log.warnf("signal delivery of command %s not stored yet, retrying: %s",
                        delivered.reconnectCommandId(), e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .invoke(changed -> {
                    metrics.counter("command.signal.deliveries", "outcome", changed == null ? "ignored" : "applied")
                            .increment();
                    if (changed != null) {
                        dispatcher.trigger(); // publish the cleared signal now
                    }
                })
                .replaceWithVoid();
    }

    /** Waits until the device views are read, so a request is never refused for a device not yet known. */
    private Uni<Void> devicesLoaded() {
        if (devices.caughtUp()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().ticks().every(Duration.ofMillis(100)).filter(t -> devices.caughtUp())
                .toUni().replaceWithVoid();
    }
}
