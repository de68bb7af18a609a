package io.heartbeat.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * The outcome of a {@link CommandRequest}. Produced by the command service on {@link Topics#COMMAND_RESULTS} (key:
 * device id) when the command reaches a {@link CommandStatus#terminal() terminal} status; consumed by the requester
 * (the status monitor, for probes).
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param requestId the {@link CommandRequest#requestId()} this answers
 * @param commandId the command service's id of the command (as sent to the device)
 * @param deviceId the target device (also the record key)
 * @param tenantId the device's tenant
 * @param status the final status
 * @param result what the device returned in its ack, {@code null} when it did not answer
 * @param roundTripMs from the last send to the device's ack, in milliseconds; {@code null} without an ack
 * @param correlationId copied from the request, nullable
 * @param completedAt when the command reached its final status
 */
public record CommandResult(
        int schemaVersion,
        String requestId,
        String commandId,
        String deviceId,
        String tenantId,
        CommandStatus status,
        Map<String, Object> result,
        Long roundTripMs,
        String correlationId,
        Instant completedAt) {

    public static final int SCHEMA_VERSION = 1;
}
