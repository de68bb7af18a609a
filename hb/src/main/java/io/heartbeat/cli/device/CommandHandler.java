package io.heartbeat.cli.device;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.http.Json;

/**
 * What a device does with a command from {@code devices/{id}/commands} ({@code {command_id, name, payload,
 * expires_at, attempt}}) and the ack it answers on {@code devices/{id}/status} ({@code {command_id, status:
 * ok|error, result}}). The command service sends a command again when it saw no ack in time, so the
 * {@code command_id} is an idempotency key: a command runs once, and is answered once; only an ack that could not be
 * published is sent again for a repeat.
 *
 * <ul>
 * <li>{@code ping}: ok, {@code {"pong":true}}</li>
 * <li>{@code reconnect} (seed 004): ok, then the device reconnects</li>
 * <li>{@code relay} with {@code {"state":"on"|"off"}}, {@code relay_on}, {@code relay_off} (seed 002's socket): ok
 * with the relay's new state; an error on a device without a relay</li>
 * <li>anything else, or a command whose {@code expires_at} has passed: error with the reason</li>
 * </ul>
 */
public final class CommandHandler {

    /** What the device has to do after answering. */
    public enum Action {
        NONE,
        RECONNECT
    }

    /**
     * @param ack the bytes to publish, or null when nothing is to be answered (a repeat whose ack went out, or an
     *        unreadable message)
     * @param duplicate a repeat of a command already run
     */
    public record Outcome(String commandId, String name, String status, byte[] ack, Action action,
            boolean duplicate) {
    }

    private static final int REMEMBERED = 1024;

    private final SocketTelemetry socket;
    /** Answers by command id, oldest first; true once the ack is known to be published. */
    private final Map<String, Answer> answered = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
            return size() > REMEMBERED;
        }
    };

    private static final class Answer {
        final byte[] ack;
        final String name;
        final String status;
        volatile boolean published;

        Answer(byte[] ack, String name, String status) {
            this.ack = ack;
            this.name = name;
            this.status = status;
        }
    }

    /** @param socket the device's relay and meter, or null for a device without one (a heart-rate sensor) */
    public CommandHandler(SocketTelemetry socket) {
        this.socket = socket;
    }

    public synchronized Outcome handle(byte[] message, Instant now) {
        JsonNode cmd;
        try {
            cmd = Json.MAPPER.readTree(message);
        } catch (Exception e) {
            return new Outcome(null, null, "unreadable", null, Action.NONE, false);
        }
        String id = cmd == null ? null : cmd.path("command_id").asText(null);
        if (id == null || id.isBlank()) {
            return new Outcome(null, null, "unreadable", null, Action.NONE, false);
        }
        String name = cmd.path("name").asText("");
        Answer before = answered.get(id);
        if (before != null) {
            return new Outcome(id, before.name, before.status, before.published ? null : before.ack, Action.NONE,
                    true);
        }
        ObjectNode result = Json.object();
        String status = "ok";
        Action action = Action.NONE;
        if (expired(cmd.path("expires_at").asText(null), now)) {
            status = "error";
            result.put("error", "expired before it arrived");
        } else {
            switch (name) {
                case "ping" -> result.put("pong", true).put("at", now.toString());
                case "reconnect" -> {
                    result.put("reconnecting", true);
                    action = Action.RECONNECT;
                }
                case "relay", "relay_on", "relay_off" -> status = relay(name, cmd.path("payload"), result);
                default -> {
                    status = "error";
                    result.put("error", "unknown command '" + name + "'");
                }
            }
        }
        ObjectNode ack = Json.object().put("command_id", id).put("status", status);
        ack.set("result", result);
        byte[] bytes = Json.write(ack).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        answered.put(id, new Answer(bytes, name, status));
        return new Outcome(id, name, status, bytes, action, false);
    }

    /** The ack of {@code commandId} reached the broker: a repeat of the command is not answered again. */
    public synchronized void published(String commandId) {
        Answer a = answered.get(commandId);
        if (a != null) {
            a.published = true;
        }
    }

    private String relay(String name, JsonNode payload, ObjectNode result) {
        if (socket == null) {
            result.put("error", "this device has no relay");
            return "error";
        }
        Boolean on = switch (name) {
            case "relay_on" -> Boolean.TRUE;
            case "relay_off" -> Boolean.FALSE;
            default -> {
                JsonNode state = payload.path("state");
                if (state.isBoolean()) {
                    yield state.booleanValue();
                }
                yield "on".equalsIgnoreCase(state.asText()) ? Boolean.TRUE
                        : "off".equalsIgnoreCase(state.asText()) ? Boolean.FALSE : null;
            }
        };
        if (on == null) {
            result.put("error", "relay needs payload {\"state\":\"on\"} or {\"state\":\"off\"}");
            return "error";
        }
        socket.relay(on);
        result.put("relay", on ? "on" : "off");
        return "ok";
    }

    private static boolean expired(String expiresAt, Instant now) {
        if (expiresAt == null) {
            return false;
        }
        try {
            return Instant.parse(expiresAt).isBefore(now);
        } catch (DateTimeParseException e) {
            return false; // a date we cannot read is not a reason to refuse the command
        }
    }
}
