package io.heartbeat.command.store;

import static io.heartbeat.command.store.CommandStore.at;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.rest.Page;
import io.heartbeat.contracts.EventJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Schedules in SQL. Due ones are claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas never fire one twice. */
@ApplicationScoped
public class ScheduleStore {

    /** A schedule's settings as a user gives them, validated. */
    public record Settings(String description, String cron, String timeZone, CommandSpec command,
            boolean enabled) {
    }

    private final Pool pool;

    public ScheduleStore(Pool pool) {
        this.pool = pool;
    }

    /** Runs {@code work} in one transaction (commits when it succeeds). */
    public <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    /** A device instance that open commands or enabled schedules are for. */
    public record Instance(String deviceId, String tenantId, Instant createdAt) {
    }

    public Uni<Schedule> insert(String id, String tenantId, String deviceId, Instant deviceCreatedAt, Settings s,
            Instant nextFireAt, String createdBy, Instant now) {
        Tuple t = Tuple.tuple().addString(id).addString(tenantId).addString(deviceId).addString(s.description())
                .addString(s.cron()).addString(s.timeZone()).addString(s.command().name())
                .addString(EventJson.write(s.command().payload())).addLong(s.command().ttl().toMillis())
                .addLong(s.command().ackTimeout().toMillis()).addInteger(s.command().maxAttempts())
                .addBoolean(s.enabled()).addValue(at(nextFireAt)).addString(createdBy).addValue(at(now))
                .addValue(at(deviceCreatedAt));
        return one(pool.preparedQuery("""
                INSERT INTO schedule (id, tenant_id, device_id, description, cron, time_zone, command_name, payload,
                    ttl_ms, ack_timeout_ms, max_attempts, enabled, next_fire_at, created_by, created_at, updated_at,
                    device_created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)
                RETURNING *""").execute(t));
    }

    /** Replaces a schedule's settings; its timer restarts from now. Null when it does not exist. */
    public Uni<Schedule> update(String id, Settings s, Instant nextFireAt, Instant now) {
        Tuple t = Tuple.tuple().addString(id).addString(s.description()).addString(s.cron()).addString(s.timeZone())
                .addString(s.command().name()).addString(EventJson.write(s.command().payload()))
                .addLong(s.command().ttl().toMillis()).addLong(s.command().ackTimeout().toMillis())
                .addInteger(s.command().maxAttempts()).addBoolean(s.enabled()).addValue(at(nextFireAt))
                .addValue(at(now));
        return one(pool.preparedQuery("UPDATE schedule SET description = $2, cron = $3, time_zone = $4, "
                + "command_name = $5, payload = $6, ttl_ms = $7, ack_timeout_ms = $8, max_attempts = $9, enabled = $10, "
                + "next_fire_at = $11, updated_at = $12, revision = revision + 1, disabled_reason = NULL WHERE id = $1 "
                + "RETURNING *").execute(t));
    }

    public Uni<Schedule> find(String id) {
        return one(pool.preparedQuery("SELECT * FROM schedule WHERE id = $1").execute(Tuple.of(id)));
    }

    public Uni<Boolean> delete(String id) {
        return pool.preparedQuery("DELETE FROM schedule WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.rowCount() > 0);
    }

    /** Schedules oldest first; null filters match everything ({@code tenantId} null: every tenant). */
    public Uni<Page<Schedule>> list(String tenantId, String deviceId, int page, int size) {
        String where = " WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR device_id = $2)";
        return pool.preparedQuery("SELECT count(*) FROM schedule" + where).execute(Tuple.of(tenantId, deviceId))
                .flatMap(count -> {
                    long total = count.iterator().next().getLong(0);
                    return list(pool.preparedQuery("SELECT * FROM schedule" + where
                            + " ORDER BY created_at, id LIMIT $3 OFFSET $4")
                            .execute(Tuple.of(tenantId, deviceId, size, (long) page * size)))
                            .map(items -> Page.of(items, s -> s, page, size, total));
                });
    }

    /**
     * Locks up to {@code limit} schedules due at {@code now}, oldest fire time first, skipping those another
     * transaction (another replica) holds; the caller fires them and moves their timers in the same transaction.
     */
    public Uni<List<Schedule>> claimDue(SqlConnection tx, Instant now, int limit) {
        return list(tx.preparedQuery("SELECT * FROM schedule WHERE next_fire_at <= $1 ORDER BY next_fire_at "
                + "LIMIT $2 FOR UPDATE SKIP LOCKED").execute(Tuple.of(at(now), limit)));
    }

    /**
     * After a fire: the next fire time (null: none ever again), and when a command was made, the fire time it was
     * made for and its id; {@code missed} fire times made none.
     */
    public Uni<Void> fired(SqlConnection tx, String id, Instant next, Instant firedFor, String commandId, long missed) {
        return tx.preparedQuery("UPDATE schedule SET next_fire_at = $2, last_fired_at = COALESCE($3, last_fired_at), "
                + "last_command_id = COALESCE($4, last_command_id), missed_fires = missed_fires + $5 WHERE id = $1")
                .execute(Tuple.of(id, at(next), at(firedFor), commandId, missed)).replaceWithVoid();
    }

    /**
     * Disables the enabled schedules of {@code deviceId} that are not for the instance {@code current} names (null:
     * the device is gone, so all of them), with {@code reason}; returns how many. A schedule stored before instances
     * were recorded counts as the current instance's when its tenant is the current one.
     */
    public Uni<Integer> disableOthers(String deviceId, Instance current, String reason, Instant now) {
        Tuple t = Tuple.tuple().addString(deviceId).addString(current == null ? null : current.tenantId())
                .addValue(at(current == null ? null : current.createdAt())).addString(reason).addValue(at(now));
        return pool.preparedQuery("""
                UPDATE schedule
                SET enabled = false, next_fire_at = NULL, disabled_reason = $4, updated_at = $5, revision = revision + 1
                WHERE device_id = $1
                  AND enabled
                  AND NOT (tenant_id IS NOT DISTINCT FROM $2
                       AND (device_created_at IS NULL OR device_created_at = $3::timestamptz))""")
                .execute(t).map(RowSet::rowCount);
    }

    /** The same for one schedule claimed in {@code tx} at its fire time. */
    public Uni<Void> disable(SqlConnection tx, String id, String reason, Instant now) {
        return tx.preparedQuery("""
                UPDATE schedule
                SET enabled = false, next_fire_at = NULL, disabled_reason = $2, updated_at = $3, revision = revision + 1
                WHERE id = $1""").execute(Tuple.of(id, reason, at(now))).replaceWithVoid();
    }

    /** The device instances enabled schedules are for. */
    public Uni<List<Instance>> enabledInstances() {
        return pool.query("SELECT DISTINCT device_id, tenant_id, device_created_at FROM schedule WHERE enabled")
                .execute().map(CommandStore::instances);
    }

    private static Uni<Schedule> one(Uni<RowSet<Row>> rows) {
        return list(rows).map(l -> l.isEmpty() ? null : l.get(0));
    }

    private static Uni<List<Schedule>> list(Uni<RowSet<Row>> rows) {
        return rows.map(set -> {
            List<Schedule> out = new ArrayList<>(set.size());
            for (Row r : set) {
                out.add(Schedule.of(r));
            }
            return out;
        });
    }
}
