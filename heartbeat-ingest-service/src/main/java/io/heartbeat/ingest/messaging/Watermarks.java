package io.heartbeat.ingest.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatWatermark;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.config.IngestConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Vertx;

/**
 * Writes a {@link HeartbeatWatermark} to every partition of {@code heartbeats} every
 * {@code heartbeat.ingest.watermark-interval} (250 ms) while this replica's intake works: the device directory and signals are
 * read and, with MQTT intake on, every intake connection is
 * subscribed and has taken in the backlog the broker kept for it. Its time never passes the receipt of a heartbeat
 * Kafka has not acknowledged yet ({@link InFlightReceipts}). It goes through the heartbeats channel itself, so on each
 * partition it follows the heartbeats accepted before it. The
 * status monitor reads a partition that carries neither as a silent pipeline (ingest down or stalled, or Kafka between
 * them) and pauses that partition's timeouts rather than report its devices offline.
 *
 * <p>
 * A Vert.x periodic timer drives it, not {@code @Scheduled}: Quarkus' scheduler looks at its triggers once a second,
 * so an interval below a second ran once a second, and every timeout waited up to a second longer than configured for
 * the watermark that lets it fire. A round still running when the next is due is skipped.
 */
@ApplicationScoped
public class Watermarks {

    /**
     * How far a watermark's time stays behind the clock: a heartbeat is stamped ({@code receivedAt}) a moment before
     * it is handed to the producer, and a watermark must not overtake a heartbeat stamped before its time.
     */
    static final Duration SETTLE = Duration.ofMillis(100);

    /** How long after startup the first round runs. */
    static final Duration START_DELAY = Duration.ofSeconds(2);

    /** How long a partition count is trusted before it is read again (partitions may be added). */
    static final Duration PARTITIONS_TTL = Duration.ofSeconds(30);

    private final MutinyEmitter<Record<String, String>> heartbeats;
    private final LocalViews views;
    private final MqttHeartbeatListener mqtt;
    private final InFlightReceipts inFlight;
    private final Clock clock;
    private final String bootstrapServers;
    private final Vertx vertx;
    private final Duration interval;
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile long timer = -1;
    private final String source = "heartbeat-ingest-service-" + UUID.randomUUID().toString().substring(0, 8);
    private final Counter written;
    private final Counter withheld;
    private volatile Admin admin;
    private volatile int partitions;
    private volatile long partitionsReadAt;

    public Watermarks(@Channel(Topics.HEARTBEATS) MutinyEmitter<Record<String, String>> heartbeats, LocalViews views,
            MqttHeartbeatListener mqtt, HeartbeatPublisher publisher, Clock clock,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, IngestConfig config, Vertx vertx,
            MeterRegistry metrics) {
        this.heartbeats = heartbeats;
        this.views = views;
        this.mqtt = mqtt;
        this.inFlight = publisher.inFlight();
        this.clock = clock;
        this.bootstrapServers = bootstrapServers;
        this.vertx = vertx;
        this.interval = config.watermarkInterval();
        this.written = metrics.counter("ingest.watermarks.written");
        this.withheld = metrics.counter("ingest.watermarks.withheld");
    }

    /**
     * Whether this replica has taken in everything devices sent up to now: only then does its watermark vouch for
     * their silence. Not while the views are being read, nor while an MQTT connection is down or still taking in
     * the backlog the broker kept for it (after ingest, Kafka or the broker was away).
     */
    public boolean intakeWorking() {
        return views.caughtUp() && (!mqtt.enabled() || mqtt.caughtUp());
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(START_DELAY.toMillis(), Math.max(1, interval.toMillis()), id -> round());
    }

    /** One round, unless the previous one is still writing. */
    private void round() {
        if (!writing.compareAndSet(false, true)) {
            return;
        }
        write().onTermination().invoke(() -> writing.set(false)).subscribe().with(ignored -> {
        });
    }

    Uni<Void> write() {
        if (!intakeWorking()) {
            withheld.increment();
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().item(this::partitions).runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure
                .getDefaultWorkerPool())
                .onItem().transformToMulti(n -> Multi.createFrom().range(0, n))
                .onItem().transformToUniAndMerge(this::write)
                .collect().last()
                .onFailure().invoke(e -> Log.debugf("watermark not written: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> write(int partition) {
        String value = EventJson.write(new HeartbeatWatermark(HeartbeatWatermark.SCHEMA_VERSION, source, partition,
                inFlight.bound(clock.instant().minus(SETTLE))));
        RecordHeaders headers = new RecordHeaders();
        headers.add(HeartbeatWatermark.HEADER, "1".getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withPartition(partition).withHeaders(headers).build();
        return Uni.createFrom().deferred(() -> heartbeats.sendMessage(
                Message.of(Record.of(HeartbeatWatermark.KEY, value)).addMetadata(metadata)))
                .invoke(() -> written.increment());
    }

    /** The partition count of {@code heartbeats}, read with an admin client (blocking: called on a worker thread). */
    private int partitions() {
        long now = System.nanoTime();
        if (partitions > 0 && now - partitionsReadAt < PARTITIONS_TTL.toNanos()) {
            return partitions;
        }
        try {
            Admin a = admin;
            if (a == null) {
                a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        AdminClientConfig.CLIENT_ID_CONFIG, source + "-watermarks",
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000));
                admin = a;
            }
            partitions = a.describeTopics(List.of(Topics.HEARTBEATS)).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(Topics.HEARTBEATS).partitions().size();
            partitionsReadAt = now;
        } catch (Exception e) {
            if (partitions == 0) {
                throw new IllegalStateException("partitions of " + Topics.HEARTBEATS + " unknown: " + e.getMessage(), e);
            }
        }
        return partitions;
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        Admin a = admin;
        if (a != null) {
            a.close(Duration.ofSeconds(2));
        }
    }
}
