package io.heartbeat.monitor.probe;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps probe results, scenario runs and transitions for {@code heartbeat.monitor.retention-days} (seed 000's
 * MONITORING_RETENTION_DAYS, 30): older rows are deleted hourly in bounded batches.
 */
@ApplicationScoped
public class ResultRetention {

    private final Pool pool;
    private final Clock clock;
    private final int days;

    public ResultRetention(Pool pool, Clock clock,
            @ConfigProperty(name = "heartbeat.monitor.retention-days", defaultValue = "30") int days) {
        this.pool = pool;
        this.clock = clock;
        this.days = days;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge().onFailure().invoke(e -> Log.warnf("retention run failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Deletes what is older than the retention; returns the number of rows removed. */
    public Uni<Long> purge() {
        var cutoff = clock.instant().minus(Duration.ofDays(days)).atOffset(ZoneOffset.UTC);
        return delete("DELETE FROM device_monitoring_results WHERE id IN (SELECT id FROM device_monitoring_results"
                + " WHERE at < $1 LIMIT 10000)", cutoff, 0)
                .flatMap(a -> delete("DELETE FROM test_runs WHERE id IN (SELECT id FROM test_runs WHERE started_at < $1"
                        + " LIMIT 10000)", cutoff, a))
                .flatMap(b -> delete("DELETE FROM transition WHERE id IN (SELECT id FROM transition WHERE at < $1"
                        + " LIMIT 10000)", cutoff, b));
    }

    private Uni<Long> delete(String sql, Object cutoff, long before) {
        return pool.preparedQuery(sql).execute(Tuple.of(cutoff)).flatMap(rows -> rows.rowCount() == 10_000
                ? delete(sql, cutoff, before + rows.rowCount())
                : Uni.createFrom().item(before + rows.rowCount()));
    }
}
