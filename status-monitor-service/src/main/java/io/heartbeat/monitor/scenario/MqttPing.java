package io.heartbeat.monitor.scenario;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventFormatException;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.monitor.scenario.Scenarios.DeviceResult;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Active probe of an MQTT device: a {@code ping} {@link CommandRequest} on {@code command-requests} for the command
 * service to deliver, answered by the {@link CommandResult} on {@code command-results} with the same request id. A
 * terminal result decides (SUCCEEDED is success); no terminal result within the timeout is a failure; retried up to
 * {@code retries} times with a new request each. Every replica reads every result (its own consumer group) and keeps
 * only those it is waiting for.
 */
@ApplicationScoped
public class MqttPing {

    static final String PING = "ping";

    private final MutinyEmitter<Record<String, String>> requests;
    private final Clock clock;
    private final Map<String, CompletableFuture<CommandResult>> pending = new ConcurrentHashMap<>();

    public MqttPing(@Channel(Topics.COMMAND_REQUESTS) MutinyEmitter<Record<String, String>> requests, Clock clock) {
        this.requests = requests;
        this.clock = clock;
    }

    public Uni<DeviceResult> ping(DeviceView view, String runId, String requestedBy, long timeoutMs, int retries) {
        return attempt(view, runId, requestedBy, timeoutMs, 1, retries + 1);
    }

    private Uni<DeviceResult> attempt(DeviceView view, String runId, String requestedBy, long timeoutMs, int attempt,
            int attempts) {
        String requestId = UUID.randomUUID().toString();
        Duration timeout = Duration.ofMillis(timeoutMs);
        CommandRequest request = new CommandRequest(CommandRequest.SCHEMA_VERSION, requestId, view.deviceId(),
                view.tenantId(), PING, Map.of(), timeout, timeout, 1, requestedBy, runId, clock.instant());
        CompletableFuture<CommandResult> answer = new CompletableFuture<>();
        pending.put(requestId, answer);
        long t0 = System.nanoTime();
        return requests.send(Record.of(view.deviceId(), EventJson.write(request)))
                .flatMap(sent -> Uni.createFrom().completionStage(answer))
                .ifNoItem().after(timeout).fail()
                .map(result -> {
                    long measured = (System.nanoTime() - t0) / 1_000_000;
                    Long rtt = result.roundTripMs() != null ? result.roundTripMs() : measured;
                    boolean ok = result.status() == CommandStatus.SUCCEEDED;
                    Map<String, Object> meta = new LinkedHashMap<>();
                    meta.put("requestId", requestId);
                    meta.put("commandStatus", result.status().name());
                    meta.put("attempts", attempt);
                    return new DeviceResult(view.deviceId(), ok, "MQTT_PING", rtt,
                            ok ? null : "ping " + result.status().name(), meta);
                })
                .onFailure().recoverWithItem(e -> new DeviceResult(view.deviceId(), false, "MQTT_PING", null,
                        e instanceof io.smallrye.mutiny.TimeoutException ? "no ping result within " + timeoutMs + " ms"
                                : "ping not sent: " + e.getMessage(),
                        Map.of("requestId", requestId, "attempts", attempt)))
                .eventually(() -> pending.remove(requestId))
                .flatMap(r -> r.success() || attempt >= attempts ? Uni.createFrom().item(r)
                        : attempt(view, runId, requestedBy, timeoutMs, attempt + 1, attempts));
    }

    @Incoming(Topics.COMMAND_RESULTS)
    void result(String json) {
        if (json == null || pending.isEmpty()) {
            return;
        }
        try {
            CommandResult r = EventJson.read(json, CommandResult.class);
            if (r.requestId() == null || r.status() == null || !r.status().terminal()) {
                return;
            }
            CompletableFuture<CommandResult> waiting = pending.get(r.requestId());
            if (waiting != null) {
                waiting.complete(r);
            }
        } catch (EventFormatException e) {
            Log.warnf("skipping unreadable command result: %s", e.getMessage());
        }
    }
}
