package io.heartbeat.monitor.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.heartbeat.monitor.engine.LivenessEngine;
import io.heartbeat.monitor.engine.PipelineWatch;

/**
 * Says in readiness whether the heartbeat pipeline feeds this monitor: the owned partitions of {@code heartbeats} whose
 * ingest time (heartbeats and ingest's watermarks) has not moved for {@code heartbeat.monitor.pipeline-silence}, and
 * since when. It stays UP while they are silent: the monitor
 * itself works (its API answers, statuses are kept) and only waits with timeouts, which is what the data says.
 */
@Readiness
@ApplicationScoped
public class PipelineHealth implements HealthCheck {

    private final LivenessEngine engine;

    public PipelineHealth(LivenessEngine engine) {
        this.engine = engine;
    }

    @Override
    public HealthCheckResponse call() {
        PipelineWatch watch = engine.pipeline();
        java.time.Instant now = java.time.Instant.now();
        var silent = watch.silentPartitions(now);
        var response = HealthCheckResponse.named("heartbeat-pipeline").up()
                .withData("timeoutsPaused", !silent.isEmpty())
                .withData("silentPartitions", silent.toString());
        if (!silent.isEmpty()) {
            response.withData("silentSince", String.valueOf(watch.silentSince(now)));
        }
        return response.build();
    }
}
