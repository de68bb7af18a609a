package io.heartbeat.command.service;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceView;

/**
 * What the command service knows about devices: the registry view (for the tenant and the remote control flag) and
 * whether the device is {@code CONNECTED} (its newest liveness transition). Both are fed from Kafka by
 * {@link io.heartbeat.command.messaging.DeviceFeeds}, which read the topics whole at startup on every replica, so a
 * restart rebuilds this. A device that becomes connected is passed to the listener (the dispatcher), which sends what
 * waited for it.
 */
@ApplicationScoped
public class Devices {

    private final Map<String, DeviceView> views = new ConcurrentHashMap<>();
    private final Map<String, DeviceStatusChanged> status = new ConcurrentHashMap<>();
    private final Set<String> connected = ConcurrentHashMap.newKeySet();
    private volatile Consumer<String> onConnected = id -> {
    };
    private volatile BooleanSupplier caughtUp = () -> false;

    /** A registry view ({@code null}: the device was deleted); an older revision than the one held is ignored. */
    public void applyView(String deviceId, DeviceView view) {
        if (deviceId == null) {
            return;
        }
        if (view == null) {
            views.remove(deviceId);
            return;
        }
        views.merge(deviceId, view, (held, next) -> next.revision() > held.revision() ? next : held);
    }

    /**
     * The newest liveness transition of a device ({@code null}: the device was deleted). One the held transition
     * {@link DeviceStatusChanged#supersedes supersedes} (a later device instance, else a higher version) is ignored,
     * whatever its time: a transition written by a retried batch may carry an older time than one already read.
     */
    public void applyStatus(String deviceId, DeviceStatusChanged change) {
        if (deviceId == null) {
            return;
        }
        if (change == null) {
            status.remove(deviceId);
            connected.remove(deviceId);
            return;
        }
        DeviceStatusChanged held = status.get(deviceId);
        if (!change.supersedes(held)) {
            return; // an older transition read late
        }
        status.put(deviceId, change);
        if (change.to() == DeviceState.CONNECTED) {
            if (connected.add(deviceId)) {
                onConnected.accept(deviceId);
            }
        } else {
            connected.remove(deviceId);
        }
    }

    /** Called with a device id each time that device becomes connected. */
    public void onConnected(Consumer<String> listener) {
        this.onConnected = listener;
    }

    /** Where {@link #caughtUp()} comes from: the feeds, once they have read their topics. */
    public void caughtUpWhen(BooleanSupplier feedsCaughtUp) {
        this.caughtUp = feedsCaughtUp;
    }

    public Optional<DeviceView> view(String deviceId) {
        return Optional.ofNullable(views.get(deviceId));
    }

    public boolean connected(String deviceId) {
        return connected.contains(deviceId);
    }

    /** The ids of the devices that are connected now. */
    public String[] connectedIds() {
        return connected.toArray(new String[0]);
    }

    /** Whether everything on the device topics when the service started has been read. */
    public boolean caughtUp() {
        return caughtUp.getAsBoolean();
    }
}
