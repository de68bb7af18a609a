package io.heartbeat.command;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.TopicFollower;
import io.quarkus.runtime.ShutdownEvent;

/**
 * What the command service knows about devices: the registry view ({@code registry.devices}, for the tenant and the
 * remote control flag) and whether the device is {@code CONNECTED} (the newest {@code device-status} transition). Both
 * topics are read whole at startup on every replica, so a restart rebuilds this from Kafka. A device that becomes
 * connected is passed to the listener (the dispatcher), which sends what waited for it.
 */
@ApplicationScoped
public class Devices {

    private final Map<String, DeviceView> views = new ConcurrentHashMap<>();
    private final Map<String, DeviceStatusChanged> status = new ConcurrentHashMap<>();
    private final Set<String> connected = ConcurrentHashMap.newKeySet();
    private final TopicFollower viewFollower;
    private final TopicFollower statusFollower;
    private volatile Consumer<String> onConnected = id -> {
    };

    public Devices(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.viewFollower = new TopicFollower(Topics.REGISTRY_DEVICES, bootstrapServers, "command-device-views",
                Duration.ofMillis(200), Duration.ofSeconds(2), this::applyView);
        this.statusFollower = new TopicFollower(Topics.DEVICE_STATUS, bootstrapServers, "command-device-status",
                Duration.ofMillis(100), Duration.ofSeconds(2), this::applyStatus);
    }

    void start(@Observes Startup event) {
        viewFollower.start();
        statusFollower.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        viewFollower.stop();
        statusFollower.stop();
    }

    void applyView(String deviceId, String value) {
        if (deviceId == null) {
            return;
        }
        if (value == null) {
            views.remove(deviceId);
            return;
        }
        // a JSON null is refused by EventJson (it is no tombstone); the command service reads none of the free-form parts
        DeviceView view = EventJson.read(value, DeviceView.class).slim();
        views.merge(deviceId, view, (held, next) -> next.revision() > held.revision() ? next : held);
    }

    void applyStatus(String deviceId, String value) {
        if (deviceId == null || value == null) {
            return;
        }
        DeviceStatusChanged change = EventJson.read(value, DeviceStatusChanged.class);
        DeviceStatusChanged held = status.get(deviceId);
        if (held != null && held.at().isAfter(change.at())) {
            return; // an older transition read late
        }
        status.put(deviceId, change);
        if (change.to() == DeviceState.CONNECTED) {
            if (connected.add(deviceId)) {
                onConnected.accept(deviceId);
            }
        } else {
            connected.remove(deviceId);
        }
    }

    /** Called with a device id each time that device becomes connected. */
    public void onConnected(Consumer<String> listener) {
        this.onConnected = listener;
    }

    public Optional<DeviceView> view(String deviceId) {
        return Optional.ofNullable(views.get(deviceId));
    }

    public boolean connected(String deviceId) {
        return connected.contains(deviceId);
    }

    /** The ids of the devices that are connected now. */
    public String[] connectedIds() {
        return connected.toArray(new String[0]);
    }

    public boolean caughtUp() {
        return viewFollower.caughtUp() && statusFollower.caughtUp();
    }
}
