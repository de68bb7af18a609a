package io.heartbeat.command.store;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.batch.BisectingBatchWriter.Rejected;
import io.heartbeat.common.batch.RejectedRows;
import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.outbox.OutboxRelay;
import io.heartbeat.common.rest.Page;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeadLetteredCommand;
import io.heartbeat.contracts.DeviceSignal;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every read and state change of commands, in SQL. Each change writes the command row, its transition and (for final
 * states) its events into the outbox in one transaction, so there is no dual write. Rows the dispatcher works on are
 * claimed with {@code FOR UPDATE SKIP LOCKED}, so several replicas never handle the same command at once.
 */
@ApplicationScoped
public class CommandStore {

    /**
     * What a new command is made of; the durations are already validated. A scheduled command's TTL counts from its
     * fire time ({@code scheduledFor}), any other's from its creation. {@code deviceCreatedAt} is the device instance
     * (null for a device unknown).
     */
    public record NewCommand(String tenantId, String deviceId, Instant deviceCreatedAt, String name,
            Map<String, Object> payload, Duration ttl, Duration ackTimeout, int maxAttempts, String idempotencyKey,
            String requestId, String requestedBy, String correlationId, String replayOf, Command.Delivery delivery,
            String scheduleId, Instant scheduledFor) {
    }

    /**
     * A connected device instance the dispatcher may send to, as the claim matches it: commands of another tenant or
     * another registration of the same id are not its; with {@code remoteControl} off its due commands are cancelled
     * instead of sent.
     */
    public record Target(String deviceId, String tenantId, Instant createdAt, boolean remoteControl) {
    }

    /** A create's answer: the command and whether this call created it (false: an earlier call with the same key). */
    public record Created(Command command, boolean created) {
    }

    /** How long after a timed-out attempt the next one may go. */
    @FunctionalInterface
    public interface Backoff {
        Duration after(int attempt);
    }

    private static final String OPEN = "completed_at IS NULL";

    /**
     * A command is for the device instance named by a tenant and a registration time (parameters or columns): the same
     * tenant, and the same registration unless it was stored before instances were recorded.
     */
    private static final String CURRENT_INSTANCE = "(tenant_id = %1$s AND (device_created_at IS NULL "
            + "OR device_created_at = %2$s::timestamptz))";
    private static final String TRANSITIONS = "INSERT INTO command_transition (command_id, status, attempt, detail, at) "
            + "SELECT id, status, attempts, last_error, updated_at FROM changed";

    /** The batch writer of device answers, in {@code rejected_row.writer} and the {@code batch.rows.rejected} metric. */
    public static final String ACK_WRITER = "command-acks";

    private final Pool pool;

    public CommandStore(Pool pool) {
        this.pool = pool;
    }

