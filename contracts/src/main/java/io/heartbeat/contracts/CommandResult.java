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
 * @param attempts how many times the command was sent to the device ({@code 0}: it never left)
 * @param refusal why the command was refused without reaching the device, a stable code
 *        ({@code device-unknown}, {@code remote-control-disabled}, {@code queue-full}, {@code push-unsupported},
 *        {@code reconnect-pending}, {@code device-deleted}, ...); {@code null} when it was not refused. A refusal says
 *        nothing about the device's liveness.
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
        Instant completedAt,
        int attempts,
        String refusal) {

    public static final int SCHEMA_VERSION = 1;

    /** Whether the device answered (with {@code ok} or {@code error}): evidence that it is alive. */
    public boolean answered() {
        return status == CommandStatus.SUCCEEDED || (status == CommandStatus.FAILED && refusal == null && attempts > 0);
    }

    /**
     * Whether the command reached the device and was never answered (it expired or was dead-lettered after being
     * sent): the only outcome that is evidence against the device. A refusal, a cancel, or a command that never left
     * (the device was not connected) is not.
     */
    public boolean unanswered() {
        return refusal == null && attempts > 0
                && (status == CommandStatus.EXPIRED || status == CommandStatus.DEAD_LETTERED);
    }
}
