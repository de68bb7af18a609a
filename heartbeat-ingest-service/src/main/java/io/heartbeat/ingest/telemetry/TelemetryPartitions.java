package io.heartbeat.ingest.telemetry;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.heartbeat.ingest.config.IngestConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The daily partitions of {@code telemetry} (UTC days of {@code received_at}, named {@code telemetry_pYYYYMMDD}):
 * created ahead of need, and dropped whole once their last instant is older than the retention, so retention never
 * deletes row by row. A partition is kept until all of its day is past the retention: history lives between
 * {@code retention-days} and one day longer.
 * <p>
 * DDL runs under a transaction-scoped advisory lock, so replicas doing maintenance at the same time do not collide.
 */
@ApplicationScoped
public class TelemetryPartitions {

    /** Advisory lock key of partition maintenance ("hbtelpt1"). */
    static final long LOCK = 0x6862_7465_6c70_7431L;
    static final String PREFIX = "telemetry_p";
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    private final Pool pool;
    private final IngestConfig.Telemetry config;
    private final Clock clock;
    private final Set<LocalDate> known = ConcurrentHashMap.newKeySet();
    private final Counter dropped;

    public TelemetryPartitions(Pool pool, IngestConfig config, Clock clock, MeterRegistry metrics) {
        this.pool = pool;
        this.config = config.telemetry();
        this.clock = clock;
        this.dropped = metrics.counter("ingest.telemetry.partitions.dropped");
        metrics.gauge("ingest.telemetry.partitions", known, Set::size);
    }

    void atStartup(@Observes StartupEvent event) {
        scheduled();
    }

    @Scheduled(every = "${heartbeat.ingest.telemetry.maintenance-interval:1h}", delayed = "1m")
    void scheduled() {
        maintain(clock.instant()).subscribe().with(
                droppedNames -> Log.debugf("telemetry partitions maintained; dropped %s", droppedNames),
                e -> Log.warnf("telemetry partition maintenance failed, will retry: %s", e.getMessage()));
    }

    /** Creates the partitions from yesterday to {@code days-ahead} days ahead and drops the expired ones. */
    public Uni<List<String>> maintain(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<LocalDate> ahead = new ArrayList<>();
        for (LocalDate d = today.minusDays(1); !d.isAfter(today.plusDays(config.daysAhead())); d = d.plusDays(1)) {
            ahead.add(d);
        }
        return ensure(ahead).flatMap(ignored -> dropExpired(now));
    }

    /** Makes sure a partition exists for each day (cheap when they are known to exist). */
    public Uni<Void> ensure(Collection<LocalDate> days) {
        Set<LocalDate> missing = new TreeSet<>(days);
        missing.removeAll(known);
        if (missing.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(conn -> lock(conn).flatMap(ignored -> create(conn, List.copyOf(missing), 0)))
                .invoke(() -> known.addAll(missing));
    }

    private Uni<Void> create(SqlConnection conn, List<LocalDate> days, int i) {
        if (i == days.size()) {
            return Uni.createFrom().voidItem();
        }
        LocalDate day = days.get(i);
        String sql = "CREATE TABLE IF NOT EXISTS " + name(day) + " PARTITION OF telemetry FOR VALUES FROM ('"
                + day.atStartOfDay(ZoneOffset.UTC).toInstant() + "') TO ('"
                + day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant() + "')";
        return conn.query(sql).execute().flatMap(ignored -> create(conn, days, i + 1));
    }

    /** Drops every partition whose whole day is older than the retention; returns their names. */
    public Uni<List<String>> dropExpired(Instant now) {
        LocalDate cutoff = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(config.retentionDays());
        return pool.withTransaction(conn -> lock(conn).flatMap(ignored -> partitions(conn)).flatMap(days -> {
            List<LocalDate> expired = days.stream().filter(d -> !d.plusDays(1).isAfter(cutoff)).toList();
            return drop(conn, expired, 0).replaceWith(expired);
        })).map(expired -> {
            expired.forEach(known::remove);
            dropped.increment(expired.size());
            if (!expired.isEmpty()) {
                Log.infof("dropped %d telemetry partitions older than %d days: %s", expired.size(),
                        config.retentionDays(), expired);
            }
            return expired.stream().map(TelemetryPartitions::name).toList();
        });
    }

    /** The days that have a partition now. */
    public Uni<List<LocalDate>> days() {
        return pool.withConnection(TelemetryPartitions::partitions);
    }

    private Uni<Void> drop(SqlConnection conn, List<LocalDate> days, int i) {
        if (i == days.size()) {
            return Uni.createFrom().voidItem();
        }
        return conn.query("DROP TABLE IF EXISTS " + name(days.get(i))).execute()
                .flatMap(ignored -> drop(conn, days, i + 1));
    }

    private static Uni<List<LocalDate>> partitions(SqlConnection conn) {
        return conn.query("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace"
                + " WHERE p.relname = 'telemetry' AND n.nspname = current_schema() ORDER BY c.relname")
                .execute()
                .map(rows -> {
                    List<LocalDate> days = new ArrayList<>();
                    for (Row r : rows) {
                        String name = r.getString(0);
                        if (name.startsWith(PREFIX) && name.length() == PREFIX.length() + 8) {
                            days.add(LocalDate.parse(name.substring(PREFIX.length()), DAY));
                        }
                    }
                    return days;
                });
    }

    private static Uni<Void> lock(SqlConnection conn) {
        return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK)).replaceWithVoid();
    }

    static String name(LocalDate day) {
        return PREFIX + DAY.format(day);
    }
}
