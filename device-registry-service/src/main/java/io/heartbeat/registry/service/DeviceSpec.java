package io.heartbeat.registry.service;

import java.util.Map;

import io.heartbeat.contracts.Protocol;

/** The editable state of a device: what a create sets and a patch changes, validated as a whole. */
public record DeviceSpec(String name, Protocol protocol, Map<String, Object> protocolConfig, String profileId,
        ThresholdValues thresholdOverrides, boolean enabled, boolean remoteControlEnabled, String firmwareVersion,
        Map<String, Object> metadata) {
}
