package io.heartbeat.cli.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.cli.http.Json;

class CommandHandlerTest {

    final Instant now = Instant.parse("2026-11-22T10:00:00Z");
    final SocketTelemetry socket = new SocketTelemetry(new SplittableRandom(1));
    final CommandHandler handler = new CommandHandler(socket);

    static byte[] command(String id, String name, String payload, String expiresAt) {
        return ("{\"command_id\":\"" + id + "\",\"name\":\"" + name + "\",\"payload\":" + payload
                + (expiresAt == null ? "" : ",\"expires_at\":\"" + expiresAt + "\"") + ",\"attempt\":1}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static JsonNode ack(CommandHandler.Outcome o) throws Exception {
        return Json.MAPPER.readTree(o.ack());
    }

    @Test
    void aPingIsAnsweredOk() throws Exception {
        CommandHandler.Outcome o = handler.handle(command("c1", "ping", "{}", null), now);
        JsonNode ack = ack(o);
        assertThat(ack.path("command_id").asText()).isEqualTo("c1");
        assertThat(ack.path("status").asText()).isEqualTo("ok");
        assertThat(ack.path("result").path("pong").asBoolean()).isTrue();
        assertThat(o.action()).isEqualTo(CommandHandler.Action.NONE);
    }

    @Test
    void aRepeatIsNotRunNorAnsweredAgainOnceItsAckWasPublished() {
        CommandHandler.Outcome first = handler.handle(command("c2", "relay_off", "{}", null), now);
        handler.published("c2");
        socket.relay(true);
        CommandHandler.Outcome again = handler.handle(command("c2", "relay_off", "{}", null), now);
        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.ack()).isNull();
        assertThat(socket.relayOn()).as("not switched a second time").isTrue();
    }

    @Test
    void aRepeatWhoseAckWasNotPublishedGetsTheSameAckWithoutRunningAgain() {
        CommandHandler.Outcome first = handler.handle(command("c3", "reconnect", "{}", null), now);
        CommandHandler.Outcome again = handler.handle(command("c3", "reconnect", "{}", null), now);
        assertThat(again.ack()).isEqualTo(first.ack());
        assertThat(again.action()).as("the reconnect is not done twice").isEqualTo(CommandHandler.Action.NONE);
        assertThat(first.action()).isEqualTo(CommandHandler.Action.RECONNECT);
    }

    @Test
    void theRelayFollowsItsCommands() throws Exception {
        assertThat(ack(handler.handle(command("r1", "relay", "{\"state\":\"off\"}", null), now)).path("result")
                .path("relay").asText()).isEqualTo("off");
        assertThat(socket.relayOn()).isFalse();
        assertThat(socket.read().current()).isZero();
        handler.handle(command("r2", "relay_on", "{}", null), now);
        assertThat(socket.relayOn()).isTrue();
        JsonNode bad = ack(handler.handle(command("r3", "relay", "{\"state\":\"dim\"}", null), now));
        assertThat(bad.path("status").asText()).isEqualTo("error");
    }

    @Test
    void aDeviceWithoutARelayRefusesRelayCommands() throws Exception {
        JsonNode ack = ack(new CommandHandler(null).handle(command("r4", "relay_on", "{}", null), now));
        assertThat(ack.path("status").asText()).isEqualTo("error");
        assertThat(ack.path("result").path("error").asText()).contains("no relay");
    }

    @Test
    void unknownAndExpiredCommandsAreAnsweredWithAnError() throws Exception {
        JsonNode unknown = ack(handler.handle(command("u1", "self_destruct", "{}", null), now));
        assertThat(unknown.path("status").asText()).isEqualTo("error");
        assertThat(unknown.path("result").path("error").asText()).contains("unknown command 'self_destruct'");
        JsonNode expired = ack(handler.handle(command("e1", "ping", "{}", "2026-11-22T09:59:00Z"), now));
        assertThat(expired.path("status").asText()).isEqualTo("error");
    }

    @Test
    void aMessageThatIsNotACommandGetsNoAnswer() {
        assertThat(handler.handle("nope".getBytes(StandardCharsets.UTF_8), now).ack()).isNull();
        assertThat(handler.handle("{\"name\":\"ping\"}".getBytes(StandardCharsets.UTF_8), now).ack()).isNull();
    }
}
