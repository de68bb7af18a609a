package io.heartbeat.ingest.messaging;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.common.devices.DeviceViewCache;
import io.heartbeat.contracts.DeviceSignal;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.TopicFollower;
import io.heartbeat.ingest.config.IngestConfig;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.ingest.service.DeviceSignals;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Keeps ingest's two local views current: the compacted {@code registry.devices} topic in the {@link DeviceDirectory}
 * (the platform's shared {@link DeviceViewCache}) and the compacted {@code device-signals} topic in
 * {@link DeviceSignals}. Every replica reads both whole, from the beginning, with a follower each; the service is ready once
 * both have caught up.
 */
@ApplicationScoped
public class LocalViews {

    private final DeviceViewCache directory;
    private final TopicFollower signals;

    public LocalViews(DeviceDirectory directory, DeviceSignals signals, IngestConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, MeterRegistry metrics) {
        IngestConfig.Directory c = config.directory();
        this.directory = directory.views().follow(bootstrapServers, "ingest-device-directory", c.pollTimeout(),
                c.retryDelay());
        this.signals = new TopicFollower(Topics.DEVICE_SIGNALS, bootstrapServers, "ingest-device-signals",
                c.pollTimeout(), c.retryDelay(),
                (key, value) -> signals.apply(key, value == null ? null : EventJson.read(value, DeviceSignal.class)));
        metrics.gauge("ingest.directory.devices", directory, DeviceDirectory::size);
        metrics.gauge("ingest.signals.devices", signals, DeviceSignals::size);
    }

    void start(@Observes StartupEvent event) {
        directory.start();
        signals.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        directory.stop();
        signals.stop();
    }

    /** Whether both views hold everything that was on their topics when the service started. */
    public boolean caughtUp() {
        return directory.caughtUp() && signals.caughtUp();
    }

    /** The topics not caught up yet. */
    public List<String> behind() {
        List<String> behind = new java.util.ArrayList<>();
        if (!directory.caughtUp()) {
            behind.add(Topics.REGISTRY_DEVICES);
        }
        if (!signals.caughtUp()) {
            behind.add(Topics.DEVICE_SIGNALS);
        }
        return behind;
    }
}
