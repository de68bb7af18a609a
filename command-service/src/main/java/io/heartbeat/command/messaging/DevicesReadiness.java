package io.heartbeat.command.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the device views and statuses are read, so no command is refused or held for a device not yet known. */
@Readiness
@ApplicationScoped
public class DevicesReadiness implements HealthCheck {

    private final DeviceFeeds feeds;

    public DevicesReadiness(DeviceFeeds feeds) {
        this.feeds = feeds;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("device views").status(feeds.caughtUp()).build();
    }
}
