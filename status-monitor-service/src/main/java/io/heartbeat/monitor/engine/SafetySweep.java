package io.heartbeat.monitor.engine;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.monitor.config.MonitorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The slow safety net behind the deadline index: every {@code sweep-interval} it looks in Postgres for tracked devices
 * whose deadline passed more than {@code sweep-grace} ago and hands the ones this replica owns to the engine (which
 * reloads and re-indexes them, then decides with its own lag check). It never writes a status itself, so it cannot
 * mark a device offline whose heartbeats the owner has not read yet. It also refreshes the devices-per-state gauges.
 */
@ApplicationScoped
public class SafetySweep {

    private final Pool pool;
    private final LivenessEngine engine;
    private final MonitorConfig config;
    private final Clock clock;
    private final AtomicLong overdue = new AtomicLong();
    private final Map<DeviceState, AtomicLong> perState = new EnumMap<>(DeviceState.class);

    public SafetySweep(Pool pool, LivenessEngine engine, MonitorConfig config, Clock clock, MeterRegistry metrics) {
        this.pool = pool;
        this.engine = engine;
        this.config = config;
        this.clock = clock;
        metrics.gauge("monitor.sweep.overdue", overdue);
        for (DeviceState s : DeviceState.values()) {
            perState.put(s, metrics.gauge("monitor.devices", List.of(io.micrometer.core.instrument.Tag.of("state",
                    s.name())), new AtomicLong()));
        }
    }

    @Scheduled(every = "${heartbeat.monitor.sweep-interval:30s}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return pool.preparedQuery("SELECT device_id FROM device_status WHERE tracked AND deadline_at < $1")
                .execute(Tuple.of(clock.instant().minus(config.sweepGrace()).atOffset(ZoneOffset.UTC)))
                .invoke(rows -> {
                    List<String> ids = new ArrayList<>();
                    for (Row r : rows) {
                        ids.add(r.getString(0));
                    }
                    overdue.set(ids.size());
                    if (!ids.isEmpty() && engine.caughtUp()) {
                        Log.infof("safety sweep: %d devices past their deadline by more than %s; re-indexing the"
                                + " ones owned here", ids.size(), config.sweepGrace());
                    }
                    ids.forEach(engine::reload);
                })
                .flatMap(ignored -> pool.query("SELECT state, count(*) FROM device_status GROUP BY state").execute())
                .invoke(rows -> {
                    perState.values().forEach(v -> v.set(0));
                    for (Row r : rows) {
                        perState.get(DeviceState.valueOf(r.getString(0))).set(r.getLong(1));
                    }
                })
                .onFailure().invoke(e -> Log.warnf("safety sweep failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
