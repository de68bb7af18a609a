package io.heartbeat.command;

import static io.heartbeat.command.CommandTestSupport.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.command.service.ScheduleService;
import io.heartbeat.contracts.DeviceState;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The second half of {@link RestartTest}, in a newly started application on the same Postgres, broker and Kafka:
 * Quarkus runs the classes of each test profile together and restarts the application between profiles. Profiles
 * run in the order of their first class by name, so the default profile's classes (this module's
 * {@link CommandFlowTest}, {@link RestartTest}, ...) run before this one: keep this class's name after theirs.
 */
@QuarkusTest
@TestProfile(RestartedTest.Restarted.class)
public class RestartedTest {

    @Inject
    ScheduleService schedules;

    /** Another profile: Quarkus stops the first application and starts a new one. */
    public static class Restarted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("heartbeat.command.batch-size", "400");
        }
    }

    /**
     * A device whose only CONNECTED is on device-status.current (nothing on device-status, whose retention dropped it)
     * is connected after the restart: a command to it goes out. (Rebuilt from device-status, it never did.)
     */
    @Test
    void aDeviceConnectedOnlyPerDeviceStatusCurrentGetsItsCommandsAfterARestart() throws Exception {
        Assumptions.assumeTrue(System.getProperty(RestartTest.CURRENT_ONLY_DEVICE) != null,
                "runs after RestartTest in the same JVM");
        String id = System.getProperty(RestartTest.CURRENT_ONLY_DEVICE);
        try (Device device = new Device(id)) {
            String commandId = CommandTestSupport.create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"after-restart\"}");
            Device.Received got = device.next(Duration.ofSeconds(20));
            assertThat(got).as("sent to the device connected per device-status.current").isNotNull();
            assertThat(got.commandId()).isEqualTo(commandId);
        }
    }

    @Test
    void theQueuedCommandIsDeliveredOnReconnectAndTheSentOneRetried() throws Exception {
        Assumptions.assumeTrue(System.getProperty(RestartTest.SENT) != null,
                "runs after RestartTest in the same JVM");
        String offline = System.getProperty(RestartTest.QUEUED_DEVICE);
        String silent = System.getProperty(RestartTest.SENT_DEVICE);
        String queued = System.getProperty(RestartTest.QUEUED);
        String sent = System.getProperty(RestartTest.SENT);
        String scheduled = System.getProperty(RestartTest.SCHEDULED_DEVICE);
        String scheduleId = System.getProperty(RestartTest.SCHEDULE);
        Instant firedFor = Instant.parse(System.getProperty(RestartTest.FIRED_FOR));
        // the fire time made before the restart is not made again; the next one is made once
        CronScheduleTest.fire(schedules, firedFor.plusSeconds(2));
        assertThat(CronScheduleTest.commandsOf(scheduled, scheduleId)).containsOnlyKeys(firedFor.toString());
        Instant next = firedFor.plus(Duration.ofMinutes(1));
        CronScheduleTest.fire(schedules, next.plusSeconds(1));
        assertThat(CronScheduleTest.commandsOf(scheduled, scheduleId)).containsOnlyKeys(firedFor.toString(),
                next.toString());
        try (CommandTestSupport kafka = new CommandTestSupport();
                Device a = new Device(offline);
                Device b = new Device(silent)) {
            // the SENT command's ack timer was re-armed from Postgres: it timed out and was sent again (the test
            // device may subscribe only after that second send went out, so the send is checked in the history)
            await().atMost(Duration.ofSeconds(40)).until(() -> CommandFlowTest.transitions(sent)
                    .equals(List.of("QUEUED", "SENT", "TIMED_OUT", "SENT")));
            b.ack(sent, "ok", "{}");
            assertThat(a.next(Duration.ofSeconds(1))).as("still offline").isNull();
            kafka.status(offline, DeviceState.DISCONNECTED, DeviceState.CONNECTED);
            Device.Received delivered = a.next(Duration.ofSeconds(20));
            assertThat(delivered).isNotNull();
            assertThat(delivered.commandId()).isEqualTo(queued);
            a.ack(queued, "ok", "{}");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "SUCCEEDED".equals(status(sent)) && "SUCCEEDED".equals(status(queued)));
            assertThat(CommandFlowTest.transitions(sent)).containsExactly("QUEUED", "SENT", "TIMED_OUT", "SENT",
                    "SUCCEEDED");
        }
    }
}
