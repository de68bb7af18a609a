package io.heartbeat.command;

import static io.heartbeat.command.CommandTestSupport.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.contracts.DeviceState;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The second half of {@link RestartBeforeTest}, in a newly started application: Quarkus runs the test classes
 * without a profile first, then each profile's classes, restarting the application in between.
 */
@QuarkusTest
@TestProfile(RestartAfterTest.Restarted.class)
public class RestartAfterTest {

    /** Another profile: Quarkus stops the first application and starts a new one. */
    public static class Restarted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("heartbeat.command.batch-size", "400");
        }
    }

    @Test
    void theQueuedCommandIsDeliveredOnReconnectAndTheSentOneRetried() throws Exception {
        Assumptions.assumeTrue(System.getProperty(RestartBeforeTest.SENT) != null,
                "runs after RestartBeforeTest in the same JVM");
        String offline = System.getProperty(RestartBeforeTest.QUEUED_DEVICE);
        String silent = System.getProperty(RestartBeforeTest.SENT_DEVICE);
        String queued = System.getProperty(RestartBeforeTest.QUEUED);
        String sent = System.getProperty(RestartBeforeTest.SENT);
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
