package io.heartbeat.broker;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.TopicFollower;

/**
 * The broker's copy of {@code registry.devices}, read from the beginning like every service reads it
 * ({@link TopicFollower}) and kept as {@link DeviceAccess} only. A view replaces the held one only if its revision is
 * higher; a tombstone removes the device. When a change revokes what a live session was authenticated with (delete,
 * disable, token rotation, another tenant), {@link Revocations#revoked} is told, and the extension disconnects the
 * device's session.
 */
final class DeviceAccessViews {

    /** Told, on the follower's thread, when a device's live session (if any) must end. */
    @FunctionalInterface
    interface Revocations {
        void revoked(String deviceId, String reason);
    }

    private final Map<String, DeviceAccess> byId = new ConcurrentHashMap<>();
    private final Revocations revocations;
    private final TopicFollower follower;

    DeviceAccessViews(BrokerSettings settings, Revocations revocations) {
        this.revocations = revocations;
        this.follower = settings.kafkaBootstrapServers() == null ? null
                : new TopicFollower(Topics.REGISTRY_DEVICES, settings.kafkaBootstrapServers(),
                        settings.followerClientId(), Duration.ofMillis(500), Duration.ofSeconds(2),
                        (key, value) -> apply(key, value == null ? null : EventJson.read(value, DeviceView.class)),
                        settings.kafkaProperties());
    }

    /** For tests: a view fed by hand, caught up from the start. */
    static DeviceAccessViews unfollowed(Revocations revocations) {
        return new DeviceAccessViews(revocations);
    }

    private DeviceAccessViews(Revocations revocations) {
        this.revocations = revocations;
        this.follower = null;
    }

    void start() {
        if (follower != null) {
            follower.start();
        }
    }

    void stop() throws InterruptedException {
        if (follower != null) {
            follower.stop();
        }
    }

    /** Whether everything that was on the topic at start has been read: before that, devices are told to retry. */
    boolean caughtUp() {
        return follower == null || follower.caughtUp();
    }

    Optional<DeviceAccess> find(String deviceId) {
        return Optional.ofNullable(byId.get(deviceId));
    }

    int size() {
        return byId.size();
    }

    /** Applies one record: {@code view} null is a tombstone. Records of one device come in order, on one thread. */
    void apply(String deviceId, DeviceView view) {
        if (deviceId == null) {
            return;
        }
        DeviceAccess held = byId.get(deviceId);
        DeviceAccess next = view == null ? null : DeviceAccess.of(view);
        if (next != null && held != null && next.revision() <= held.revision()) {
            return;
        }
        if (next == null) {
            byId.remove(deviceId);
        } else {
            byId.put(deviceId, next);
        }
        if (held != null) {
            String reason = DeviceAccess.revocation(held, next);
            if (reason != null) {
                revocations.revoked(deviceId, reason);
            }
        }
    }
}
