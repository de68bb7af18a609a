package io.heartbeat.registry.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.registry.entity.OutboxEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Outbox rows: written through Hibernate in the change's transaction, read and deleted by the relay through the
 * reactive SQL client under a transaction-scoped advisory lock, so exactly one relay (of any replica) publishes at a
 * time and records leave in commit order per device.
 */
@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxEvent> {

    /** Advisory lock key of the relay ("hbrelay1"). */
    static final long RELAY_LOCK = 0x6862_7265_6c61_7931L;

    public record Pending(long id, String topic, String key, String payload) {
    }

    private final Pool pool;

    public OutboxRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Runs {@code work} on the oldest pending rows inside one transaction that holds the relay lock; work returns the
     * ids it published, which are deleted before commit. Returns the number published, 0 if another relay holds the
     * lock.
     */
    public Uni<Integer> relay(int batchSize, java.util.function.Function<List<Pending>, Uni<List<Long>>> work) {
        return pool.withTransaction(conn -> tryLock(conn).flatMap(locked -> {
            if (!locked) {
                return Uni.createFrom().item(0);
            }
            return oldest(conn, batchSize).flatMap(rows -> rows.isEmpty()
                    ? Uni.createFrom().item(0)
                    : work.apply(rows).flatMap(published -> delete(conn, published).replaceWith(published.size())));
        }));
    }

    public Uni<Long> pendingCount() {
        return pool.query("SELECT count(*) FROM outbox").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private static Uni<Boolean> tryLock(SqlConnection conn) {
        return conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)").execute(Tuple.of(RELAY_LOCK))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static Uni<List<Pending>> oldest(SqlConnection conn, int limit) {
        return conn.preparedQuery("SELECT id, topic, message_key, payload FROM outbox ORDER BY id LIMIT $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Pending> pending = new ArrayList<>();
                    for (Row r : rows) {
                        pending.add(new Pending(r.getLong("id"), r.getString("topic"), r.getString("message_key"),
                                r.getString("payload")));
                    }
                    return pending;
                });
    }

    private static Uni<Void> delete(SqlConnection conn, List<Long> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("DELETE FROM outbox WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(new Long[0])))
                .replaceWithVoid();
    }
}
