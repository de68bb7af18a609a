package io.heartbeat.registry.service;

import java.util.Map;

import io.heartbeat.contracts.Protocol;

/**
 * A new device as a client describes it. Absent values take defaults: profile {@code default}, enabled, remote control
 * off (commands need an explicit opt-in), the caller's tenant.
 */
public record DeviceDraft(String id, String tenantId, String name, Protocol protocol,
        Map<String, Object> protocolConfig, String profileId, ThresholdValues thresholdOverrides, Boolean enabled,
        Boolean remoteControlEnabled, String firmwareVersion, Map<String, Object> metadata) {

    DeviceSpec spec() {
        return new DeviceSpec(name, protocol, protocolConfig == null ? Map.of() : protocolConfig,
                profileId == null ? io.heartbeat.registry.entity.Profile.DEFAULT_ID : profileId,
                thresholdOverrides == null ? ThresholdValues.NONE : thresholdOverrides,
                enabled == null || enabled, remoteControlEnabled != null && remoteControlEnabled, firmwareVersion,
                metadata == null ? Map.of() : metadata);
    }
}
