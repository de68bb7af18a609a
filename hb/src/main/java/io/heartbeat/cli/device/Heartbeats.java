package io.heartbeat.cli.device;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.http.Json;

/** The body of a heartbeat: seed 001's {@code device_id, timestamp, status, jwt_token} plus the device's readings. */
public final class Heartbeats {

    /** What a device measures. */
    public enum Telemetry {
        /** seed 002's socket: voltage, current, power, energy and the relay */
        socket,
        /** seed 003's heart-rate sensor */
        heart_rate,
        /** liveness only */
        none
    }

    private Heartbeats() {
    }

    /** As a JSON tree (the agent serializes it and logs it). */
    public static ObjectNode tree(String deviceId, Instant at, String jwt, SocketTelemetry socket,
            HeartRateGenerator heart) {
        ObjectNode b = Json.object().put("device_id", deviceId).put("timestamp", at.toString()).put("status", "alive");
        if (jwt != null) {
            b.put("jwt_token", jwt);
        }
        if (socket != null) {
            SocketTelemetry.Reading r = socket.read();
            b.put("voltage", r.voltage()).put("current", r.current()).put("power", r.power())
                    .put("energy", r.energy()).put("relay", r.relayOn() ? "on" : "off");
        }
        if (heart != null) {
            b.put("heart_rate", heart.next(at));
        }
        return b;
    }

    /**
     * The same without a JSON library, for the simulator's hot path (device ids are {@code [A-Za-z0-9._-]}, so
     * nothing needs escaping).
     */
    public static String fast(String deviceId, String timestamp, SocketTelemetry socket, HeartRateGenerator heart,
            Instant at) {
        StringBuilder sb = new StringBuilder(160).append("{\"device_id\":\"").append(deviceId)
                .append("\",\"timestamp\":\"").append(timestamp).append("\",\"status\":\"alive\"");
        if (socket != null) {
            SocketTelemetry.Reading r = socket.read();
            sb.append(",\"voltage\":").append(r.voltage()).append(",\"current\":").append(r.current())
                    .append(",\"power\":").append(r.power()).append(",\"energy\":").append(r.energy())
                    .append(",\"relay\":\"").append(r.relayOn() ? "on" : "off").append('"');
        }
        if (heart != null) {
            sb.append(",\"heart_rate\":").append(heart.next(at));
        }
        return sb.append('}').toString();
    }

    /** The message as logged: the JWT is a credential and stays out of logs. */
    public static String redacted(ObjectNode body) {
        if (!body.has("jwt_token")) {
            return Json.write(body);
        }
        ObjectNode copy = body.deepCopy();
        copy.put("jwt_token", "[redacted]");
        return Json.write(copy);
    }
}
