package io.heartbeat.common.kafka;

import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

import io.quarkus.logging.Log;

/**
 * A Kafka consumer on a daemon thread of its own (never an event loop), for consumers that need more control than a
 * messaging channel gives (assigned partitions read from the start, or offsets committed only after a write). The
 * subclass's {@link #consume} runs until {@link #stop()}; if it throws, the consumer is closed and a new one is
 * created after {@code retryDelay} (Kafka unreachable, a topic not there yet, a rebalance gone wrong).
 */
public abstract class ConsumerLoop {

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
                    Log.warnf("%s failed, starting over in %s: %s", name, retryDelay, e.getMessage());
                    pause(retryDelay);
                }
            } finally {
                consumer = null;
            }
        }
    }
}
