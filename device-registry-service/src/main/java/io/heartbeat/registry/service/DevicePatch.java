package io.heartbeat.registry.service;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;

/**
 * A partial update in JSON Merge Patch style (RFC 7396): a field that is absent stays, a field set to null is cleared
 * (where it may be), objects ({@code thresholdOverrides}, {@code metadata}, {@code protocolConfig}) merge key by key.
 */
final class DevicePatch {

    static final Set<String> IMMUTABLE = Set.of("id", "tenantId", "revision", "createdAt", "updatedAt", "apiToken",
            "thresholds");

    private DevicePatch() {
    }

    static DeviceSpec apply(DeviceSpec cur, ObjectNode patch, Errors errors) {
        String name = cur.name();
        Protocol protocol = cur.protocol();
        Map<String, Object> protocolConfig = cur.protocolConfig();
        String profileId = cur.profileId();
        ThresholdValues overrides = cur.thresholdOverrides();
        boolean enabled = cur.enabled();
        boolean remote = cur.remoteControlEnabled();
        String firmware = cur.firmwareVersion();
        Map<String, Object> metadata = cur.metadata();

        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            switch (f.getKey()) {
                case "name" -> name = text(v, "name", errors, false, name);
                case "protocol" -> {
                    String p = text(v, "protocol", errors, false, null);
                    if (p != null) {
                        try {
                            protocol = Protocol.valueOf(p);
                        } catch (IllegalArgumentException e) {
                            errors.add("protocol", "must be MQTT or HTTP");
                        }
                    }
                }
                case "protocolConfig" -> protocolConfig = merge(protocolConfig, v, "protocolConfig", errors);
                case "profileId" -> profileId = text(v, "profileId", errors, false, profileId);
                case "thresholdOverrides" -> overrides = mergeOverrides(overrides, v, errors);
                case "enabled" -> enabled = bool(v, "enabled", errors, enabled);
                case "remoteControlEnabled" -> remote = bool(v, "remoteControlEnabled", errors, remote);
                case "firmwareVersion" -> firmware = text(v, "firmwareVersion", errors, true, firmware);
                case "metadata" -> metadata = merge(metadata, v, "metadata", errors);
                default -> errors.add(f.getKey(), IMMUTABLE.contains(f.getKey()) ? "cannot be changed"
                        : "is not a device field");
            }
        }
        return new DeviceSpec(name, protocol, protocolConfig, profileId, overrides, enabled, remote, firmware,
                metadata);
    }

    private static String text(JsonNode v, String field, Errors errors, boolean nullable, String fallback) {
        if (v.isNull()) {
            if (nullable) {
                return null;
            }
            errors.add(field, "cannot be null");
            return fallback;
        }
        if (!v.isTextual()) {
            errors.add(field, "must be a string");
            return fallback;
        }
        return v.textValue();
    }

    private static boolean bool(JsonNode v, String field, Errors errors, boolean fallback) {
        if (!v.isBoolean()) {
            errors.add(field, "must be true or false");
            return fallback;
        }
        return v.booleanValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> current, JsonNode v, String field, Errors errors) {
        if (v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            errors.add(field, "must be an object or null");
            return current;
        }
        Map<String, Object> merged = new HashMap<>(current);
        v.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                merged.remove(e.getKey());
            } else {
                merged.put(e.getKey(), EventJson.mapper().convertValue(e.getValue(), Object.class));
            }
        });
        return merged;
    }

    private static ThresholdValues mergeOverrides(ThresholdValues cur, JsonNode v, Errors errors) {
        if (v.isNull()) {
            return ThresholdValues.NONE;
        }
        if (!v.isObject()) {
            errors.add("thresholdOverrides", "must be an object or null");
            return cur;
        }
        Integer interval = cur.heartbeatIntervalSeconds();
        Integer within = cur.connectedWithinSeconds();
        Integer after = cur.disconnectedAfterSeconds();
        Integer spacing = cur.minHeartbeatSpacingSeconds();
        Integer perMinute = cur.maxHeartbeatsPerMinute();
        Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String field = "thresholdOverrides." + f.getKey();
            Integer value = null;
            if (!f.getValue().isNull()) {
                if (!f.getValue().canConvertToInt() || !f.getValue().isIntegralNumber()) {
                    errors.add(field, "must be an integer or null");
                    continue;
                }
                value = f.getValue().intValue();
            }
            switch (f.getKey()) {
                case "heartbeatIntervalSeconds" -> interval = value;
                case "connectedWithinSeconds" -> within = value;
                case "disconnectedAfterSeconds" -> after = value;
                case "minHeartbeatSpacingSeconds" -> spacing = value;
                case "maxHeartbeatsPerMinute" -> perMinute = value;
                default -> errors.add(field, "is not a threshold");
            }
        }
        return new ThresholdValues(interval, within, after, spacing, perMinute);
    }
}
