package io.heartbeat.ingest.rest;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to an accepted HTTP heartbeat (seed 004).
 *
 * @param accepted always true (a refusal is a problem JSON with a 4xx or 503 status)
 * @param serverTime the ingest clock when the heartbeat was received
 * @param nextHeartbeatInS the device's heartbeat interval, from its profile
 * @param remoteControlEnabled whether commands may be sent to the device
 * @param shouldReconnect whether the device should reconnect: a reconnect command signalled on device-signals, answered
 *        until one answer carrying it has been reported delivered
 * @param refusedFields readings that were not stored (e.g. {@code heart_rate} out of range); the heartbeat itself was
 *        accepted and counts for liveness. Empty when every reading was kept.
 */
public record HeartbeatResponse(
        boolean accepted,
        @JsonProperty("server_time") Instant serverTime,
        @JsonProperty("next_heartbeat_in_s") int nextHeartbeatInS,
        @JsonProperty("remote_control_enabled") boolean remoteControlEnabled,
        @JsonProperty("should_reconnect") boolean shouldReconnect,
        @Schema(description = "Readings of this heartbeat that were refused and not stored; the heartbeat was accepted") @JsonProperty("refused_fields") List<RefusedField> refusedFields) {

    /**
     * A reading left out of an accepted heartbeat.
     *
     * @param field the body field, e.g. {@code heart_rate}
     * @param reason why, e.g. {@code out of range 30..220 bpm}
     */
    public record RefusedField(String field, String reason) {
    }
}
