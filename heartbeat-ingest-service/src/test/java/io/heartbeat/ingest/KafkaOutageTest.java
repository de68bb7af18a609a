package io.heartbeat.ingest;

import static io.heartbeat.ingest.IngestTestSupport.HEARTBEATS_PATH;
import static io.heartbeat.ingest.IngestTestSupport.bearer;
import static io.heartbeat.ingest.IngestTestSupport.connectDevice;
import static io.heartbeat.ingest.IngestTestSupport.device;
import static io.heartbeat.ingest.IngestTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.messaging.MqttHeartbeatListener;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.localstack.KafkaBroker;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class KafkaOutageTest {

    @Inject
    DeviceDirectory directory;

    @Inject
    MqttHeartbeatListener listener;

    @Inject
    MeterRegistry metrics;

    private double unpublished() {
        return metrics.counter("ingest.rejections.unpublished").count();
    }

    @Test
    void anMqttHeartbeatArrivingWhileKafkaIsDownIsNotAcknowledgedAndIsStoredOnceKafkaIsBack() throws Exception {
        String token = DeviceTokens.generate();
        String id = uniqueId("mqtt-outage");
        IngestTestSupport.seed(directory, device(id, token));
        await().atMost(Duration.ofSeconds(20)).until(listener::subscribed);
        // the device connects as itself while Kafka is up: the broker learns devices from registry.devices
        MqttClient deviceClient = connectDevice(id, token);
        double before = unpublished();
        KafkaBroker kafka = LocalStackTestResource.infrastructure().kafka();
        kafka.stop();
        try {
            deviceClient.publish("devices/" + id + "/heartbeat",
                    EventJson.write(Map.of("api_token", token, "status", "alive")).getBytes(StandardCharsets.UTF_8),
                    1, false);
            // ingest tried: neither the heartbeat nor its rejection could be stored
            await().atMost(Duration.ofSeconds(60)).until(() -> unpublished() > before);
        } finally {
            kafka.start();
            IngestTestSupport.close(deviceClient);
        }
        // the broker redelivers the unacknowledged message to the resumed session, and this time it is stored
        HeartbeatAccepted hb = IngestTestSupport.read(Topics.HEARTBEATS, r -> id.equals(r.key()), 1,
                Duration.ofSeconds(90)).stream().map(r -> EventJson.read(r.value(), HeartbeatAccepted.class))
                .findFirst().orElseThrow(() -> new AssertionError("the heartbeat was lost"));
        assertThat(hb.channel()).isEqualTo(Channel.MQTT);
    }

    @Test
    void whileKafkaIsDownHeartbeatsAre503NeverAcceptedAndAcceptedAgainAfterwards() {
        String token = DeviceTokens.generate();
        String id = uniqueId("outage");
        IngestTestSupport.seed(directory, device(id, token));

        KafkaBroker kafka = LocalStackTestResource.infrastructure().kafka();
        kafka.stop();
        try {
            bearer(token).post(HEARTBEATS_PATH).then()
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .body("type", equalTo("/problems/unavailable"));
        } finally {
            kafka.start();
        }
        // the refused attempt did not count against the rate limit: the device is accepted as soon as Kafka is back
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> bearer(token).post(HEARTBEATS_PATH).statusCode() == 200);
    }
}
