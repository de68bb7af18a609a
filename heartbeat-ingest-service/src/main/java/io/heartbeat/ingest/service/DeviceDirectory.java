package io.heartbeat.ingest.service;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.devices.DeviceViewCache;
import io.heartbeat.contracts.DeviceView;

/**
 * Ingest's copy of the compacted {@code registry.devices} topic: the platform's shared {@link DeviceViewCache} (which
 * decides which view is current: a later registration of the id, then a higher revision; a tombstone removes it),
 * plus a secondary index from API token hash to device id so a presented token is found with one hash and one lookup.
 * Reads are lock-free and may run on any thread.
 */
@ApplicationScoped
public class DeviceDirectory {

    private final DeviceViewCache views = new DeviceViewCache(DeviceView::slim);
    private final Map<String, String> idByTokenHash = new ConcurrentHashMap<>();

    public DeviceDirectory() {
        views.listen(change -> {
            if (change.before() != null) {
                unindex(change.before());
            }
            if (change.after() != null && change.after().tokenHash() != null) {
                idByTokenHash.put(change.after().tokenHash(), change.deviceId());
            }
        });
    }

    /** The cache itself, for the follower that keeps it current (and its readiness). */
    public DeviceViewCache views() {
        return views;
    }

    /**
     * Applies one record of registry.devices.
     *
     * @param deviceId the record key
     * @param view the record value, {@code null} for a tombstone (the device was deleted)
     * @return whether the directory changed
     */
    public boolean apply(String deviceId, DeviceView view) {
        return views.apply(deviceId, view) != null;
    }

    private void unindex(DeviceView view) {
        if (view.tokenHash() != null) {
            idByTokenHash.remove(view.tokenHash(), view.deviceId());
        }
    }

    public Optional<DeviceView> find(String deviceId) {
        return views.find(deviceId);
    }

    /** The device whose API token hashes to {@code tokenHash}. */
    public Optional<DeviceView> findByTokenHash(String tokenHash) {
        String id = tokenHash == null ? null : idByTokenHash.get(tokenHash);
        return find(id);
    }

    public int size() {
        return views.size();
    }
}
