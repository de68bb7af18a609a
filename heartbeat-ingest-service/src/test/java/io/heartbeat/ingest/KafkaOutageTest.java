package io.heartbeat.ingest;

import static io.heartbeat.ingest.IngestTestSupport.HEARTBEATS_PATH;
import static io.heartbeat.ingest.IngestTestSupport.bearer;
import static io.heartbeat.ingest.IngestTestSupport.device;
import static io.heartbeat.ingest.IngestTestSupport.publish;
import static io.heartbeat.ingest.IngestTestSupport.uniqueId;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.localstack.KafkaBroker;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class KafkaOutageTest {

    @Inject
    DeviceDirectory directory;

    @Test
    void whileKafkaIsDownHeartbeatsAre503NeverAcceptedAndAcceptedAgainAfterwards() {
        String token = DeviceTokens.generate();
        String id = uniqueId("outage");
        publish(device(id, token));
        await().atMost(Duration.ofSeconds(20)).until(() -> directory.find(id).isPresent());

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
