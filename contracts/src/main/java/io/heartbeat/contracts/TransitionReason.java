package io.heartbeat.contracts;

/** Why a {@link DeviceStatusChanged} transition happened. */
public enum TransitionReason {
    DEVICE_REGISTERED,
    HEARTBEAT_RECEIVED,
    HEARTBEAT_TIMEOUT,
    /** An active or external probe failed while the last heartbeat was older than the interval. */
    PROBE_FAILED,
    /** An active or external probe succeeded while the last heartbeat was older than the interval. */
    PROBE_SUCCEEDED,
    /** The broker published the device's MQTT last will (unclean disconnect). */
    LAST_WILL,
    DEVICE_DISABLED,
    DEVICE_ENABLED,
    DEVICE_DELETED,
    /** The device's thresholds changed and its current state was re-evaluated against them. */
    THRESHOLDS_CHANGED
}
