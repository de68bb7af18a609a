package io.heartbeat.localstack;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.heartbeat.localstack.test.TopicReader;

/** A plain Kafka producer and reader for the infrastructure tests. */
final class InfrastructureTestSupport {

    private InfrastructureTestSupport() {
    }

    static void produce(Infrastructure infra, String topic, String value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, "socket-1", value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads {@code topic} from the start until {@code expected} values or 20 s. */
    static List<String> consume(Infrastructure infra, String topic, int expected) {
        return TopicReader.read(infra.kafka().bootstrapServers(), topic, r -> true, expected, Duration.ofSeconds(20))
                .stream().map(r -> r.value()).toList();
    }
}
