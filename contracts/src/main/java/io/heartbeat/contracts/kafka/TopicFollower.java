package io.heartbeat.contracts.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.heartbeat.contracts.EventFormatException;

/**
 * Reads a whole (compacted) topic from the beginning into memory and keeps following it: how a service holds a local
 * view of {@code registry.devices} or {@code device-signals}. Every replica needs every key, so this is a plain consumer
 * with assigned partitions and no consumer group (nothing to rebalance, no offsets to commit): after a restart it reads
 * the topic again.
 * <p>
 * It runs on its own daemon thread (never an event loop); the handler is called on that thread, in per-partition
 * order. {@link #caughtUp()} turns true once it has read up to the end offsets it saw when it started, which is what a
 * readiness check waits for. A record the handler cannot read ({@link EventFormatException}) is logged and skipped;
 * connection failures are retried after {@code retryDelay}.
 * <p>
 * Not a bean: a service creates one per topic at startup and stops it at shutdown.
 */
public final class TopicFollower extends ConsumerLoop {

    private static final System.Logger LOG = System.getLogger(TopicFollower.class.getName());

    /** Receives each record's key and value ({@code null} value: a tombstone). */
    @FunctionalInterface
    public interface Handler {
        void apply(String key, String value);
    }

    private final String topic;
    private final String bootstrapServers;
    private final String clientId;
    private final Duration pollTimeout;
    private final Handler handler;
    private final boolean fromBeginning;
    private final Map<String, String> extraProperties;
    private volatile boolean caughtUp;

    /** Reads the whole topic, from the beginning. */
    public TopicFollower(String topic, String bootstrapServers, String clientId, Duration pollTimeout,
            Duration retryDelay, Handler handler) {
        this(topic, bootstrapServers, clientId, pollTimeout, retryDelay, handler, true, Map.of());
    }

    /**
     * Reads the whole topic, from the beginning, with further consumer settings (TLS, SASL, timeouts: any
     * {@code ConsumerConfig} key) on top of the defaults.
     */
    public TopicFollower(String topic, String bootstrapServers, String clientId, Duration pollTimeout,
            Duration retryDelay, Handler handler, Map<String, String> extraProperties) {
        this(topic, bootstrapServers, clientId, pollTimeout, retryDelay, handler, true, extraProperties);
    }

    /** Follows only what is published from now on (a live feed: a stream's subscribers, awaited answers). */
    public static TopicFollower fromEnd(String topic, String bootstrapServers, String clientId, Duration pollTimeout,
            Handler handler) {
        return new TopicFollower(topic, bootstrapServers, clientId, pollTimeout, Duration.ofSeconds(2), handler, false,
                Map.of());
    }

    private TopicFollower(String topic, String bootstrapServers, String clientId, Duration pollTimeout,
            Duration retryDelay, Handler handler, boolean fromBeginning, Map<String, String> extraProperties) {
        super(clientId, retryDelay);
        this.extraProperties = Map.copyOf(extraProperties);
        this.fromBeginning = fromBeginning;
        this.topic = topic;
        this.bootstrapServers = bootstrapServers;
        this.clientId = clientId;
        this.pollTimeout = pollTimeout;
        this.handler = handler;
    }

    /** Whether everything that was on the topic when following started has been handled. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public String topic() {
        return topic;
    }

    @Override
    protected void consume(KafkaConsumer<String, String> c) {
        List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist (yet)");
        }
        c.assign(partitions);
        if (fromBeginning) {
            c.seekToBeginning(partitions);
        } else {
            c.seekToEnd(partitions);
            partitions.forEach(c::position);
        }
        Map<TopicPartition, Long> target = caughtUp ? Map.of() : new HashMap<>(c.endOffsets(partitions));
        LOG.log(System.Logger.Level.INFO, () -> "reading " + topic + " (" + partitions.size() + " partitions) "
                + (fromBeginning ? "from the beginning" : "from the end"));
        while (running()) {
            for (ConsumerRecord<String, String> record : c.poll(pollTimeout)) {
                apply(record);
            }
            if (!caughtUp && target.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                caughtUp = true;
                LOG.log(System.Logger.Level.INFO, () -> topic + " caught up");
            }
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        try {
            handler.apply(record.key(), record.value());
        } catch (EventFormatException e) {
            // a record this version cannot read must not stop the view; the key keeps its previous value
            LOG.log(System.Logger.Level.ERROR, () -> "skipping unreadable record at " + record.topic() + "-"
                    + record.partition() + "@" + record.offset() + ": " + e.getMessage());
        }
    }

    @Override
    protected Properties properties() {
        Properties p = consumerProperties(bootstrapServers, clientId, null, null);
        p.putAll(extraProperties);
        return p;
    }
}
