package io.heartbeat.broker;

import java.time.Instant;

import io.heartbeat.contracts.DeviceView;

/**
 * What the broker keeps of a device's view: only what a CONNECT needs, so a large fleet (or views with large
 * metadata) costs little memory.
 *
 * @param tenantId the owning tenant (device JWTs must name it)
 * @param tokenHash the API token's hash, null if the device has none
 * @param credentialsEpoch when the current credential was issued (device JWTs must carry it)
 * @param enabled whether the device may connect
 * @param revision the view's revision
 */
public record DeviceAccess(String tenantId, String tokenHash, Instant credentialsEpoch, boolean enabled,
        long revision) {

    public static DeviceAccess of(DeviceView view) {
        return new DeviceAccess(view.tenantId(), view.tokenHash(), view.credentialsEpoch(), view.enabled(),
                view.revision());
    }

    /**
     * Why a live session authenticated under {@code held} must end now that the device's view is {@code next} (null:
     * deleted), or null if it may go on.
     */
    static String revocation(DeviceAccess held, DeviceAccess next) {
        if (next == null) {
            return "the device was deleted";
        }
        if (!next.enabled) {
            return "the device was disabled";
        }
        if (!next.tenantId.equals(held.tenantId)) {
            return "the device now belongs to another tenant";
        }
        if (!next.credentialsEpoch.equals(held.credentialsEpoch) || !java.util.Objects.equals(next.tokenHash,
                held.tokenHash)) {
            return "the device's credential was rotated";
        }
        return null;
    }
}
