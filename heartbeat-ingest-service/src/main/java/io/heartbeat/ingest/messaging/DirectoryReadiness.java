package io.heartbeat.ingest.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.heartbeat.ingest.service.DeviceDirectory;

/** Not ready until the device directory has read registry.devices up to where it ended at startup. */
@Readiness
@ApplicationScoped
public class DirectoryReadiness implements HealthCheck {

    private final DeviceDirectoryLoader loader;
    private final DeviceDirectory directory;

    public DirectoryReadiness(DeviceDirectoryLoader loader, DeviceDirectory directory) {
        this.loader = loader;
        this.directory = directory;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("device-directory")
                .status(loader.caughtUp())
                .withData("devices", directory.size())
                .build();
    }
}
