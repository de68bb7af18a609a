package io.heartbeat.contracts;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message on a device's MQTT status topic ({@code devices/{id}/status}: command acks and last wills), read
 * defensively, whatever the broker let through: the one reading the command service and the status monitor share.
 *
 * @param deviceId the device the topic names, or null if the topic is not a device's status topic
 * @param body the message, a JSON object (read with {@link EventJson}'s rules: no NUL, no duplicated key, bounded)
 */
public record StatusMessage(String deviceId, JsonNode body) {

    /**
     * What became of a message: the message, or the reason it was refused ({@code empty}, {@code too-large},
     * {@code unreadable}, {@code not-an-object}), for the caller to count.
     */
    public record Reading(StatusMessage message, String refusal) {

        public boolean refused() {
            return refusal != null;
        }
    }

    /**
     * @param topic the MQTT topic the message came on
     * @param payload its bytes, possibly null or empty
     * @param maxBytes larger payloads are refused unread
     */
    public static Reading read(String topic, byte[] payload, int maxBytes) {
        if (payload == null || payload.length == 0) {
            return new Reading(null, "empty");
        }
        if (payload.length > maxBytes) {
            return new Reading(null, "too-large");
        }
        JsonNode body;
        try {
            body = EventJson.mapper().readTree(payload);
        } catch (IOException | RuntimeException e) {
            return new Reading(null, "unreadable");
        }
        if (body == null || !body.isObject()) {
            return new Reading(null, "not-an-object");
        }
        return new Reading(new StatusMessage(deviceId(topic), body), null);
    }

    /** The device of {@code devices/{id}/status}, else null (no regular expression on a topic a client chose). */
    static String deviceId(String topic) {
        if (topic == null || topic.length() <= "devices//status".length() - 1 || !topic.startsWith("devices/")
                || !topic.endsWith("/status")) {
            return null;
        }
        String id = topic.substring("devices/".length(), topic.length() - "/status".length());
        return id.isEmpty() || id.indexOf('/') >= 0 ? null : id;
    }
}
