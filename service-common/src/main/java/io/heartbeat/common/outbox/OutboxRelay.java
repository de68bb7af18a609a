package io.heartbeat.common.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The transactional outbox every service publishes its events through: a change and its event commit together (the
 * service writes a row into its own {@code outbox} table in the change's transaction, with {@link #append} or its ORM),
 * and this relay publishes rows to Kafka in id order and deletes them once Kafka has acknowledged them (acks=all,
 * idempotent producer on the emitter's channel). While Kafka is down rows stay and are retried on the next run: an event
 * is delayed, never lost. A row published whose deletion then fails is published again, so consumers must be idempotent
 * (the platform's events carry revisions or event ids for that).
 * <p>
 * Rows are read and deleted under a transaction-scoped advisory lock, so exactly one relay of all replicas publishes at
 * a time and records leave in commit order. The table each service creates in its own schema:
 *
 * <pre>
 * CREATE TABLE outbox (
 *     id          bigserial PRIMARY KEY,
 *     topic       text        NOT NULL,
 *     message_key text        NOT NULL,
 *     payload     text,
 *     created_at  timestamptz NOT NULL DEFAULT now()
 * );
 * </pre>
 *
 * Not a bean: a service creates one with its pool, lock key and emitter, and calls {@link #run()} from a
 * {@code @Scheduled} method (and, for lower latency, right after a commit that wrote rows: concurrent runs are safe, a
 * run that does not get the lock publishes nothing).
 */
public class OutboxRelay {

    private final Pool pool;
    private final long lockKey;
    private final MutinyEmitter<Record<String, String>> emitter;
    private final int batchSize;
    private final Counter published;
    private final Counter failures;
    private final AtomicLong pending = new AtomicLong();

    /**
     * @param lockKey the advisory lock key, distinct per service (services share one database)
     * @param emitter a Kafka channel with String key and value serializers; each row's topic is set per message
     * @param metricPrefix e.g. {@code registry.outbox}: gives {@code .published}, {@code .publish.failures} and the
     *        {@code .pending} gauge
     */
    public OutboxRelay(Pool pool, long lockKey, MutinyEmitter<Record<String, String>> emitter, int batchSize,
            MeterRegistry metrics, String metricPrefix) {
        this.pool = pool;
        this.lockKey = lockKey;
        this.emitter = emitter;
        this.batchSize = batchSize;
        this.published = metrics.counter(metricPrefix + ".published");
        this.failures = metrics.counter(metricPrefix + ".publish.failures");
        metrics.gauge(metricPrefix + ".pending", pending);
    }

    /** Appends an event in the caller's transaction (for services that write with the SQL client). */
    public static Uni<Void> append(SqlClient tx, String topic, String key, String payload) {
        return tx.preparedQuery("INSERT INTO outbox (topic, message_key, payload) VALUES ($1, $2, $3)")
                .execute(Tuple.of(topic, key, payload))
                .replaceWithVoid();
    }

    /** {@link #append} for many events of one topic in one statement, in the order given. */
    public static Uni<Void> appendAll(SqlClient tx, String topic, List<String> keys, List<String> payloads) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("INSERT INTO outbox (topic, message_key, payload) SELECT $1::text, k, p FROM "
                + "unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(k, p, n) ORDER BY n")
                .execute(Tuple.of(topic, keys.toArray(new String[0]), payloads.toArray(new String[0])))
                .replaceWithVoid();
    }

    /** One scheduled run: drains the outbox; failures are logged and left for the next run, never thrown. */
    public Uni<Void> run() {
        return drain()
                .onFailure().invoke(e -> Log.warnf("outbox relay run failed, will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .call(() -> pendingCount().invoke(pending::set)
                        .onFailure().recoverWithNull())
                .replaceWithVoid();
    }

    /** Publishes batch after batch while full batches come back, so a backlog leaves at Kafka's pace. */
    public Uni<Void> drain() {
        return relayOnce().flatMap(n -> n >= batchSize ? drain() : Uni.createFrom().voidItem());
    }

    /** Publishes up to a batch and returns how many rows left the outbox (0 if another relay holds the lock). */
    public Uni<Integer> relayOnce() {
        return relay(this::publishInOrder);
    }

    public Uni<Long> pendingCount() {
        return pool.query("SELECT count(*) FROM outbox").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * Runs {@code work} on the oldest rows inside one transaction that holds the relay lock; work returns the ids it
     * published, which are deleted before commit.
     */
    private Uni<Integer> relay(Function<List<OutboxRow>, Uni<List<Long>>> work) {
        return pool.withTransaction(conn -> tryLock(conn).flatMap(locked -> {
            if (!locked) {
                return Uni.createFrom().item(0);
            }
            return oldest(conn).flatMap(rows -> rows.isEmpty()
                    ? Uni.createFrom().item(0)
                    : work.apply(rows).flatMap(done -> delete(conn, done).replaceWith(done.size())));
        }));
    }

    /**
     * Sends the whole batch (the producer keeps per-partition order) and returns the ids of the longest prefix that
     * Kafka acknowledged: rows after a failure stay, so nothing is deleted out of order.
     */
    private Uni<List<Long>> publishInOrder(List<OutboxRow> rows) {
        List<Uni<Boolean>> sends = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            Message<Record<String, String>> message = Message.of(Record.of(row.key(), row.payload()))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String> builder().withTopic(row.topic()).build());
            sends.add(emitter.sendMessage(message)
                    .replaceWith(true)
                    .onFailure().invoke(e -> Log.debugf("publishing outbox row %d failed: %s", row.id(), e))
                    .onFailure().recoverWithItem(false));
        }
        return Uni.join().all(sends).andFailFast().map(acks -> {
            List<Long> done = new ArrayList<>();
            for (int i = 0; i < rows.size() && acks.get(i); i++) {
                done.add(rows.get(i).id());
            }
            published.increment(done.size());
            if (done.size() < rows.size()) {
                failures.increment(rows.size() - done.size());
                Log.warnf("Kafka did not acknowledge %d of %d outbox rows; they stay queued",
                        rows.size() - done.size(), rows.size());
            }
            return done;
        });
    }

    private Uni<Boolean> tryLock(SqlConnection conn) {
        return conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)").execute(Tuple.of(lockKey))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    private Uni<List<OutboxRow>> oldest(SqlConnection conn) {
        return conn.preparedQuery("SELECT id, topic, message_key, payload FROM outbox ORDER BY id LIMIT $1")
                .execute(Tuple.of(batchSize))
                .map(rows -> {
                    List<OutboxRow> pending = new ArrayList<>();
                    for (Row r : rows) {
                        pending.add(new OutboxRow(r.getLong("id"), r.getString("topic"), r.getString("message_key"),
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
