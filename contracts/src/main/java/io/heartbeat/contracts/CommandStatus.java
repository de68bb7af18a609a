package io.heartbeat.contracts;

/**
 * Lifecycle of a command: {@code QUEUED → SENT → SUCCEEDED | FAILED}, {@code → TIMED_OUT} (retried),
 * {@code → EXPIRED} (TTL passed), {@code → DEAD_LETTERED} (attempts exhausted), {@code CANCELLED}.
 */
public enum CommandStatus {
    /** Persisted, waiting to be sent (e.g. the device is offline). */
    QUEUED,
    /** Published to the device, waiting for its ack. */
    SENT,
    /** The device acked with {@code "status":"ok"}. */
    SUCCEEDED,
    /** The device acked with {@code "status":"error"}. */
    FAILED,
    /** No ack within the ack timeout; the command will be retried. */
    TIMED_OUT,
    /** The TTL passed before the device acked. */
    EXPIRED,
    /** All attempts timed out; the command is on {@link Topics#COMMANDS_DLQ}. */
    DEAD_LETTERED,
    CANCELLED;

    /** @return {@code true} when the command can no longer change status */
    public boolean terminal() {
        return switch (this) {
            case SUCCEEDED, FAILED, EXPIRED, DEAD_LETTERED, CANCELLED -> true;
            case QUEUED, SENT, TIMED_OUT -> false;
        };
    }
}
