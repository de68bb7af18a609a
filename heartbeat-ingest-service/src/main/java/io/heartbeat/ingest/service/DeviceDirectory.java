package io.heartbeat.ingest.service;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.contracts.DeviceView;

/**
 * The in-memory copy of the compacted {@code registry.devices} topic: every device's current view by id, plus a
 * secondary index from API token hash to device id so a presented token is found with one hash and one lookup.
 *
 * <p>
 * Views arrive in per-device order from one consumer thread; {@link #apply} keeps a view only if its revision is newer
 * than the held one (redeliveries and compaction leftovers are ignored) and removes the device on a tombstone. Reads
 * are lock-free and may run on any thread.
 */
@ApplicationScoped
public class DeviceDirectory {

    private final Map<String, DeviceView> byId = new ConcurrentHashMap<>();
    private final Map<String, String> idByTokenHash = new ConcurrentHashMap<>();

    /**
     * Applies one record of registry.devices.
     *
     * @param deviceId the record key
     * @param view the record value, {@code null} for a tombstone (the device was deleted)
     * @return whether the directory changed
     */
    public synchronized boolean apply(String deviceId, DeviceView view) {
        if (deviceId == null) {
            return false;
        }
        DeviceView held = byId.get(deviceId);
        if (view == null) {
            if (held == null) {
                return false;
            }
            byId.remove(deviceId);
            unindex(held);
            return true;
        }
        if (held != null && view.revision() <= held.revision()) {
            return false;
        }
        byId.put(deviceId, view);
        if (held != null) {
            unindex(held);
        }
        if (view.tokenHash() != null) {
            idByTokenHash.put(view.tokenHash(), deviceId);
        }
        return true;
    }

    private void unindex(DeviceView view) {
        if (view.tokenHash() != null) {
            idByTokenHash.remove(view.tokenHash(), view.deviceId());
        }
    }

    public Optional<DeviceView> find(String deviceId) {
        return deviceId == null ? Optional.empty() : Optional.ofNullable(byId.get(deviceId));
    }

    /** The device whose API token hashes to {@code tokenHash}. */
    public Optional<DeviceView> findByTokenHash(String tokenHash) {
        String id = tokenHash == null ? null : idByTokenHash.get(tokenHash);
        return find(id);
    }

    public int size() {
        return byId.size();
    }
}
