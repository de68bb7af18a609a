package io.heartbeat.monitor.engine;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.common.devices.DeviceViewCache;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.Thresholds;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Every device's registry view, held in the platform's shared {@link DeviceViewCache} (the compacted
 * {@code registry.devices} topic read whole; a later registration of the same id, then a higher revision, wins): the
 * thresholds, tenant, instance and enabled flag the state machine needs, and the health URL the HTTP probe reads. Each
 * change is passed to the listener (the engine), which acts on it if it owns the device.
 */
@ApplicationScoped
public class DeviceViews {

    private final DeviceViewCache cache = new DeviceViewCache(view -> view.slim("healthUrl"));

    public DeviceViews(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        cache.follow(bootstrapServers, "monitor-device-views", Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    void start(@Observes Startup event) {
        cache.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        cache.stop();
    }

    /** Called with the id of every device whose view changed (or was deleted). */
    public void onChange(Consumer<String> listener) {
        cache.listen(change -> listener.accept(change.deviceId()));
    }

    public Optional<DeviceView> find(String deviceId) {
        return cache.find(deviceId);
    }

    public Map<String, DeviceView> all() {
        return cache.all();
    }

    public boolean caughtUp() {
        return cache.caughtUp();
    }

    /** The state machine's limits from a view's thresholds. */
    public static DeviceStatus.Limits limits(Thresholds t) {
        return new DeviceStatus.Limits(t.heartbeatIntervalSeconds(), t.connectedWithinSeconds(),
                t.disconnectedAfterSeconds());
    }
}
