package io.heartbeat.monitor.engine;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.batch.BisectingBatchWriter.Rejected;
import io.heartbeat.common.batch.RejectedRows;
import io.heartbeat.common.outbox.OutboxRelay;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.monitor.engine.Liveness.Transition;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code monitor.device_status}, {@code transition} and the outbox, with the reactive SQL client. Every status write
 * names the version it read and bumps it; a write whose version no longer matches changes nothing and is reported as a
 * conflict, so the writer reloads the row instead of overwriting a newer one.
 */
@ApplicationScoped
public class StatusStore {

    public static final String COLUMNS = "device_id, tenant_id, profile_id, state, since, last_heartbeat_at, last_evidence_at,"
            + " deadline_at, tracked, interval_s, connected_within_s, disconnected_after_s, version, device_created_at";

    /** Devices per statement when changes are written in batches. */
    static final int CHUNK = 2000;

    private static final String UPDATE_FROM_EXCLUDED = "tenant_id = EXCLUDED.tenant_id,"
            + " profile_id = EXCLUDED.profile_id, state = EXCLUDED.state, since = EXCLUDED.since,"
            + " last_heartbeat_at = EXCLUDED.last_heartbeat_at, last_evidence_at = EXCLUDED.last_evidence_at,"
            + " deadline_at = EXCLUDED.deadline_at, tracked = EXCLUDED.tracked, interval_s = EXCLUDED.interval_s,"
            + " connected_within_s = EXCLUDED.connected_within_s,"
            + " disconnected_after_s = EXCLUDED.disconnected_after_s, version = EXCLUDED.version,"
            + " device_created_at = EXCLUDED.device_created_at, updated_at = now()";

    /**
     * A status to write (its version is the one it was computed from) and the transitions that led to it, in order
     * (usually one; a device registered and heartbeating in the same tick has two).
     */
    public record Change(DeviceStatus status, List<Transition> transitions, boolean adoptsInstance) {

        public Change(DeviceStatus status, List<Transition> transitions) {
            this(status, transitions, false);
        }

        public static Change of(DeviceStatus status, Transition transition) {
            return new Change(status, transition == null ? List.of() : List.of(transition));
        }

        /** This change followed by another outcome for the same device. */
        public Change then(DeviceStatus next, Transition transition) {
            if (transition == null) {
                return new Change(next, transitions, adoptsInstance);
            }
            List<Transition> all = new ArrayList<>(transitions);
            all.add(transition);
            return new Change(next, all, adoptsInstance);
        }

        /**
         * This change also gives the status's earlier transitions, recorded before the instance was known (a heartbeat
         * overtook the registry's view), the instance the status has now, so the device's history shows them.
         */
        public Change adoptingInstance() {
            return new Change(status, transitions, true);
        }
    }

    /** What a write did: the statuses as now stored (new versions), and the devices whose version had moved on. */
    public record Written(List<DeviceStatus> stored, Set<String> conflicts, Instant persistedAt) {
    }

    /**
     * One device's part of a status write: a heartbeat-only update or a change with its transitions (exactly one of
     * the two), the unit the engine's {@link io.heartbeat.common.batch.BisectingBatchWriter} sets aside.
     */
    public record Pending(DeviceStatus heartbeatOnly, Change change) {

        public static List<Pending> of(List<DeviceStatus> heartbeatOnly, List<Change> changes) {
            List<Pending> all = new ArrayList<>(heartbeatOnly.size() + changes.size());
            heartbeatOnly.forEach(s -> all.add(new Pending(s, null)));
            changes.forEach(c -> all.add(new Pending(null, c)));
            return all;
        }

        public String deviceId() {
            return heartbeatOnly != null ? heartbeatOnly.deviceId() : change.status().deviceId();
        }
    }

    /** The batch writer's name in {@code rejected_row.writer} and the {@code batch.rows.rejected} metric. */
    public static final String WRITER = "monitor-status";

    private final Pool pool;

