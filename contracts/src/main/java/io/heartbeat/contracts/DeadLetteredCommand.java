package io.heartbeat.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * A command that exhausted its attempts without an ack. Produced by the command service on
 * {@link Topics#COMMANDS_DLQ} (key: device id); for operators, who may replay it.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param commandId the command's id
 * @param deviceId the target device (also the record key)
 * @param tenantId the device's tenant
 * @param name the command name
 * @param payload the command arguments, empty when none
 * @param attempts how many times it was sent
 * @param lastError why the last attempt failed
 * @param createdAt when the command was created
 * @param deadLetteredAt when it was given up
 */
public record DeadLetteredCommand(
        int schemaVersion,
        String commandId,
        String deviceId,
        String tenantId,
        String name,
        Map<String, Object> payload,
        int attempts,
        String lastError,
        Instant createdAt,
        Instant deadLetteredAt) {

    public static final int SCHEMA_VERSION = 1;
}
