package io.heartbeat.contracts;

import java.util.List;
import java.util.Optional;

/**
 * The MQTT service accounts of the platform's services: their broker user names, which are also client-id prefixes
 * reserved for them. The broker's extension refuses a device whose client id starts with one, and the registry
 * refuses to register such a device id, so no device can take over (or wipe) a service's session.
 */
public final class ServiceAccounts {

    /** heartbeat-ingest-service. */
    public static final String INGEST = "heartbeat-ingest";
    /** status-monitor-service. */
    public static final String MONITOR = "heartbeat-status-monitor";
    /** command-service. */
    public static final String COMMAND = "heartbeat-command-service";

    public static final List<String> ALL = List.of(INGEST, MONITOR, COMMAND);

    private ServiceAccounts() {
    }

    /** The account whose reserved prefix {@code id} (a client id or a device id) starts with, if any. */
    public static Optional<String> reserving(String id) {
        return ALL.stream().filter(id::startsWith).findFirst();
    }
}
