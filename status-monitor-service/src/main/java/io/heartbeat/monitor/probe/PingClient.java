package io.heartbeat.monitor.probe;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.TopicFollower;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * MQTT devices are probed with a {@code ping} command through the command service: a {@link CommandRequest} on
 * {@code command-requests}, answered by a {@link CommandResult} on {@code command-results} with the round-trip time.
 * Every replica follows {@code command-results} from its end and completes the pings it is waiting for.
 */
@ApplicationScoped
public class PingClient {

    /** A ping's outcome. */
    public record Pong(boolean success, Long roundTripMs, String error) {
    }

    private final MutinyEmitter<Record<String, String>> requests;
    private final Clock clock;
    private final Map<String, CompletableFuture<CommandResult>> waiting = new ConcurrentHashMap<>();
    private final TopicFollower results;

    public PingClient(@Channel(Topics.COMMAND_REQUESTS) MutinyEmitter<Record<String, String>> requests, Clock clock,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.requests = requests;
        this.clock = clock;
        this.results = TopicFollower.fromEnd(Topics.COMMAND_RESULTS, bootstrapServers, "monitor-command-results",
                Duration.ofMillis(100), (key, value) -> complete(value));
    }

    void start(@Observes StartupEvent event) {
        results.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        results.stop();
    }

    private void complete(String value) {
        if (value == null) {
            return;
        }
        CommandResult result = EventJson.read(value, CommandResult.class);
        CompletableFuture<CommandResult> f = result.requestId() == null ? null : waiting.remove(result.requestId());
        if (f != null) {
            f.complete(result);
        }
    }

    /** Pings the device; fails to a {@link Pong} with the reason when no result comes within {@code timeout}. */
    public Uni<Pong> ping(String deviceId, String tenantId, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        waiting.put(requestId, result);
        CommandRequest request = new CommandRequest(CommandRequest.SCHEMA_VERSION, requestId, deviceId, tenantId, "ping",
                Map.of(), timeout, timeout, 1, "status-monitor", requestId, clock.instant());
        long started = System.nanoTime();
        return requests.sendMessage(Message.of(Record.of(deviceId, EventJson.write(request))))
                .flatMap(sent -> Uni.createFrom().completionStage(result))
                .ifNoItem().after(timeout).fail()
                .map(r -> r.status() == CommandStatus.SUCCEEDED
                        ? new Pong(true, r.roundTripMs() != null ? r.roundTripMs()
                                : (System.nanoTime() - started) / 1_000_000, null)
                        : new Pong(false, r.roundTripMs(), "the ping ended " + r.status()))
                .onFailure().recoverWithItem(e -> new Pong(false, null,
                        e instanceof io.smallrye.mutiny.TimeoutException ? "no answer within " + timeout.toMillis() + " ms"
                                : "the ping could not be sent: " + e.getMessage()))
                .eventually(() -> waiting.remove(requestId));
    }
}
