package io.heartbeat.command.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.command.config.CommandConfig;
import io.heartbeat.command.store.Command;
import io.heartbeat.command.store.CommandSpec;
import io.heartbeat.command.store.CommandStore;
import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Page;
import io.heartbeat.common.security.Caller;
import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.Protocol;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** The rules of creating, cancelling and replaying commands, for users and for other services. */
@ApplicationScoped
public class CommandService {

    /** A user's new command; null durations and attempts take the defaults. */
    public record CreateCommand(String deviceId, String name, Map<String, Object> payload, Duration ttl,
            Duration ackTimeout, Integer maxAttempts) {
    }

    /**
     * The command name that asks a device to reconnect. MQTT devices get it like any command; HTTP devices learn it
     * from their next heartbeat response ({@code should_reconnect}), through {@code device-signals}.
     */
    public static final String RECONNECT = "reconnect";
    static final int MAX_ATTEMPTS_LIMIT = 10;
    static final Duration MAX_ACK_TIMEOUT = Duration.ofMinutes(10);
    static final Duration MIN_ACK_TIMEOUT = Duration.ofMillis(100);

    private final CommandStore store;
    private final Devices devices;
    private final Dispatcher dispatcher;
    private final CreateBatcher creates;
    private final Clock clock;
    private final Duration defaultTtl;
    private final Duration maxTtl;
    private final Duration defaultAckTimeout;
    private final int defaultMaxAttempts;
    private final int maxQueuedPerDevice;

    public CommandService(CommandStore store, Devices devices, Dispatcher dispatcher, CreateBatcher creates,
            Clock clock, CommandConfig config) {
        this.store = store;
        this.devices = devices;
        this.dispatcher = dispatcher;
        this.creates = creates;
        this.clock = clock;
        this.defaultTtl = config.defaultTtl();
        this.maxTtl = config.maxTtl();
        this.defaultAckTimeout = config.defaultAckTimeout();
        this.defaultMaxAttempts = config.defaultMaxAttempts();
        this.maxQueuedPerDevice = config.maxQueuedPerDevice();
    }

