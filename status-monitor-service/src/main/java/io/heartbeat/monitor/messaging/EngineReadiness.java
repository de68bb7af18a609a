package io.heartbeat.monitor.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.heartbeat.monitor.engine.DeviceViews;

/** Not ready until the registry's device views have been read up to where they ended at startup. */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {

    private final DeviceViews views;

    public EngineReadiness(DeviceViews views) {
        this.views = views;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("device-views").status(views.caughtUp())
                .withData("devices", views.all().size()).build();
    }
}
