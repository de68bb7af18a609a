package io.heartbeat.command;

import static io.heartbeat.command.CommandTestSupport.create;
import static io.heartbeat.command.CommandTestSupport.status;
import static io.heartbeat.command.CommandTestSupport.transition;
import static io.heartbeat.command.CommandTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.contracts.DeviceState;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Which transitions count: the monitor's newest per device on the compacted device-status.current, ordered by device
 * instance and version, never by time.
 */
@QuarkusTest
class DeviceStatusTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    /**
     * A retried monitor batch writes a CONNECTED with the tick's time, older than the DISCONNECTED already read, but
     * with the higher version: the device is connected and gets its queued command. (Ordered by time, it was dropped
     * and the command held until the device's next transition.)
     */
    @Test
    void aConnectedWithAHigherVersionButAnOlderTimeReleasesTheQueuedCommands() throws Exception {
        String id = uniqueId("version");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
            long v = CommandTestSupport.nextVersion(id);
            Instant now = Instant.now();
            kafka.publish(transition(id, DeviceState.CONNECTED, DeviceState.DISCONNECTED, v, now), true);
            try (Device device = new Device(id)) {
                String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\"}");
                assertThat(device.next(Duration.ofSeconds(1))).as("nothing while disconnected").isNull();
                kafka.publish(transition(id, DeviceState.DISCONNECTED, DeviceState.CONNECTED, v + 1,
                        now.minusSeconds(60)), true);
                Device.Received got = device.next(WAIT);
                assertThat(got).as("sent once the later version says CONNECTED").isNotNull();
                assertThat(got.commandId()).isEqualTo(commandId);
                assertThat(status(commandId)).isEqualTo("SENT");
            }
        }
    }

    /** An older version read late (a CONNECTED after a newer DISCONNECTED) does not make the device connected. */
    @Test
    void anOlderVersionReadLateChangesNothing() throws Exception {
        String id = uniqueId("stale-version");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
            long v = CommandTestSupport.nextVersion(id);
            Instant now = Instant.now();
            kafka.publish(transition(id, DeviceState.CONNECTED, DeviceState.DISCONNECTED, v + 1, now), true);
            kafka.publish(transition(id, DeviceState.UNKNOWN, DeviceState.CONNECTED, v, now.plusSeconds(60)), true);
            try (Device device = new Device(id)) {
                String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\"}");
                assertThat(device.next(Duration.ofSeconds(2))).as("still disconnected").isNull();
                assertThat(status(commandId)).isEqualTo("QUEUED");
            }
        }
    }
}
