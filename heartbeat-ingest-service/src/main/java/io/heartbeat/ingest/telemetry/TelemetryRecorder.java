package io.heartbeat.ingest.telemetry;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.common.batch.BisectingBatchWriter;
import io.heartbeat.contracts.EventFormatException;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatWatermark;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.ConsumerLoop;
import io.heartbeat.ingest.config.IngestConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Writes telemetry history from the {@code heartbeats} topic: a consumer group of its own (so replicas share the
 * partitions), one multi-row insert per poll, and the offsets committed only after Postgres has the rows. A failed
 * write is retried from the same offsets after a pause, and a redelivered row is a no-op (primary key), so history
 * neither loses nor duplicates what Kafka holds. A row Postgres refuses for its data (a NUL in a text, a time no
 * partition takes) does not fail the others: the batch is bisected, that row set aside in {@code ingest.rejected_row}
 * and counted ({@code batch.rows.rejected{writer="ingest-telemetry"}}), and the offsets committed
 * ({@link BisectingBatchWriter}); only passing failures (Postgres down) rewind and retry. It runs on its own thread;
 * the heartbeat answer never waits for it.
 */
@ApplicationScoped
public class TelemetryRecorder {

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final BisectingBatchWriter<HeartbeatAccepted, Void> writer;
    private final TelemetryPartitions partitions;
    private final IngestConfig.Telemetry config;
    private final String bootstrapServers;
    private final Counter written;
    private final Counter failures;
    private final Counter unreadable;
    private final ConsumerLoop loop;

    public TelemetryRecorder(TelemetryStore store, TelemetryPartitions partitions, IngestConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, MeterRegistry metrics) {
        this.writer = new BisectingBatchWriter<>(TelemetryStore.WRITER, store::insert, store::reject, metrics);
        this.partitions = partitions;
        this.config = config.telemetry();
        this.bootstrapServers = bootstrapServers;
        this.written = metrics.counter("ingest.telemetry.rows.written");
        this.failures = metrics.counter("ingest.telemetry.write.failures");
        this.unreadable = metrics.counter("ingest.telemetry.records.unreadable");
        this.loop = new ConsumerLoop("telemetry-recorder", RETRY) {
            @Override
            protected Properties properties() {
                return TelemetryRecorder.this.properties();
            }

            @Override
            protected void consume(KafkaConsumer<String, String> c) {
                c.subscribe(List.of(Topics.HEARTBEATS));
                while (running()) {
                    ConsumerRecords<String, String> records = c.poll(POLL);
                    if (!records.isEmpty()) {
                        record(c, records);
                    }
                }
            }
        };
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            Log.info("telemetry history is disabled (heartbeat.ingest.telemetry.enabled=false)");
            return;
        }
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        loop.stop();
    }

    /** Writes one poll's heartbeats and commits their offsets; on failure rewinds to them and retries later. */
    private void record(KafkaConsumer<String, String> c, ConsumerRecords<String, String> records) {
        List<HeartbeatAccepted> rows = new ArrayList<>(records.count());
        Set<LocalDate> days = new TreeSet<>();
        Map<TopicPartition, Long> first = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            first.putIfAbsent(tp, r.offset());
            next.put(tp, new OffsetAndMetadata(r.offset() + 1));
            if (HeartbeatWatermark.marks(r.headers())) {
                continue; // the pipeline's pulse for the status monitor, no telemetry
            }
            try {
                HeartbeatAccepted hb = r.value() == null ? null : EventJson.read(r.value(), HeartbeatAccepted.class);
                if (hb == null || hb.deviceId() == null || hb.heartbeatId() == null || hb.receivedAt() == null) {
                    throw new EventFormatException(HeartbeatAccepted.class,
                            "a heartbeat needs deviceId, heartbeatId and receivedAt", null);
                }
                rows.add(hb);
                days.add(LocalDate.ofInstant(hb.receivedAt(), ZoneOffset.UTC));
            } catch (EventFormatException e) {
                // not a heartbeat this version can read: counted and skipped, it must not block the history
                unreadable.increment();
                Log.errorf("skipping unreadable heartbeat at %s-%d@%d", r.topic(), r.partition(), r.offset());
            }
        }
        try {
            partitions.ensure(days)
                    .flatMap(ignored -> writer.write(rows))
                    .invoke(outcome -> written.increment(rows.size() - outcome.rejected().size()))
                    .await().atMost(WRITE_TIMEOUT);
            c.commitSync(next);
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            failures.increment();
            Log.warnf("writing %d telemetry rows failed, retrying in %s: %s", rows.size(), RETRY, e.getMessage());
            first.forEach(c::seek);
            ConsumerLoop.pause(RETRY);
        }
    }

    private Properties properties() {
        return ConsumerLoop.consumerProperties(bootstrapServers, "ingest-telemetry-recorder", config.groupId(),
                config.batchSize());
    }
}
