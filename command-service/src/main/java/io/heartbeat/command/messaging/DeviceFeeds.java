package io.heartbeat.command.messaging;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.service.Devices;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.TopicFollower;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Feeds {@link Devices} from Kafka: {@code registry.devices} (the registry views) and {@code device-status.current}
 * (the newest liveness transition of every device; a tombstone when it is deleted), each read whole from the beginning by a
 * {@link TopicFollower} on every replica. The followers get the
 * whole {@code kafka.*} configuration (TLS, SASL), not only the bootstrap servers.
 */
@ApplicationScoped
public class DeviceFeeds {

    private final List<TopicFollower> followers;

    public DeviceFeeds(Devices devices, CommandConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        CommandConfig.Feeds c = config.feeds();
        String bootstrap = String.valueOf(kafka.get("bootstrap.servers"));
        Map<String, String> settings = clientSettings(kafka);
        this.followers = List.of(
                new TopicFollower(Topics.REGISTRY_DEVICES, bootstrap, "command-device-views", c.pollTimeout(),
                        // into the platform's DeviceViewCache (Devices), with this service's whole Kafka configuration;
                        // a JSON null is refused by EventJson (it is no tombstone)
                        c.retryDelay(), (key, value) -> devices.applyView(key, value == null ? null
                                : EventJson.read(value, DeviceView.class)),
                        settings),
                // the compacted topic: the newest transition of every device, however long ago it was (device-status
                // keeps only days of history, and a device connected for longer has no transition left there)
                new TopicFollower(Topics.DEVICE_STATUS_CURRENT, bootstrap, "command-device-status", c.pollTimeout(),
                        c.retryDelay(), (key, value) -> devices.applyStatus(key, value == null ? null
                                : EventJson.read(value, DeviceStatusChanged.class)),
                        settings));
        devices.caughtUpWhen(this::caughtUp);
    }

    /** The Kafka client settings of this service ({@code kafka.*}) as a plain consumer takes them. */
    static Map<String, String> clientSettings(Map<String, Object> kafka) {
        Map<String, String> settings = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (value != null) {
                settings.put(key, String.valueOf(value));
            }
        });
        return settings;
    }

    void start(@Observes Startup event) {
        followers.forEach(TopicFollower::start);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        for (TopicFollower f : followers) {
            f.stop();
        }
    }

    /** Whether every followed topic has been read up to where it ended when the service started. */
    public boolean caughtUp() {
        return followers.stream().allMatch(TopicFollower::caughtUp);
    }
}
