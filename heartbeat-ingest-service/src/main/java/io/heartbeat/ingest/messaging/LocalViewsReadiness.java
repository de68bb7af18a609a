package io.heartbeat.ingest.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.ingest.service.DeviceSignals;

/** Not ready until registry.devices and device-signals have been read up to where they ended at startup. */
@Readiness
@ApplicationScoped
public class LocalViewsReadiness implements HealthCheck {

    private final LocalViews views;
    private final DeviceDirectory directory;
    private final DeviceSignals signals;

    public LocalViewsReadiness(LocalViews views, DeviceDirectory directory, DeviceSignals signals) {
        this.views = views;
        this.directory = directory;
        this.signals = signals;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("device-directory")
                .status(views.caughtUp())
                .withData("devices", directory.size())
                .withData("signals", signals.size())
                .withData("behind", String.join(",", views.behind()))
                .build();
    }
}
