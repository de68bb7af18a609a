package io.heartbeat.localstack.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatWatermark;
import io.heartbeat.contracts.Topics;

/**
 * Plays ingest's pulse for tests and benchmarks that play ingest themselves (heartbeats straight onto Kafka): a
 * {@link HeartbeatWatermark} on every partition of {@code heartbeats} every {@link #INTERVAL}, as a working ingest
 * writes them, on a daemon thread. {@link #pause()} plays an ingest outage; the status monitor then holds timeouts.
 */
public final class TestWatermarks {

    public static final Duration INTERVAL = Duration.ofMillis(200);

    private static volatile TestWatermarks running;

    private final KafkaProducer<String, String> producer;
    private volatile boolean paused;

    private TestWatermarks(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        this.producer = new KafkaProducer<>(p);
        Thread t = new Thread(this::run, "test-watermarks");
        t.setDaemon(true);
        t.start();
    }

    /** Starts the pulse for this JVM (once; later calls return the running one). */
    public static synchronized TestWatermarks ensureRunning(String bootstrapServers) {
        if (running == null) {
            running = new TestWatermarks(bootstrapServers);
        }
        return running;
    }

    /** Stops writing watermarks (an ingest outage) until {@link #resume()}. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    private void run() {
        while (true) {
            try {
                if (!paused) {
                    List<PartitionInfo> partitions = producer.partitionsFor(Topics.HEARTBEATS);
                    for (PartitionInfo pi : partitions) {
                        RecordHeaders headers = new RecordHeaders();
                        headers.add(HeartbeatWatermark.HEADER, "1".getBytes(StandardCharsets.UTF_8));
                        producer.send(new ProducerRecord<>(Topics.HEARTBEATS, pi.partition(), HeartbeatWatermark.KEY,
                                EventJson.write(new HeartbeatWatermark(HeartbeatWatermark.SCHEMA_VERSION,
                                        "test-watermarks", pi.partition(), Instant.now())),
                                headers));
                    }
                }
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Kafka restarting in a test: try again on the next beat
                try {
                    Thread.sleep(INTERVAL.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
