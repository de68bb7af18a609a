package io.heartbeat.monitor.probe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;

import io.heartbeat.common.error.DomainException;
import io.heartbeat.common.security.Caller;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.monitor.engine.DeviceViews;
import io.heartbeat.monitor.service.ProbeEvidence;
import io.heartbeat.monitor.service.ProbeEvidence.Evidence;
import io.heartbeat.monitor.service.StatusQueries;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Test scenarios (seed 000): a named check of a set of devices with one flow, and its runs. A run checks every selected
 * device (at most {@link #MAX_DEVICES}, {@link #PARALLELISM} at a time), records each result in
 * {@code device_monitoring_results} (active probes also count as evidence under the heartbeat-authority rule) and keeps
 * a summary: success rate, p50/p95 response time, per-device results.
 */
@ApplicationScoped
public class Scenarios {

    public static final int MAX_DEVICES = 1000;
    static final int PARALLELISM = 32;

    public enum FlowType {
        /** CONNECTED with a heartbeat younger than connected-within. */
        HEARTBEAT_FRESHNESS,
        /** GET on the device's {@code protocolConfig.healthUrl}. */
        HTTP_CHECK,
        /** A ping command through the command service. */
        MQTT_PING,
        /** Freshness, then the active probe that fits the device's protocol. */
        FULL
    }

    public record Scenario(String id, String tenantId, String name, String description, FlowType flowType,
            List<String> deviceIds, String profileId, int timeoutMs, int retries, Instant createdAt) {
    }

    public record DeviceResult(String deviceId, boolean success, Long responseTimeMs, String error, String check,
            boolean inconclusive) {

        DeviceResult(String deviceId, boolean success, Long responseTimeMs, String error, String check) {
            this(deviceId, success, responseTimeMs, error, check, false);
        }
    }

    public record Run(String id, String scenarioId, Instant startedAt, Instant finishedAt, int devices, int succeeded,
            double successRate, Long p50Ms, Long p95Ms, List<DeviceResult> results) {
    }

    private static final TypeReference<List<DeviceResult>> RESULTS = new TypeReference<>() {
    };

    private final Pool pool;
    private final DeviceViews views;
    private final StatusQueries statuses;
    private final HttpChecker http;
    private final PingClient ping;
    private final ProbeEvidence evidence;
    private final Clock clock;

    public Scenarios(Pool pool, DeviceViews views, StatusQueries statuses, HttpChecker http, PingClient ping,
            ProbeEvidence evidence, Clock clock) {
        this.pool = pool;
        this.views = views;
        this.statuses = statuses;
        this.http = http;
        this.ping = ping;
        this.evidence = evidence;
        this.clock = clock;
    }

    public Uni<Scenario> create(String tenantId, String name, String description, FlowType flow,
            List<String> deviceIds, String profileId, int timeoutMs, int retries) {
        Scenario s = new Scenario(UUID.randomUUID().toString(), tenantId, name, description, flow,
                deviceIds == null ? List.of() : List.copyOf(deviceIds), profileId, timeoutMs, retries, clock.instant());
        return pool.preparedQuery("INSERT INTO test_scenarios (id, tenant_id, name, description, flow_type, device_ids,"
                + " profile_id, timeout_ms, retries, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .execute(Tuple.tuple().addString(s.id()).addString(tenantId).addString(name).addString(description)
                        .addString(flow.name()).addArrayOfString(s.deviceIds().toArray(new String[0]))
                        .addString(profileId).addInteger(timeoutMs).addInteger(retries)
                        .addValue(s.createdAt().atOffset(ZoneOffset.UTC)))
                .replaceWith(s);
    }

    public Uni<List<Scenario>> list(String tenant) {
        return pool.preparedQuery("SELECT * FROM test_scenarios" + (tenant == null ? "" : " WHERE tenant_id = $1")
                + " ORDER BY created_at").execute(tenant == null ? Tuple.tuple() : Tuple.of(tenant))
                .map(rows -> {
                    List<Scenario> list = new ArrayList<>();
                    rows.forEach(r -> list.add(scenario(r)));
                    return list;
                });
    }

    public Uni<Scenario> get(Caller caller, String id) {
        return pool.preparedQuery("SELECT * FROM test_scenarios WHERE id = $1").execute(Tuple.of(id)).map(rows -> {
            Scenario s = rows.size() == 0 ? null : scenario(rows.iterator().next());
            if (s == null || !caller.sees(s.tenantId())) {
                throw new DomainException.NotFound("scenario", id);
            }
            return s;
        });
    }

    public Uni<Void> delete(Caller caller, String id) {
        return get(caller, id).flatMap(s -> pool.preparedQuery("DELETE FROM test_scenarios WHERE id = $1")
                .execute(Tuple.of(id))).replaceWithVoid();
    }

    public Uni<List<Run>> runs(Caller caller, String scenarioId) {
        return get(caller, scenarioId).flatMap(s -> pool.preparedQuery("SELECT * FROM test_runs WHERE scenario_id = $1"
                + " ORDER BY started_at DESC LIMIT 100").execute(Tuple.of(scenarioId)).map(rows -> {
                    List<Run> list = new ArrayList<>();
                    rows.forEach(r -> list.add(run(r)));
                    return list;
                }));
    }

    /** Runs the scenario now and returns (and keeps) its summary. */
    public Uni<Run> run(Caller caller, String scenarioId) {
        return get(caller, scenarioId).flatMap(s -> {
            List<DeviceView> devices = select(s);
            String runId = UUID.randomUUID().toString();
            Instant started = clock.instant();
            return Multi.createFrom().iterable(devices)
                    .onItem().transformToUni(d -> check(s, runId, d)).merge(PARALLELISM)
                    .collect().asList()
                    .map(results -> summarize(s, runId, started, results))
                    .flatMap(run -> store(s, run).replaceWith(run));
        });
    }

    private List<DeviceView> select(Scenario s) {
        List<DeviceView> selected = new ArrayList<>();
        for (DeviceView v : views.all().values()) {
            if (!v.tenantId().equals(s.tenantId()) || !v.enabled()) {
                continue;
            }
            boolean byId = !s.deviceIds().isEmpty() && s.deviceIds().contains(v.deviceId());
            boolean byProfile = s.deviceIds().isEmpty() && s.profileId() != null && s.profileId().equals(v.profileId());
            boolean all = s.deviceIds().isEmpty() && s.profileId() == null;
            if (byId || byProfile || all) {
                selected.add(v);
            }
        }
        selected.sort(Comparator.comparing(DeviceView::deviceId));
        return selected.size() > MAX_DEVICES ? selected.subList(0, MAX_DEVICES) : selected;
    }

    private Uni<DeviceResult> check(Scenario s, String runId, DeviceView d) {
        Duration timeout = Duration.ofMillis(s.timeoutMs());
        switch (s.flowType()) {
            case HEARTBEAT_FRESHNESS:
                return freshness(d);
            case HTTP_CHECK:
                return httpCheck(s, runId, d, timeout);
            case MQTT_PING:
                return mqttPing(s, runId, d, timeout);
            default:
                return freshness(d).flatMap(fresh -> !fresh.success() ? Uni.createFrom().item(fresh)
                        : (d.protocol() == Protocol.MQTT ? mqttPing(s, runId, d, timeout)
                                : healthUrl(d) == null ? Uni.createFrom().item(fresh) : httpCheck(s, runId, d, timeout)));
        }
    }

    private Uni<DeviceResult> freshness(DeviceView d) {
        return statuses.find(d.deviceId()).map(st -> {
            Instant now = clock.instant();
            if (st == null || st.state() != DeviceState.CONNECTED || st.lastHeartbeatAt() == null) {
                return new DeviceResult(d.deviceId(), false, null,
                        "the device is " + (st == null ? DeviceState.UNKNOWN : st.state()), "HEARTBEAT_FRESHNESS");
            }
            long age = st.heartbeatAgeMs(now);
            boolean fresh = age <= st.limits().connectedWithinSeconds() * 1000L;
            return new DeviceResult(d.deviceId(), fresh, age, fresh ? null : "the last heartbeat is " + age + " ms old",
                    "HEARTBEAT_FRESHNESS");
        });
    }

    private Uni<DeviceResult> httpCheck(Scenario s, String runId, DeviceView d, Duration timeout) {
        String url = healthUrl(d);
        if (url == null) {
            return Uni.createFrom().item(new DeviceResult(d.deviceId(), false, null,
                    "no protocolConfig.healthUrl configured", "HTTP_CHECK"));
        }
        return http.check(url, timeout, s.retries())
                .map(c -> new DeviceResult(d.deviceId(), c.success(), c.responseTimeMs(), c.error(), "HTTP_CHECK"))
                .call(r -> asEvidence(s, runId, r, Map.of("url", url)));
    }

    private Uni<DeviceResult> mqttPing(Scenario s, String runId, DeviceView d, Duration timeout) {
        return pingWithRetries(d, timeout, s.retries())
                .map(p -> new DeviceResult(d.deviceId(), p.success(), p.roundTripMs(), p.error(), "MQTT_PING",
                        !p.evidence()))
                // a refused or lost ping is a result with its reason, never evidence against the device
                .call(r -> r.inconclusive() ? Uni.createFrom().voidItem() : asEvidence(s, runId, r, Map.of()));
    }

    private Uni<PingClient.Pong> pingWithRetries(DeviceView d, Duration timeout, int retries) {
        return ping.ping(d.deviceId(), d.tenantId(), timeout).flatMap(p -> p.success() || !p.evidence() || retries <= 0
                ? Uni.createFrom().item(p)
                : pingWithRetries(d, timeout, retries - 1));
    }

    /** An active probe's result, recorded and (under the heartbeat rule) applied like an external probe's. */
    private Uni<Void> asEvidence(Scenario s, String runId, DeviceResult r, Map<String, Object> metadata) {
        return evidence.record(null, new Evidence(r.deviceId(), r.success(), "scenario:" + s.name(), r.responseTimeMs(),
                r.error(), metadata, s.id(), runId), TransitionReason.PROBE_FAILED)
                .replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    static String healthUrl(DeviceView d) {
        Object url = d.protocolConfig() == null ? null : d.protocolConfig().get("healthUrl");
        return url instanceof String s && !s.isBlank() ? s : null;
    }

    private Run summarize(Scenario s, String runId, Instant started, List<DeviceResult> results) {
        List<DeviceResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing(DeviceResult::deviceId));
        int ok = (int) sorted.stream().filter(DeviceResult::success).count();
        long[] times = sorted.stream().filter(r -> r.success() && r.responseTimeMs() != null)
                .mapToLong(DeviceResult::responseTimeMs).sorted().toArray();
        return new Run(runId, s.id(), started, clock.instant(), sorted.size(), ok,
                sorted.isEmpty() ? 0 : (double) ok / sorted.size(), percentile(times, 0.50), percentile(times, 0.95),
                sorted);
    }

    /** Nearest-rank percentile, null without samples. */
    static Long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private Uni<Void> store(Scenario s, Run run) {
        return pool.preparedQuery("INSERT INTO test_runs (id, scenario_id, tenant_id, started_at, finished_at, devices,"
                + " succeeded, success_rate, p50_ms, p95_ms, results) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                + " $11::text::jsonb)")
                .execute(Tuple.tuple().addString(run.id()).addString(s.id()).addString(s.tenantId())
                        .addValue(run.startedAt().atOffset(ZoneOffset.UTC))
                        .addValue(run.finishedAt().atOffset(ZoneOffset.UTC)).addInteger(run.devices())
                        .addInteger(run.succeeded()).addDouble(run.successRate()).addLong(run.p50Ms())
                        .addLong(run.p95Ms()).addString(EventJson.write(run.results())))
                .replaceWithVoid();
    }

    private static Scenario scenario(Row r) {
        String[] ids = r.getArrayOfStrings("device_ids");
        return new Scenario(r.getString("id"), r.getString("tenant_id"), r.getString("name"),
                r.getString("description"), FlowType.valueOf(r.getString("flow_type")),
                ids == null ? List.of() : Arrays.asList(ids), r.getString("profile_id"), r.getInteger("timeout_ms"),
                r.getInteger("retries"), r.getOffsetDateTime("created_at").toInstant());
    }

    private static Run run(Row r) {
        List<DeviceResult> results;
        try {
            results = EventJson.mapper().readValue(r.getValue("results").toString(), RESULTS);
        } catch (java.io.IOException e) {
            results = List.of();
        }
        OffsetDateTime started = r.getOffsetDateTime("started_at");
        return new Run(r.getString("id"), r.getString("scenario_id"), started.toInstant(),
                r.getOffsetDateTime("finished_at").toInstant(), r.getInteger("devices"), r.getInteger("succeeded"),
                r.getDouble("success_rate"), r.getLong("p50_ms"), r.getLong("p95_ms"), results);
    }

}
