package io.heartbeat.monitor.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.security.Caller;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.monitor.engine.DeviceStatus;
import io.heartbeat.monitor.engine.Liveness;
import io.heartbeat.monitor.engine.LivenessEngine;
import io.heartbeat.monitor.engine.MonitorEvents;
import io.heartbeat.monitor.engine.StatusStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Evidence from outside the heartbeat stream: an external pinger's probe result or an MQTT last will. It is decided
 * under the status row's lock ({@code SELECT ... FOR UPDATE}) with the heartbeat-authority rule of {@link Liveness},
 * always recorded in {@code device_monitoring_results}, and applied only when the rule allows. The owning engine is
 * then told to reload the device; if it was about to write an older version of the row, the version check stops it.
 */
@ApplicationScoped
public class ProbeEvidence {

    /** One piece of evidence. {@code caller} null: trusted internal source (last will); else tenant-checked. */
    public record Evidence(String deviceId, boolean alive, String source, Long responseTimeMs, String error,
            Map<String, Object> metadata, String scenarioId, String runId) {

        public Evidence(String deviceId, boolean alive, String source, Long responseTimeMs, String error,
                Map<String, Object> metadata) {
            this(deviceId, alive, source, responseTimeMs, error, metadata, null, null);
        }
    }

    /** The answer: whether it changed anything, why, and the state after it. */
    public record Verdict(String deviceId, boolean applied, String reason, DeviceState state) {
    }

    private final Pool pool;
    private final StatusStore store;
    private final LivenessEngine engine;
    private final MonitorEvents events;
    private final Clock clock;

    public ProbeEvidence(Pool pool, StatusStore store, LivenessEngine engine, MonitorEvents events, Clock clock) {
        this.pool = pool;
        this.store = store;
        this.engine = engine;
        this.events = events;
        this.clock = clock;
    }

    public Uni<Verdict> record(Caller caller, Evidence e, TransitionReason failureReason) {
        Instant at = clock.instant();
        TransitionReason reason = e.alive() ? TransitionReason.PROBE_SUCCEEDED : failureReason;
        String detail = e.source() + (e.error() == null ? "" : ": " + e.error());
        Liveness.Outcome[] decided = new Liveness.Outcome[1];
        return pool.withTransaction(tx -> store.lock(tx, e.deviceId()).flatMap(s -> {
            if (s == null || (caller != null && !caller.sees(s.tenantId()))) {
                return Uni.createFrom().failure(new DomainException.NotFound("device status", e.deviceId()));
            }
            Liveness.Outcome o = Liveness.evidence(s, e.alive(), reason, detail, at);
            decided[0] = o;
            Uni<DeviceStatus> write = o.applied()
                    ? store.writeOne(tx, StatusStore.Change.of(o.status(), o.transition()))
                    : Uni.createFrom().item(s);
            return write.flatMap(after -> insertResult(tx, s, e, o, at).replaceWith(
                    new Verdict(e.deviceId(), o.applied(), o.reason(), (after == null ? s : after).state())));
        })).invoke(v -> {
            engine.reload(v.deviceId());
            if (decided[0] != null && decided[0].changed()) {
                events.transition(decided[0].transition().reason(), decided[0].transition().to());
                events.published();
            }
        });
    }

    private static Uni<Void> insertResult(SqlClient tx, DeviceStatus s, Evidence e, Liveness.Outcome o, Instant at) {
        return tx.preparedQuery("INSERT INTO device_monitoring_results (device_id, tenant_id, source, success, applied,"
                + " reason, error_message, response_time_ms, metadata, at, test_scenario_id, test_run_id)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10, $11, $12)")
                .execute(Tuple.tuple().addString(s.deviceId()).addString(s.tenantId()).addString(e.source())
                        .addBoolean(e.alive()).addBoolean(o.applied()).addString(o.reason()).addString(e.error())
                        .addLong(e.responseTimeMs())
                        .addString(EventJson.write(e.metadata() == null ? Map.of() : e.metadata()))
                        .addValue(at.atOffset(java.time.ZoneOffset.UTC)).addString(e.scenarioId())
                        .addString(e.runId()))
                .replaceWithVoid();
    }
}
