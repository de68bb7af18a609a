package io.heartbeat.command.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.command.store.ScheduleStore;
import io.heartbeat.common.devices.DeviceViewCache;
import io.heartbeat.contracts.DeviceView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Ends what belonged to a device instance that is gone. A device id may be deleted and registered again, by another
 * tenant too: the old instance's open commands are then CANCELLED (refusal {@code device-deleted}, so their
 * requesters get a result) and its schedules disabled ({@code disabledReason: device-deleted}), so nothing of tenant A
 * ever reaches, or reads the answers of, tenant B's later device with the same id.
 * <p>
 * The instance is gone on a tombstone on {@code registry.devices}, or on a view of the same id with another tenant or
 * registration time (the tombstone may have been compacted away). Live changes are handled as they are read; once the
 * views are read at startup, and every {@code reconcile-interval} after that as a safety net (a change handled while
 * Postgres was down), every instance with open commands or enabled schedules is compared with the current view.
 * Claims, acks and fires check the instance themselves as well, so nothing slips through in between.
 */
@ApplicationScoped
public class DeviceLifecycle {

    /** The refusal and disable reason of a command or schedule whose device instance is gone. */
    public static final String DEVICE_DELETED = "device-deleted";

    private final Devices devices;
    private final CommandStore commands;
    private final ScheduleStore schedules;
    private final Dispatcher dispatcher;
    private final Clock clock;
    private final Counter cancelled;
    private final Counter disabled;
    private final Duration reconcileInterval;
    private volatile Instant nextReconcile = Instant.MIN;

    public DeviceLifecycle(Devices devices, CommandStore commands, ScheduleStore schedules, Dispatcher dispatcher,
            Clock clock, MeterRegistry metrics, CommandConfig config) {
        this.reconcileInterval = config.reconcileInterval();
        this.devices = devices;
        this.commands = commands;
        this.schedules = schedules;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.cancelled = metrics.counter("command.device-deleted.cancelled");
        this.disabled = metrics.counter("command.device-deleted.schedules");
        devices.onViewChanged(this::viewChanged);
    }

    /** A live change: the instance before is gone when the device was deleted or its id registered again. */
    void viewChanged(DeviceViewCache.Change change) {
        if (!(change.deleted() || change.newInstance()) || !devices.caughtUp()) {
            return; // while the views are read at startup, the reconcile after it looks at every device
        }
        String deviceId = change.deviceId();
        retire(deviceId, change.after()).subscribe().with(ignored -> {
        }, e -> Log.warnf("ending what belonged to the old instance of device %s failed; the next reconcile "
                + "retries: %s", deviceId, e.getMessage()));
    }

    /**
     * Once the device views are read, then every {@code heartbeat.command.reconcile-interval}: every instance with open
     * commands or enabled schedules that is not the device's current one is retired.
     */
    @Scheduled(every = "5s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        Instant now = clock.instant();
        if (!devices.caughtUp() || now.isBefore(nextReconcile)) {
            return Uni.createFrom().voidItem();
        }
        return reconcile().invoke(() -> nextReconcile = now.plus(reconcileInterval))
                .onFailure().invoke(e -> Log.warnf("reconciling device instances failed, the next run retries: %s",
                        e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Retires every stored instance that is not its device's current one; returns the devices looked at. */
    public Uni<Integer> reconcile() {
        return commands.openInstances().flatMap(open -> schedules.enabledInstances().map(enabled -> {
            Set<String> stale = new HashSet<>();
            List<ScheduleStore.Instance> all = new ArrayList<>(open);
            all.addAll(enabled);
            for (ScheduleStore.Instance i : all) {
                DeviceView view = devices.view(i.deviceId()).orElse(null);
                if (!matches(i, view)) {
                    stale.add(i.deviceId());
                }
            }
            return stale;
        })).flatMap(stale -> {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (String id : stale) {
                chain = chain.flatMap(n -> retire(id, devices.view(id).orElse(null)).replaceWith(n + 1));
            }
            return chain;
        });
    }

    /** Cancels the open commands and disables the schedules of {@code deviceId} that are not for {@code current}. */
    Uni<Void> retire(String deviceId, DeviceView current) {
        ScheduleStore.Instance instance = current == null ? null
                : new ScheduleStore.Instance(deviceId, current.tenantId(), current.createdAt());
        return commands.cancelOthers(deviceId, instance, clock.instant())
                .flatMap(n -> schedules.disableOthers(deviceId, instance, DEVICE_DELETED, clock.instant())
                        .invoke(m -> {
                            cancelled.increment(n);
                            disabled.increment(m);
                            if (n + m > 0) {
                                Log.infof("device %s was deleted or registered again: %d open commands cancelled, "
                                        + "%d schedules disabled", deviceId, n, m);
                            }
                            if (n > 0) {
                                dispatcher.trigger(); // publish the results now
                            }
                        }))
                .replaceWithVoid();
    }

    /** Whether stored rows of {@code i} are for the current registration {@code view} (null: deleted). */
    static boolean matches(ScheduleStore.Instance i, DeviceView view) {
        return Devices.belongs(i.tenantId(), i.createdAt(), view);
    }
}
