package io.heartbeat.command;

import static io.heartbeat.command.CommandFlowTest.online;
import static io.heartbeat.command.CommandTestSupport.create;
import static io.heartbeat.command.CommandTestSupport.status;
import static io.heartbeat.command.CommandTestSupport.uniqueId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.heartbeat.command.CommandTestSupport.Device;
import io.heartbeat.command.service.AckBatcher;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.contracts.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Whatever a device publishes on its status topic (the broker lets through up to 256 KiB of anything), the ack
 * channels keep running, other devices' answers complete their commands, and readiness stays UP; one answer
 * Postgres refuses does not fail the others in its batch.
 */
@QuarkusTest
class HostileAckTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    AckBatcher acks;

    @Inject
    Pool pool;

    @Test
    void anythingOnAStatusTopicIsRefusedAndCountedAndTheChannelsKeepRunning() throws Exception {
        String hostile = uniqueId("hostile");
        String honest = uniqueId("honest");
        try (Device bad = online(hostile); Device good = online(honest)) {
            String commandId = create(honest, "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\"}");
            assertThat(good.next(WAIT).commandId()).isEqualTo(commandId);
            String topic = "devices/" + hostile + "/status";
            byte[] invalidUtf8 = { '{', '"', 'c', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}' };
            String huge = "{\"command_id\":\"" + UUID.randomUUID() + "\",\"status\":\"ok\",\"result\":{\"blob\":\""
                    + "x".repeat(200 * 1024) + "\"}}";
            List<byte[]> payloads = List.of(bytes("null"), bytes("[]"), bytes("\"x\""), bytes("42"), invalidUtf8,
                    bytes(huge), bytes("{\"command_id\":\"a\\u0000b\",\"status\":\"ok\"}"),
                    bytes("{\"command_id\":\"not-a-uuid\",\"status\":\"ok\"}"),
                    bytes("{\"command_id\":[1],\"status\":\"ok\"}"),
                    bytes("{\"command_id\":\"" + UUID.randomUUID() + "\",\"status\":null}"), new byte[0]);
            // three rounds: the acks arrive over three connections of a shared subscription, each must survive
            for (int round = 0; round < 3; round++) {
                for (byte[] p : payloads) {
                    bad.publishBytes(topic, p);
                }
            }
            assertThat(bad.connected()).as("the broker takes all of it").isTrue();
            good.ack(commandId, "ok", "{\"done\":true}");
            await().atMost(WAIT).until(() -> "SUCCEEDED".equals(status(commandId)));
        }
        given().get("/q/health/ready").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String reason : List.of("not-an-object", "unreadable", "too-large", "bad-command-id", "bad-status",
                "empty")) {
            assertThat(metrics).contains("command_acks_refused_total{reason=\"" + reason + "\"}");
        }
        assertThat(metrics).doesNotContain("command_acks_refused_total{reason=\"internal-error\"}");
    }

    /**
     * An answer Postgres refuses (a NUL in its command id; intake refuses it, so it is handed to the batcher here)
     * shares a batch with a good one: the good one completes its command, the bad one is kept in rejected_row.
     */
    @Test
    void anAnswerPostgresRefusesIsSetAsideAndTheRestOfItsBatchIsApplied() throws Exception {
        String id = uniqueId("batch-nul");
        try (Device device = online(id)) {
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\"}");
            assertThat(device.next(WAIT).commandId()).isEqualTo(commandId);
            Map<String, AckBatcher.Outcome> outcomes = new ConcurrentHashMap<>();
            Instant now = Instant.now();
            String poison = "\u0000" + id;
            // the first answer is being written while the next two queue up: they go in one batch
            acks.submit(
                    new CommandStore.Ack(id, UUID.randomUUID().toString(), true, null, now, "acme",
                            CommandTestSupport.instance(id)),
                    o -> outcomes.put("first", o)).await().atMost(WAIT);
            acks.submit(new CommandStore.Ack(id, poison, true, null, now, "acme", CommandTestSupport.instance(id)),
                    o -> outcomes.put("poison", o))
                    .await().atMost(WAIT);
            // (a NUL in a result is refused earlier, by the JSON parser at intake, so the good answer has none)
            acks.submit(new CommandStore.Ack(id, commandId, true, Map.of("note", "done"), now, "acme",
                    CommandTestSupport.instance(id)),
                    o -> outcomes.put("good", o)).await().atMost(WAIT);
            await().atMost(WAIT).until(() -> outcomes.size() == 3);
            assertThat(outcomes).containsEntry("first", AckBatcher.Outcome.IGNORED)
                    .containsEntry("poison", AckBatcher.Outcome.REJECTED)
                    .containsEntry("good", AckBatcher.Outcome.APPLIED);
            assertThat(status(commandId)).isEqualTo("SUCCEEDED");
            var kept = pool.preparedQuery("SELECT payload, sql_state FROM rejected_row WHERE writer = 'command-acks'"
                    + " AND payload LIKE $1").execute(Tuple.of("%" + id + "%")).await().atMost(WAIT);
            assertThat(kept.size()).isEqualTo(1);
            var row = kept.iterator().next();
            assertThat(row.getString("sql_state")).startsWith("22");
            assertThat(row.getString("payload")).contains("\\u0000" + id);
        }
    }

    /**
     * A JSON null or a tombstone on the Kafka inputs is counted as unreadable; the channels keep running, and the
     * device views and statuses read after a JSON null are still applied (a command to a device known only since then
     * is delivered).
     */
    @Test
    void nullRecordsOnTheKafkaInputsAreSkipped() throws Exception {
        try (CommandTestSupport kafka = new CommandTestSupport()) {
            for (String topic : List.of(Topics.DEVICE_SIGNALS_DELIVERED, Topics.COMMAND_REQUESTS)) {
                kafka.send(topic, uniqueId("null-record"), "null");
                kafka.send(topic, uniqueId("null-record"), null);
            }
            kafka.send(Topics.REGISTRY_DEVICES, uniqueId("null-view"), "null");
            kafka.send(Topics.DEVICE_STATUS, uniqueId("null-status"), "null");
        }
        String id = uniqueId("after-null");
        try (Device device = online(id)) {
            String commandId = create(id, "{\"deviceId\":\"$DEVICE\",\"name\":\"reboot\"}");
            assertThat(device.next(WAIT).commandId()).isEqualTo(commandId);
        }
        await().atMost(WAIT).until(() -> {
            String metrics = given().get("/q/metrics").then().extract().asString();
            return metrics.contains("command_signal_deliveries_total{outcome=\"unreadable\"}")
                    && metrics.contains("command_requests_unreadable_total");
        });
        given().get("/q/health/ready").then().statusCode(200);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
