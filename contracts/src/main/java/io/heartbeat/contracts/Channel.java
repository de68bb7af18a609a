package io.heartbeat.contracts;

/** The channel a heartbeat actually arrived on (a device registered for one protocol may still use the other). */
public enum Channel {
    MQTT,
    HTTP
}
