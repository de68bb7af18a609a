package io.heartbeat.common.devices;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.kafka.TopicFollower;

/**
 * A service's in-memory copy of the compacted {@code registry.devices} topic: every device's current view by id. The
 * one place the platform's services decide which view of a device is current:
 * <ul>
 * <li>a view of another registration of the same id (the device was deleted and registered again, perhaps by another
 * tenant, and the tombstone between them may have been compacted away) replaces the held one when it is newer
 * ({@link DeviceView#createdAt()}); within one registration, only a higher {@link DeviceView#revision()} replaces it
 * (redeliveries and compaction leftovers change nothing);</li>
 * <li>a tombstone removes the device;</li>
 * <li>each service keeps only what it reads ({@code projection}, e.g. {@link DeviceView#slim}): every replica holds the
 * whole fleet;</li>
 * <li>every change is passed to the listeners with the view before and after, so a consumer sees deletions and
 * re-registrations as such ({@link Change#deleted()}, {@link Change#newInstance()});</li>
 * <li>{@link #caughtUp()} is what readiness waits for: everything on the topic when following started has been
 * applied.</li>
 * </ul>
 * Records arrive in per-device order from one follower thread; listeners run on that thread, so they must be quick
 * (hand work to the service's own thread). Reads are lock-free and may run on any thread. Not a bean: each service
 * creates one with its projection, in the bean that owns its device views.
 */
public final class DeviceViewCache {

    /**
     * One change of a device's view.
     *
     * @param before the view held before, {@code null} if none
     * @param after the view held now, {@code null} after a tombstone
     */
    public record Change(String deviceId, DeviceView before, DeviceView after) {

        /** The device was deleted. */
        public boolean deleted() {
            return after == null;
        }

        /** The id now belongs to another registration than before (deleted and registered again). */
        public boolean newInstance() {
            return before != null && after != null && !sameInstance(before, after);
        }
    }

    /** Called with every change, on the follower's thread. */
    @FunctionalInterface
    public interface Listener {
        void changed(Change change);
    }

    private final Map<String, DeviceView> views = new ConcurrentHashMap<>();
    private final UnaryOperator<DeviceView> projection;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile TopicFollower follower;

    /** @param projection what the service keeps of each view (e.g. {@code DeviceView::slim}) */
    public DeviceViewCache(UnaryOperator<DeviceView> projection) {
        this.projection = Objects.requireNonNull(projection);
    }

    /** Whether two views describe the same registration of a device (same tenant, same creation). */
    public static boolean sameInstance(DeviceView a, DeviceView b) {
        return a.tenantId().equals(b.tenantId()) && Objects.equals(a.createdAt(), b.createdAt());
    }

    /**
     * Follows {@code registry.devices} from the beginning with a consumer of its own (no group: every replica reads the
     * whole topic). Started by {@link #start()}.
     *
     * @param clientId the consumer's client id, e.g. {@code monitor-device-views}
     */
    public DeviceViewCache follow(String bootstrapServers, String clientId, Duration pollTimeout, Duration retryDelay) {
        if (follower != null) {
            throw new IllegalStateException("already following");
        }
        follower = new TopicFollower(Topics.REGISTRY_DEVICES, bootstrapServers, clientId, pollTimeout, retryDelay,
                this::applyRecord);
        return this;
    }

    public void start() {
        if (follower != null) {
            follower.start();
        }
    }

    public void stop() throws InterruptedException {
        if (follower != null) {
            follower.stop();
        }
    }

    /** Whether everything that was on the topic when following started has been applied (always, if not following). */
    public boolean caughtUp() {
        return follower == null || follower.caughtUp();
    }

    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** One record of the topic: its key and JSON value ({@code null}: a tombstone; a JSON {@code null} is refused). */
    void applyRecord(String deviceId, String value) {
        apply(deviceId, value == null ? null : EventJson.read(value, DeviceView.class));
    }

    /**
     * Applies one view (or a tombstone) of a device.
     *
     * @return the change, or {@code null} if the view changed nothing (older, a redelivery, a tombstone of an unknown
     *         device, no key)
     */
    public synchronized Change apply(String deviceId, DeviceView view) {
        if (deviceId == null) {
            return null;
        }
        DeviceView held = views.get(deviceId);
        if (view == null) {
            if (held == null) {
                return null;
            }
            views.remove(deviceId);
            return notify(new Change(deviceId, held, null));
        }
        if (held != null && !newer(view, held)) {
            return null;
        }
        DeviceView kept = projection.apply(view);
        views.put(deviceId, kept);
        return notify(new Change(deviceId, held, kept));
    }

    private static boolean newer(DeviceView view, DeviceView held) {
        if (!sameInstance(view, held)) {
            // another registration of the id: the later one is current
            return held.createdAt() == null
                    || (view.createdAt() != null && !view.createdAt().isBefore(held.createdAt()));
        }
        return view.revision() > held.revision();
    }

    private Change notify(Change change) {
        for (Listener l : listeners) {
            l.changed(change);
        }
        return change;
    }

    public Optional<DeviceView> find(String deviceId) {
        return deviceId == null ? Optional.empty() : Optional.ofNullable(views.get(deviceId));
    }

    /** Every device's view, by id (read-only, live). */
    public Map<String, DeviceView> all() {
        return Collections.unmodifiableMap(views);
    }

    public int size() {
        return views.size();
    }
}
