package io.heartbeat.contracts;

/** Liveness state of a device, owned by the status monitor. */
public enum DeviceState {
    /** Registered, never heard from (or state reset, e.g. after re-enabling). */
    UNKNOWN,
    /** Last heartbeat younger than {@link Thresholds#connectedWithinSeconds()}. */
    CONNECTED,
    /** No heartbeat for {@code connectedWithinSeconds}, but not yet for {@code disconnectedAfterSeconds}. */
    TEMPORARILY_OFFLINE,
    /** No heartbeat for {@link Thresholds#disconnectedAfterSeconds()} or more (or disabled/deleted). */
    DISCONNECTED
}
