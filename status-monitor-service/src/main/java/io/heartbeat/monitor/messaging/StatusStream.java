package io.heartbeat.monitor.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.common.kafka.ConsumerLoop;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.EventFormatException;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

/**
 * The live stream of transitions: every replica follows the whole {@code device-status} topic from its end (whichever
 * replica made a transition, every replica's SSE clients see it) and broadcasts each event to its subscribers.
 */
@ApplicationScoped
public class StatusStream {

    private final BroadcastProcessor<DeviceStatusChanged> broadcast = BroadcastProcessor.create();
    private final ConsumerLoop loop;

    public StatusStream(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.loop = new ConsumerLoop("monitor-status-stream", Duration.ofSeconds(2)) {
            @Override
            protected Properties properties() {
                Properties p = new Properties();
                p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
                p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
                p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
                p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
                p.put(ConsumerConfig.CLIENT_ID_CONFIG, "monitor-status-stream");
                return p;
            }

            @Override
            protected void consume(KafkaConsumer<String, String> c) {
                List<TopicPartition> partitions = c.partitionsFor(Topics.DEVICE_STATUS, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                c.seekToEnd(partitions);
                while (running()) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        try {
                            if (r.value() != null) {
                                broadcast.onNext(EventJson.read(r.value(), DeviceStatusChanged.class));
                            }
                        } catch (EventFormatException e) {
                            // not an event this version reads: not streamed
                        }
                    }
                }
            }
        };
    }

    void start(@Observes StartupEvent event) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        loop.stop();
    }

    /** Transitions from now on, of {@code tenant} (null: every tenant). */
    public Multi<DeviceStatusChanged> transitions(String tenant) {
        return broadcast.filter(e -> tenant == null || tenant.equals(e.tenantId()));
    }
}
