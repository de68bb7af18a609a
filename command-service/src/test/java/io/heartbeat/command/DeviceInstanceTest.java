package io.heartbeat.command;

import static io.heartbeat.command.CommandFlowTest.online;
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
 * A device id is deleted and registered again, by another tenant: commands and schedules belong to the device
 * instance they were made for (tenant and registration), not to the id.
 */
@QuarkusTest
class DeviceInstanceTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    ScheduleService schedules;

    /**
     * Tenant acme's device has a command sent and unanswered, one queued, and a schedule; it is deleted and globex
     * registers a device with the same id, which connects. acme's open commands end CANCELLED (refusal
     * device-deleted) and none reaches globex's device; an answer from globex's device to acme's sent command
     * completes nothing (acme never reads globex's answers); acme's schedule is disabled and never fires for globex.
     */
    @Test
    void anIdRegisteredAgainByAnotherTenantGetsNoneOfTheOldInstancesCommandsSchedulesOrAnswers() throws Exception {
        String id = uniqueId("reused");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            String sent;
            try (Device acme = online(id)) {
                sent = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"unlock\",\"ackTimeout\":\"PT5M\"}");
                assertThat(acme.next(WAIT).commandId()).isEqualTo(sent);
                kafka.status(id, DeviceState.CONNECTED, DeviceState.DISCONNECTED);
            }
            String queued = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"queued-for-acme\"}");
            JsonPath schedule = CronScheduleTest.createSchedule(id, "* * * * *", "UTC",
                    "{\"name\":\"tick\",\"ttl\":\"PT1H\"}");
            String scheduleId = schedule.getString("id");
            Instant nextFire = Instant.parse(schedule.getString("nextFireAt"));
            assertThat(status(queued)).isEqualTo("QUEUED");

            kafka.delete(id);
            kafka.reregister(id, "globex");
            try (Device globex = new Device(id)) {
                kafka.status(id, DeviceState.UNKNOWN, DeviceState.CONNECTED);
                globex.ack(sent, "ok", "{\"from\":\"globex\"}");
                await().atMost(WAIT).until(() -> "CANCELLED".equals(status(sent))
                        && "CANCELLED".equals(status(queued)));
                CronScheduleTest.fire(schedules, nextFire.plusSeconds(1));
                assertThat(globex.next(Duration.ofSeconds(3))).as("nothing of acme's reaches globex's device")
                        .isNull();
            }
            for (String commandId : new String[] { sent, queued }) {
                JsonPath c = operator().get("/api/v1/commands/" + commandId).then().statusCode(200).extract()
                        .jsonPath();
                assertThat(c.getString("refusal")).isEqualTo("device-deleted");
                assertThat((Object) c.get("result")).as("acme reads none of globex's answers").isNull();
            }
            JsonPath after = CronScheduleTest.schedule(scheduleId);
            assertThat(after.getBoolean("enabled")).isFalse();
            assertThat(after.getString("disabledReason")).isEqualTo("device-deleted");
            assertThat((Object) after.get("nextFireAt")).isNull();
            assertThat(CronScheduleTest.commandsOf(id, scheduleId)).as("never fired").isEmpty();
        }
    }
}
