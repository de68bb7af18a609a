package io.heartbeat.command.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;

import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.EventJson;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A command as stored and as the API shows it.
 *
 * @param nextAttemptAt QUEUED or TIMED_OUT: when it may (again) be sent; SENT: when its ack is overdue
 * @param roundTripMs from the last send to the device's ack (for a reconnect signal: to its delivery)
 * @param delivery how it reaches the device: MQTT, or SIGNAL (a reconnect for an HTTP device, in its heartbeat
 *        response)
 * @param scheduleId the schedule that made it, if any
 * @param scheduledFor the schedule's fire time it was made for
 * @param deviceCreatedAt the device instance it is for ({@code DeviceView.createdAt} when it was made); null for a
 *        device unknown then, or a command stored before instances were recorded
 * @param refusal why it ended without reaching the device, a stable code ({@code device-unknown},
 *        {@code device-deleted}, {@code remote-control-disabled}, {@code queue-full}, {@code push-unsupported},
 *        {@code reconnect-pending}); null when it was not refused
 */
public record Command(String id, String tenantId, String deviceId, String name, Map<String, Object> payload,
        CommandStatus status, int attempts, int maxAttempts, long ackTimeoutMs, Instant createdAt, Instant expiresAt,
        Instant nextAttemptAt, Instant sentAt, Instant completedAt, Map<String, Object> result, Long roundTripMs,
        String lastError, String idempotencyKey, String requestId, String requestedBy, String correlationId,
        String replayOf, Instant updatedAt, Delivery delivery, String scheduleId, Instant scheduledFor,
        Instant deviceCreatedAt, String refusal) {

    /** How a command reaches its device. */
    public enum Delivery {
        /** Published on {@code devices/{id}/commands}; the device's ack completes it. */
        MQTT,
        /**
         * A reconnect for a device that sends heartbeats over HTTP: published on {@code device-signals}, answered as
         * {@code should_reconnect} in its next heartbeat response; ingest's delivery report completes it.
         */
        SIGNAL
    }

    public static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    public static Command of(Row r) {
        return new Command(r.getString("id"), r.getString("tenant_id"), r.getString("device_id"), r.getString("name"),
                json(r.getString("payload")), CommandStatus.valueOf(r.getString("status")), r.getInteger("attempts"),
                r.getInteger("max_attempts"), r.getLong("ack_timeout_ms"), instant(r, "created_at"),
                instant(r, "expires_at"), instant(r, "next_attempt_at"), instant(r, "sent_at"),
                instant(r, "completed_at"), json(r.getString("result")), r.getLong("round_trip_ms"),
                r.getString("last_error"), r.getString("idempotency_key"), r.getString("request_id"),
                r.getString("requested_by"), r.getString("correlation_id"), r.getString("replay_of"),
                instant(r, "updated_at"), Delivery.valueOf(r.getString("delivery")), r.getString("schedule_id"),
                instant(r, "scheduled_for"), instant(r, "device_created_at"), r.getString("refusal"));
    }

    public static Map<String, Object> json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return EventJson.mapper().readValue(text, OBJECT);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    public static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