    /** Runs {@code work} in one transaction (commits when it succeeds). */
    public <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    public static OffsetDateTime at(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    /**
     * Stores a new QUEUED command, or returns the one an earlier call with the same idempotency key (per tenant) or
     * request id created. Refused when the device already has {@code maxOpen} open commands.
     */
    public Uni<Created> create(NewCommand c, Instant now, int maxOpen) {
        return pool.withTransaction(tx -> create(tx, c, now, maxOpen));
    }

    /**
     * {@link #create(NewCommand, Instant, int)} inside the caller's transaction. A reconnect signal (delivery SIGNAL)
     * is refused while another one waits for the device, else it is SENT at once: its signal goes into the outbox.
     */
    public Uni<Created> create(SqlConnection tx, NewCommand c, Instant now, int maxOpen) {
        return existing(tx, c).flatMap(found -> {
            if (found != null) {
                return Uni.createFrom().item(new Created(found, false));
            }
            // one creator per device at a time, so the queue bound holds under concurrent requests
            return tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 8084))")
                    .execute(Tuple.of(c.deviceId()))
                    .flatMap(ignored -> tx.preparedQuery("SELECT count(*) FROM command WHERE device_id = $1 AND " + OPEN)
                            .execute(Tuple.of(c.deviceId())))
                    .flatMap(rows -> {
                        long open = rows.iterator().next().getLong(0);
                        if (open >= maxOpen) {
                            throw new DomainException.Conflict("queue-full", "device '" + c.deviceId() + "' already has "
                                    + open + " open commands (at most " + maxOpen + "); wait for them or cancel some");
                        }
                        return c.delivery() == Command.Delivery.SIGNAL ? pendingReconnect(tx, c.deviceId())
                                : Uni.createFrom().voidItem();
                    })
                    .flatMap(ignored -> insert(tx, c, now))
                    .flatMap(inserted -> {
                        if (inserted == null) {
                            // a concurrent call with the same key won
                            return existing(tx, c).map(e -> new Created(e, false));
                        }
                        if (inserted.delivery() == Command.Delivery.SIGNAL) {
                            return signalled(tx, inserted, now).map(sent -> new Created(sent, true));
                        }
                        return Uni.createFrom().item(new Created(inserted, true));
                    });
        });
    }

    /** What one command of {@link #createAll} became: stored, or refused because its device's queue is full. */
    public record BatchCreated(Command command, DomainException.Conflict refusal) {
    }

    /**
     * Several new commands without an idempotency key, request id, schedule or reconnect signal, in one transaction:
     * every device's lock taken once (in id order, so two batches cannot deadlock; {@link #create} holds one lock
     * only), the open commands of all of them counted in one query, and the ones that fit inserted with their
     * transitions in one statement, in the order given (their {@code seq}, the order they are sent in). A command that
     * would give its device more than {@code maxOpen} open commands is refused ({@code queue-full}), the others are
     * stored. The answers are in the order of {@code commands}.
     */
    public Uni<List<BatchCreated>> createAll(List<NewCommand> commands, Instant now, int maxOpen) {
        String[] devices = commands.stream().map(NewCommand::deviceId).distinct().sorted().toArray(String[]::new);
        return pool.withTransaction(tx -> tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended(d, 8084)) "
                + "FROM unnest($1::text[]) WITH ORDINALITY AS u(d, o) ORDER BY o").execute(Tuple.of(devices))
                .flatMap(ignored -> tx.preparedQuery("SELECT device_id, count(*) FROM command WHERE device_id = ANY($1) "
                        + "AND " + OPEN + " GROUP BY device_id").execute(Tuple.of(devices)))
                .flatMap(counts -> {
                    Map<String, Long> open = new LinkedHashMap<>();
                    for (Row r : counts) {
                        open.put(r.getString(0), r.getLong(1));
                    }
                    List<BatchCreated> answers = new ArrayList<>(commands.size());
                    List<String> ids = new ArrayList<>();
                    List<NewCommand> fitting = new ArrayList<>();
                    for (NewCommand c : commands) {
                        long n = open.getOrDefault(c.deviceId(), 0L);
                        if (n >= maxOpen) {
                            answers.add(new BatchCreated(null, new DomainException.Conflict("queue-full", "device '"
                                    + c.deviceId() + "' already has " + n + " open commands (at most " + maxOpen
                                    + "); wait for them or cancel some")));
                            continue;
                        }
                        open.put(c.deviceId(), n + 1);
                        answers.add(null);
                        ids.add(UUID.randomUUID().toString());
                        fitting.add(c);
                    }
                    if (fitting.isEmpty()) {
                        return Uni.createFrom().item(answers);
                    }
                    return insertAll(tx, ids, fitting, now).map(stored -> {
                        Map<String, Command> byId = stored.stream().collect(Collectors.toMap(Command::id, c -> c));
                        for (int i = 0, j = 0; i < answers.size(); i++) {
                            if (answers.get(i) == null) {
                                answers.set(i, new BatchCreated(byId.get(ids.get(j++)), null));
                            }
                        }
                        return answers;
                    });
                }));
    }

    private static Uni<List<Command>> insertAll(SqlConnection tx, List<String> ids, List<NewCommand> cs, Instant now) {
        int n = cs.size();
        String[] tenants = new String[n], devices = new String[n], names = new String[n], payloads = new String[n],
                requestedBy = new String[n], replayOf = new String[n], delivery = new String[n];
        Integer[] maxAttempts = new Integer[n];
        Long[] ackTimeouts = new Long[n];
        OffsetDateTime[] expires = new OffsetDateTime[n], instances = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            NewCommand c = cs.get(i);
            tenants[i] = c.tenantId();
            devices[i] = c.deviceId();
            names[i] = c.name();
            payloads[i] = EventJson.write(c.payload());
            requestedBy[i] = c.requestedBy();
            replayOf[i] = c.replayOf();
            delivery[i] = c.delivery().name();
            maxAttempts[i] = c.maxAttempts();
            ackTimeouts[i] = c.ackTimeout().toMillis();
            expires[i] = at(now.plus(c.ttl()));
            instances[i] = at(c.deviceCreatedAt());
        }
        Tuple args = Tuple.tuple().addValue(at(now)).addValue(ids.toArray(String[]::new)).addValue(tenants)
                .addValue(devices).addValue(names).addValue(payloads).addValue(maxAttempts).addValue(ackTimeouts)
                .addValue(expires).addValue(requestedBy).addValue(replayOf).addValue(delivery).addValue(instances);
        return list(tx.preparedQuery("WITH changed AS (INSERT INTO command (id, tenant_id, device_id, name, payload, "
                + "status, max_attempts, ack_timeout_ms, created_at, expires_at, next_attempt_at, requested_by, replay_of, "
                + "updated_at, delivery, device_created_at) SELECT id, tenant_id, device_id, name, payload, 'QUEUED', "
                + "max_attempts, ack_timeout_ms, $1, expires_at, $1, requested_by, replay_of, $1, delivery, "
                + "device_created_at FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], "
                + "$8::bigint[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::timestamptz[]) "
                + "WITH ORDINALITY AS u(id, tenant_id, device_id, name, payload, max_attempts, ack_timeout_ms, "
                + "expires_at, requested_by, replay_of, delivery, device_created_at, o) ORDER BY o RETURNING *), t AS ("
                + TRANSITIONS + ") SELECT * FROM changed").execute(args));
    }

    private Uni<Command> existing(SqlConnection tx, NewCommand c) {
        if (c.scheduleId() != null) {
            return one(tx.preparedQuery("SELECT * FROM command WHERE schedule_id = $1 AND scheduled_for = $2")
                    .execute(Tuple.of(c.scheduleId(), at(c.scheduledFor()))));
        }
        if (c.requestId() != null) {
            return one(tx.preparedQuery("SELECT * FROM command WHERE request_id = $1").execute(Tuple.of(c.requestId())));
        }
        if (c.idempotencyKey() != null) {
            return one(tx.preparedQuery("SELECT * FROM command WHERE tenant_id = $1 AND idempotency_key = $2")
                    .execute(Tuple.of(c.tenantId(), c.idempotencyKey())));
        }
        return Uni.createFrom().nullItem();
    }

    private Uni<Command> insert(SqlConnection tx, NewCommand c, Instant now) {
        Instant ttlFrom = c.scheduledFor() != null ? c.scheduledFor() : now;
        Tuple t = Tuple.tuple().addString(UUID.randomUUID().toString()).addString(c.tenantId()).addString(c.deviceId())
                .addString(c.name()).addString(EventJson.write(c.payload())).addInteger(c.maxAttempts())
                .addLong(c.ackTimeout().toMillis()).addValue(at(now)).addValue(at(ttlFrom.plus(c.ttl())))
                .addString(c.idempotencyKey()).addString(c.requestId()).addString(c.requestedBy())
                .addString(c.correlationId()).addString(c.replayOf()).addString(c.delivery().name())
                .addString(c.scheduleId()).addValue(at(c.scheduledFor())).addValue(at(c.deviceCreatedAt()));
        return one(tx.preparedQuery("WITH changed AS (INSERT INTO command (id, tenant_id, device_id, name, payload, status, "
                + "max_attempts, ack_timeout_ms, created_at, expires_at, next_attempt_at, idempotency_key, request_id, "
                + "requested_by, correlation_id, replay_of, updated_at, delivery, schedule_id, scheduled_for, "
                + "device_created_at) VALUES "
                + "($1, $2, $3, $4, $5, 'QUEUED', $6, $7, $8, $9, $8, $10, $11, $12, $13, $14, $8, $15, $16, $17, $18) "
                + "ON CONFLICT DO NOTHING RETURNING *), t AS (" + TRANSITIONS + ") SELECT * FROM changed").execute(t));
    }

    /** Refuses a second reconnect signal while one still waits for the device's next heartbeat. */
    private static Uni<Void> pendingReconnect(SqlConnection tx, String deviceId) {
        return tx.preparedQuery("SELECT reconnect_command_id FROM device_signal WHERE device_id = $1 "
                + "AND should_reconnect").execute(Tuple.of(deviceId)).invoke(rows -> {
                    if (rows.size() > 0) {
                        throw new DomainException.Conflict("reconnect-pending", "a reconnect (command '"
                                + rows.iterator().next().getString(0) + "') already waits for the next heartbeat of "
                                + "device '" + deviceId + "'; it is answered once");
                    }
                }).replaceWithVoid();
    }

    /**
     * A reconnect for an HTTP device is SENT as soon as its signal is in the outbox: the device learns it from its next
     * heartbeat response, and ingest's delivery report completes it ({@link #signalDelivered}).
     */
    private Uni<Command> signalled(SqlConnection tx, Command c, Instant now) {
        return one(tx.preparedQuery("WITH changed AS (UPDATE command SET status = 'SENT', attempts = 1, sent_at = $2, "
                + "next_attempt_at = NULL, updated_at = $2 WHERE id = $1 RETURNING *), t AS (INSERT INTO "
                + "command_transition (command_id, status, attempt, detail, at) SELECT id, status, attempts, "
                + "'signalled on device-signals: answered in the next heartbeat response', updated_at FROM changed) "
                + "SELECT * FROM changed").execute(Tuple.of(c.id(), at(now))))
                .call(sent -> signal(tx, "INSERT INTO device_signal (device_id, tenant_id, revision, should_reconnect, "
                        + "reconnect_command_id, remote_control_enabled, updated_at) VALUES ($1, $2, $3, true, $4, true, "
                        + "$5) ON CONFLICT (device_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, revision = "
                        + "GREATEST(device_signal.revision + 1, EXCLUDED.revision), should_reconnect = true, "
                        + "reconnect_command_id = EXCLUDED.reconnect_command_id, remote_control_enabled = true, "
                        + "updated_at = EXCLUDED.updated_at RETURNING *",
                        Tuple.of(c.deviceId(), c.tenantId(), now.toEpochMilli(), c.id(), at(now))));
    }

    /**
     * Writes the device's signal and puts it into the outbox for the compacted {@code device-signals} topic. Its
     * revision grows by one per change and is at least the time in milliseconds, so it keeps growing even after this
     * table was lost while the topic kept older signals.
     */
    private static Uni<Void> signal(SqlConnection tx, String upsert, Tuple args) {
        return tx.preparedQuery(upsert).execute(args).flatMap(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().voidItem();
            }
            Row r = rows.iterator().next();
            DeviceSignal s = new DeviceSignal(DeviceSignal.SCHEMA_VERSION, r.getString("device_id"),
                    r.getString("tenant_id"), r.getBoolean("should_reconnect"), r.getString("reconnect_command_id"),
                    r.getBoolean("remote_control_enabled"), r.getLong("revision"), Command.instant(r, "updated_at"));
            return OutboxRelay.append(tx, Topics.DEVICE_SIGNALS, s.deviceId(), EventJson.write(s));
        });
    }

    /**
     * Ingest answered the device's heartbeat with the reconnect: the command SUCCEEDED, with the round trip from its
     * signal to the delivery. Null when it changed nothing (a redelivered report, or the command is final already).
     */
    public Uni<Command> signalDelivered(Target device, String commandId, Instant deliveredAt, Instant now) {
        Map<String, Object> result = Map.of("deliveredAt", deliveredAt.toString(), "via", "heartbeat-response");
        Tuple t = Tuple.tuple().addString(commandId).addString(device.deviceId()).addValue(at(now))
                .addString(EventJson.write(result)).addValue(at(deliveredAt)).addString(device.tenantId())
                .addValue(at(device.createdAt()));
        return changeOne(now, "UPDATE command SET status = 'SUCCEEDED', completed_at = $3, next_attempt_at = NULL, "
                + "updated_at = $3, result = $4, round_trip_ms = GREATEST(0, (extract(epoch FROM ($5 - sent_at)) * 1000)"
                + "::bigint) WHERE id = $1 AND device_id = $2 AND delivery = 'SIGNAL' AND " + OPEN + " AND "
                + CURRENT_INSTANCE.formatted("$6", "$7") + " RETURNING *", t);
    }

    /**
     * A command that is final at once, in the caller's transaction (e.g. a request for a device without remote
     * control): stored FAILED with its refusal code and reason, and its result published.
     */
    public Uni<Command> createFailed(SqlConnection tx, NewCommand c, Instant now, String refusal, String reason) {
        return existing(tx, c).flatMap(found -> {
            if (found != null) {
                return Uni.createFrom().item(found);
            }
            Tuple t = Tuple.tuple().addString(UUID.randomUUID().toString()).addString(c.tenantId())
                    .addString(c.deviceId()).addString(c.name()).addString(EventJson.write(c.payload()))
                    .addInteger(c.maxAttempts()).addLong(c.ackTimeout().toMillis()).addValue(at(now))
                    .addString(reason).addString(c.requestId()).addString(c.requestedBy()).addString(c.correlationId())
                    .addString(c.delivery().name()).addString(c.scheduleId()).addValue(at(c.scheduledFor()))
                    .addValue(at(c.deviceCreatedAt())).addString(refusal);
            return list(tx.preparedQuery("WITH changed AS (INSERT INTO command (id, tenant_id, device_id, name, payload, "
                    + "status, max_attempts, ack_timeout_ms, created_at, expires_at, completed_at, last_error, "
                    + "request_id, requested_by, correlation_id, updated_at, delivery, schedule_id, scheduled_for, "
                    + "device_created_at, refusal) "
                    + "VALUES ($1, $2, $3, $4, $5, 'FAILED', $6, $7, $8, $8, $8, $9, $10, $11, $12, $8, $13, $14, $15, "
                    + "$16, $17) "
                    + "ON CONFLICT DO NOTHING RETURNING *), t AS (" + TRANSITIONS + ") SELECT * FROM changed").execute(t))
                    .flatMap(rows -> events(tx, rows).replaceWith(rows.isEmpty() ? null : rows.get(0)));
        });
    }

    public Uni<Command> find(String id) {
        return one(pool.preparedQuery("SELECT * FROM command WHERE id = $1").execute(Tuple.of(id)));
    }

    /** A command's status changes, oldest first. */
    public Uni<List<Transition>> transitions(String id) {
        return pool.preparedQuery("SELECT status, attempt, detail, at FROM command_transition WHERE command_id = $1 "
                + "ORDER BY id").execute(Tuple.of(id)).map(rows -> {
                    List<Transition> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Transition(CommandStatus.valueOf(r.getString("status")), r.getInteger("attempt"),
                                r.getString("detail"), r.getOffsetDateTime("at").toInstant()));
                    }
                    return out;
                });
    }

    public record Transition(CommandStatus status, int attempt, String detail, Instant at) {
    }

    /** Commands newest first; null filters match everything ({@code tenantId} null: every tenant). */
    public Uni<Page<Command>> list(String tenantId, String deviceId, CommandStatus status, Instant since, int page,
            int size) {
        String where = " WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR device_id = $2) "
                + "AND ($3::text IS NULL OR status = $3) AND ($4::timestamptz IS NULL OR created_at >= $4)";
        Tuple filter = Tuple.tuple().addString(tenantId).addString(deviceId)
                .addString(status == null ? null : status.name()).addValue(at(since));
        return pool.preparedQuery("SELECT count(*) FROM command" + where).execute(filter)
                .flatMap(count -> {
                    long total = count.iterator().next().getLong(0);
                    Tuple t = Tuple.tuple().addString(tenantId).addString(deviceId)
                            .addString(status == null ? null : status.name()).addValue(at(since)).addInteger(size)
                            .addLong((long) page * size);
                    return list(pool.preparedQuery("SELECT * FROM command" + where
                            + " ORDER BY created_at DESC, seq DESC LIMIT $5 OFFSET $6").execute(t))
                            .map(items -> Page.of(items, c -> c, page, size, total));
                });
    }

    /** Cancels an open command; null when it is final already (or does not exist). */
    public Uni<Command> cancel(String id, Instant now) {
        return changeOne(now, "UPDATE command SET status = 'CANCELLED', completed_at = $2, next_attempt_at = NULL, "
                + "updated_at = $2, last_error = 'cancelled by a user' WHERE id = $1 AND " + OPEN + " RETURNING *",
                Tuple.of(id, at(now)));
    }

    /** A device's answer to a command, as it arrived on {@code devices/{id}/status}, and when it arrived. */
    public record Ack(String deviceId, String commandId, boolean ok, Map<String, Object> result, Instant receivedAt,
            String tenantId, Instant deviceCreatedAt) {
    }

    /**
     * The devices' answers, in one transaction: SENT or TIMED_OUT commands (a late answer to an earlier attempt still
     * says it ran) become SUCCEEDED or FAILED, completed when the answer arrived, with the round trip from the last
     * send to that arrival (time spent waiting for the batch does not count). Returns the ids of the commands changed; an
     * answer that changed nothing (duplicate, late, unknown, another device's command) is not among them.
     * Of several answers to one command in the batch the first counts.
     */
    public Uni<Set<String>> ackAll(List<Ack> acks) {
        Map<String, Ack> first = new LinkedHashMap<>();
        for (Ack a : acks) {
            first.putIfAbsent(a.commandId(), a);
        }
        int n = first.size();
        String[] ids = new String[n];
        String[] deviceIds = new String[n];
        String[] statuses = new String[n];
        String[] results = new String[n];
        OffsetDateTime[] received = new OffsetDateTime[n];
        String[] tenants = new String[n];
        OffsetDateTime[] instances = new OffsetDateTime[n];
        int i = 0;
        for (Ack a : first.values()) {
            tenants[i] = a.tenantId();
            instances[i] = at(a.deviceCreatedAt());
            ids[i] = a.commandId();
            deviceIds[i] = a.deviceId();
            statuses[i] = a.ok() ? "SUCCEEDED" : "FAILED";
            results[i] = a.result() == null ? null : EventJson.write(a.result());
            received[i] = at(a.receivedAt());
            i++;
        }
        Tuple args = Tuple.tuple().addValue(ids).addValue(deviceIds).addValue(statuses).addValue(results)
                .addValue(received).addValue(tenants).addValue(instances);
        return pool.withTransaction(tx -> list(tx.preparedQuery("WITH a AS (SELECT * FROM unnest($1::text[], "
                + "$2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::timestamptz[]) "
                + "AS a(id, device_id, status, result, at, tenant_id, device_created_at)), "
                + "changed AS (UPDATE command c SET status = a.status, completed_at = a.at, next_attempt_at = NULL, "
                + "updated_at = a.at, result = a.result, "
                + "round_trip_ms = GREATEST(0, (extract(epoch FROM (a.at - c.sent_at)) * 1000)::bigint), "
                + "last_error = CASE WHEN a.status = 'FAILED' THEN 'the device answered error' END FROM a "
                + "WHERE c.id = a.id AND c.device_id = a.device_id AND c.status IN ('SENT', 'TIMED_OUT') "
                // only the device instance the command is for: an id registered again answers none of the old ones
                + "AND c.tenant_id = a.tenant_id "
                + "AND (c.device_created_at IS NULL OR c.device_created_at = a.device_created_at) "
                + "RETURNING c.*), t AS (" + TRANSITIONS + ") SELECT * FROM changed")
                .execute(args))
                .flatMap(changed -> events(tx, changed).replaceWith(
                        changed.stream().map(Command::id).collect(Collectors.toSet()))));
    }

    /** Keeps answers Postgres refused for their data (as JSON, NULs escaped) in {@code rejected_row}. */
    public Uni<Void> reject(List<Rejected<Ack>> acks) {
        return RejectedRows.store(pool, ACK_WRITER, acks, EventJson::write);
    }

    /**
     * Claims up to {@code limit} due commands of the given connected device instances, oldest first, and marks them
     * SENT (attempt + 1, ack due after the ack timeout); the caller publishes the SENT ones after the commit. A crash
     * in between leaves them SENT, so they time out and go again: at least once, never lost. A command is claimed only
     * for the instance it was made for (tenant and registration), so another tenant's later device with the same id
     * never gets it. A due command of a device whose remote control is off now is CANCELLED instead (refusal
     * {@code remote-control-disabled}): the switch also stops what was queued or waiting for a retry.
     */
    public Uni<List<Command>> claimDue(List<Target> targets, Instant now, int limit) {
        if (targets.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int n = targets.size();
        String[] ids = new String[n];
        String[] tenants = new String[n];
        OffsetDateTime[] instances = new OffsetDateTime[n];
        Boolean[] remoteControl = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Target t = targets.get(i);
            ids[i] = t.deviceId();
            tenants[i] = t.tenantId();
            instances[i] = at(t.createdAt());
            remoteControl[i] = t.remoteControl();
        }
        Tuple args = Tuple.tuple().addValue(at(now)).addValue(ids).addValue(tenants).addValue(instances)
                .addValue(remoteControl).addInteger(limit);
        return pool.withTransaction(tx -> list(tx.preparedQuery("""
                WITH d AS (
                    SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::boolean[])
                        AS d(device_id, tenant_id, created_at, remote_control)),
                due AS (
                    SELECT c.id, d.remote_control
                    FROM command c
                    JOIN d ON c.device_id = d.device_id
                          AND c.tenant_id = d.tenant_id
                          AND (c.device_created_at IS NULL OR c.device_created_at = d.created_at)
                    WHERE c.status IN ('QUEUED', 'TIMED_OUT')
                      AND c.delivery = 'MQTT'
                      AND c.next_attempt_at <= $1
                      AND c.expires_at > $1
                    ORDER BY c.seq
                    LIMIT $6
                    FOR UPDATE OF c SKIP LOCKED),
                changed AS (
                    UPDATE command c
                    SET status = CASE WHEN due.remote_control THEN 'SENT' ELSE 'CANCELLED' END,
                        attempts = c.attempts + CASE WHEN due.remote_control THEN 1 ELSE 0 END,
                        sent_at = CASE WHEN due.remote_control THEN $1 ELSE c.sent_at END,
                        next_attempt_at = CASE WHEN due.remote_control
                            THEN $1 + c.ack_timeout_ms * interval '1 millisecond' END,
                        completed_at = CASE WHEN due.remote_control THEN NULL ELSE $1 END,
                        refusal = CASE WHEN due.remote_control THEN NULL ELSE 'remote-control-disabled' END,
                        last_error = CASE WHEN due.remote_control THEN c.last_error
                            ELSE 'remote control was disabled for the device before the command was sent' END,
                        updated_at = $1
                    FROM due
                    WHERE c.id = due.id
                    RETURNING c.*),
                t AS (""" + TRANSITIONS + """
                )
                SELECT * FROM changed""").execute(args))
                .flatMap(changed -> events(tx, changed).replaceWith(changed)))
                .map(rows -> {
                    List<Command> sorted = new ArrayList<>(rows);
                    sorted.sort(Comparator.comparing(Command::createdAt).thenComparing(Command::id));
                    return sorted;
                });
    }

    /**
     * Commands claimed for a send that definitely did not leave (the publish failed): back to QUEUED (or TIMED_OUT,
     * for a retry), due at once, without spending the attempt; only a send that may have reached the broker counts.
     * Their order (seq) is unchanged, so they go first again, in order.
     */
    public Uni<Integer> unclaim(List<String> ids, Instant now, String why) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.withTransaction(tx -> tx.preparedQuery("""
                WITH changed AS (
                    UPDATE command
                    SET status = CASE WHEN attempts > 1 THEN 'TIMED_OUT' ELSE 'QUEUED' END,
                        attempts = attempts - 1,
                        sent_at = CASE WHEN attempts > 1 THEN sent_at END,
                        next_attempt_at = $2,
                        updated_at = $2
                    WHERE id = ANY($1) AND status = 'SENT'
                    RETURNING *),
                t AS (
                    INSERT INTO command_transition (command_id, status, attempt, detail, at)
                    SELECT id, status, attempts, $3, updated_at FROM changed)
                SELECT count(*) FROM changed""").execute(Tuple.of(ids.toArray(new String[0]), at(now), why))
                .map(rows -> rows.iterator().next().getLong(0).intValue()));
    }

    /**
     * Cancels the open commands of {@code deviceId} that are not for the instance {@code current} names (null: the
     * device is gone, so all of them), with the refusal {@code device-deleted}; their requesters get their results.
     * Returns how many. A command stored before instances were recorded counts as the current instance's when its
     * tenant is the current one.
     */
    public Uni<Integer> cancelOthers(String deviceId, ScheduleStore.Instance current, Instant now) {
        Tuple t = Tuple.tuple().addString(deviceId).addString(current == null ? null : current.tenantId())
                .addValue(at(current == null ? null : current.createdAt())).addValue(at(now));
        return pool.withTransaction(tx -> list(tx.preparedQuery("""
                WITH gone AS (
                    SELECT id FROM command
                    WHERE device_id = $1
                      AND completed_at IS NULL
                      AND NOT (tenant_id IS NOT DISTINCT FROM $2
                           AND (device_created_at IS NULL OR device_created_at = $3::timestamptz))
                    FOR UPDATE),
                changed AS (
                    UPDATE command c
                    SET status = 'CANCELLED', completed_at = $4, next_attempt_at = NULL, updated_at = $4,
                        refusal = 'device-deleted',
                        last_error = 'the device was deleted (or its id registered again) before it answered'
                    FROM gone
                    WHERE c.id = gone.id
                    RETURNING c.*),
                t AS (""" + TRANSITIONS + """
                )
                SELECT * FROM changed""").execute(t))
                .flatMap(changed -> events(tx, changed).replaceWith(changed.size())));
    }

    /** The device instances open commands are for. */
    public Uni<List<ScheduleStore.Instance>> openInstances() {
        return pool.query("SELECT DISTINCT device_id, tenant_id, device_created_at FROM command WHERE " + OPEN)
                .execute().map(CommandStore::instances);
    }

    static List<ScheduleStore.Instance> instances(RowSet<Row> rows) {
        List<ScheduleStore.Instance> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new ScheduleStore.Instance(r.getString("device_id"), r.getString("tenant_id"),
                    Command.instant(r, "device_created_at")));
        }
        return out;
    }

    /**
     * SENT commands whose ack is overdue: TIMED_OUT with the next attempt after the backoff, or DEAD_LETTERED (with a
     * {@code commands.dlq} record) once the attempts are used up.
     */
    public Uni<Integer> timeOut(Instant now, int limit, Backoff backoff) {
        return pool.withTransaction(tx -> tx.preparedQuery("SELECT id, attempts, max_attempts FROM command "
                + "WHERE status = 'SENT' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 "
                + "FOR UPDATE SKIP LOCKED").execute(Tuple.of(at(now), limit)).flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(0);
                    }
                    List<String> ids = new ArrayList<>();
                    List<OffsetDateTime> next = new ArrayList<>();
                    for (Row r : rows) {
                        int attempts = r.getInteger("attempts");
                        ids.add(r.getString("id"));
                        next.add(attempts >= r.getInteger("max_attempts") ? null
                                : at(now.plus(backoff.after(attempts))));
                    }
                    return list(tx.preparedQuery("WITH due AS (SELECT * FROM unnest($2::text[], $3::timestamptz[]) "
                            + "AS d(id, next_at)), changed AS (UPDATE command c SET "
                            + "status = CASE WHEN due.next_at IS NULL THEN 'DEAD_LETTERED' ELSE 'TIMED_OUT' END, "
                            + "next_attempt_at = due.next_at, completed_at = CASE WHEN due.next_at IS NULL THEN $1::timestamptz END, "
                            + "last_error = 'no ack within ' || c.ack_timeout_ms || ' ms (attempt ' || c.attempts || ')', "
                            + "updated_at = $1 FROM due WHERE c.id = due.id RETURNING c.*), t AS (" + TRANSITIONS
                            + ") SELECT * FROM changed")
                            .execute(Tuple.of(at(now), ids.toArray(new String[0]), next.toArray(new OffsetDateTime[0]))))
                            .flatMap(changed -> events(tx, changed).replaceWith(changed.size()));
                }));
    }

    /** Open commands whose TTL passed become EXPIRED; one that was never sent will never be. */
    public Uni<Integer> expire(Instant now, int limit) {
        return pool.withTransaction(tx -> list(tx.preparedQuery("WITH due AS (SELECT id FROM command WHERE " + OPEN
                + " AND expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED), changed AS (UPDATE command c SET "
                + "status = 'EXPIRED', completed_at = $1, next_attempt_at = NULL, updated_at = $1, "
                + "last_error = 'the TTL passed before the device answered' FROM due WHERE c.id = due.id RETURNING c.*), "
                + "t AS (" + TRANSITIONS + ") SELECT * FROM changed").execute(Tuple.of(at(now), limit)))
                .flatMap(changed -> events(tx, changed).replaceWith(changed.size())));
    }

    /**
     * Deletes up to {@code limit} commands that became final before {@code before}, with their transitions; returns
     * how many. Open commands are never deleted, however old.
     */
    public Uni<Integer> purge(Instant before, int limit) {
        return pool.withTransaction(tx -> tx.preparedQuery("WITH old AS (SELECT id FROM command WHERE completed_at < $1 "
                + "LIMIT $2 FOR UPDATE SKIP LOCKED), t AS (DELETE FROM command_transition WHERE command_id IN "
                + "(SELECT id FROM old)) DELETE FROM command WHERE id IN (SELECT id FROM old)")
                .execute(Tuple.of(at(before), limit)).map(RowSet::rowCount));
    }

    private Uni<Command> changeOne(Instant now, String update, Tuple args) {
        return pool.withTransaction(tx -> list(tx.preparedQuery("WITH changed AS (" + update + "), t AS ("
                + TRANSITIONS + ") SELECT * FROM changed").execute(args))
                .flatMap(rows -> events(tx, rows).replaceWith(rows.isEmpty() ? null : rows.get(0))));
    }

    /**
     * The events of commands that just became final, in the same transaction: the result for a requesting service,
     * the dead letter for operators, and for a reconnect signal the signal cleared.
     */
    private static Uni<Void> events(SqlConnection tx, List<Command> changed) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Command c : changed) {
            if (!c.status().terminal()) {
                continue;
            }
            if (c.requestId() != null) {
                CommandResult r = new CommandResult(CommandResult.SCHEMA_VERSION, c.requestId(), c.id(), c.deviceId(),
                        c.tenantId(), c.status(), c.result(), c.roundTripMs(), c.correlationId(), c.completedAt(),
                        c.attempts(), c.refusal());
                chain = chain.call(() -> OutboxRelay.append(tx, Topics.COMMAND_RESULTS, c.deviceId(), EventJson.write(r)));
            }
            if (c.status() == CommandStatus.DEAD_LETTERED) {
                DeadLetteredCommand d = new DeadLetteredCommand(DeadLetteredCommand.SCHEMA_VERSION, c.id(), c.deviceId(),
                        c.tenantId(), c.name(), c.payload(), c.attempts(), c.lastError(), c.createdAt(),
                        c.completedAt());
                chain = chain.call(() -> OutboxRelay.append(tx, Topics.COMMANDS_DLQ, c.deviceId(), EventJson.write(d)));
            }
            if (c.delivery() == Command.Delivery.SIGNAL) {
                chain = chain.call(() -> signal(tx, "UPDATE device_signal SET revision = GREATEST(revision + 1, $3), "
                        + "should_reconnect = false, reconnect_command_id = NULL, updated_at = $4 "
                        + "WHERE device_id = $1 AND reconnect_command_id = $2 RETURNING *",
                        Tuple.of(c.deviceId(), c.id(), c.updatedAt().toEpochMilli(), at(c.updatedAt()))));
            }
        }
        return chain;
    }

    private static Uni<Command> one(Uni<RowSet<Row>> rows) {
        return list(rows).map(l -> l.isEmpty() ? null : l.get(0));
    }

    private static Uni<List<Command>> list(Uni<RowSet<Row>> rows) {
        return rows.map(set -> {
            List<Command> out = new ArrayList<>(set.size());
            for (Row r : set) {
                out.add(Command.of(r));
            }
            return out;
        });
    }
}
