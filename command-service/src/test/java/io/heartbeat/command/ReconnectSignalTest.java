package io.heartbeat.command;

import static io.heartbeat.command.CommandTestSupport.create;
import static io.heartbeat.command.CommandTestSupport.operator;
import static io.heartbeat.command.CommandTestSupport.records;
import static io.heartbeat.command.CommandTestSupport.status;
import static io.heartbeat.command.CommandTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.contracts.DeviceSignal;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.SignalDelivered;
import io.heartbeat.contracts.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Seed 004's reconnect: HTTP devices learn it through device-signals (ingest answers it in the heartbeat response and
 * reports the delivery), MQTT devices get a {@code reconnect} command. Ingest is played by records on Kafka here; the
 * end-to-end test runs the real one.
 */
@QuarkusTest
class ReconnectSignalTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    static List<DeviceSignal> signals(String deviceId, int count) {
        return records(Topics.DEVICE_SIGNALS, deviceId, count).stream()
                .map(v -> EventJson.read(v, DeviceSignal.class)).toList();
    }

    @Test
    void anHttpDeviceLearnsItFromItsHeartbeatResponseAndTheDeliveryCompletesTheCommand() throws Exception {
        String id = uniqueId("http-reconnect");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, Protocol.HTTP, true, 1);
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reconnect\"}");
            JsonPath c = operator().get("/api/v1/commands/" + commandId).then().statusCode(200).extract().jsonPath();
            assertThat(c.getString("status")).isEqualTo("SENT");
            assertThat(c.getString("delivery")).isEqualTo("SIGNAL");

            DeviceSignal raised = signals(id, 1).get(0);
            assertThat(raised.shouldReconnect()).isTrue();
            assertThat(raised.reconnectCommandId()).isEqualTo(commandId);
            assertThat(raised.tenantId()).isEqualTo("acme");
            assertThat(raised.remoteControlEnabled()).isTrue();

            // one reconnect at a time; an HTTP device cannot be pushed anything else
            operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"reconnect\"}").post("/api/v1/commands").then()
                    .statusCode(409).body("type", equalTo("/problems/reconnect-pending"));
            operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"reboot\"}").post("/api/v1/commands").then()
                    .statusCode(409).body("type", equalTo("/problems/push-unsupported"));

            Instant deliveredAt = Instant.now();
            String report = EventJson.write(new SignalDelivered(SignalDelivered.SCHEMA_VERSION, id, "acme", commandId,
                    deliveredAt));
            kafka.send(Topics.DEVICE_SIGNALS_DELIVERED, id, report);
            await().atMost(WAIT).until(() -> "SUCCEEDED".equals(status(commandId)));
            c = operator().get("/api/v1/commands/" + commandId).then().statusCode(200).extract().jsonPath();
            assertThat(c.getString("result.via")).isEqualTo("heartbeat-response");
            assertThat(c.getLong("roundTripMs")).isGreaterThanOrEqualTo(0L);
            assertThat(CommandFlowTest.transitions(commandId)).containsExactly("QUEUED", "SENT", "SUCCEEDED");

            // the signal is cleared with a higher revision, so ingest stops answering it
            DeviceSignal cleared = signals(id, 2).get(1);
            assertThat(cleared.shouldReconnect()).isFalse();
            assertThat(cleared.reconnectCommandId()).isNull();
            assertThat(cleared.revision()).isGreaterThan(raised.revision());

            // a redelivered report changes nothing; a new reconnect may follow
            kafka.send(Topics.DEVICE_SIGNALS_DELIVERED, id, report);
            String next = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reconnect\"}");
            assertThat(next).isNotEqualTo(commandId);
            DeviceSignal again = signals(id, 3).get(2);
            assertThat(again.reconnectCommandId()).isEqualTo(next);
            assertThat(again.revision()).isGreaterThan(cleared.revision());
            assertThat(status(commandId)).isEqualTo("SUCCEEDED");
            assertThat(status(next)).isEqualTo("SENT");
        }
    }

    @Test
    void aReconnectNobodyHeardExpiresAndItsSignalIsCleared() throws Exception {
        String id = uniqueId("http-expire");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, Protocol.HTTP, true, 1);
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reconnect\",\"ttl\":\"PT1S\"}");
            await().atMost(WAIT).until(() -> "EXPIRED".equals(status(commandId)));
            List<DeviceSignal> signals = signals(id, 2);
            assertThat(signals.get(0).shouldReconnect()).isTrue();
            assertThat(signals.get(1).shouldReconnect()).isFalse();
            // a delivery reported after the expiry does not revive it
            kafka.send(Topics.DEVICE_SIGNALS_DELIVERED, id, EventJson.write(new SignalDelivered(
                    SignalDelivered.SCHEMA_VERSION, id, "acme", commandId, Instant.now())));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> "EXPIRED".equals(status(commandId)));
        }
    }

    @Test
    void aCancelledReconnectClearsItsSignal() throws Exception {
        String id = uniqueId("http-cancel");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, Protocol.HTTP, true, 1);
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reconnect\"}");
            operator().post("/api/v1/commands/" + commandId + "/cancel").then().statusCode(200)
                    .body("status", equalTo("CANCELLED"));
            assertThat(signals(id, 2).get(1).shouldReconnect()).isFalse();
        }
    }

    @Test
    void anMqttDeviceGetsAReconnectCommand() throws Exception {
        String id = uniqueId("mqtt-reconnect");
        try (Device device = CommandFlowTest.online(id)) {
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reconnect\"}");
            Device.Received got = device.next(WAIT);
            assertThat(got).isNotNull();
            assertThat(got.commandId()).isEqualTo(commandId);
            assertThat(got.body()).containsEntry("name", "reconnect");
            device.ack(commandId, "ok", "{}");
            await().atMost(WAIT).until(() -> "SUCCEEDED".equals(status(commandId)));
            assertThat(operator().get("/api/v1/commands/" + commandId).then().extract().path("delivery")
                    .toString()).isEqualTo("MQTT");
        }
    }
}
