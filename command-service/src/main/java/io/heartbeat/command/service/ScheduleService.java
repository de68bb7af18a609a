package io.heartbeat.command.service;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.store.Command;
import io.heartbeat.command.store.CommandSpec;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.command.store.Schedule;
import io.heartbeat.command.store.ScheduleStore;
import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Page;
import io.heartbeat.common.security.Caller;
import io.heartbeat.contracts.DeviceView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Commands on a cron schedule (seed 002's {@code schedule:process}, every minute by default). Each run claims the due
 * schedules with {@code FOR UPDATE SKIP LOCKED} and, in the same transaction, makes the command for the fire time and
 * moves the schedule's timer on. A command also carries its schedule and fire time under a unique index. So each fire
 * time makes exactly one command, however many replicas run and whether or not one of them crashed mid-way.
 * <p>
 * <b>Missed fire times</b> (the service was down, or the job runs less often than the cron fires): only the newest
 * missed fire time makes a command, and only if that command's TTL, counted from the fire time, has not passed; every
 * other missed fire time is counted in {@code missedFires} and in the metric {@code command.schedule.missed}. A
 * command is worth doing only within its TTL, and a burst of stale copies of one command would do harm: ten queued
 * "switch on" commands after a ten-minute outage are one too many.
 */
@ApplicationScoped
public class ScheduleService {

    /** Schedules claimed per transaction. */
    static final int CLAIM_BATCH = 100;

    /** The body a user sends: the command is the template each fire time makes. */
    public record ScheduleBody(String deviceId, String description, String cron, String timeZone,
            CommandBody command, Boolean enabled) {
    }

    /** A schedule's command, validated like {@code POST /api/v1/commands}. */
    public record CommandBody(String name, Map<String, Object> payload, Duration ttl, Duration ackTimeout,
            Integer maxAttempts) {
    }

    private final ScheduleStore store;
    private final CommandService commandService;
    private final Devices devices;
    private final Dispatcher dispatcher;
    private final Clock clock;
    private final Counter fired;
    private final Counter missed;

    public ScheduleService(ScheduleStore store, CommandService commandService, Devices devices,
            Dispatcher dispatcher, Clock clock, MeterRegistry metrics) {
        this.store = store;
        this.commandService = commandService;
        this.devices = devices;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.fired = metrics.counter("command.schedule.fired");
        this.missed = metrics.counter("command.schedule.missed");
    }

    public Uni<Schedule> create(Caller caller, ScheduleBody body) {
        ScheduleStore.Settings settings = validate(body, null);
        DeviceView view = commandService.commandable(caller, body.deviceId());
        CommandService.delivery(view, settings.command().name());
        Instant now = clock.instant();
        return store.insert(UUID.randomUUID().toString(), view.tenantId(), view.deviceId(), view.createdAt(), settings,
                nextFire(settings, now), caller.subject(), now);
    }

    public Uni<Schedule> get(Caller caller, String id) {
        return store.find(id).map(s -> {
            if (s == null || !caller.sees(s.tenantId())) {
                throw new DomainException.NotFound("schedule", id);
            }
            return s;
        });
    }

    public Uni<Page<Schedule>> list(Caller caller, String tenantId, String deviceId, int page, int size) {
        return store.list(caller.scope(tenantId), deviceId, page, size);
    }

    /** Replaces the settings (the device stays); the timer restarts from now, without making up earlier fire times. */
    public Uni<Schedule> update(Caller caller, String id, ScheduleBody body) {
        return get(caller, id).flatMap(existing -> {
            ScheduleStore.Settings settings = validate(body, existing.deviceId());
            DeviceView view = commandService.commandable(caller, existing.deviceId());
            if (!belongs(existing, view)) {
                throw new DomainException.Conflict(DeviceLifecycle.DEVICE_DELETED, "the device of schedule '" + id
                        + "' was deleted; its id now names another device: create a new schedule for that one");
            }
            CommandService.delivery(view, settings.command().name());
            return store.update(id, settings, nextFire(settings, clock.instant()), clock.instant());
        }).map(updated -> {
            if (updated == null) {
                throw new DomainException.NotFound("schedule", id);
            }
            return updated;
        });
    }

    public Uni<Void> delete(Caller caller, String id) {
        return get(caller, id).flatMap(s -> store.delete(id)).replaceWithVoid();
    }

    /** The job: every minute by default ({@code heartbeat.command.schedule-cron}, Quartz syntax with seconds). */
    @Scheduled(cron = "${heartbeat.command.schedule-cron}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> run() {
        if (!devices.caughtUp()) {
            // a device not read yet would look unregistered; the next run makes up what is still worth doing
            return Uni.createFrom().voidItem();
        }
        return fireDue(clock.instant())
                .onFailure().invoke(e -> Log.warnf("firing schedules failed, the next run retries: %s", e.getMessage()))
                .onFailure().recoverWithItem(0)
                .replaceWithVoid();
    }

    /**
     * Fires every schedule due at {@code now}, a batch per transaction: claim the due schedules, plan each one's fire,
     * make the command the plan asks for, record the fire. Returns the number of schedules handled.
     */
    public Uni<Integer> fireDue(Instant now) {
        return store.inTransaction(tx -> store.claimDue(tx, now, CLAIM_BATCH)
                .flatMap(due -> fireEach(tx, due, now)))
                .flatMap(n -> {
                    if (n > 0) {
                        dispatcher.trigger();
                    }
                    return n >= CLAIM_BATCH ? fireDue(now).map(more -> n + more) : Uni.createFrom().item(n);
                });
    }

    private Uni<Integer> fireEach(SqlConnection tx, List<Schedule> due, Instant now) {
        Uni<Integer> chain = Uni.createFrom().item(0);
        for (Schedule s : due) {
            chain = chain.flatMap(n -> fire(tx, s, now).replaceWith(n + 1));
        }
        return chain;
    }

    /**
     * One due schedule: its plan, the command for the plan's fire time if it is still worth doing, the fire recorded.
     * A schedule whose device instance is gone (deleted, or its id registered again) is disabled instead: it never
     * fires for another device with the same id.
     */
    private Uni<Void> fire(SqlConnection tx, Schedule s, Instant now) {
        DeviceView view = devices.view(s.deviceId()).orElse(null);
        if (!belongs(s, view)) {
            Log.infof("schedule %s is disabled: its device %s was deleted", s.id(), s.deviceId());
            return store.disable(tx, s.id(), DeviceLifecycle.DEVICE_DELETED, now);
        }
        FirePlan plan = FirePlan.of(s, now);
        missed.increment(plan.missed());
        if (plan.stopped()) {
            Log.errorf("schedule %s has an unreadable cron or zone and is stopped", s.id());
        }
        if (!plan.makesCommand()) {
            return store.fired(tx, s.id(), plan.next(), null, null, plan.missed());
        }
        return makeCommand(tx, s, view, plan, now)
                .invoke(() -> fired.increment())
                .flatMap(made -> store.fired(tx, s.id(), plan.next(), plan.fireTime(), made.id(), plan.missed()));
    }

    /** The command of a fire: an ordinary command, or a FAILED one with the reason when the device cannot take it. */
    private Uni<Command> makeCommand(SqlConnection tx, Schedule s, DeviceView view, FirePlan plan, Instant now) {
        CommandSpec t = s.command().spec();
        CommandStore.NewCommand c = new CommandStore.NewCommand(s.tenantId(), s.deviceId(), view.createdAt(), t.name(),
                t.payload(),
                t.ttl(), t.ackTimeout(), t.maxAttempts(), null, null, "schedule:" + s.id(), null, null,
                CommandService.deliveryOrMqtt(view, t.name()), s.id(), plan.fireTime());
        return commandService.createOrFail(tx, c, view, now);
    }

    private ScheduleStore.Settings validate(ScheduleBody body, String deviceOfExisting) {
        if (body == null) {
            throw new DomainException.Invalid("body", "a schedule {deviceId, cron, timeZone, command} is required");
        }
        List<DomainException.FieldError> errors = new ArrayList<>();
        if (deviceOfExisting == null && (body.deviceId() == null || body.deviceId().isBlank())) {
            errors.add(new DomainException.FieldError("deviceId", "is required"));
        }
        if (deviceOfExisting != null && body.deviceId() != null && !body.deviceId().equals(deviceOfExisting)) {
            errors.add(new DomainException.FieldError("deviceId",
                    "a schedule stays with its device; create a new schedule for another device"));
        }
        if (body.description() != null && body.description().length() > 200) {
            errors.add(new DomainException.FieldError("description", "at most 200 characters"));
        }
        String zoneName = body.timeZone() == null ? "UTC" : body.timeZone();
        ZoneId zone = null;
        try {
            zone = ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            errors.add(new DomainException.FieldError("timeZone",
                    "is not a time zone id such as Europe/Berlin or UTC: " + e.getMessage()));
        }
        if (zone != null) {
            try {
                if (CronTimes.of(body.cron(), zone).after(clock.instant()).isEmpty()) {
                    errors.add(new DomainException.FieldError("cron", "never fires"));
                }
            } catch (IllegalArgumentException e) {
                errors.add(new DomainException.FieldError("cron", e.getMessage()));
            }
        }
        CommandSpec template = null;
        if (body.command() == null) {
            errors.add(new DomainException.FieldError("command", "is required: {name, payload, ttl, ackTimeout, "
                    + "maxAttempts}"));
        } else {
            CommandBody c = body.command();
            template = commandService.template("command.", c.name(), c.payload(), c.ttl(), c.ackTimeout(),
                    c.maxAttempts(), errors);
        }
        if (!errors.isEmpty()) {
            throw new DomainException.Invalid(errors);
        }
        return new ScheduleStore.Settings(body.description(), body.cron().trim(), zone.getId(), template,
                body.enabled() == null || body.enabled());
    }

    /** Whether {@code s} is for the registration {@code view} describes (null: the device is gone). */
    static boolean belongs(Schedule s, DeviceView view) {
        return Devices.belongs(s.tenantId(), s.deviceCreatedAt(), view);
    }

    private static Instant nextFire(ScheduleStore.Settings s, Instant now) {
        return s.enabled() ? CronTimes.of(s.cron(), ZoneId.of(s.timeZone())).after(now).orElse(null) : null;
    }
}
