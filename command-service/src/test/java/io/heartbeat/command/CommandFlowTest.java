package io.heartbeat.command;

import static io.heartbeat.command.CommandTestSupport.as;
import static io.heartbeat.command.CommandTestSupport.create;
import static io.heartbeat.command.CommandTestSupport.operator;
import static io.heartbeat.command.CommandTestSupport.records;
import static io.heartbeat.command.CommandTestSupport.status;
import static io.heartbeat.command.CommandTestSupport.tokens;
import static io.heartbeat.command.CommandTestSupport.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.command.service.CommandRetention;
import io.heartbeat.command.store.Command;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeadLetteredCommand;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;

/** Commands through the real broker, Kafka and Postgres, with a test MQTT client as the device. */
@QuarkusTest
class CommandFlowTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    /**
     * A registered device with remote control, its MQTT client (subscribed to its commands), then connected per
     * device-status.
     */
    static Device online(String id) throws Exception {
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
            Device device = new Device(id);
            kafka.status(id, DeviceState.UNKNOWN, DeviceState.CONNECTED);
            return device;
        }
    }

    static List<String> transitions(String commandId) {
        return operator().get("/api/v1/commands/" + commandId + "/transitions").then().statusCode(200).extract()
                .jsonPath().getList("status", String.class);
    }

    @Test
    void aCommandReachesTheDeviceAndItsAckSucceedsIt() throws Exception {
        String id = uniqueId("ok");
        try (Device device = online(id)) {
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\",\"payload\":{\"delay\":5}}");
            Device.Received got = device.next(WAIT);
            assertThat(got).isNotNull();
            assertThat(got.commandId()).isEqualTo(commandId);
            assertThat(got.body()).containsEntry("name", "reboot").containsEntry("attempt", 1).containsKey("expires_at");
            assertThat(Instant.parse((String) got.body().get("expires_at")))
                    .isBetween(Instant.now().plusSeconds(3500), Instant.now().plusSeconds(3601));
            device.ack(commandId, "ok", "{\"rebooted\":true}");
            await().atMost(WAIT).until(() -> "SUCCEEDED".equals(status(commandId)));
            // a duplicate ack and a last will change nothing
            device.ack(commandId, "error", "{}");
            device.publish("{\"status\":\"offline\"}");
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> "SUCCEEDED".equals(status(commandId)));
            JsonPath c = operator().get("/api/v1/commands/" + commandId).then().statusCode(200).extract().jsonPath();
            assertThat(c.getString("status")).isEqualTo("SUCCEEDED");
            assertThat(c.getBoolean("result.rebooted")).isTrue();
            assertThat(c.getLong("roundTripMs")).isNotNull().isGreaterThanOrEqualTo(0L);
            assertThat(transitions(commandId)).containsExactly("QUEUED", "SENT", "SUCCEEDED");
        }
    }

    @Test
    void anErrorAckFailsTheCommand() throws Exception {
        String id = uniqueId("err");
        try (Device device = online(id)) {
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"update\"}");
            assertThat(device.next(WAIT).commandId()).isEqualTo(commandId);
            device.ack(commandId, "error", "{\"reason\":\"disk full\"}");
            await().atMost(WAIT).until(() -> "FAILED".equals(status(commandId)));
        }
    }

    /**
     * The broker lets a device publish only on its own topics: another registered device, connected with its own
     * credentials, that answers this device's command on this device's status topic is disconnected, and its forged
     * ack completes nothing; the command stays SENT (and would be retried after its ack timeout) until its own device
     * answers.
     */
    @Test
    void aForgedAckFromAnotherDeviceIsRefusedByTheBrokerAndTheCommandWaitsForItsOwnDevice() throws Exception {
        String id = uniqueId("victim");
        String other = uniqueId("forger");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(other, true, 1);
        }
        try (Device device = online(id); Device forger = new Device(other)) {
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"unlock\",\"ackTimeout\":\"PT10S\"}");
            assertThat(device.next(WAIT).commandId()).isEqualTo(commandId);
            assertThat(status(commandId)).isEqualTo("SENT");

            // MQTT 3.1.1 has no negative PUBACK: the broker answers the unauthorized publish by closing the connection
            assertThat(catchThrowable(() -> forger.publish("devices/" + id + "/status",
                    "{\"command_id\":\"" + commandId + "\",\"status\":\"ok\"}")))
                    .as("the forged publish is never acknowledged").isInstanceOf(MqttException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> !forger.connected());
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> "SENT".equals(status(commandId)));

            device.ack(commandId, "ok", "{\"unlocked\":true}");
            await().atMost(WAIT).until(() -> "SUCCEEDED".equals(status(commandId)));
            JsonPath c = operator().get("/api/v1/commands/" + commandId).then().statusCode(200).extract().jsonPath();
            assertThat(c.getBoolean("result.unlocked")).isTrue();
            assertThat(c.getInt("attempts")).isEqualTo(1);
            assertThat(transitions(commandId)).containsExactly("QUEUED", "SENT", "SUCCEEDED");
        }
    }

    @Test
    void withoutAnAckItIsRetriedWithGrowingGapsThenDeadLettered() throws Exception {
        String id = uniqueId("noack");
        try (Device device = online(id)) {
            String commandId = create(id,
                    "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\",\"ackTimeout\":\"PT0.5S\",\"maxAttempts\":3}");
            List<Device.Received> sends = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Device.Received r = device.next(WAIT);
                assertThat(r).as("attempt %d", i + 1).isNotNull();
                sends.add(r);
            }
            assertThat(sends).extracting(r -> r.body().get("attempt")).containsExactly(1, 2, 3);
            assertThat(sends).extracting(Device.Received::commandId).containsOnly(commandId);
            long gap1 = sends.get(1).atNanos() - sends.get(0).atNanos();
            long gap2 = sends.get(2).atNanos() - sends.get(1).atNanos();
            assertThat(gap2).as("exponential backoff").isGreaterThan(gap1);
            await().atMost(WAIT).until(() -> "DEAD_LETTERED".equals(status(commandId)));
            assertThat(transitions(commandId)).containsExactly("QUEUED", "SENT", "TIMED_OUT", "SENT", "TIMED_OUT",
                    "SENT", "DEAD_LETTERED");
            DeadLetteredCommand dlq = EventJson.read(records(Topics.COMMANDS_DLQ, id, 1).get(0),
                    DeadLetteredCommand.class);
            assertThat(dlq.commandId()).isEqualTo(commandId);
            assertThat(dlq.attempts()).isEqualTo(3);
            assertThat(dlq.lastError()).contains("no ack");
            assertThat(device.next(Duration.ofSeconds(2))).as("nothing after dead-lettering").isNull();
        }
    }

    @Test
    void aCommandWhoseTtlPassesWhileTheDeviceIsOfflineExpiresAndIsNeverSent() throws Exception {
        String id = uniqueId("ttl");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
            kafka.status(id, DeviceState.UNKNOWN, DeviceState.TEMPORARILY_OFFLINE);
            try (Device device = new Device(id)) {
                String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\",\"ttl\":\"PT1S\"}");
                await().atMost(WAIT).until(() -> "EXPIRED".equals(status(commandId)));
                kafka.status(id, DeviceState.TEMPORARILY_OFFLINE, DeviceState.CONNECTED);
                assertThat(device.next(Duration.ofSeconds(3))).isNull();
                assertThat(transitions(commandId)).containsExactly("QUEUED", "EXPIRED");
            }
        }
    }

    @Test
    void commandsQueuedWhileOfflineGoOutOnReconnectInCreationOrder() throws Exception {
        String id = uniqueId("queued");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
            kafka.status(id, DeviceState.UNKNOWN, DeviceState.DISCONNECTED);
            try (Device device = new Device(id)) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    ids.add(create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"step-" + i + "\"}"));
                }
                assertThat(device.next(Duration.ofSeconds(2))).as("nothing while offline").isNull();
                assertThat(status(ids.get(0))).isEqualTo("QUEUED");
                kafka.status(id, DeviceState.DISCONNECTED, DeviceState.CONNECTED);
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Device.Received r = device.next(WAIT);
                    assertThat(r).isNotNull();
                    got.add(r.commandId());
                    device.ack(r.commandId(), "ok", "null");
                }
                assertThat(got).containsExactlyElementsOf(ids);
                await().atMost(WAIT).until(() -> ids.stream().allMatch(c -> "SUCCEEDED".equals(status(c))));
            }
        }
    }

    @Test
    void theQueuePerDeviceIsBounded() throws Exception {
        String id = uniqueId("full");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
        }
        await().atMost(WAIT).until(() -> operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"n\"}")
                .post("/api/v1/commands").statusCode() == 201);
        for (int i = 1; i < 5; i++) {
            create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"n\"}");
        }
        operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"n\"}").post("/api/v1/commands").then()
                .statusCode(409).body("type", equalTo("/problems/queue-full"));
    }

    /**
     * Commands POSTed at the same moment are written together (one transaction per batch): each POST still gets its
     * own command, and a device's queue bound (5 in tests) holds across the batch: the commands over it, and only
     * those, are refused with {@code queue-full}.
     */
    @Test
    void commandsPostedTogetherEachGetTheirOwnAnswerAndNoQueueOverfills() throws Exception {
        List<String> devices = List.of(uniqueId("together-a"), uniqueId("together-b"));
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            for (String id : devices) {
                kafka.view(id, true, 1);
            }
        }
        for (String id : devices) { // the first command of each once its view has arrived
            await().atMost(WAIT).until(() -> operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"first\"}")
                    .post("/api/v1/commands").statusCode() == 201);
        }
        java.util.concurrent.ExecutorService posters = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            List<java.util.concurrent.Future<io.restassured.response.Response>> posts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String body = "{\"deviceId\":\"" + devices.get(i % 2) + "\",\"name\":\"c" + i + "\"}";
                posts.add(posters.submit(() -> operator().body(body).post("/api/v1/commands")));
            }
            Map<String, Integer> createdPerDevice = new java.util.HashMap<>();
            java.util.Set<String> commandIds = new java.util.HashSet<>();
            int refused = 0;
            for (int i = 0; i < 20; i++) {
                io.restassured.response.Response r = posts.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
                if (r.statusCode() == 409) {
                    assertThat(r.jsonPath().getString("type")).isEqualTo("/problems/queue-full");
                    refused++;
                    continue;
                }
                assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
                assertThat(r.jsonPath().getString("deviceId")).isEqualTo(devices.get(i % 2));
                assertThat(r.jsonPath().getString("name")).isEqualTo("c" + i);
                commandIds.add(r.jsonPath().getString("id"));
                createdPerDevice.merge(devices.get(i % 2), 1, Integer::sum);
            }
            assertThat(createdPerDevice).containsEntry(devices.get(0), 4).containsEntry(devices.get(1), 4);
            assertThat(commandIds).hasSize(8);
            assertThat(refused).isEqualTo(12);
        } finally {
            posters.shutdownNow();
        }
    }

    /** A batch stores its commands in the order given (the order they are sent in) and refuses only the overflow. */
    @Test
    void aBatchOfCreatesKeepsItsOrderAndRefusesOnlyWhatOverfillsAQueue() {
        String a = uniqueId("batch-a");
        String b = uniqueId("batch-b");
        List<CommandStore.NewCommand> commands = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            commands.add(newCommand(a, "a" + i));
            if (i < 3) {
                commands.add(newCommand(b, "b" + i));
            }
        }
        List<CommandStore.BatchCreated> answers = store.createAll(commands, Instant.now(), 5).await().atMost(WAIT);
        assertThat(answers).hasSize(10);
        for (int i = 0; i < 10; i++) {
            CommandStore.BatchCreated answer = answers.get(i);
            boolean overflow = commands.get(i).name().equals("a5") || commands.get(i).name().equals("a6");
            if (overflow) {
                assertThat(answer.command()).isNull();
                assertThat(answer.refusal().type()).isEqualTo("queue-full");
            } else {
                assertThat(answer.refusal()).isNull();
                assertThat(answer.command().name()).isEqualTo(commands.get(i).name());
                assertThat(answer.command().status()).isEqualTo(CommandStatus.QUEUED);
            }
        }
        List<String> stored = new ArrayList<>();
        pool.preparedQuery("SELECT name FROM command WHERE device_id = ANY($1) ORDER BY seq")
                .executeAndAwait(io.vertx.mutiny.sqlclient.Tuple.of(new String[] { a, b }))
                .forEach(r -> stored.add(r.getString(0)));
        assertThat(stored).containsExactly("a0", "b0", "a1", "b1", "a2", "b2", "a3", "a4");
        Long transitions = pool.preparedQuery("SELECT count(*) FROM command_transition t JOIN command c ON c.id = "
                + "t.command_id WHERE c.device_id = ANY($1) AND t.status = 'QUEUED'")
                .executeAndAwait(io.vertx.mutiny.sqlclient.Tuple.of(new String[] { a, b })).iterator().next().getLong(0);
        assertThat(transitions).isEqualTo(8);
    }

    private static CommandStore.NewCommand newCommand(String deviceId, String name) {
        return new CommandStore.NewCommand("acme", deviceId, null, name, Map.of("n", name), Duration.ofMinutes(5),
                Duration.ofSeconds(10), 3, null, null, "test", null, null, Command.Delivery.MQTT, null, null);
    }

    @Test
    void theSameIdempotencyKeyCreatesOneCommand() throws Exception {
        String id = uniqueId("idem");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
        }
        String body = "{\"deviceId\":\"" + id + "\",\"name\":\"reboot\"}";
        await().atMost(WAIT).until(() -> operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"probe\"}")
                .post("/api/v1/commands").statusCode() == 201);
        String first = operator().header("Idempotency-Key", "k-1").body(body).post("/api/v1/commands").then()
                .statusCode(201).extract().path("id");
        String again = operator().header("Idempotency-Key", "k-1").body(body).post("/api/v1/commands").then()
                .statusCode(200).extract().path("id");
        assertThat(again).isEqualTo(first);
        operator().get("/api/v1/commands?deviceId=" + id + "&status=QUEUED").then().statusCode(200)
                .body("totalItems", equalTo(2));
    }

    @Test
    void aDeviceWithoutRemoteControlGetsNoCommands() throws Exception {
        String id = uniqueId("norc");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, false, 1);
        }
        await().atMost(WAIT).until(() -> operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"reboot\"}")
                .post("/api/v1/commands").statusCode() == 409);
        operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"reboot\"}").post("/api/v1/commands").then()
                .statusCode(409).body("type", equalTo("/problems/remote-control-disabled"));
        operator().get("/api/v1/commands?deviceId=" + id).then().statusCode(200).body("totalItems", equalTo(0));
    }

    @Test
    void aRequestFromAnotherServiceRunsAndItsResultIsPublished() throws Exception {
        String id = uniqueId("req");
        try (Device device = online(id); CommandTestSupport kafka = new CommandTestSupport()) {
            String requestId = uniqueId("ping");
            CommandRequest request = new CommandRequest(CommandRequest.SCHEMA_VERSION, requestId, id, "acme", "ping",
                    java.util.Map.of(), Duration.ofMinutes(1), Duration.ofSeconds(5), 1, "status-monitor", "run-7",
                    Instant.now());
            kafka.send(Topics.COMMAND_REQUESTS, id, EventJson.write(request));
            // the same request again (a redelivery) makes no second command
            kafka.send(Topics.COMMAND_REQUESTS, id, EventJson.write(request));
            Device.Received got = device.next(WAIT);
            assertThat(got).isNotNull();
            assertThat(got.body()).containsEntry("name", "ping");
            device.ack(got.commandId(), "ok", "{\"pong\":true}");
            CommandResult result = EventJson.read(records(Topics.COMMAND_RESULTS, id, 1).get(0), CommandResult.class);
            assertThat(result.requestId()).isEqualTo(requestId);
            assertThat(result.commandId()).isEqualTo(got.commandId());
            assertThat(result.status()).isEqualTo(CommandStatus.SUCCEEDED);
            assertThat(result.correlationId()).isEqualTo("run-7");
            assertThat(result.roundTripMs()).isNotNull();
            assertThat(device.next(Duration.ofSeconds(1))).as("one command per request id").isNull();
        }
    }

    @Test
    void aRequestForADeviceWithoutRemoteControlFailsWithAResult() throws Exception {
        String id = uniqueId("req-norc");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, false, 1);
            // the service has read the view once it refuses a command for the device
            await().atMost(WAIT).until(() -> operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"ping\"}")
                    .post("/api/v1/commands").statusCode() == 409);
            CommandRequest request = new CommandRequest(CommandRequest.SCHEMA_VERSION, uniqueId("r"), id, "acme", "ping",
                    java.util.Map.of(), null, null, null, "status-monitor", null, Instant.now());
            kafka.send(Topics.COMMAND_REQUESTS, id, EventJson.write(request));
            CommandResult result = EventJson.read(records(Topics.COMMAND_RESULTS, id, 1).get(0), CommandResult.class);
            assertThat(result.status()).isEqualTo(CommandStatus.FAILED);
        }
    }

    @Test
    void cancelAndReplay() throws Exception {
        String id = uniqueId("cancel");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1);
        }
        await().atMost(WAIT).until(() -> operator().body("{\"deviceId\":\"" + id + "\",\"name\":\"a\",\"ttl\":\"PT1S\"}")
                .post("/api/v1/commands").statusCode() == 201);
        String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"b\"}");
        operator().post("/api/v1/commands/" + commandId + "/replay").then().statusCode(409)
                .body("type", equalTo("/problems/not-replayable"));
        operator().post("/api/v1/commands/" + commandId + "/cancel").then().statusCode(200)
                .body("status", equalTo("CANCELLED"));
        operator().post("/api/v1/commands/" + commandId + "/cancel").then().statusCode(409);
        String expired = operator().get("/api/v1/commands?deviceId=" + id + "&status=QUEUED").then().extract()
                .path("items[0].id");
        await().atMost(WAIT).until(() -> "EXPIRED".equals(status(expired)));
        operator().post("/api/v1/commands/" + expired + "/replay").then().statusCode(201)
                .body("replayOf", equalTo(expired)).body("status", equalTo("QUEUED")).body("name", equalTo("a"));
    }

    @Inject
    CommandRetention retention;
    @Inject
    Pool pool;

    @Test
    void finalCommandsArePurgedAfterTheRetentionOpenOnesNever() throws Exception {
        String id = uniqueId("purge");
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            kafka.view(id, true, 1); // offline: commands stay QUEUED
        }
        String old = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"old\"}");
        String recent = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"recent\"}");
        String open = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"open\"}");
        operator().post("/api/v1/commands/" + old + "/cancel").then().statusCode(200);
        operator().post("/api/v1/commands/" + recent + "/cancel").then().statusCode(200);
        pool.preparedQuery("UPDATE command SET created_at = now() - interval '32 days', completed_at = CASE WHEN "
                + "completed_at IS NOT NULL THEN now() - interval '31 days' END WHERE id = $1 OR id = $2")
                .executeAndAwait(io.vertx.mutiny.sqlclient.Tuple.of(old, open));
        assertThat(retention.purge(Instant.now()).await().atMost(WAIT)).isGreaterThanOrEqualTo(1);
        operator().get("/api/v1/commands/" + old).then().statusCode(404);
        assertThat(operator().get("/api/v1/commands/" + old + "/transitions").statusCode()).isEqualTo(404);
        assertThat(status(recent)).isEqualTo("CANCELLED");
        assertThat(status(open)).as("an open command is never purged").isEqualTo("QUEUED");
        Long transitionsLeft = pool.preparedQuery("SELECT count(*) FROM command_transition WHERE command_id = $1")
                .executeAndAwait(io.vertx.mutiny.sqlclient.Tuple.of(old)).iterator().next().getLong(0);
        assertThat(transitionsLeft).isZero();
    }

    @Inject
    CommandStore store;

    /**
     * Two devices with 150 queued commands each connect at once: one dispatcher round publishes 300 commands (far
     * over the MQTT client's in-flight window, 10 in tests, so publishes are refused and tried again) and the
     * devices answer all of them at once (over the acks channel's default buffer of 128). Every command goes out
     * once, in creation order, and succeeds; the service stays ready.
     */
    @Test
    void aBurstOfCommandsAndAnswersLosesNothing() throws Exception {
        int perDevice = 150;
        double retriesBefore = publishRetries();
        List<String> ids = List.of(uniqueId("burst-a"), uniqueId("burst-b"));
        Map<String, List<String>> created = new java.util.HashMap<>();
        List<Device> devices = new ArrayList<>();
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            for (String id : ids) {
                kafka.view(id, true, 1);
                kafka.status(id, DeviceState.UNKNOWN, DeviceState.DISCONNECTED);
                devices.add(new Device(id));
            }
            for (String id : ids) {
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < perDevice; i++) {
                    mine.add(store
                            .create(new CommandStore.NewCommand("acme", id, CommandTestSupport.instance(id), "step",
                                    Map.of("n", i),
                                    Duration.ofHours(1), Duration.ofSeconds(30), 3, null, null, "burst-test", null, null,
                                    Command.Delivery.MQTT, null, null), Instant.now(), 1_000)
                            .await().atMost(WAIT)
                            .command().id());
                }
                created.put(id, mine);
            }
            ids.forEach(id -> kafka.status(id, DeviceState.DISCONNECTED, DeviceState.CONNECTED));
        }
        try {
            List<Thread> answering = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (Device device : devices) {
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; i < perDevice; i++) {
                            Device.Received r = device.next(WAIT);
                            assertThat(r).as("command %d of %s", i + 1, device.id()).isNotNull();
                            device.ack(r.commandId(), "ok", "{}");
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                t.start();
                answering.add(t);
            }
            for (Thread t : answering) {
                t.join();
            }
            assertThat(failures).isEmpty();
            for (String id : ids) {
                await().atMost(WAIT).until(() -> operator().get("/api/v1/commands?deviceId=" + id
                        + "&status=SUCCEEDED&size=500").then().statusCode(200).extract().jsonPath()
                        .getList("items").size() == perDevice);
                List<Integer> attempts = operator().get("/api/v1/commands?deviceId=" + id + "&status=SUCCEEDED&size=500")
                        .then().extract().jsonPath().getList("items.attempts", Integer.class);
                assertThat(attempts).as("each sent once").containsOnly(1);
            }
            for (Device device : devices) {
                assertThat(device.next(Duration.ofSeconds(1))).as("nothing twice").isNull();
                assertThat(device.receivedOrder()).containsExactlyElementsOf(created.get(device.id()));
            }
            assertThat(publishRetries()).as("publishes refused by the full window and tried again")
                    .isGreaterThan(retriesBefore);
            io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200);
        } finally {
            for (Device device : devices) {
                device.close();
            }
        }
    }

    /** {@code command_publish_retries_total} from the Prometheus endpoint. */
    static double publishRetries() {
        String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("command_publish_retries_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void badInputIsAProblem() {
        operator().body("{\"deviceId\":\"x\",\"name\":\"n\",\"colour\":1}").post("/api/v1/commands").then()
                .statusCode(400).contentType("application/problem+json");
        operator().body("{\"name\":\"\",\"ttl\":\"P3D\",\"maxAttempts\":0}").post("/api/v1/commands").then()
                .statusCode(422).body("errors.field", org.hamcrest.Matchers.hasItems("deviceId", "name", "ttl",
                        "maxAttempts"));
        operator().body("{\"deviceId\":\"nobody-here\",\"name\":\"n\"}").post("/api/v1/commands").then()
                .statusCode(404);
        operator().get("/api/v1/commands/nope").then().statusCode(404);
        operator().get("/api/v1/commands?status=LOST").then().statusCode(400);
        io.restassured.RestAssured.given().get("/api/v1/commands").then().statusCode(401);
        as(tokens().viewer("acme")).contentType("application/json").body("{\"deviceId\":\"x\",\"name\":\"n\"}")
                .post("/api/v1/commands").then().statusCode(403);
    }
}
