package io.heartbeat.command;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.security.Caller;
import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.DeviceView;
import io.smallrye.mutiny.Uni;

/** The rules of creating, cancelling and replaying commands, for users and for other services. */
@ApplicationScoped
public class CommandService {

    /** A user's new command; null durations and attempts take the defaults. */
    public record CreateCommand(String deviceId, String name, Map<String, Object> payload, Duration ttl,
            Duration ackTimeout, Integer maxAttempts) {
    }

    static final int MAX_ATTEMPTS_LIMIT = 10;
    static final Duration MAX_ACK_TIMEOUT = Duration.ofMinutes(10);

    private final CommandStore store;
    private final Devices devices;
    private final Dispatcher dispatcher;
    private final Clock clock;
    private final Duration defaultTtl;
    private final Duration maxTtl;
    private final Duration defaultAckTimeout;
    private final int defaultMaxAttempts;
    private final int maxQueuedPerDevice;

    public CommandService(CommandStore store, Devices devices, Dispatcher dispatcher, Clock clock,
            @ConfigProperty(name = "heartbeat.command.default-ttl") Duration defaultTtl,
            @ConfigProperty(name = "heartbeat.command.max-ttl") Duration maxTtl,
            @ConfigProperty(name = "heartbeat.command.default-ack-timeout") Duration defaultAckTimeout,
            @ConfigProperty(name = "heartbeat.command.default-max-attempts") int defaultMaxAttempts,
            @ConfigProperty(name = "heartbeat.command.max-queued-per-device") int maxQueuedPerDevice) {
        this.store = store;
        this.devices = devices;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.defaultTtl = defaultTtl;
        this.maxTtl = maxTtl;
        this.defaultAckTimeout = defaultAckTimeout;
        this.defaultMaxAttempts = defaultMaxAttempts;
        this.maxQueuedPerDevice = maxQueuedPerDevice;
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
        if (blank(body.name())) {
            errors.add(new DomainException.FieldError("name", "is required"));
        } else if (body.name().length() > 100) {
            errors.add(new DomainException.FieldError("name", "at most 100 characters"));
        }
        Duration ttl = body.ttl() == null ? defaultTtl : body.ttl();
        Duration ackTimeout = body.ackTimeout() == null ? defaultAckTimeout : body.ackTimeout();
        int maxAttempts = body.maxAttempts() == null ? defaultMaxAttempts : body.maxAttempts();
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(maxTtl) > 0) {
            errors.add(new DomainException.FieldError("ttl", "must be more than 0 and at most " + maxTtl));
        }
        if (ackTimeout.toMillis() < 100 || ackTimeout.compareTo(MAX_ACK_TIMEOUT) > 0) {
            errors.add(new DomainException.FieldError("ackTimeout", "must be at least PT0.1S and at most PT10M"));
        }
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            errors.add(new DomainException.FieldError("maxAttempts", "must be between 1 and " + MAX_ATTEMPTS_LIMIT));
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            errors.add(new DomainException.FieldError("Idempotency-Key", "must be 1 to 200 characters"));
        }
        if (!errors.isEmpty()) {
            throw new DomainException.Invalid(errors);
        }
        DeviceView view = devices.view(body.deviceId()).filter(v -> caller.sees(v.tenantId()))
                .orElseThrow(() -> new DomainException.NotFound("device", body.deviceId()));
        if (!view.remoteControlEnabled()) {
            throw new DomainException.Conflict("remote-control-disabled",
                    "remote control is disabled for device '" + view.deviceId() + "'; enable it in the registry first");
        }
        CommandStore.NewCommand c = new CommandStore.NewCommand(view.tenantId(), view.deviceId(), body.name(),
                body.payload() == null ? Map.of() : body.payload(), ttl, ackTimeout, maxAttempts, idempotencyKey,
                null, caller.subject(), null, replayOf);
        return store.create(c, clock.instant(), maxQueuedPerDevice).invoke(created -> {
            if (created.created()) {
                dispatcher.trigger();
            }
        });
    }

    /** Another service's request: refused ones become FAILED commands, so the requester always gets a result. */
    public Uni<Command> request(CommandRequest r) {
        Duration ttl = r.ttl() == null || r.ttl().isNegative() || r.ttl().isZero() ? defaultTtl : min(r.ttl(), maxTtl);
        Duration ackTimeout = r.ackTimeout() == null || r.ackTimeout().toMillis() < 100 ? defaultAckTimeout
                : min(r.ackTimeout(), MAX_ACK_TIMEOUT);
        int maxAttempts = r.maxAttempts() == null ? defaultMaxAttempts
                : Math.max(1, Math.min(r.maxAttempts(), MAX_ATTEMPTS_LIMIT));
        DeviceView view = devices.view(r.deviceId()).orElse(null);
        CommandStore.NewCommand c = new CommandStore.NewCommand(view == null ? r.tenantId() : view.tenantId(),
                r.deviceId(), r.name(), r.payload() == null ? Map.of() : r.payload(), ttl, ackTimeout, maxAttempts, null,
                r.requestId(), r.requestedBy(), r.correlationId(), null);
        if (view == null) {
            return store.createFailed(c, clock.instant(), "the device is not registered");
        }
        if (!view.remoteControlEnabled()) {
            return store.createFailed(c, clock.instant(), "remote control is disabled for the device");
        }
        return store.create(c, clock.instant(), maxQueuedPerDevice)
                .onFailure(DomainException.Conflict.class)
                .recoverWithUni(e -> store.createFailed(c, clock.instant(), e.getMessage())
                        .map(failed -> new CommandStore.Created(failed, true)))
                .invoke(created -> dispatcher.trigger())
                .map(CommandStore.Created::command);
    }

    public Uni<Command> get(Caller caller, String id) {
        return store.find(id).map(c -> {
            if (c == null || !caller.sees(c.tenantId())) {
                throw new DomainException.NotFound("command", id);
            }
            return c;
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

    /** The clock every timer reads. */
    @Produces
    @Singleton
    static Clock clock() {
        return Clock.systemUTC();
    }
}
