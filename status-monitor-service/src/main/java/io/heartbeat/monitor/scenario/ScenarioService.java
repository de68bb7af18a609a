package io.heartbeat.monitor.scenario;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.rest.Page;
import io.heartbeat.common.security.Caller;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.monitor.config.MonitorConfig;
import io.heartbeat.monitor.engine.DeviceStatus;
import io.heartbeat.monitor.engine.DeviceViews;
import io.heartbeat.monitor.scenario.Scenarios.DeviceResult;
import io.heartbeat.monitor.scenario.Scenarios.FlowType;
import io.heartbeat.monitor.scenario.Scenarios.RunSummary;
import io.heartbeat.monitor.scenario.Scenarios.Scenario;
import io.heartbeat.monitor.scenario.Scenarios.Selection;
import io.heartbeat.monitor.service.StatusQueries;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Stores scenarios and runs them: resolves the selected devices from the registry view, checks each (at most
 * {@code heartbeat.monitor.scenario-concurrency} at a time), records every device's result in
 * {@code device_monitoring_results} and keeps the run's summary. Scenario results are records: they do not change a
 * device's state (external pingers report through the probes API, where the heartbeat-authority rule decides).
 */
@ApplicationScoped
public class ScenarioService {

    private static final String COLUMNS = "id, tenant_id, name, description, flow_type, selection::text, timeout_ms,"
            + " retries, created_by, created_at";

    private final Pool pool;
    private final DeviceViews views;
    private final StatusQueries statuses;
    private final HttpProbe http;
    private final MqttPing mqtt;
    private final MonitorConfig config;
    private final ObjectMapper json;
    private final Clock clock;

    public ScenarioService(Pool pool, DeviceViews views, StatusQueries statuses, HttpProbe http, MqttPing mqtt,
            MonitorConfig config, ObjectMapper json, Clock clock) {
        this.pool = pool;
        this.views = views;
        this.statuses = statuses;
        this.http = http;
        this.mqtt = mqtt;
        this.config = config;
        this.json = json;
        this.clock = clock;
    }

    public Uni<Scenario> create(Caller caller, String name, String description, FlowType flowType, Selection selection,
            long timeoutMs, int retries) {
        Scenario s = new Scenario(UUID.randomUUID().toString(), caller.tenant(), name, description, flowType,
                selection, timeoutMs, retries, caller.subject(), clock.instant());
        return pool.preparedQuery("INSERT INTO scenario (" + COLUMNS.replace("selection::text", "selection")
                + ") VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9, $10)")
                .execute(Tuple.tuple().addString(s.id()).addString(s.tenantId()).addString(s.name())
                        .addString(s.description()).addString(s.flowType().name()).addString(write(s.devices()))
                        .addLong(s.timeoutMs()).addInteger(s.retries()).addString(s.createdBy())
                        .addValue(s.createdAt().atOffset(ZoneOffset.UTC)))
                .replaceWith(s);
    }