    /** A user's command: the device must be visible to the caller and have remote control enabled. */
    public Uni<CommandStore.Created> create(Caller caller, CreateCommand body, String idempotencyKey, String replayOf) {
        if (body == null) {
            throw new DomainException.Invalid("body", "a command {deviceId, name, ...} is required");
        }
        List<DomainException.FieldError> errors = new ArrayList<>();
        if (blank(body.deviceId())) {
            errors.add(new DomainException.FieldError("deviceId", "is required"));
        }
        CommandSpec template = template("", body.name(), body.payload(), body.ttl(), body.ackTimeout(),
                body.maxAttempts(), errors);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            errors.add(new DomainException.FieldError("Idempotency-Key", "must be 1 to 200 characters"));
        }
        if (!errors.isEmpty()) {
            throw new DomainException.Invalid(errors);
        }
        DeviceView view = commandable(caller, body.deviceId());
        CommandStore.NewCommand c = new CommandStore.NewCommand(view.tenantId(), view.deviceId(), view.createdAt(),
                template.name(),
                template.payload(), template.ttl(), template.ackTimeout(), template.maxAttempts(), idempotencyKey,
                null, caller.subject(), null, replayOf, delivery(view, template.name()), null, null);
        if (idempotencyKey == null && c.delivery() == Command.Delivery.MQTT) {
            return creates.submit(c); // with the other commands POSTed meanwhile, in one transaction
        }
        return store.create(c, clock.instant(), maxQueuedPerDevice).invoke(created -> {
            if (created.created()) {
                dispatcher.trigger();
            }
        });
    }

    /**
     * Validates a command's name and settings (field names prefixed with {@code prefix}) into {@code errors} and
     * fills in the defaults; the result is only meaningful when no error was added.
     */
    public CommandSpec template(String prefix, String name, Map<String, Object> payload, Duration ttl,
            Duration ackTimeout, Integer maxAttempts, List<DomainException.FieldError> errors) {
        if (blank(name)) {
            errors.add(new DomainException.FieldError(prefix + "name", "is required"));
        } else if (name.length() > 100) {
            errors.add(new DomainException.FieldError(prefix + "name", "at most 100 characters"));
        }
        Duration t = ttl == null ? defaultTtl : ttl;
        Duration a = ackTimeout == null ? defaultAckTimeout : ackTimeout;
        int m = maxAttempts == null ? defaultMaxAttempts : maxAttempts;
        if (t.isNegative() || t.isZero() || t.compareTo(maxTtl) > 0) {
            errors.add(new DomainException.FieldError(prefix + "ttl", "must be more than 0 and at most " + maxTtl));
        }
        // compared as Durations: toMillis() of an ackTimeout such as PT9999999999999999S overflows
        if (a.compareTo(MIN_ACK_TIMEOUT) < 0 || a.compareTo(MAX_ACK_TIMEOUT) > 0) {
            errors.add(new DomainException.FieldError(prefix + "ackTimeout", "must be at least PT0.1S and at most PT10M"));
        }
        if (m < 1 || m > MAX_ATTEMPTS_LIMIT) {
            errors.add(new DomainException.FieldError(prefix + "maxAttempts", "must be between 1 and " + MAX_ATTEMPTS_LIMIT));
        }
        return new CommandSpec(name, payload == null ? Map.of() : payload, t, a, m);
    }

    /**
     * The registry view of a device the caller may command: visible in the caller's tenant (else 404), remote control
     * enabled (else 409).
     */
    public DeviceView commandable(Caller caller, String deviceId) {
        DeviceView view = devices.view(deviceId).filter(v -> caller.sees(v.tenantId()))
                .orElseThrow(() -> new DomainException.NotFound("device", deviceId));
        if (!view.remoteControlEnabled()) {
            throw new DomainException.Conflict("remote-control-disabled",
                    "remote control is disabled for device '" + view.deviceId() + "'; enable it in the registry first");
        }
        return view;
    }

    /**
     * How a command reaches the device: over MQTT, or for a device that sends heartbeats over HTTP (it cannot receive
     * pushed messages) only a {@link #RECONNECT}, as a signal in its heartbeat response; anything else is refused.
     */
    public static Command.Delivery delivery(DeviceView view, String name) {
        if (view.protocol() != Protocol.HTTP || RECONNECT.equals(name)) {
            return deliveryOrMqtt(view, name);
        }
        throw new DomainException.Conflict("push-unsupported", "device '" + view.deviceId() + "' sends heartbeats "
                + "over HTTP and cannot receive pushed commands; only '" + RECONNECT + "' reaches it (in its next "
                + "heartbeat response)");
    }

    /** Another service's request: refused ones become FAILED commands, so the requester always gets a result. */
    public Uni<Command> request(CommandRequest r) {
        Duration ttl = r.ttl() == null || r.ttl().isNegative() || r.ttl().isZero() ? defaultTtl : min(r.ttl(), maxTtl);
        Duration ackTimeout = r.ackTimeout() == null || r.ackTimeout().compareTo(MIN_ACK_TIMEOUT) < 0 ? defaultAckTimeout
                : min(r.ackTimeout(), MAX_ACK_TIMEOUT);
        int maxAttempts = r.maxAttempts() == null ? defaultMaxAttempts
                : Math.max(1, Math.min(r.maxAttempts(), MAX_ATTEMPTS_LIMIT));
        DeviceView view = devices.view(r.deviceId()).orElse(null);
        // a request names the tenant of the device it means: another tenant's device with that id is not that device
        if (view != null && r.tenantId() != null && !r.tenantId().equals(view.tenantId())) {
            CommandStore.NewCommand c = new CommandStore.NewCommand(r.tenantId(), r.deviceId(), null, r.name(),
                    r.payload() == null ? Map.of() : r.payload(), ttl, ackTimeout, maxAttempts, null, r.requestId(),
                    r.requestedBy(), r.correlationId(), null, Command.Delivery.MQTT, null, null);
            return store.inTransaction(tx -> store.createFailed(tx, c, clock.instant(), DeviceLifecycle.DEVICE_DELETED,
                    "the device of tenant '" + r.tenantId() + "' was deleted; the id now names another device"));
        }
        CommandStore.NewCommand c = new CommandStore.NewCommand(view == null ? r.tenantId() : view.tenantId(),
                r.deviceId(), view == null ? null : view.createdAt(), r.name(), r.payload() == null ? Map.of() : r.payload(),
                ttl, ackTimeout, maxAttempts, null,
                r.requestId(), r.requestedBy(), r.correlationId(), null, deliveryOrMqtt(view, r.name()), null, null);
        Instant now = clock.instant();
        return store.inTransaction(tx -> createOrFail(tx, c, view, now)).invoke(created -> dispatcher.trigger());
    }

    /**
     * A command no user waits for (another service's request, a schedule's fire), in the caller's transaction: one
     * the device cannot take becomes a FAILED command with a stable refusal code and the reason, so it is recorded
     * and its requester answered (a {@code CommandResult} with that refusal and 0 attempts, which says nothing about
     * the device's liveness): {@code device-unknown}, {@code remote-control-disabled}, {@code push-unsupported} (an
     * HTTP device and not a reconnect), {@code queue-full}, {@code reconnect-pending}.
     */
    public Uni<Command> createOrFail(SqlConnection tx, CommandStore.NewCommand c, DeviceView view, Instant now) {
        if (view == null) {
            return store.createFailed(tx, c, now, "device-unknown", "the device is not registered");
        }
        if (!view.remoteControlEnabled()) {
            return store.createFailed(tx, c, now, "remote-control-disabled", "remote control is disabled for the device");
        }
        if (view.protocol() == Protocol.HTTP && c.delivery() != Command.Delivery.SIGNAL) {
            return store.createFailed(tx, c, now, "push-unsupported",
                    "the device sends heartbeats over HTTP and cannot receive pushed commands");
        }
        return store.create(tx, c, now, maxQueuedPerDevice).map(CommandStore.Created::command)
                .onFailure(DomainException.Conflict.class)
                .recoverWithUni(e -> store.createFailed(tx, c, now, ((DomainException.Conflict) e).type(),
                        e.getMessage()));
    }

    /** {@link #delivery}, or MQTT where that refuses (the caller records the refusal). */
    static Command.Delivery deliveryOrMqtt(DeviceView view, String name) {
        return view != null && view.protocol() == Protocol.HTTP && RECONNECT.equals(name) ? Command.Delivery.SIGNAL
                : Command.Delivery.MQTT;
    }

    public Uni<Command> get(Caller caller, String id) {
        return store.find(id).map(c -> {
            if (c == null || !caller.sees(c.tenantId())) {
                throw new DomainException.NotFound("command", id);
            }
            return c;
        });
    }

    /** A command's status changes, oldest first; 404 like {@link #get}. */
    public Uni<List<CommandStore.Transition>> transitions(Caller caller, String id) {
        return get(caller, id).flatMap(c -> store.transitions(id));
    }

    /** Command history in the caller's scope, newest first. */
    public Uni<Page<Command>> list(Caller caller, String tenantId, String deviceId, CommandStatus status,
            Instant since, int page, int size) {
        return store.list(caller.scope(tenantId), deviceId, status, since, page, size);
    }

    /**
     * Ingest answered an HTTP device's heartbeat with the reconnect: that command SUCCEEDED and its signal is cleared
     * (published at once). Null when it changed nothing (a redelivered or late report).
     */
    public Uni<Command> signalDelivered(String deviceId, String commandId, Instant deliveredAt) {
        DeviceView view = devices.view(deviceId).orElse(null);
        if (view == null) {
            return Uni.createFrom().nullItem(); // deleted: its reconnect was cancelled with it
        }
        CommandStore.Target device = new CommandStore.Target(deviceId, view.tenantId(), view.createdAt(),
                view.remoteControlEnabled());
        return store.signalDelivered(device, commandId, deliveredAt, clock.instant()).invoke(changed -> {
            if (changed != null) {
                dispatcher.trigger();
            }
        });
    }

    public Uni<Command> cancel(Caller caller, String id) {
        return get(caller, id).flatMap(c -> store.cancel(id, clock.instant()).map(cancelled -> {
            if (cancelled == null) {
                throw new DomainException.Conflict("command-final",
                        "command '" + id + "' is " + c.status() + " already and cannot be cancelled");
            }
            return cancelled;
        }));
    }

    /** A dead-lettered, expired or failed command again, as a new command with the same device, name and payload. */
    public Uni<CommandStore.Created> replay(Caller caller, String id, String idempotencyKey) {
        return get(caller, id).flatMap(c -> {
            switch (c.status()) {
                case DEAD_LETTERED:
                case EXPIRED:
                case FAILED:
                    break;
                default:
                    throw new DomainException.Conflict("not-replayable", "command '" + id + "' is " + c.status()
                            + "; only DEAD_LETTERED, EXPIRED or FAILED commands can be replayed");
            }
            return create(caller, new CreateCommand(c.deviceId(), c.name(), c.payload(), null,
                    Duration.ofMillis(c.ackTimeoutMs()), c.maxAttempts()), idempotencyKey, c.id());
        });
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
