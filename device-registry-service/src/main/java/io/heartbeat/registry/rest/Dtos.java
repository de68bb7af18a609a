package io.heartbeat.registry.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.registry.entity.AuditEntry;
import io.heartbeat.registry.entity.Device;
import io.heartbeat.registry.entity.Profile;
import io.heartbeat.registry.entity.ThresholdOverrides;
import io.heartbeat.registry.service.DeviceDraft;
import io.heartbeat.registry.service.DeviceService;
import io.heartbeat.registry.service.ThresholdValues;

/** What the API answers. Entities never leave the service; the token hash is never shown. */
public final class Dtos {

    private Dtos() {
    }

    public record DeviceResponse(String id, String tenantId, String name, Protocol protocol,
            Map<String, Object> protocolConfig, String profileId, ThresholdValues thresholdOverrides,
            Thresholds thresholds, boolean enabled, boolean remoteControlEnabled, String firmwareVersion,
            Map<String, Object> metadata, Instant createdAt, Instant updatedAt, Instant tokenRotatedAt,
            long revision) {

        public static DeviceResponse of(DeviceService.Details details) {
            Device d = details.device();
            ThresholdOverrides o = d.overrides();
            return new DeviceResponse(d.id, d.tenantId, d.name, d.protocol, d.protocolConfig, d.profileId,
                    new ThresholdValues(o.heartbeatIntervalSeconds, o.connectedWithinSeconds,
                            o.disconnectedAfterSeconds, o.minHeartbeatSpacingSeconds, o.maxHeartbeatsPerMinute),
                    details.thresholds(), d.enabled, d.remoteControlEnabled, d.firmwareVersion, d.metadata,
                    d.createdAt, d.updatedAt, d.tokenRotatedAt, d.revision);
        }
    }

    /** The device plus its API token: the only time the token is shown. */
    public record DeviceWithToken(@JsonUnwrapped DeviceResponse device, String apiToken) {
    }

    /** The body of a batch registration: each item as the body of a single registration. */
    public record DeviceBatch(List<DeviceDraft> devices) {
    }

    /** The answer of a batch registration: every device with its token, in the request's order. */
    public record RegisteredBatch(List<DeviceWithToken> devices) {
    }

    public record DeviceJwtRequest(Long lifetimeSeconds) {
    }

    public record DeviceJwtResponse(String deviceId, String token, String tokenType, Instant expiresAt) {
    }

    public record ProfileResponse(String id, String name, String description, Thresholds thresholds,
            Instant createdAt, Instant updatedAt, long revision) {
        public static ProfileResponse of(Profile p) {
            return new ProfileResponse(p.id, p.name, p.description, p.thresholds(), p.createdAt, p.updatedAt,
                    p.revision);
        }
    }

    public record AuditResponse(long id, Instant at, String actor, String actorTenant, String tenantId,
            String action, String entityType, String entityId, Map<String, Object> details) {
        public static AuditResponse of(AuditEntry e) {
            return new AuditResponse(e.id, e.at, e.actor, e.actorTenant, e.tenantId, e.action, e.entityType,
                    e.entityId, e.details);
        }
    }
}
