package io.heartbeat.command;

import static io.heartbeat.command.CommandFlowTest.online;
import static io.heartbeat.command.CommandFlowTest.transitions;
import static io.heartbeat.command.CommandTestSupport.create;
import static io.heartbeat.command.CommandTestSupport.operator;
import static io.heartbeat.command.CommandTestSupport.status;
import static io.heartbeat.command.CommandTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.command.messaging.DeviceCommandChannel;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.mqtt.MqttMessage;

/**
 * The broker is unreachable for longer than a publish's retries: the MQTT client refuses every publish, as the
 * connector's session does while it is not connected. The outage is simulated at the outgoing channel (the test
 * stack's embedded broker cannot be stopped and started again from a test); everything else is real.
 */
@QuarkusTest
class PublishFailureTest {

    static final Duration WAIT = Duration.ofSeconds(40);

    @Inject
    DeviceCommandChannel channel;

    final AtomicBoolean brokerDown = new AtomicBoolean();

    @BeforeEach
    void brokerThatCanGoDown() {
        DeviceCommandChannel real = ClientProxy.unwrap(channel);
        QuarkusMock.installMockForType(new DeviceCommandChannel(null) {
            @Override
            public Uni<Void> send(MqttMessage<byte[]> message) {
                return brokerDown.get()
                        ? Uni.createFrom().failure(new IllegalStateException("the MQTT session is not connected"))
                        : real.send(message);
            }
        }, DeviceCommandChannel.class);
    }

    /**
     * Two commands with one attempt each are due while the broker is down: the failed publishes put them back in the
     * queue without spending their attempt (before, the attempt counted and an ack timeout later they were
     * dead-lettered without ever leaving). Once the broker is back they go out in creation order, on their first
     * attempt, and succeed.
     */
    @Test
    void aPublishThatFailsQueuesTheCommandAgainWithoutSpendingAnAttempt() throws Exception {
        String id = uniqueId("outage");
        try (Device device = online(id)) {
            brokerDown.set(true);
            String first = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"first\",\"ackTimeout\":\"PT1S\","
                    + "\"maxAttempts\":1}");
            String second = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"second\",\"ackTimeout\":\"PT1S\","
                    + "\"maxAttempts\":1}");
            await().atMost(WAIT).until(() -> transitions(first).size() >= 3);
            assertThat(transitions(first)).startsWith("QUEUED", "SENT", "QUEUED");
            assertThat(status(first)).isIn("QUEUED", "SENT");
            brokerDown.set(false);
            Device.Received a = device.next(WAIT);
            Device.Received b = device.next(WAIT);
            assertThat(List.of(a.commandId(), b.commandId())).containsExactly(first, second);
            assertThat(a.body()).containsEntry("attempt", 1);
            assertThat(b.body()).containsEntry("attempt", 1);
            device.ack(first, "ok", "{}");
            device.ack(second, "ok", "{}");
            await().atMost(WAIT).until(() -> "SUCCEEDED".equals(status(first)) && "SUCCEEDED".equals(status(second)));
            assertThat(operator().get("/api/v1/commands/" + first).then().extract().jsonPath().getInt("attempts"))
                    .isEqualTo(1);
        }
    }
}
