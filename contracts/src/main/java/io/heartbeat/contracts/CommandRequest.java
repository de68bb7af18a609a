package io.heartbeat.contracts;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A command another service asks the command service to deliver to a device (e.g. an MQTT ping probe from the status
 * monitor). Produced on {@link Topics#COMMAND_REQUESTS} (key: device id); consumed by the command service, which
 * answers with a {@link CommandResult} once the command reaches a terminal status.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param requestId idempotency key: the command service creates at most one command per request id
 * @param deviceId the target device (also the record key)
 * @param tenantId the device's tenant
 * @param name the command name (e.g. {@code ping}, {@code reconnect})
 * @param payload command arguments, empty when none
 * @param ttl how long the command may wait for delivery before it {@link CommandStatus#EXPIRED expires}
 * @param ackTimeout how long to wait for the device's ack before a retry
 * @param maxAttempts attempts before dead-lettering, {@code null} for the service default
 * @param requestedBy the requesting service (e.g. {@code status-monitor})
 * @param correlationId the requester's own reference (e.g. a probe run id), copied to the result; nullable
 * @param requestedAt when it was requested
 */
public record CommandRequest(
        int schemaVersion,
        String requestId,
        String deviceId,
        String tenantId,
        String name,
        Map<String, Object> payload,
        Duration ttl,
        Duration ackTimeout,
        Integer maxAttempts,
        String requestedBy,
        String correlationId,
        Instant requestedAt) {

    public static final int SCHEMA_VERSION = 1;
}
