package io.heartbeat.contracts;

import java.util.List;

/**
 * Kafka topic names of the platform. Channel names in the services equal these names.
 *
 * <p>
 * Every record on every topic is keyed by device id, so all events of one device land on one partition, in order, and
 * are handled by one consumer at a time. (The only exception: a {@link HeartbeatRejected} whose device could not be
 * determined has a {@code null} key.)
 */
public final class Topics {

    /** Full current {@link DeviceView} per device (compacted; tombstone on delete). Registry → ingest, monitor, command. */
    public static final String REGISTRY_DEVICES = "registry.devices";

    /** {@link HeartbeatAccepted}: heartbeats and data messages that passed validation. Ingest → monitor. */
    public static final String HEARTBEATS = "heartbeats";

    /** {@link HeartbeatRejected}: every refused heartbeat and why. Ingest → audit, dashboards. */
    public static final String HEARTBEATS_REJECTED = "heartbeats.rejected";

    /** {@link DeviceStatusChanged}: liveness transitions. Monitor → command, dashboards, integrations. */
    public static final String DEVICE_STATUS = "device-status";

    /**
     * The newest {@link DeviceStatusChanged} of every device (compacted; tombstone on delete). Monitor → command. The
     * current state survives any retention: {@link #DEVICE_STATUS} is written only on change, so a device connected
     * for longer than that topic's retention has no transition left there.
     */
    public static final String DEVICE_STATUS_CURRENT = "device-status.current";

    /** {@link CommandRequest}: commands asked for by another service (e.g. probes). Monitor → command. */
    public static final String COMMAND_REQUESTS = "command-requests";

    /** {@link CommandResult}: outcome of a {@link CommandRequest}. Command → monitor. */
    public static final String COMMAND_RESULTS = "command-results";

    /** Current {@link DeviceSignal} per device (compacted). Command → ingest. */
    public static final String DEVICE_SIGNALS = "device-signals";

    /** {@link SignalDelivered}: a reconnect signal reached an HTTP device. Ingest → command. */
    public static final String DEVICE_SIGNALS_DELIVERED = "device-signals.delivered";

    /** {@link DeadLetteredCommand}: commands that exhausted their attempts. Command → operators, replay. */
    public static final String COMMANDS_DLQ = "commands.dlq";

    /**
     * A topic to create.
     *
     * @param name the topic name
     * @param compacted {@code true} for {@code cleanup.policy=compact} (latest value per device key), {@code false}
     *        for the default delete (time-based retention)
     */
    public record TopicSpec(String name, boolean compacted) {
    }

    /** Every topic of the platform, so the local stack (or an admin tool) can create them all. */
    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(REGISTRY_DEVICES, true),
            new TopicSpec(HEARTBEATS, false),
            new TopicSpec(HEARTBEATS_REJECTED, false),
            new TopicSpec(DEVICE_STATUS, false),
            new TopicSpec(DEVICE_STATUS_CURRENT, true),
            new TopicSpec(COMMAND_REQUESTS, false),
            new TopicSpec(COMMAND_RESULTS, false),
            new TopicSpec(DEVICE_SIGNALS, true),
            new TopicSpec(DEVICE_SIGNALS_DELIVERED, false),
            new TopicSpec(COMMANDS_DLQ, false));

    private Topics() {
    }
}
