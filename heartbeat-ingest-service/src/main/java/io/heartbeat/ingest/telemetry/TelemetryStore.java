package io.heartbeat.ingest.telemetry;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;

import io.heartbeat.common.batch.BisectingBatchWriter.Rejected;
import io.heartbeat.common.batch.RejectedRows;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads and writes {@code ingest.telemetry} with the reactive SQL client. */
@ApplicationScoped
public class TelemetryStore {

    /** One stored heartbeat as the history endpoint returns it. */
    public record Entry(String heartbeatId, String channel, String kind, String status, Instant measuredAt,
            Instant receivedAt, Map<String, Object> telemetry, List<String> anomalies) {
    }

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    /** One statement for the whole batch: the columns travel as arrays and are unnested server-side. */
    private static final String INSERT = "INSERT INTO telemetry (device_id, received_at, heartbeat_id, tenant_id, channel,"
            + " kind, status, measured_at, telemetry, anomalies)"
            + " SELECT d, r, h, t, c, k, s, m, tel::jsonb, an::jsonb FROM unnest($1::text[], $2::timestamptz[],"
            + " $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::text[])"
            + " AS x(d, r, h, t, c, k, s, m, tel, an)"
            + " ON CONFLICT DO NOTHING";

    /** The batch writer's name in {@code rejected_row.writer} and the {@code batch.rows.rejected} metric. */
    public static final String WRITER = "ingest-telemetry";

    private final Pool pool;

    public TelemetryStore(Pool pool) {
        this.pool = pool;
    }

    /** Inserts the heartbeats in one statement; rows already there (a redelivery) are skipped. */
    public Uni<Void> insert(List<HeartbeatAccepted> heartbeats) {
        int n = heartbeats.size();
        if (n == 0) {
            return Uni.createFrom().voidItem();
        }
        String[] device = new String[n];
        OffsetDateTime[] received = new OffsetDateTime[n];
        String[] id = new String[n];
        String[] tenant = new String[n];
        String[] channel = new String[n];
        String[] kind = new String[n];
        String[] status = new String[n];
        OffsetDateTime[] measured = new OffsetDateTime[n];
        String[] telemetry = new String[n];
        String[] anomalies = new String[n];
        for (int i = 0; i < n; i++) {
            HeartbeatAccepted hb = heartbeats.get(i);
            device[i] = hb.deviceId();
            received[i] = hb.receivedAt().atOffset(ZoneOffset.UTC);
            id[i] = hb.heartbeatId();
            tenant[i] = hb.tenantId() == null ? "" : hb.tenantId();
            channel[i] = hb.channel() == null ? "UNKNOWN" : hb.channel().name();
            kind[i] = hb.kind() == null ? "UNKNOWN" : hb.kind().name();
            status[i] = hb.status();
            measured[i] = hb.sentAt() == null ? null : hb.sentAt().atOffset(ZoneOffset.UTC);
            telemetry[i] = EventJson.write(hb.telemetry() == null ? Map.of() : hb.telemetry());
            anomalies[i] = EventJson.write(hb.anomalies() == null ? List.of() : hb.anomalies());
        }
        return pool.preparedQuery(INSERT)
                .execute(Tuple.from(new Object[] { device, received, id, tenant, channel, kind, status, measured,
                        telemetry, anomalies }))
                .replaceWithVoid();
    }

    /** Keeps heartbeats Postgres refused (as their JSON, NULs escaped) in {@code rejected_row}, for inspection. */
    public Uni<Void> reject(List<Rejected<HeartbeatAccepted>> rows) {
        return RejectedRows.store(pool, WRITER, rows, EventJson::write);
    }

    /**
     * The device's history with {@code from <= received_at < to}, newest first, at most {@code limit} rows; only rows
     * of {@code tenant} unless it is null (an administrator).
     */
    public Uni<List<Entry>> history(String deviceId, String tenant, Instant from, Instant to, int limit) {
        String sql = "SELECT heartbeat_id, channel, kind, status, measured_at, received_at, telemetry::text AS tel,"
                + " anomalies::text AS an FROM telemetry WHERE device_id = $1 AND received_at >= $2 AND received_at < $3"
                + (tenant == null ? "" : " AND tenant_id = $5")
                + " ORDER BY received_at DESC, heartbeat_id LIMIT $4";
        Tuple args = Tuple.of(deviceId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), limit);
        if (tenant != null) {
            args.addString(tenant);
        }
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<Entry> entries = new ArrayList<>();
            for (Row r : rows) {
                OffsetDateTime measured = r.getOffsetDateTime("measured_at");
                entries.add(new Entry(r.getString("heartbeat_id"), r.getString("channel"), r.getString("kind"),
                        r.getString("status"), measured == null ? null : measured.toInstant(),
                        r.getOffsetDateTime("received_at").toInstant(), read(r.getString("tel"), OBJECT),
                        read(r.getString("an"), STRINGS)));
            }
            return entries;
        });
    }

    /** Whether any history of the device is visible to {@code tenant} (null: an administrator). */
    public Uni<Boolean> exists(String deviceId, String tenant) {
        String sql = "SELECT EXISTS (SELECT 1 FROM telemetry WHERE device_id = $1"
                + (tenant == null ? ")" : " AND tenant_id = $2)");
        Tuple args = tenant == null ? Tuple.of(deviceId) : Tuple.of(deviceId, tenant);
        return pool.preparedQuery(sql).execute(args).map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return EventJson.mapper().readValue(json, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable telemetry column", e);
        }
    }
}
