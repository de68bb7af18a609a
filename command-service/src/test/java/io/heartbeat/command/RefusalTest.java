package io.heartbeat.command;

import static io.heartbeat.command.CommandFlowTest.online;
import static io.heartbeat.command.CommandTestSupport.create;
import static io.heartbeat.command.CommandTestSupport.operator;
import static io.heartbeat.command.CommandTestSupport.records;
import static io.heartbeat.command.CommandTestSupport.status;
import static io.heartbeat.command.CommandTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * What a requester (the monitor's pings) learns: a refusal for reasons unrelated to the device is a result with its
 * refusal code and no attempts, not a failed probe; only a command that was sent and never answered is.
 */
@QuarkusTest
class RefusalTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    static CommandRequest ping(String deviceId, Duration ttl, Duration ackTimeout) {
        return new CommandRequest(CommandRequest.SCHEMA_VERSION, uniqueId("ping"), deviceId, "acme", "ping", Map.of(),
                ttl, ackTimeout, 1, "status-monitor", null, Instant.now());
    }

    static CommandResult result(String deviceId) {
        return EventJson.read(records(Topics.COMMAND_RESULTS, deviceId, 1).get(0), CommandResult.class);
    }

    @Test
    void aRefusedRequestsResultHasItsRefusalCodeAndNoAttempts() {
        String unknown = uniqueId("nobody");
        String withoutRemoteControl = uniqueId("ping-norc");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(withoutRemoteControl, false, 1);
            // the service has read the view once it refuses a user's command for the device
            await().atMost(WAIT).until(() -> operator().body("{\"deviceId\":\"" + withoutRemoteControl
                    + "\",\"name\":\"ping\"}").post("/api/v1/commands").statusCode() == 409);
            kafka.send(Topics.COMMAND_REQUESTS, unknown, EventJson.write(ping(unknown, null, null)));
            kafka.send(Topics.COMMAND_REQUESTS, withoutRemoteControl,
                    EventJson.write(ping(withoutRemoteControl, null, null)));
        }
        CommandResult u = result(unknown);
        assertThat(u.refusal()).isEqualTo("device-unknown");
        assertThat(u.attempts()).isZero();
        assertThat(u.unanswered()).isFalse();
        CommandResult r = result(withoutRemoteControl);
        assertThat(r.status()).isEqualTo(CommandStatus.FAILED);
        assertThat(r.refusal()).isEqualTo("remote-control-disabled");
        assertThat(r.attempts()).isZero();
        assertThat(r.unanswered()).isFalse();
        assertThat(r.answered()).isFalse();
    }

    @Test
    void aPingSentAndNeverAnsweredExpiresWithItsAttemptsAndNoRefusal() throws Exception {
        String id = uniqueId("silent-ping");
        try (Device device = online(id); CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.send(Topics.COMMAND_REQUESTS, id, EventJson.write(ping(id, Duration.ofSeconds(2),
                    Duration.ofSeconds(10))));
            assertThat(device.next(WAIT)).as("sent").isNotNull();
            CommandResult r = result(id);
            assertThat(r.status()).isEqualTo(CommandStatus.EXPIRED);
            assertThat(r.attempts()).isGreaterThanOrEqualTo(1);
            assertThat(r.refusal()).isNull();
            assertThat(r.unanswered()).isTrue();
        }
    }

    /**
     * Remote control switched off while a command waits to be sent: at the claim it is CANCELLED with the refusal
     * remote-control-disabled and never reaches the device.
     */
    @Test
    void remoteControlSwitchedOffCancelsWhatIsQueued() throws Exception {
        String id = uniqueId("rc-off");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
            kafka.status(id, DeviceState.UNKNOWN, DeviceState.DISCONNECTED);
            try (Device device = new Device(id)) {
                String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\"}");
                kafka.view(id, false, 2);
                await().atMost(WAIT).until(() -> operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"x\"}")
                        .post("/api/v1/commands").statusCode() == 409);
                kafka.status(id, DeviceState.DISCONNECTED, DeviceState.CONNECTED);
                await().atMost(WAIT).until(() -> "CANCELLED".equals(status(commandId)));
                JsonPath c = operator().get("/api/v1/commands/" + commandId).then().statusCode(200).extract()
                        .jsonPath();
                assertThat(c.getString("refusal")).isEqualTo("remote-control-disabled");
                assertThat(c.getInt("attempts")).isZero();
                assertThat(device.next(Duration.ofSeconds(2))).as("never sent").isNull();
            }
        }
    }
}
