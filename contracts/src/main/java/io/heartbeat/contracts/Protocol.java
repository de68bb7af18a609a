package io.heartbeat.contracts;

/** How a device is registered to talk to the platform (see {@link DeviceView#protocol()}). */
public enum Protocol {
    MQTT,
    HTTP
}
