package io.heartbeat.contracts.kafka;

import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A Kafka consumer on a daemon thread of its own (never an event loop), for consumers that need more control than a
 * messaging channel gives (assigned partitions read from the start, or offsets committed only after a write). The
 * subclass's {@link #consume} runs until {@link #stop()}; if it throws, the consumer is closed and a new one is
 * created after {@code retryDelay} (Kafka unreachable, a topic not there yet, a rebalance gone wrong).
 */
public abstract class ConsumerLoop {

    private static final System.Logger LOG = System.getLogger(ConsumerLoop.class.getName());

    private final String name;
    private final Duration retryDelay;
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    protected ConsumerLoop(String name, Duration retryDelay) {
        this.name = name;
        this.retryDelay = retryDelay;
    }

    /** The consumer's configuration (bootstrap servers, deserializers, group or none). */
    protected abstract Properties properties();

    /** Polls and handles records while {@link #running()}; throwing makes the loop start over after a pause. */
    protected abstract void consume(KafkaConsumer<String, String> consumer);

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(10_000);
        }
    }

    public boolean running() {
        return running;
    }

    /** String keys and values, no auto-commit; with a group id if given (else assigned partitions only). */
    public static Properties consumerProperties(String bootstrapServers, String clientId, String groupId,
            Integer maxPollRecords) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        }
        if (maxPollRecords != null) {
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        }
        return p;
    }

    /** Sleeps {@code d} unless interrupted. */
    public static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(properties())) {
                consumer = c;
                consume(c);
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(System.Logger.Level.WARNING, () -> name + " failed, starting over in " + retryDelay + ": "
                            + e.getMessage());
                    pause(retryDelay);
                }
            } finally {
                consumer = null;
            }
        }
    }
}
