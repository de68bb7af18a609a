package io.heartbeat.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatWatermark;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.config.IngestConfig;
import io.heartbeat.ingest.messaging.Watermarks;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The watermark interval is kept below a second too: the monitor fires a timeout only once a watermark has passed its
 * deadline, so a watermark written once a second instead of four times a second makes every offline report up to a
 * second late. Counted on the topic the monitor reads, for every partition.
 */
@QuarkusTest
class WatermarkIntervalTest {

    @Inject
    Watermarks watermarks;

    @Inject
    IngestConfig config;

    @Test
    void watermarksReachEveryPartitionAtTheConfiguredIntervalBelowASecond() throws Exception {
        assertThat(config.watermarkInterval()).isLessThanOrEqualTo(Duration.ofMillis(250));
        await().atMost(Duration.ofSeconds(60)).until(watermarks::intakeWorking);
        Instant from = Instant.now();
        Duration window = Duration.ofSeconds(3);
        Thread.sleep(window.toMillis() + 500);
        Instant to = from.plus(window);

        Map<Integer, Long> perPartition = IngestTestSupport.read(Topics.HEARTBEATS,
                r -> HeartbeatWatermark.KEY.equals(r.key()), Integer.MAX_VALUE, Duration.ofSeconds(8)).stream()
                .map(r -> EventJson.read(r.value(), HeartbeatWatermark.class))
                .filter(w -> !w.at().isBefore(from) && w.at().isBefore(to))
                .collect(Collectors.groupingBy(HeartbeatWatermark::partition, Collectors.counting()));
        long expected = window.toMillis() / config.watermarkInterval().toMillis();
        // a scheduler that looks at its triggers once a second writes at most 4 in 3 s
        assertThat(perPartition).as("watermarks per partition within %s (one every %s)", window,
                config.watermarkInterval()).hasSize(partitions()).allSatisfy(
                        (partition, n) -> assertThat(n)
                                .as("partition " + partition).isGreaterThanOrEqualTo(Math.max(6, expected / 2)));
    }

    private static int partitions() {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, IngestTestSupport.config("kafka.bootstrap.servers"),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            return c.partitionsFor(Topics.HEARTBEATS, Duration.ofSeconds(30)).size();
        }
    }
}
