package io.heartbeat.command.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.store.CommandStore;
import io.heartbeat.common.devices.DeviceViewCache;
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

    /** The registry views, as every service keeps them; of each view only the slim part. */
    private final DeviceViewCache views = new DeviceViewCache(view -> view.slim());
    private final Map<String, DeviceStatusChanged> status = new ConcurrentHashMap<>();
    private final Set<String> connected = ConcurrentHashMap.newKeySet();
    private volatile Consumer<String> onConnected = id -> {
    };
    private volatile BooleanSupplier caughtUp = () -> false;

    /**
     * A registry view ({@code null}: the device was deleted), applied by the platform's {@link DeviceViewCache} rules: a
     * view of a later registration of the id wins whatever its revision, of the same registration only a higher
     * revision.
     */
    public void applyView(String deviceId, DeviceView view) {
        views.apply(deviceId, view);
    }

    /** Whether {@code a} and {@code b} are the same registration of a device id (tenant and registration time). */
    public static boolean sameInstance(DeviceView a, DeviceView b) {
        return a != null && b != null && DeviceViewCache.sameInstance(a, b);
    }

    /**
     * Whether a stored row of {@code tenantId} and {@code createdAt} is for the registration {@code view} describes
     * (null: the device is gone). A row stored before instances were recorded (no {@code createdAt}) counts as its
     * tenant's current registration.
     */
    public static boolean belongs(String tenantId, Instant createdAt, DeviceView view) {
        return view != null && view.tenantId().equals(tenantId)
                && (createdAt == null || createdAt.equals(view.createdAt()));
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

    /**
     * Called with each change of a device's view (on the feed's thread, so it must be quick): a deletion
     * ({@link DeviceViewCache.Change#deleted()}) or another registration of the id
     * ({@link DeviceViewCache.Change#newInstance()}) among them.
     */
    public void onViewChanged(DeviceViewCache.Listener listener) {
        views.listen(listener);
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
        return views.find(deviceId);
    }

    public boolean connected(String deviceId) {
        return connected.contains(deviceId);
    }

    /**
     * The device instances that are connected now, as the dispatcher may send to them: a CONNECTED counts only for the
     * registration it {@link DeviceStatusChanged#belongsTo belongs to}, so a transition of a deleted device (or of
     * another tenant's earlier device with the same id) connects nothing.
     */
    public List<CommandStore.Target> connectedTargets() {
        List<CommandStore.Target> out = new ArrayList<>(connected.size());
        for (String id : connected) {
            DeviceView view = views.find(id).orElse(null);
            DeviceStatusChanged change = status.get(id);
            if (view != null && change != null && change.belongsTo(view)) {
                out.add(new CommandStore.Target(id, view.tenantId(), view.createdAt(), view.remoteControlEnabled()));
            }
        }
        return out;
    }

    /** Whether everything on the device topics when the service started has been read. */
    public boolean caughtUp() {
        return caughtUp.getAsBoolean();
    }
}
