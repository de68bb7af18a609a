package io.heartbeat.command;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the device views and statuses are read, so no command is refused or held for a device not yet known. */
@Readiness
@ApplicationScoped
public class DevicesReadiness implements HealthCheck {

    private final Devices devices;

    public DevicesReadiness(Devices devices) {
        this.devices = devices;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("device views").status(devices.caughtUp()).build();
    }
}
