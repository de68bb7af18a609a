package io.heartbeat.command;

import static io.heartbeat.command.CommandTestSupport.as;
import static io.heartbeat.command.CommandTestSupport.config;
import static io.heartbeat.command.CommandTestSupport.operator;
import static io.heartbeat.command.CommandTestSupport.tokens;
import static io.heartbeat.command.CommandTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.command.service.CommandService;
import io.heartbeat.command.service.Devices;
import io.heartbeat.command.service.Dispatcher;
import io.heartbeat.command.service.ScheduleService;
import io.heartbeat.command.store.ScheduleStore;
import io.heartbeat.contracts.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * ScheduleService (seed 002's {@code schedule:process}): the job is off in tests, which fire schedules at chosen times
 * through {@link ScheduleService#fireDue}; a second {@link ScheduleService} on its own connection pool plays a second replica.
 */
@QuarkusTest
class CronScheduleTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    ScheduleService schedules;
    @Inject
    CommandService commandService;
    @Inject
    Devices devices;
    @Inject
    Dispatcher dispatcher;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry metrics;
    @Inject
    Vertx vertx;

    Pool otherPool;

    @BeforeEach
    void secondReplica() {
        PgConnectOptions options = PgConnectOptions.fromUri(config("quarkus.datasource.reactive.url"))
                .setUser(config("quarkus.datasource.username")).setPassword(config("quarkus.datasource.password"));
        otherPool = Pool.newInstance(PgBuilder.pool().connectingTo(options).with(new PoolOptions().setMaxSize(4))
                .using(vertx.getDelegate()).build());
    }

    @AfterEach
    void closeSecondReplica() {
        otherPool.closeAndAwait();
    }

    /** The schedule job of another replica: the same code on another connection pool. */
    ScheduleService otherReplica() {
        return new ScheduleService(new ScheduleStore(otherPool), commandService, devices,
                dispatcher, clock, metrics);
    }

    static JsonPath createSchedule(String deviceId, String cron, String zone, String command) {
        String body = "{\"deviceId\":\"" + deviceId + "\",\"cron\":\"" + cron + "\",\"timeZone\":\"" + zone
                + "\",\"command\":" + command + "}";
        String[] created = new String[1];
        // the service learns of the device a moment after the registry published it
        await().atMost(WAIT).until(() -> {
            io.restassured.response.Response r = operator().body(body).post("/api/v1/schedules");
            if (r.statusCode() == 404) {
                return false;
            }
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
            created[0] = r.asString();
            return true;
        });
        return new JsonPath(created[0]);
    }

    static JsonPath schedule(String id) {
        return operator().get("/api/v1/schedules/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** The commands a schedule made, as {scheduledFor → status}. */
    static Map<String, String> commandsOf(String deviceId, String scheduleId) {
        JsonPath page = operator().queryParam("deviceId", deviceId).queryParam("size", 500).get("/api/v1/commands")
                .then().statusCode(200).extract().jsonPath();
        Map<String, String> out = new HashMap<>();
        List<Map<String, Object>> items = page.getList("items");
        for (Map<String, Object> c : items) {
            if (scheduleId.equals(c.get("scheduleId"))) {
                assertThat(out.put((String) c.get("scheduledFor"), (String) c.get("status")))
                        .as("two commands for one fire time").isNull();
            }
        }
        return out;
    }

    static void fire(ScheduleService replica, Instant at) {
        replica.fireDue(at).await().atMost(WAIT);
    }

    @Test
    void aDueScheduleMakesOneCommandForItsFireTime() throws Exception {
        String id = uniqueId("sched");
        try (Device device = CommandFlowTest.online(id)) {
            JsonPath s = createSchedule(id, "*/5 * * * *", "UTC",
                    "{\"name\":\"switch\",\"payload\":{\"on\":true},\"ttl\":\"PT2M\"}");
            String scheduleId = s.getString("id");
            Instant nextFire = Instant.parse(s.getString("nextFireAt"));
            assertThat(nextFire).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofMinutes(5)));
            assertThat(nextFire.getEpochSecond() % 300).isZero();
            assertThat(s.getBoolean("enabled")).isTrue();
            assertThat(s.getString("command.ttl")).isEqualTo("PT2M");

            fire(schedules, nextFire.minusSeconds(1));
            assertThat(commandsOf(id, scheduleId)).as("not due yet").isEmpty();

            fire(schedules, nextFire.plusSeconds(1));
            Map<String, String> made = commandsOf(id, scheduleId);
            assertThat(made).containsOnlyKeys(nextFire.toString());
            JsonPath after = schedule(scheduleId);
            String commandId = after.getString("lastCommandId");
            assertThat(Instant.parse(after.getString("lastFiredAt"))).isEqualTo(nextFire);
            assertThat(Instant.parse(after.getString("nextFireAt"))).isEqualTo(nextFire.plus(Duration.ofMinutes(5)));
            assertThat(after.getLong("missedFires")).isZero();
            JsonPath command = operator().get("/api/v1/commands/" + commandId).then().statusCode(200).extract()
                    .jsonPath();
            assertThat(command.getString("name")).isEqualTo("switch");
            assertThat(command.getBoolean("payload.on")).isTrue();
            assertThat(command.getString("scheduleId")).isEqualTo(scheduleId);
            assertThat(Instant.parse(command.getString("scheduledFor"))).isEqualTo(nextFire);
            assertThat(command.getString("requestedBy")).isEqualTo("schedule:" + scheduleId);
            // its TTL counts from the fire time
            assertThat(Instant.parse(command.getString("expiresAt"))).isEqualTo(nextFire.plus(Duration.ofMinutes(2)));
            // it is an ordinary command from here: it waits for its time (the test's fire time is up to five minutes
            // ahead of the clock), then goes to the connected device like any other
            assertThat(command.getString("status")).isEqualTo("QUEUED");

            // the same fire time again (a late or repeated run) makes nothing more
            fire(schedules, nextFire.plusSeconds(2));
            assertThat(commandsOf(id, scheduleId)).hasSize(1);
        }
    }

    @Test
    void twoReplicasFiringAtOnceMakeExactlyOneCommandPerScheduleAndFireTime() {
        ScheduleService other = otherReplica();
        List<String[]> made = new ArrayList<>();
        Instant first = null;
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            for (int d = 0; d < 8; d++) {
                String device = uniqueId("claim");
                kafka.view(device, true, 1); // offline: commands wait, the queue (5 per device in tests) holds 3
                for (int k = 0; k < 2; k++) {
                    JsonPath s = createSchedule(device, "* * * * *", "UTC", "{\"name\":\"tick\",\"ttl\":\"PT1H\"}");
                    made.add(new String[] { device, s.getString("id") });
                    Instant next = Instant.parse(s.getString("nextFireAt"));
                    first = first == null || next.isAfter(first) ? next : first;
                }
            }
        }
        for (int minute = 0; minute < 2; minute++) {
            Instant at = first.plus(Duration.ofMinutes(minute)).plusSeconds(1);
            // both replicas claim the same due schedules at the same moment, twice over
            List<Integer> handled = Uni.join().all(schedules.fireDue(at), other.fireDue(at), schedules.fireDue(at),
                    other.fireDue(at)).andFailFast().await().atMost(WAIT);
            assertThat(handled.stream().mapToInt(Integer::intValue).sum())
                    .as("fire calls may also find schedules of other tests; at least ours, each once")
                    .isGreaterThanOrEqualTo(made.size());
        }
        for (String[] m : made) {
            Map<String, String> commands = commandsOf(m[0], m[1]);
            assertThat(commands).as("schedule " + m[1]).hasSize(2);
            assertThat(commands.keySet()).contains(first.toString(), first.plus(Duration.ofMinutes(1)).toString());
        }
    }

    @Test
    void afterDowntimeOnlyTheNewestMissedFireTimeIsMadeUpAndOnlyWithinItsTtl() {
        String fresh = uniqueId("missed");
        String stale = uniqueId("stale");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(fresh, true, 1);
            kafka.view(stale, true, 1);
        }
        JsonPath a = createSchedule(fresh, "* * * * *", "UTC", "{\"name\":\"tick\",\"ttl\":\"PT5M\"}");
        JsonPath b = createSchedule(stale, "* * * * *", "UTC", "{\"name\":\"tick\",\"ttl\":\"PT30S\"}");
        Instant aNext = Instant.parse(a.getString("nextFireAt"));
        Instant bNext = Instant.parse(b.getString("nextFireAt"));

        // down for ten minutes; the job runs 31 s after the newest fire time
        Instant newest = aNext.plus(Duration.ofMinutes(10));
        fire(schedules, newest.plusSeconds(31));

        // within the 5 minute TTL: that one is made up, the ten before it are missed
        assertThat(commandsOf(fresh, a.getString("id"))).containsOnlyKeys(newest.toString());
        JsonPath afterA = schedule(a.getString("id"));
        assertThat(afterA.getLong("missedFires")).isEqualTo(10);
        assertThat(Instant.parse(afterA.getString("lastFiredAt"))).isEqualTo(newest);
        assertThat(Instant.parse(afterA.getString("nextFireAt"))).isEqualTo(newest.plus(Duration.ofMinutes(1)));

        // past the 30 s TTL: nothing is made, every fire time since bNext is missed
        assertThat(commandsOf(stale, b.getString("id"))).isEmpty();
        JsonPath afterB = schedule(b.getString("id"));
        assertThat(afterB.getLong("missedFires")).isEqualTo(Duration.between(bNext, newest).toMinutes() + 1);
        assertThat((Object) afterB.get("lastFiredAt")).isNull();
        assertThat(Instant.parse(afterB.getString("nextFireAt"))).isEqualTo(newest.plus(Duration.ofMinutes(1)));
    }

    @Test
    void aCronIsReadInItsTimeZoneAndADisabledScheduleNeverFires() {
        String id = uniqueId("zone");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
        }
        JsonPath s = createSchedule(id, "30 8 * * 1-5", "Europe/Berlin", "{\"name\":\"morning\"}");
        ZonedDateTime next = ZonedDateTime.ofInstant(Instant.parse(s.getString("nextFireAt")),
                ZoneId.of("Europe/Berlin"));
        assertThat(next.toLocalTime()).isEqualTo(LocalTime.of(8, 30));
        assertThat(next.getDayOfWeek().getValue()).isBetween(1, 5);

        String scheduleId = s.getString("id");
        operator().body("{\"cron\":\"30 8 * * 1-5\",\"timeZone\":\"Europe/Berlin\",\"command\":{\"name\":\"morning\"},"
                + "\"enabled\":false}").put("/api/v1/schedules/" + scheduleId).then().statusCode(200)
                .body("enabled", equalTo(false)).body("nextFireAt", nullValue()).body("revision", equalTo(2));
        fire(schedules, next.toInstant().plus(Duration.ofDays(8)));
        assertThat(commandsOf(id, scheduleId)).isEmpty();

        operator().queryParam("deviceId", id).get("/api/v1/schedules").then().statusCode(200)
                .body("items.id", hasItems(scheduleId));
        operator().delete("/api/v1/schedules/" + scheduleId).then().statusCode(204);
        operator().get("/api/v1/schedules/" + scheduleId).then().statusCode(404);
    }

    @Test
    void badSchedulesAreProblems() {
        String id = uniqueId("bad-sched");
        String http = uniqueId("bad-sched-http");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
            kafka.view(http, Protocol.HTTP, true, 1);
        }
        createSchedule(id, "0 * * * *", "UTC", "{\"name\":\"ok\"}");
        operator().body("{\"deviceId\":\"" + id + "\",\"cron\":\"61 * * * *\",\"timeZone\":\"Mars/Olympus\","
                + "\"command\":{\"ttl\":\"P9D\"}}").post("/api/v1/schedules").then().statusCode(422)
                .body("errors.field", hasItems("timeZone", "command.name", "command.ttl"));
        operator().body("{\"deviceId\":\"" + id + "\",\"cron\":\"every minute\",\"command\":{\"name\":\"x\"}}")
                .post("/api/v1/schedules").then().statusCode(422).body("errors.field", hasItems("cron"));
        operator().body("{\"deviceId\":\"" + id + "\",\"cron\":\"0 0 30 2 *\",\"command\":{\"name\":\"x\"}}")
                .post("/api/v1/schedules").then().statusCode(422).body("errors[0].message", equalTo("never fires"));
        operator().body("{\"deviceId\":\"" + id + "\",\"cron\":\"0 * * * *\"}").post("/api/v1/schedules").then()
                .statusCode(422).body("errors.field", hasItems("command"));
        operator().body("{\"deviceId\":\"" + http + "\",\"cron\":\"0 * * * *\",\"command\":{\"name\":\"reboot\"}}")
                .post("/api/v1/schedules").then().statusCode(409).body("type", equalTo("/problems/push-unsupported"));
        operator().body("{\"deviceId\":\"nobody\",\"cron\":\"0 * * * *\",\"command\":{\"name\":\"x\"}}")
                .post("/api/v1/schedules").then().statusCode(404);
        // another tenant sees none of acme's schedules; a viewer cannot write
        as(tokens().operator("globex")).get("/api/v1/schedules?deviceId=" + id).then().statusCode(200)
                .body("items.size()", equalTo(0));
        as(tokens().viewer("acme")).contentType("application/json")
                .body("{\"deviceId\":\"" + id + "\",\"cron\":\"0 * * * *\",\"command\":{\"name\":\"x\"}}")
                .post("/api/v1/schedules").then().statusCode(403);
    }
}
