package io.heartbeat.command.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.service.AckBatcher;
import io.heartbeat.command.service.CommandService;
import io.heartbeat.command.service.Devices;
import io.heartbeat.command.store.Command;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventFormatException;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.SignalDelivered;
import io.heartbeat.contracts.StatusMessage;
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

    private final CommandService commands;
    private final AckBatcher acks;
    private final Devices devices;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final int maxAckSize;

    public Inbound(CommandService commands, AckBatcher acks, Devices devices, Clock clock, MeterRegistry metrics,
            CommandConfig config) {
        this.maxAckSize = config.maxAckSize();
        this.commands = commands;
        this.acks = acks;
        this.devices = devices;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * {@code {command_id, status: ok|error, result}} completes the command. Messages without {@code command_id} (the
     * broker's last wills, for the monitor) and acks that change nothing (duplicate, late, unknown) are counted.
     * Anything else the broker lets through (256 KiB of anything) is refused at intake and counted in
     * {@code command.acks.refused{reason}}, never failing the channel: not JSON or not UTF-8 ({@code unreadable}),
     * JSON but not an object ({@code not-an-object}: {@code null}, {@code []}, {@code "x"}), larger than
     * {@code heartbeat.command.max-ack-size} ({@code too-large}), a command id that is not a UUID ({@code
     * bad-command-id}), a status other than ok or error ({@code bad-status}). Answers are applied in batches
     * ({@link AckBatcher}). Three channels (three connections in one shared subscription) feed this method, because the
     * broker's per-connection window of unacknowledged deliveries caps one connection.
     */
    @Incoming("device-acks")
    @Incoming("device-acks-2")
    @Incoming("device-acks-3")
    public Uni<Void> onStatus(Message<byte[]> message) {
        try {
            return Uni.createFrom().deferred(() -> status(message))
                    .onFailure().recoverWithUni(e -> unexpected(message, e));
        } catch (RuntimeException e) {
            return unexpected(message, e);
        }
    }

    private Uni<Void> status(Message<byte[]> message) {
        return devicesLoaded().flatMap(ignored -> answer(message));
    }

    private Uni<Void> answer(Message<byte[]> message) {
        String topic = message.getMetadata(ReceivingMqttMessageMetadata.class)
                .map(ReceivingMqttMessageMetadata::getTopic).orElse("");
        StatusMessage.Reading reading = StatusMessage.read(topic, message.getPayload(), maxAckSize);
        if (reading.refused()) {
            return refuse(message, reading.refusal());
        }
        String deviceId = reading.message().deviceId();
        JsonNode body = reading.message().body();
        JsonNode commandId = body.get("command_id");
        if (deviceId == null || commandId == null || commandId.isNull()) {
            return count(message, "without-command-id");
        }
        if (!commandId.isTextual() || !uuid(commandId.textValue())) {
            return refuse(message, "bad-command-id");
        }
        JsonNode status = body.get("status");
        String s = status == null ? null : status.textValue();
        if (!"ok".equals(s) && !"error".equals(s)) {
            return refuse(message, "bad-status");
        }
        DeviceView view = devices.view(deviceId).orElse(null);
        JsonNode result = body.get("result");
        Map<String, Object> resultMap = result == null || result.isNull() ? null
                : result.isObject() ? EventJson.mapper().convertValue(result, Command.OBJECT)
                        : Map.of("value", EventJson.mapper().convertValue(result, Object.class));
        // the device instance answering: its answers complete only the commands made for it
        return acks.submit(new CommandStore.Ack(deviceId, commandId.textValue(), "ok".equals(s), resultMap,
                clock.instant(), view == null ? null : view.tenantId(), view == null ? null : view.createdAt()),
                outcome -> count(message, outcome.name().toLowerCase(java.util.Locale.ROOT)));
    }

    /** A command id is a UUID as this service makes them (36 characters, lower or upper case hex). */
    static boolean uuid(String s) {
        if (s == null || s.length() != 36) {
            return false;
        }
        try {
            UUID.fromString(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Uni<Void> refuse(Message<byte[]> message, String reason) {
        metrics.counter("command.acks.refused", "reason", reason).increment();
        return count(message, "refused");
    }

    /** A bug, not the message's fault: logged (rate-limited by the log's own category config) and the message acked. */
    private Uni<Void> unexpected(Message<byte[]> message, Throwable e) {
        Log.errorf(e, "a message on a status topic could not be handled; skipped");
        metrics.counter("command.acks.refused", "reason", "internal-error").increment();
        return Uni.createFrom().completionStage(message.ack());
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
            request = value == null ? null : EventJson.read(value, CommandRequest.class);
            if (request == null) {
                throw new EventFormatException(CommandRequest.class, "a command request is a JSON object", null);
            }
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
            delivered = value == null ? null : EventJson.read(value, SignalDelivered.class);
            if (delivered == null) {
                // a JSON null or tombstone used to throw here and fail the channel (it has no failure strategy)
                throw new EventFormatException(SignalDelivered.class, "a signal delivery is a JSON object", null);
            }
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
        return Uni.createFrom().deferred(() -> commands.signalDelivered(delivered.deviceId(),
                delivered.reconnectCommandId(), at))
                .onFailure().invoke(e -> Log.warnf("signal delivery of command %s not stored yet, retrying: %s",
                        delivered.reconnectCommandId(), e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .invoke(changed -> metrics.counter("command.signal.deliveries", "outcome",
                        changed == null ? "ignored" : "applied").increment())
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
