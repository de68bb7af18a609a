package io.heartbeat.registry.service;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.registry.entity.Device;
import io.heartbeat.registry.entity.OutboxEvent;
import io.heartbeat.registry.repository.OutboxRepository;
import io.smallrye.mutiny.Uni;

/**
 * Queues a device's full current view (or its tombstone) for {@code registry.devices} in the outbox, inside the
 * transaction of the change: the change and its event commit together or not at all.
 */
@ApplicationScoped
public class DeviceEvents {

    private final OutboxRepository outbox;

    public DeviceEvents(OutboxRepository outbox) {
        this.outbox = outbox;
    }

    public static DeviceView view(Device d, Thresholds effective) {
        return new DeviceView(DeviceView.SCHEMA_VERSION, d.id, d.tenantId, d.name, d.protocol, d.protocolConfig,
                d.profileId, effective, d.enabled, d.remoteControlEnabled, d.firmwareVersion, d.metadata, d.tokenHash,
                d.credentialsSince(), d.revision, d.createdAt, d.updatedAt);
    }

    public Uni<Void> changed(Device d, Thresholds effective) {
        return outbox.persist(OutboxEvent.of(Topics.REGISTRY_DEVICES, d.id, EventJson.write(view(d, effective))))
                .replaceWithVoid();
    }

    /** {@link #changed} for many new devices at once, in the list's order. */
    public Uni<Void> changedAll(List<Map.Entry<Device, Thresholds>> changed) {
        return outbox.insertAll(changed.stream()
                .map(c -> OutboxEvent.of(Topics.REGISTRY_DEVICES, c.getKey().id,
                        EventJson.write(view(c.getKey(), c.getValue()))))
                .toList());
    }

    public Uni<Void> deleted(String deviceId) {
        return outbox.persist(OutboxEvent.of(Topics.REGISTRY_DEVICES, deviceId, null)).replaceWithVoid();
    }
}
