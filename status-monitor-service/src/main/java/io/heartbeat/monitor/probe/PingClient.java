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

    /**
     * A ping's outcome.
     *
     * @param success the device answered (with {@code ok}, or with {@code error}: either way it is alive)
     * @param evidence whether the outcome says anything about the device: an answer, or a ping that reached the device
     *        and was never answered. A refusal that has nothing to do with the device (remote control disabled, queue
     *        full, the command service or Kafka unreachable, the ping never sent) is a result with its reason, not
     *        evidence
     */
    public record Pong(boolean success, boolean evidence, Long roundTripMs, String error) {
    }

    /** How much longer than the ping's own TTL a result may take to come back (the command service's timers, outbox). */
    static final Duration RESULT_GRACE = Duration.ofSeconds(5);

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

    /**
     * Pings the device: a command with {@code timeout} as its TTL and ack timeout, whose result is awaited a little
     * longer than that. Only an answer or an unanswered ping is evidence; see {@link Pong}.
     */
    public Uni<Pong> ping(String deviceId, String tenantId, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        waiting.put(requestId, result);
        CommandRequest request = new CommandRequest(CommandRequest.SCHEMA_VERSION, requestId, deviceId, tenantId, "ping",
                Map.of(), timeout, timeout, 1, "status-monitor", requestId, clock.instant());
        long started = System.nanoTime();
        Duration wait = timeout.plus(RESULT_GRACE);
        return requests.sendMessage(Message.of(Record.of(deviceId, EventJson.write(request))))
                .flatMap(sent -> Uni.createFrom().completionStage(result))
                .ifNoItem().after(wait).fail()
                .map(r -> pong(r, (System.nanoTime() - started) / 1_000_000))
                .onFailure().recoverWithItem(e -> new Pong(false, false, null,
                        e instanceof io.smallrye.mutiny.TimeoutException
                                ? "no result from the command service within " + wait.toMillis() + " ms"
                                : "the ping could not be sent: " + e.getMessage()))
                .eventually(() -> waiting.remove(requestId));
    }

    static Pong pong(CommandResult r, long elapsedMs) {
        if (r.answered()) {
            return new Pong(true, true, r.roundTripMs() != null ? r.roundTripMs() : elapsedMs,
                    r.status() == CommandStatus.SUCCEEDED ? null : "the device answered with an error");
        }
        if (r.unanswered()) {
            return new Pong(false, true, null, "the device did not answer (" + r.status() + " after " + r.attempts()
                    + (r.attempts() == 1 ? " send)" : " sends)"));
        }
        if (r.refusal() != null) {
            return new Pong(false, false, null, "not sent: " + r.refusal());
        }
        return new Pong(false, false, null, "the ping ended " + r.status() + " without reaching the device");
    }
}
