package io.heartbeat.registry.entity;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.heartbeat.contracts.Thresholds;

/** A device profile: the heartbeat interval and the liveness and rate thresholds its devices share. */
@Entity
@Table(name = "profile")
public class Profile {

    public static final String DEFAULT_ID = "default";

    @Id
    public String id;

    public String name;

    public String description;

    @Column(name = "heartbeat_interval_s")
    public int heartbeatIntervalSeconds;

    @Column(name = "connected_within_s")
    public int connectedWithinSeconds;

    @Column(name = "disconnected_after_s")
    public int disconnectedAfterSeconds;

    @Column(name = "min_heartbeat_spacing_s")
    public int minHeartbeatSpacingSeconds;

    @Column(name = "max_heartbeats_per_minute")
    public int maxHeartbeatsPerMinute;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public long revision;

    public Thresholds thresholds() {
        return new Thresholds(heartbeatIntervalSeconds, connectedWithinSeconds, disconnectedAfterSeconds,
                minHeartbeatSpacingSeconds, maxHeartbeatsPerMinute);
    }

    public void apply(Thresholds t) {
        heartbeatIntervalSeconds = t.heartbeatIntervalSeconds();
        connectedWithinSeconds = t.connectedWithinSeconds();
        disconnectedAfterSeconds = t.disconnectedAfterSeconds();
        minHeartbeatSpacingSeconds = t.minHeartbeatSpacingSeconds();
        maxHeartbeatsPerMinute = t.maxHeartbeatsPerMinute();
    }
}