    public Uni<Scenario> find(Caller caller, String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM scenario WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    Scenario s = rows.iterator().hasNext() ? scenario(rows.iterator().next()) : null;
                    if (s == null || !caller.sees(s.tenantId())) {
                        throw new DomainException.NotFound("scenario", id);
                    }
                    return s;
                });
    }

    public Uni<Page<Scenario>> list(String tenant, int page, int size) {
        String where = tenant == null ? "" : " WHERE tenant_id = $3";
        Tuple args = Tuple.of(size, (long) page * size);
        if (tenant != null) {
            args.addString(tenant);
        }
        return pool.preparedQuery("SELECT " + COLUMNS + ", count(*) OVER () FROM scenario" + where
                + " ORDER BY created_at DESC, id LIMIT $1 OFFSET $2").execute(args).map(rows -> {
                    List<Scenario> items = new ArrayList<>();
                    long total = 0;
                    for (Row r : rows) {
                        items.add(scenario(r));
                        total = r.getLong(10);
                    }
                    return new Page<>(items, page, size, total, (total + size - 1) / size);
                });
    }

    public Uni<Void> delete(Caller caller, String id) {
        return find(caller, id).flatMap(s -> pool.preparedQuery("DELETE FROM scenario WHERE id = $1")
                .execute(Tuple.of(id)).replaceWithVoid());
    }

    /** Executes the scenario now and keeps the run. */
    public Uni<RunSummary> run(Caller caller, String scenarioId) {
        return find(caller, scenarioId).flatMap(this::execute);
    }

    public Uni<RunSummary> findRun(Caller caller, String scenarioId, String runId) {
        return find(caller, scenarioId).flatMap(s -> pool
                .preparedQuery("SELECT summary::text FROM scenario_run WHERE id = $1 AND scenario_id = $2")
                .execute(Tuple.of(runId, scenarioId)).map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw new DomainException.NotFound("scenario run", runId);
                    }
                    return read(rows.iterator().next().getString(0), RunSummary.class);
                }));
    }

    /** The scenario's runs, newest first, without their per-device results. */
    public Uni<Page<RunSummary>> runs(Caller caller, String scenarioId, int page, int size) {
        return find(caller, scenarioId).flatMap(s -> pool.preparedQuery("SELECT summary::text, count(*) OVER ()"
                + " FROM scenario_run WHERE scenario_id = $1 ORDER BY started_at DESC, id LIMIT $2 OFFSET $3")
                .execute(Tuple.of(scenarioId, size, (long) page * size)).map(rows -> {
                    List<RunSummary> items = new ArrayList<>();
                    long total = 0;
                    for (Row r : rows) {
                        RunSummary full = read(r.getString(0), RunSummary.class);
                        items.add(new RunSummary(full.id(), full.scenarioId(), full.flowType(), full.startedAt(),
                                full.finishedAt(), full.devices(), full.succeeded(), full.successRate(),
                                full.p50ResponseTimeMs(), full.p95ResponseTimeMs(), List.of()));
                        total = r.getLong(1);
                    }
                    return new Page<>(items, page, size, total, (total + size - 1) / size);
                }));
    }

    private Uni<RunSummary> execute(Scenario s) {
        String runId = UUID.randomUUID().toString();
        Instant started = clock.instant();
        List<String> ids = selected(s);
        if (ids.size() > config.scenarioMaxDevices()) {
            throw new DomainException.Invalid("devices", "selects " + ids.size() + " devices; at most "
                    + config.scenarioMaxDevices() + " per run");
        }
        return Multi.createFrom().iterable(ids).onItem().transformToUni(id -> check(s, runId, id))
                .merge(config.scenarioConcurrency()).collect().asList().flatMap(results -> {
                    List<DeviceResult> sorted = new ArrayList<>(results);
                    sorted.sort(Comparator.comparing(DeviceResult::deviceId));
                    int ok = (int) sorted.stream().filter(DeviceResult::success).count();
                    RunSummary summary = new RunSummary(runId, s.id(), s.flowType(), started, clock.instant(),
                            sorted.size(), ok, sorted.isEmpty() ? 0.0 : (double) ok / sorted.size(),
                            Scenarios.percentile(sorted, 0.50), Scenarios.percentile(sorted, 0.95), sorted);
                    return store(s, summary).replaceWith(summary);
                });
    }

    private List<String> selected(Scenario s) {
        Selection sel = s.devices() == null ? new Selection(null, null) : s.devices();
        if (sel.deviceIds() != null && !sel.deviceIds().isEmpty()) {
            return sel.deviceIds().stream().distinct().toList();
        }
        return views.all().values().stream()
                .filter(v -> s.tenantId().equals(v.tenantId()) && v.enabled()
                        && (sel.profileId() == null || sel.profileId().equals(v.profileId())))
                .map(DeviceView::deviceId).sorted().toList();
    }

    private Uni<DeviceResult> check(Scenario s, String runId, String deviceId) {
        DeviceView view = views.find(deviceId).filter(v -> s.tenantId().equals(v.tenantId())).orElse(null);
        if (view == null) {
            return Uni.createFrom().item(new DeviceResult(deviceId, false, s.flowType().name(), null,
                    "unknown device", Map.of()));
        }
        switch (s.flowType()) {
            case HEARTBEAT_FRESHNESS:
                return freshness(deviceId);
            case HTTP_CHECK:
                return http.check(view, s.timeoutMs(), s.retries());
            case MQTT_PING:
                return mqtt.ping(view, runId, "scenario:" + s.id(), s.timeoutMs(), s.retries());
            case FULL:
            default:
                Uni<DeviceResult> active = view.protocol() == Protocol.MQTT
                        ? mqtt.ping(view, runId, "scenario:" + s.id(), s.timeoutMs(), s.retries())
                        : http.check(view, s.timeoutMs(), s.retries());
                return Uni.combine().all().unis(freshness(deviceId), active).asTuple().map(t -> {
                    DeviceResult f = t.getItem1();
                    DeviceResult a = t.getItem2();
                    Map<String, Object> meta = new LinkedHashMap<>(a.metadata());
                    meta.putAll(f.metadata());
                    String error = f.error() == null ? a.error()
                            : a.error() == null ? f.error() : f.error() + "; " + a.error();
                    return new DeviceResult(deviceId, f.success() && a.success(), "FULL", a.responseTimeMs(), error,
                            meta);
                });
        }
    }

    private Uni<DeviceResult> freshness(String deviceId) {
        return statuses.find(deviceId).map(st -> {
            if (st == null || st.lastHeartbeatAt() == null) {
                return new DeviceResult(deviceId, false, "HEARTBEAT_FRESHNESS", null, "no heartbeat yet", Map.of());
            }
            Long age = st.heartbeatAgeMs(clock.instant());
            DeviceStatus.Limits l = st.limits();
            boolean fresh = st.tracked() && age != null && age <= l.connectedWithinSeconds() * 1000L;
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("heartbeatAgeMs", age);
            meta.put("state", st.state().name());
            return new DeviceResult(deviceId, fresh, "HEARTBEAT_FRESHNESS", null,
                    fresh ? null : "last heartbeat " + age + " ms ago, over " + l.connectedWithinSeconds() + " s",
                    meta);
        });
    }

    private Uni<Void> store(Scenario s, RunSummary summary) {
        Instant at = summary.finishedAt();
        List<Tuple> rows = new ArrayList<>();
        for (DeviceResult r : summary.results()) {
            rows.add(Tuple.tuple().addString(r.deviceId()).addString(s.tenantId()).addString(s.id())
                    .addString(summary.id()).addString("scenario:" + r.check()).addBoolean(r.success())
                    .addString(r.error()).addLong(r.responseTimeMs()).addString(write(r.metadata()))
                    .addValue(at.atOffset(ZoneOffset.UTC)));
        }
        return pool.withTransaction(tx -> {
            Uni<Void> results = rows.isEmpty() ? Uni.createFrom().voidItem()
                    : tx.preparedQuery("INSERT INTO device_monitoring_results (device_id, tenant_id, scenario_id,"
                            + " run_id, source, success, applied, reason, error_message, response_time_ms, metadata, at)"
                            + " VALUES ($1, $2, $3, $4, $5, $6, false, 'scenario run: recorded, state unchanged', $7,"
                            + " $8, $9::text::jsonb, $10)").executeBatch(rows).replaceWithVoid();
            return results.flatMap(v -> tx.preparedQuery("INSERT INTO scenario_run (id, scenario_id, tenant_id,"
                    + " started_at, finished_at, summary) VALUES ($1, $2, $3, $4, $5, $6::text::jsonb)")
                    .execute(Tuple.of(summary.id(), s.id(), s.tenantId(),
                            summary.startedAt().atOffset(ZoneOffset.UTC), at.atOffset(ZoneOffset.UTC), write(summary)))
                    .replaceWithVoid());
        });
    }

    /** Retention of probe results and scenario runs. */
    @Scheduled(every = "${heartbeat.monitor.retention-check-interval:1h}", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> retention() {
        Instant cutoff = clock.instant().minus(config.resultsRetention());
        return pool.preparedQuery("DELETE FROM device_monitoring_results WHERE at < $1")
                .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC)))
                .flatMap(v -> pool.preparedQuery("DELETE FROM scenario_run WHERE started_at < $1")
                        .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC))))
                .replaceWithVoid();
    }

    private Scenario scenario(Row r) {
        return new Scenario(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                FlowType.valueOf(r.getString(4)), read(r.getString(5), Selection.class), r.getLong(6),
                r.getInteger(7), r.getString(8), r.getOffsetDateTime(9).toInstant());
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
