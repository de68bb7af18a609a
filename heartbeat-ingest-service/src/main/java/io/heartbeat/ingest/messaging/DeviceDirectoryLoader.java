package io.heartbeat.ingest.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventFormatException;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.config.IngestConfig;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Reads the whole compacted {@code registry.devices} topic into the {@link DeviceDirectory}, from the beginning, and
 * keeps following it. Every ingest replica needs every device, so this is a plain consumer with assigned partitions
 * and no consumer group (nothing to rebalance, no offsets to commit): on a restart it simply reads the topic again.
 *
 * <p>
 * It runs on its own thread (never an event loop). {@link #caughtUp()} turns true once it has read up to the end
 * offsets it saw when it started; until then the service is not ready.
 */
@ApplicationScoped
public class DeviceDirectoryLoader {

    private final DeviceDirectory directory;
    private final IngestConfig config;
    private final String bootstrapServers;
    private final MeterRegistry metrics;
    private volatile boolean caughtUp;
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    public DeviceDirectoryLoader(DeviceDirectory directory, IngestConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, MeterRegistry metrics) {
        this.directory = directory;
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        metrics.gauge("ingest.directory.devices", directory, DeviceDirectory::size);
        running = true;
        thread = new Thread(this::run, "device-directory-loader");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(5_000);
        }
    }

    /** Whether the directory holds everything that was on the topic when the service started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(properties())) {
                consumer = c;
                follow(c);
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                if (running) {
                    Log.warnf("reading %s failed, retrying in %s: %s", Topics.REGISTRY_DEVICES,
                            config.directory().retryDelay(), e.getMessage());
                    pause(config.directory().retryDelay());
                }
            } finally {
                consumer = null;
            }
        }
    }

    private void follow(KafkaConsumer<String, String> c) {
        List<TopicPartition> partitions = c.partitionsFor(Topics.REGISTRY_DEVICES, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + Topics.REGISTRY_DEVICES + " does not exist (yet)");
        }
        c.assign(partitions);
        c.seekToBeginning(partitions);
        Map<TopicPartition, Long> target = caughtUp ? Map.of() : new HashMap<>(c.endOffsets(partitions));
        Log.infof("reading %s (%d partitions) into the device directory", Topics.REGISTRY_DEVICES, partitions.size());
        while (running) {
            for (ConsumerRecord<String, String> record : c.poll(config.directory().pollTimeout())) {
                apply(record);
            }
            if (!caughtUp && target.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                caughtUp = true;
                Log.infof("device directory caught up: %d devices", directory.size());
            }
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        try {
            directory.apply(record.key(), EventJson.read(record.value(), DeviceView.class));
        } catch (EventFormatException e) {
            // a view this version cannot read must not stop the directory; the device stays as it was
            Log.errorf("skipping unreadable record at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ingest-device-directory");
        return p;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
