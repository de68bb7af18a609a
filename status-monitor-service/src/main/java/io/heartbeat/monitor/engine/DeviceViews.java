package io.heartbeat.monitor.engine;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.TopicFollower;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Every device's registry view (the compacted {@code registry.devices} topic read whole, newest revision wins): the
 * thresholds, tenant and enabled flag the state machine needs. Each change is passed to the listener (the engine),
 * which acts on it if it owns the device.
 */
@ApplicationScoped
public class DeviceViews {

    private final Map<String, DeviceView> views = new ConcurrentHashMap<>();
    private final TopicFollower follower;
    private volatile Consumer<String> listener = id -> {
    };

    public DeviceViews(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.follower = new TopicFollower(Topics.REGISTRY_DEVICES, bootstrapServers, "monitor-device-views",
                Duration.ofMillis(200), Duration.ofSeconds(2), this::apply);
    }

    void start(@Observes Startup event) {
        follower.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        follower.stop();
    }

    void apply(String deviceId, String value) {
        if (deviceId == null) {
            return;
        }
        if (value == null) {
            if (views.remove(deviceId) != null) {
                listener.accept(deviceId);
            }
            return;
        }
        // a JSON null is refused by EventJson (EventFormatException: the follower skips it; it is no tombstone)
        DeviceView view = EventJson.read(value, DeviceView.class);
        DeviceView held = views.get(deviceId);
        if (held == null || view.revision() > held.revision()) {
            // the HTTP_CHECK probe reads protocolConfig.healthUrl; nothing here reads the rest
            views.put(deviceId, view.slim("healthUrl"));
            listener.accept(deviceId);
        }
    }

    /** Called with the id of every device whose view changed (or was deleted). */
    public void onChange(Consumer<String> listener) {
        this.listener = listener;
    }

    public Optional<DeviceView> find(String deviceId) {
        return Optional.ofNullable(views.get(deviceId));
    }

    public Map<String, DeviceView> all() {
        return views;
    }

    public boolean caughtUp() {
        return follower.caughtUp();
    }

    /** The state machine's limits from a view's thresholds. */
    public static DeviceStatus.Limits limits(Thresholds t) {
        return new DeviceStatus.Limits(t.heartbeatIntervalSeconds(), t.connectedWithinSeconds(),
                t.disconnectedAfterSeconds());
    }
}
