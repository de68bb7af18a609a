package io.heartbeat.command;

import static io.heartbeat.command.CommandTestSupport.create;
import static io.heartbeat.command.CommandTestSupport.operator;
import static io.heartbeat.command.CommandTestSupport.status;
import static io.heartbeat.command.CommandTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.command.service.ScheduleService;
import io.heartbeat.contracts.DeviceState;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A restart loses no command and re-arms every timer: the first half leaves a QUEUED command (device offline) and a
 * SENT one (its ack outstanding), and a schedule that fired once; Quarkus then starts the application anew (another
 * test profile) on the same Postgres and Kafka ({@link RestartedTest}), which sees the queued one delivered on
 * reconnect, the sent one retried, and the schedule neither firing its past fire time again nor missing the next.
 * <p>
 * {@link CronScheduleTest} fires every due schedule at made-up times up to days ahead, which would move this class's
 * schedule too: its name sorts before this one, so it runs first.
 */
@QuarkusTest
public class RestartTest {

    static final String QUEUED_DEVICE = "heartbeat.test.restart.queued-device";
    static final String QUEUED = "heartbeat.test.restart.queued";
    static final String SENT_DEVICE = "heartbeat.test.restart.sent-device";
    static final String SENT = "heartbeat.test.restart.sent";
    static final String SCHEDULED_DEVICE = "heartbeat.test.restart.scheduled-device";
    static final String SCHEDULE = "heartbeat.test.restart.schedule";
    static final String FIRED_FOR = "heartbeat.test.restart.fired-for";
    static final String CURRENT_ONLY_DEVICE = "heartbeat.test.restart.current-only-device";

    @Inject
    ScheduleService schedules;

    @Test
    void leaveAQueuedAndASentCommand() throws Exception {
        String offline = uniqueId("restart-q");
        String silent = uniqueId("restart-s");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(offline, true, 1);
            kafka.view(silent, true, 1);
        }
        try (CommandTestSupport kafka = new CommandTestSupport(); Device device = new Device(silent)) {
            kafka.status(offline, DeviceState.UNKNOWN, DeviceState.DISCONNECTED);
            kafka.status(silent, DeviceState.UNKNOWN, DeviceState.CONNECTED);
            await().atMost(Duration.ofSeconds(20)).until(() -> operator()
                    .body("{\"deviceId\":\"" + offline + "\",\"name\":\"probe\",\"ttl\":\"PT0.5S\"}")
                    .post("/api/v1/commands").statusCode() == 201);
            String queued = create(offline, "{\"deviceId\":\"$DEVICE\",\"name\":\"queued-across-restart\"}");
            String sent = create(silent,
                    "{\"deviceId\":\"$DEVICE\",\"name\":\"sent-before-restart\",\"ackTimeout\":\"PT10S\"}");
            assertThat(device.next(Duration.ofSeconds(20)).commandId()).isEqualTo(sent);
            assertThat(status(sent)).isEqualTo("SENT");
            assertThat(status(queued)).isEqualTo("QUEUED");
            String scheduled = uniqueId("restart-sched");
            kafka.view(scheduled, true, 1);
            JsonPath schedule = CronScheduleTest.createSchedule(scheduled, "* * * * *", "UTC", "{\"name\":\"tick\"}");
            Instant firedFor = Instant.parse(schedule.getString("nextFireAt"));
            CronScheduleTest.fire(schedules, firedFor.plusSeconds(1));
            assertThat(CronScheduleTest.commandsOf(scheduled, schedule.getString("id"))).containsOnlyKeys(firedFor.toString());
            // connected long ago: its CONNECTED is left only on the compacted device-status.current (device-status,
            // the history, keeps days; the monitor publishes only on change)
            String longConnected = uniqueId("restart-current");
            kafka.view(longConnected, true, 1);
            kafka.publish(CommandTestSupport.transition(longConnected, DeviceState.UNKNOWN, DeviceState.CONNECTED,
                    CommandTestSupport.nextVersion(longConnected), Instant.now().minus(Duration.ofDays(30))), false);
            System.setProperty(CURRENT_ONLY_DEVICE, longConnected);
            System.setProperty(SCHEDULED_DEVICE, scheduled);
            System.setProperty(SCHEDULE, schedule.getString("id"));
            System.setProperty(FIRED_FOR, firedFor.toString());
            System.setProperty(QUEUED_DEVICE, offline);
            System.setProperty(QUEUED, queued);
            System.setProperty(SENT_DEVICE, silent);
            System.setProperty(SENT, sent);
        }
    }
}