    public StatusStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<DeviceStatus>> loadAll() {
        return pool.query("SELECT " + COLUMNS + " FROM device_status").execute().map(StatusStore::statuses);
    }

    public Uni<List<DeviceStatus>> load(Collection<String> ids) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM device_status WHERE device_id = ANY($1)")
                .execute(Tuple.of(ids.toArray(new String[0]))).map(StatusStore::statuses);
    }

    /**
     * Writes heartbeat-only updates (state unchanged: one batched statement) and changes with transitions, all in one
     * transaction.
     */
    public Uni<Written> write(List<DeviceStatus> heartbeatOnly, List<Change> changes) {
        return pool.withTransaction(tx -> coalesced(tx, heartbeatOnly).flatMap(stored -> {
            Set<String> conflicts = new HashSet<>();
            for (DeviceStatus s : heartbeatOnly) {
                conflicts.add(s.deviceId());
            }
            stored.forEach(s -> conflicts.remove(s.deviceId()));
            return applyChanges(tx, changes, stored, conflicts);
        })).flatMap(w -> pool.query("SELECT clock_timestamp()").execute()
                .map(rows -> new Written(w.stored(), w.conflicts(),
                        rows.iterator().next().getOffsetDateTime(0).toInstant())));
    }

    /** {@link #write(List, List)} of these devices' parts, in one transaction. */
    public Uni<Written> write(List<Pending> rows) {
        List<DeviceStatus> heartbeatOnly = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        for (Pending p : rows) {
            if (p.heartbeatOnly() != null) {
                heartbeatOnly.add(p.heartbeatOnly());
            } else {
                changes.add(p.change());
            }
        }
        return write(heartbeatOnly, changes);
    }

    /** Keeps status writes Postgres refused for their data (as JSON, NULs escaped) in {@code rejected_row}. */
    public Uni<Void> reject(List<Rejected<Pending>> rows) {
        return RejectedRows.store(pool, WRITER, rows, EventJson::write);
    }

    /** One change in its own transaction (probes): the caller holds the row lock through {@code tx}. */
    public Uni<DeviceStatus> writeOne(SqlClient tx, Change change) {
        return upsert(tx, change.status()).flatMap(stored -> stored == null
                ? Uni.createFrom().item(stored)
                : recordAll(tx, Collections.nCopies(change.transitions().size(), stored),
                        change.transitions()).replaceWith(stored));
    }

    /** The row, locked for the rest of the caller's transaction. */
    public Uni<DeviceStatus> lock(SqlClient tx, String deviceId) {
        return tx.preparedQuery("SELECT " + COLUMNS + " FROM device_status WHERE device_id = $1 FOR UPDATE")
                .execute(Tuple.of(deviceId)).map(rows -> {
                    List<DeviceStatus> s = statuses(rows);
                    return s.isEmpty() ? null : s.get(0);
                });
    }

    /**
     * All changes in the caller's transaction, a chunk of {@link #CHUNK} devices at a time with three statements per
     * chunk: the statuses (one upsert over arrays, each row guarded by its version), their transitions, and the
     * transitions' events into the outbox. Changes are one per device (the engine keys them by device id).
     */
    private Uni<Written> applyChanges(SqlClient tx, List<Change> changes, List<DeviceStatus> stored,
            Set<String> conflicts) {
        List<List<Change>> chunks = new ArrayList<>();
        for (int i = 0; i < changes.size(); i += CHUNK) {
            chunks.add(changes.subList(i, Math.min(changes.size(), i + CHUNK)));
        }
        return Multi.createFrom().iterable(chunks).onItem().transformToUniAndConcatenate(chunk -> upsertAll(tx, chunk)
                .flatMap(written -> {
                    Map<String, DeviceStatus> byId = new HashMap<>();
                    written.forEach(s -> byId.put(s.deviceId(), s));
                    List<DeviceStatus> owners = new ArrayList<>();
                    List<Transition> transitions = new ArrayList<>();
                    List<DeviceStatus> adopters = new ArrayList<>();
                    for (Change c : chunk) {
                        DeviceStatus s = byId.get(c.status().deviceId());
                        if (s == null) {
                            conflicts.add(c.status().deviceId());
                            continue;
                        }
                        stored.add(s);
                        if (c.adoptsInstance() && s.deviceCreatedAt() != null) {
                            adopters.add(s);
                        }
                        for (Transition t : c.transitions()) {
                            owners.add(s);
                            transitions.add(t);
                        }
                    }
                    return adoptInstances(tx, adopters).flatMap(ignored -> recordAll(tx, owners, transitions));
                }).replaceWith(Boolean.TRUE))
                .collect().with(Collectors.counting())
                .map(n -> new Written(stored, conflicts, null));
    }

    /**
     * Gives the transitions a status recorded before its instance was known (no {@code device_created_at}: a heartbeat
     * overtook the registry's view) the instance it has now; the history reads a device's own instance only, and would
     * otherwise lose its first transitions. One statement for the chunk.
     */
    private static Uni<Void> adoptInstances(SqlClient tx, List<DeviceStatus> adopters) {
        if (adopters.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = adopters.size();
        String[] ids = new String[n];
        String[] tenants = new String[n];
        OffsetDateTime[] instances = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            ids[i] = adopters.get(i).deviceId();
            tenants[i] = adopters.get(i).tenantId();
            instances[i] = odt(adopters.get(i).deviceCreatedAt());
        }
        return tx.preparedQuery("UPDATE transition t SET device_created_at = u.instance"
                + " FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(device_id, tenant_id, instance)"
                + " WHERE t.device_id = u.device_id AND t.tenant_id = u.tenant_id AND t.device_created_at IS NULL")
                .execute(Tuple.of(ids, tenants, instances)).replaceWithVoid();
    }

    /** {@link #upsert} for many rows in one statement; returns the rows written (a version conflict writes none). */
    private static Uni<List<DeviceStatus>> upsertAll(SqlClient tx, List<Change> chunk) {
        int n = chunk.size();
        String[] ids = new String[n];
        String[] tenants = new String[n];
        String[] profiles = new String[n];
        String[] states = new String[n];
        OffsetDateTime[] since = new OffsetDateTime[n];
        OffsetDateTime[] hb = new OffsetDateTime[n];
        OffsetDateTime[] ev = new OffsetDateTime[n];
        OffsetDateTime[] dl = new OffsetDateTime[n];
        Boolean[] tracked = new Boolean[n];
        Integer[] interval = new Integer[n];
        Integer[] within = new Integer[n];
        Integer[] after = new Integer[n];
        Long[] versions = new Long[n];
        OffsetDateTime[] instances = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            DeviceStatus s = chunk.get(i).status();
            DeviceStatus.Limits l = s.limits();
            ids[i] = s.deviceId();
            tenants[i] = s.tenantId();
            profiles[i] = s.profileId();
            states[i] = s.state().name();
            since[i] = odt(s.since());
            hb[i] = odt(s.lastHeartbeatAt());
            ev[i] = odt(s.lastEvidenceAt());
            dl[i] = odt(s.deadlineAt());
            tracked[i] = s.tracked();
            interval[i] = l.intervalSeconds();
            within[i] = l.connectedWithinSeconds();
            after[i] = l.disconnectedAfterSeconds();
            versions[i] = s.version() + 1;
            instances[i] = odt(s.deviceCreatedAt());
        }
        return tx.preparedQuery("INSERT INTO device_status (" + COLUMNS + ") SELECT * FROM unnest($1::text[],"
                + " $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[],"
                + " $8::timestamptz[], $9::boolean[], $10::int[], $11::int[], $12::int[], $13::bigint[],"
                + " $14::timestamptz[])"
                + " ON CONFLICT (device_id) DO UPDATE SET " + UPDATE_FROM_EXCLUDED
                + " WHERE device_status.version = EXCLUDED.version - 1 RETURNING " + COLUMNS)
                .execute(Tuple.from(new Object[] { ids, tenants, profiles, states, since, hb, ev, dl, tracked, interval,
                        within, after, versions, instances }))
                .map(StatusStore::statuses);
    }

    private static Uni<List<DeviceStatus>> coalesced(SqlClient tx, List<DeviceStatus> updates) {
        if (updates.isEmpty()) {
            return Uni.createFrom().item(new ArrayList<>());
        }
        int n = updates.size();
        String[] ids = new String[n];
        OffsetDateTime[] hb = new OffsetDateTime[n];
        OffsetDateTime[] ev = new OffsetDateTime[n];
        OffsetDateTime[] dl = new OffsetDateTime[n];
        Long[] versions = new Long[n];
        for (int i = 0; i < n; i++) {
            DeviceStatus s = updates.get(i);
            ids[i] = s.deviceId();
            hb[i] = odt(s.lastHeartbeatAt());
            ev[i] = odt(s.lastEvidenceAt());
            dl[i] = odt(s.deadlineAt());
            versions[i] = s.version();
        }
        return tx.preparedQuery("UPDATE device_status d SET last_heartbeat_at = u.hb, last_evidence_at = u.ev,"
                + " deadline_at = u.dl, version = d.version + 1, updated_at = now()"
                + " FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::bigint[])"
                + " AS u(id, hb, ev, dl, v) WHERE d.device_id = u.id AND d.version = u.v AND d.state = 'CONNECTED'"
                + " RETURNING " + prefixed("d"))
                .execute(Tuple.from(new Object[] { ids, hb, ev, dl, versions }))
                .map(rows -> new ArrayList<>(statuses(rows)));
    }

    /** Inserts (version 0: a new row) or updates the row if its version is still the one read; null on conflict. */
    private static Uni<DeviceStatus> upsert(SqlClient tx, DeviceStatus s) {
        DeviceStatus.Limits l = s.limits();
        Tuple args = Tuple.tuple()
                .addString(s.deviceId()).addString(s.tenantId()).addString(s.profileId())
                .addString(s.state().name()).addValue(odt(s.since())).addValue(odt(s.lastHeartbeatAt()))
                .addValue(odt(s.lastEvidenceAt())).addValue(odt(s.deadlineAt())).addBoolean(s.tracked())
                .addInteger(l.intervalSeconds()).addInteger(l.connectedWithinSeconds())
                .addInteger(l.disconnectedAfterSeconds()).addLong(s.version()).addValue(odt(s.deviceCreatedAt()));
        return tx.preparedQuery("INSERT INTO device_status (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
                + " $9, $10, $11, $12, $13 + 1, $14) ON CONFLICT (device_id) DO UPDATE SET " + UPDATE_FROM_EXCLUDED
                + " WHERE device_status.version = $13 RETURNING " + COLUMNS)
                .execute(args)
                .map(rows -> {
                    List<DeviceStatus> list = statuses(rows);
                    return list.isEmpty() ? null : list.get(0);
                });
    }

    /**
     * The transition rows ({@code owners.get(i)} made {@code transitions.get(i)}) and their events, in the same
     * transaction as the statuses: every transition on {@code device-status}, and each device's newest one on the
     * compacted {@code device-status.current} (a tombstone once the device is deleted). Each event's
     * {@code version} is its transition row's id, taken from the sequence in this transaction: the status rows are
     * guarded by their versions, so of two writes to one device the later committed took the later id, whatever the
     * clock said ({@code at}). Four statements however many there are.
     */
    private static Uni<Void> recordAll(SqlClient tx, List<DeviceStatus> owners, List<Transition> transitions) {
        int n = transitions.size();
        if (n == 0) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("SELECT nextval('transition_id_seq') FROM generate_series(1, $1)").execute(Tuple.of(n))
                .flatMap(rows -> {
                    Long[] ids = new Long[n];
                    int i = 0;
                    for (Row r : rows) {
                        ids[i++] = r.getLong(0);
                    }
                    java.util.Arrays.sort(ids);
                    return recordAll(tx, owners, transitions, ids);
                });
    }

    private static Uni<Void> recordAll(SqlClient tx, List<DeviceStatus> owners, List<Transition> transitions,
            Long[] ids) {
        int n = transitions.size();
        String[] eventIds = new String[n];
        String[] devices = new String[n];
        String[] tenants = new String[n];
        String[] from = new String[n];
        String[] to = new String[n];
        String[] reasons = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        OffsetDateTime[] lastHeartbeat = new OffsetDateTime[n];
        Long[] ages = new Long[n];
        OffsetDateTime[] deadlines = new OffsetDateTime[n];
        String[] details = new String[n];
        OffsetDateTime[] instances = new OffsetDateTime[n];
        List<String> keys = new ArrayList<>(n);
        List<String> events = new ArrayList<>(n);
        Map<String, String> newest = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            DeviceStatus s = owners.get(i);
            Transition t = transitions.get(i);
            eventIds[i] = UUID.randomUUID().toString();
            devices[i] = s.deviceId();
            tenants[i] = s.tenantId();
            from[i] = t.from().name();
            to[i] = t.to().name();
            reasons[i] = t.reason().name();
            at[i] = odt(t.at());
            lastHeartbeat[i] = odt(t.lastHeartbeatAt());
            ages[i] = t.heartbeatAgeMs();
            deadlines[i] = odt(t.deadline());
            details[i] = t.detail();
            instances[i] = odt(s.deviceCreatedAt());
            keys.add(s.deviceId());
            String event = EventJson.write(new DeviceStatusChanged(DeviceStatusChanged.SCHEMA_VERSION, eventIds[i],
                    s.deviceId(), s.tenantId(), t.from(), t.to(), t.reason(), t.at(), t.lastHeartbeatAt(),
                    t.heartbeatAgeMs(), t.detail(), s.deviceCreatedAt(), ids[i]));
            events.add(event);
            // a device's transitions are in order: the last one is its current state
            newest.remove(s.deviceId());
            newest.put(s.deviceId(), t.reason() == TransitionReason.DEVICE_DELETED ? null : event);
        }
        return tx.preparedQuery("INSERT INTO transition (id, event_id, device_id, tenant_id, from_state, to_state,"
                + " reason, at, last_heartbeat_at, heartbeat_age_ms, deadline_at, detail, device_created_at)"
                + " SELECT i, e, d, t, f, s, r, a, h, g, x, m, c FROM unnest($1::bigint[], $2::text[], $3::text[],"
                + " $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[],"
                + " $10::bigint[], $11::timestamptz[], $12::text[], $13::timestamptz[])"
                + " WITH ORDINALITY AS u(i, e, d, t, f, s, r, a, h, g, x, m, c, n) ORDER BY n")
                .execute(Tuple.from(new Object[] { ids, eventIds, devices, tenants, from, to, reasons, at,
                        lastHeartbeat, ages, deadlines, details, instances }))
                .flatMap(ignored -> OutboxRelay.appendAll(tx, Topics.DEVICE_STATUS, keys, events))
                .flatMap(ignored -> OutboxRelay.appendAll(tx, Topics.DEVICE_STATUS_CURRENT,
                        new ArrayList<>(newest.keySet()), new ArrayList<>(newest.values())));
    }

    private static String prefixed(String alias) {
        StringBuilder sb = new StringBuilder();
        for (String c : COLUMNS.split(",")) {
            sb.append(sb.length() == 0 ? "" : ", ").append(alias).append('.').append(c.strip());
        }
        return sb.toString();
    }

    static List<DeviceStatus> statuses(Iterable<Row> rows) {
        List<DeviceStatus> list = new ArrayList<>();
        for (Row r : rows) {
            list.add(StatusRows.status(r));
        }
        return list;
    }

    static OffsetDateTime odt(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }
}
