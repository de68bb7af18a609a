package io.heartbeat.ingest;

import static io.heartbeat.ingest.IngestTestSupport.HEARTBEATS_PATH;
import static io.heartbeat.ingest.IngestTestSupport.bearer;
import static io.heartbeat.ingest.IngestTestSupport.config;
import static io.heartbeat.ingest.IngestTestSupport.device;
import static io.heartbeat.ingest.IngestTestSupport.first;
import static io.heartbeat.ingest.IngestTestSupport.publish;
import static io.heartbeat.ingest.IngestTestSupport.read;
import static io.heartbeat.ingest.IngestTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceSignal;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.SignalDelivered;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.ingest.service.DeviceSignals;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Seed 004's reconnect for HTTP devices: a reconnect signalled on device-signals is answered as
 * {@code should_reconnect: true} until one answer carrying it has been reported on device-signals.delivered, and not
 * after; a newer reconnect is answered again.
 */
@QuarkusTest
class ReconnectSignalTest {

    /** No spacing and a high per-minute cap, so one device can heartbeat several times in a row. */
    private static final Thresholds FREQUENT = new Thresholds(30, 40, 300, 0, 600);

    @Inject
    DeviceDirectory directory;

    @Inject
    DeviceSignals signals;

    @Test
    void aReconnectIsAnsweredUntilDeliveredAndReportedOnce() {
        String token = DeviceTokens.generate();
        String id = uniqueId("reconnect");
        DeviceView view = device(id, token, FREQUENT, true, 1);
        publish(view);
        await().atMost(Duration.ofSeconds(20)).until(() -> directory.find(id).isPresent());

        heartbeat(token, false);

        signal(id, true, "cmd-1", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> signals.pendingReconnect(id).isPresent());
        heartbeat(token, true);
        SignalDelivered delivered = first(Topics.DEVICE_SIGNALS_DELIVERED, id, SignalDelivered.class, d -> true);
        assertThat(delivered.reconnectCommandId()).isEqualTo("cmd-1");
        assertThat(delivered.tenantId()).isEqualTo("acme");
        assertThat(delivered.deliveredAt()).isBefore(Instant.now().plusSeconds(1));

        // delivered: not answered again, though the command service has not cleared the signal yet
        heartbeat(token, false);

        // a newer reconnect is answered again, and reported with its own command id
        signal(id, true, "cmd-2", 2);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> signals.pendingReconnect(id).map(s -> "cmd-2".equals(s.reconnectCommandId())).orElse(false));
        heartbeat(token, true);
        heartbeat(token, false);
        assertThat(read(Topics.DEVICE_SIGNALS_DELIVERED, r -> id.equals(r.key()), 3, Duration.ofSeconds(5)))
                .extracting(r -> EventJson.read(r.value(), SignalDelivered.class).reconnectCommandId())
                .containsExactly("cmd-1", "cmd-2");

        // a stale signal (lower revision) does not bring an old reconnect back
        signal(id, true, "cmd-1", 1);
        signal(id, false, null, 3);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> signals.pendingReconnect(id).isEmpty());
        heartbeat(token, false);
    }

    private static void heartbeat(String token, boolean shouldReconnect) {
        bearer(token).post(HEARTBEATS_PATH)
                .then().statusCode(200)
                .body("should_reconnect", equalTo(shouldReconnect));
    }

    private static void signal(String deviceId, boolean reconnect, String commandId, long revision) {
        DeviceSignal signal = new DeviceSignal(DeviceSignal.SCHEMA_VERSION, deviceId, "acme", reconnect, commandId, true,
                revision, Instant.now());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config("kafka.bootstrap.servers"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(Topics.DEVICE_SIGNALS, deviceId, EventJson.write(signal))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
