package io.heartbeat.monitor.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.rest.Page;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.monitor.engine.DeviceStatus;
import io.heartbeat.monitor.engine.StatusRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Read side of the monitor schema: statuses, counts and transitions, always scoped to a tenant (null: all). */
@ApplicationScoped
public class StatusQueries {

    /** A stored transition. */
    public record TransitionRow(String eventId, DeviceState from, DeviceState to, String reason, Instant at,
            Instant lastHeartbeatAt, Long heartbeatAgeMs, String detail) {
    }

    private static final String STATUS_COLUMNS = io.heartbeat.monitor.engine.StatusStore.COLUMNS;

    private final Pool pool;

    public StatusQueries(Pool pool) {
        this.pool = pool;
    }

    public Uni<DeviceStatus> find(String deviceId) {
        return pool.preparedQuery("SELECT " + STATUS_COLUMNS + " FROM device_status WHERE device_id = $1")
                .execute(Tuple.of(deviceId))
                .map(rows -> rows.size() == 0 ? null : StatusRows.status(rows.iterator().next()));
    }

    public Uni<Page<DeviceStatus>> list(String tenant, DeviceState state, String profileId, Instant changedSince,
            int page, int size) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE true");
        if (tenant != null) {
            args.add(tenant);
            where.append(" AND tenant_id = $").append(args.size());
        }
        if (state != null) {
            args.add(state.name());
            where.append(" AND state = $").append(args.size());
        }
        if (profileId != null) {
            args.add(profileId);
            where.append(" AND profile_id = $").append(args.size());
        }
        if (changedSince != null) {
            args.add(changedSince.atOffset(ZoneOffset.UTC));
            where.append(" AND since >= $").append(args.size());
        }
        Tuple countArgs = Tuple.from(args);
        args.add(size);
        args.add((long) page * size);
        String sql = "SELECT " + STATUS_COLUMNS + " FROM device_status" + where + " ORDER BY device_id LIMIT $"
                + (args.size() - 1) + " OFFSET $" + args.size();
        return pool.preparedQuery("SELECT count(*) FROM device_status" + where).execute(countArgs)
                .map(rows -> rows.iterator().next().getLong(0))
                .flatMap(total -> pool.preparedQuery(sql).execute(Tuple.from(args))
                        .map(rows -> {
                            List<DeviceStatus> items = new ArrayList<>();
                            for (Row r : rows) {
                                items.add(StatusRows.status(r));
                            }
                            return Page.of(items, s -> s, page, size, total);
                        }));
    }

    /** Devices per state (every state present, zero when none). */
    public Uni<Map<DeviceState, Long>> counts(String tenant) {
        String sql = "SELECT state, count(*) FROM device_status" + (tenant == null ? "" : " WHERE tenant_id = $1")
                + " GROUP BY state";
        return pool.preparedQuery(sql).execute(tenant == null ? Tuple.tuple() : Tuple.of(tenant)).map(rows -> {
            Map<DeviceState, Long> counts = new LinkedHashMap<>();
            for (DeviceState s : DeviceState.values()) {
                counts.put(s, 0L);
            }
            for (Row r : rows) {
                counts.put(DeviceState.valueOf(r.getString(0)), r.getLong(1));
            }
            return counts;
        });
    }

    /**
     * The transitions of the device the status belongs to: its tenant and its instance only, so a device registered
     * again under an earlier device's id (by another tenant, too) never shows the earlier device's history.
     */
    public Uni<Page<TransitionRow>> transitions(DeviceStatus device, int page, int size) {
        String instance = " WHERE device_id = $1 AND tenant_id = $2 AND device_created_at IS NOT DISTINCT FROM $3";
        OffsetDateTime createdAt = device.deviceCreatedAt() == null ? null
                : device.deviceCreatedAt().atOffset(ZoneOffset.UTC);
        return pool.preparedQuery("SELECT count(*) FROM transition" + instance)
                .execute(Tuple.of(device.deviceId(), device.tenantId(), createdAt))
                .map(rows -> rows.iterator().next().getLong(0))
                .flatMap(total -> pool.preparedQuery("SELECT event_id, from_state, to_state, reason, at,"
                        + " last_heartbeat_at, heartbeat_age_ms, detail FROM transition" + instance
                        + " ORDER BY id DESC LIMIT $4 OFFSET $5")
                        .execute(Tuple.tuple().addString(device.deviceId()).addString(device.tenantId())
                                .addValue(createdAt).addInteger(size).addLong((long) page * size))
                        .map(rows -> {
                            List<TransitionRow> items = new ArrayList<>();
                            for (Row r : rows) {
                                items.add(new TransitionRow(r.getString("event_id"),
                                        DeviceState.valueOf(r.getString("from_state")),
                                        DeviceState.valueOf(r.getString("to_state")), r.getString("reason"),
                                        StatusRows.instant(r, "at"), StatusRows.instant(r, "last_heartbeat_at"),
                                        r.getLong("heartbeat_age_ms"), r.getString("detail")));
                            }
                            return Page.of(items, t -> t, page, size, total);
                        }));
    }
}
