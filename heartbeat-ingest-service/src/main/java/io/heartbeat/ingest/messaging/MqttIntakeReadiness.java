package io.heartbeat.ingest.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * MQTT intake is part of readiness: DOWN while any configured MQTT connection is not connected and subscribed to the
 * device topics (lost, refused, or its subscription failed). A replica that takes HTTP heartbeats but no MQTT ones is
 * not fully serving. UP when MQTT intake is disabled ({@code heartbeat.mqtt.enabled=false}).
 */
@Readiness
@ApplicationScoped
public class MqttIntakeReadiness implements HealthCheck {

    private final MqttHeartbeatListener listener;

    public MqttIntakeReadiness(MqttHeartbeatListener listener) {
        this.listener = listener;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = !listener.enabled() || listener.subscribed();
        return HealthCheckResponse.named("mqtt-intake")
                .status(up)
                .withData("enabled", listener.enabled())
                .withData("subscribed", listener.subscribedConnections())
                .withData("connections", listener.configuredConnections())
                .build();
    }
}
