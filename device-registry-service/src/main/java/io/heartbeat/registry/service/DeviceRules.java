package io.heartbeat.registry.service;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.ServiceAccounts;
import io.heartbeat.contracts.Thresholds;

/** The rules a device's state must satisfy, checked on create and after every patch. Pure logic. */
public final class DeviceRules {

    /** A device id: also an MQTT topic level, so no '/', '+', '#' or spaces. */
    public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** What {@link #DEVICE_ID} allows, in words (also in the OpenAPI description of the create operation). */
    public static final String DEVICE_ID_RULE = "1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'";
    /**
     * Device ids may not start with these: they are the MQTT user names of the platform's services, and the broker
     * reserves client ids starting with them for those accounts ({@link ServiceAccounts}). A device connects with its
     * id as client id, so a device with such an id could never connect. Case-sensitive, as the broker compares.
     */
    public static final List<String> RESERVED_ID_PREFIXES = ServiceAccounts.ALL;
    public static final Pattern TENANT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final Pattern PROFILE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final int MAX_NAME = 200;
    static final int MAX_FIRMWARE = 64;
    static final int MAX_METADATA_BYTES = 8 * 1024;
    static final int MAX_METADATA_KEYS = 64;
    static final int MAX_METADATA_KEY = 128;
    /** Longest metadata value, as JSON text. */
    static final int MAX_METADATA_VALUE = 1024;
    static final int MAX_HEALTH_URL = 2048;
    static final int MAX_DESCRIPTION = 2000;

    static final Set<String> HTTP_KEYS = Set.of("healthUrl", "healthMethod", "timeoutMs", "expectedStatus");
    static final Set<String> MQTT_KEYS = Set.of("qos", "keepAliveSeconds", "clientId");

    private DeviceRules() {
    }

    static void checkId(Errors errors, String id) {
        if (id == null || !DEVICE_ID.matcher(id).matches()) {
            errors.add("id", "must be " + DEVICE_ID_RULE);
            return;
        }
        reservedPrefix(id).ifPresent(prefix -> errors.add("id", "must not start with '" + prefix
                + "': ids starting with " + RESERVED_ID_PREFIXES + " are reserved for the platform's MQTT service accounts"));
    }

    /**
     * When a credential issued at {@code now} replaces one issued at {@code previous}: {@code now}, but at least a
     * millisecond later than {@code previous}. Device JWTs carry the epoch in milliseconds and are accepted only while
     * it equals the device's, so a rotation in the same millisecond (or after the clock stepped back) would otherwise
     * leave the JWTs issued before it valid.
     */
    static Instant nextCredentialsEpoch(Instant previous, Instant now) {
        Instant floor = previous.truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
        return now.isBefore(floor) ? floor : now;
    }

    /** The reserved prefix {@code id} starts with, if any. */
    static Optional<String> reservedPrefix(String id) {
        return ServiceAccounts.reserving(id);
    }

    static void checkTenant(Errors errors, String tenant) {
        errors.check(tenant != null && TENANT_ID.matcher(tenant).matches(), "tenantId",
                "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
    }

    /** Checks {@code spec}; {@code profileThresholds} are the thresholds of the profile it names. */
    static void check(Errors errors, DeviceSpec spec, Thresholds profileThresholds) {
        errors.check(spec.name() != null && !spec.name().isBlank() && spec.name().length() <= MAX_NAME, "name",
                "is required, at most " + MAX_NAME + " characters");
        if (spec.protocol() == null) {
            errors.add("protocol", "is required: MQTT or HTTP");
        } else {
            checkProtocolConfig(errors, spec.protocol(), spec.protocolConfig());
        }
        errors.check(spec.firmwareVersion() == null || spec.firmwareVersion().length() <= MAX_FIRMWARE,
                "firmwareVersion", "at most " + MAX_FIRMWARE + " characters");
        checkMetadata(errors, spec.metadata());
        checkOverrides(errors, spec.thresholdOverrides());
        if (profileThresholds != null && errors.isEmpty()) {
            for (String violation : spec.thresholdOverrides().over(profileThresholds).violations()) {
                errors.add("thresholdOverrides", "with the profile's values: " + violation);
            }
        }
    }

    static void checkOverrides(Errors errors, ThresholdValues o) {
        checkPositive(errors, "thresholdOverrides.heartbeatIntervalSeconds", o.heartbeatIntervalSeconds(), 1);
        checkPositive(errors, "thresholdOverrides.connectedWithinSeconds", o.connectedWithinSeconds(), 1);
        checkPositive(errors, "thresholdOverrides.disconnectedAfterSeconds", o.disconnectedAfterSeconds(), 1);
        checkPositive(errors, "thresholdOverrides.minHeartbeatSpacingSeconds", o.minHeartbeatSpacingSeconds(), 0);
        checkPositive(errors, "thresholdOverrides.maxHeartbeatsPerMinute", o.maxHeartbeatsPerMinute(), 1);
    }

    private static void checkPositive(Errors errors, String field, Integer value, int min) {
        errors.check(value == null || value >= min, field, "must be at least " + min);
    }

    static void checkProtocolConfig(Errors errors, Protocol protocol, Map<String, Object> config) {
        Set<String> allowed = protocol == Protocol.HTTP ? HTTP_KEYS : MQTT_KEYS;
        for (String key : config.keySet()) {
            if (!allowed.contains(key)) {
                errors.add("protocolConfig." + key, "is not a " + protocol + " setting; allowed: "
                        + allowed.stream().sorted().toList());
            }
        }
        if (protocol == Protocol.HTTP) {
            Object url = config.get("healthUrl");
            if (url != null) {
                errors.check(url instanceof String s && s.length() <= MAX_HEALTH_URL && isHttpUrl(s),
                        "protocolConfig.healthUrl",
                        "must be an absolute http or https URL of at most " + MAX_HEALTH_URL + " characters");
            }
            Object method = config.get("healthMethod");
            errors.check(method == null || "GET".equals(method) || "HEAD".equals(method),
                    "protocolConfig.healthMethod", "must be GET or HEAD");
            checkInt(errors, config, "timeoutMs", 100, 60_000);
            checkInt(errors, config, "expectedStatus", 100, 599);
        } else {
            checkInt(errors, config, "qos", 0, 1);
            checkInt(errors, config, "keepAliveSeconds", 5, 3600);
            Object clientId = config.get("clientId");
            errors.check(clientId == null || clientId instanceof String s && !s.isBlank() && s.length() <= 128,
                    "protocolConfig.clientId", "must be a string of 1 to 128 characters");
        }
    }

    private static void checkInt(Errors errors, Map<String, Object> config, String key, int min, int max) {
        Object v = config.get(key);
        if (v == null) {
            return;
        }
        boolean ok = v instanceof Integer i && i >= min && i <= max;
        errors.check(ok, "protocolConfig." + key, "must be an integer from " + min + " to " + max);
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI uri = new URI(s);
            return uri.isAbsolute() && uri.getHost() != null
                    && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void checkMetadata(Errors errors, Map<String, Object> metadata) {
        if (metadata.size() > MAX_METADATA_KEYS) {
            errors.add("metadata", "at most " + MAX_METADATA_KEYS + " keys");
            return;
        }
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            String key = e.getKey();
            if (key.isBlank() || key.length() > MAX_METADATA_KEY) {
                errors.add("metadata", "keys must be 1 to " + MAX_METADATA_KEY + " characters, not blank");
                return;
            }
            if (EventJson.write(e.getValue()).length() > MAX_METADATA_VALUE) {
                errors.add("metadata." + key, "at most " + MAX_METADATA_VALUE + " characters as JSON");
                return;
            }
        }
        errors.check(EventJson.write(metadata).getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_METADATA_BYTES,
                "metadata",
                "at most " + MAX_METADATA_BYTES + " bytes as JSON");
    }

    /** Profile thresholds and identity. */
    static void checkProfile(Errors errors, String id, String name, String description, Thresholds thresholds) {
        errors.check(description == null || description.length() <= MAX_DESCRIPTION, "description",
                "at most " + MAX_DESCRIPTION + " characters");
        if (id != null) {
            errors.check(PROFILE_ID.matcher(id).matches(), "id",
                    "must be 1 to 64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
        }
        errors.check(name != null && !name.isBlank() && name.length() <= MAX_NAME, "name",
                "is required, at most " + MAX_NAME + " characters");
        for (String violation : thresholds.violations()) {
            errors.add("thresholds", violation);
        }
    }
}
