package io.heartbeat.registry.repository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.registry.entity.Device;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class DeviceRepository implements PanacheRepositoryBase<Device, String> {

    /** Filters of the device list; null means "any". {@code tenantId} null is only for admins. */
    public record Filter(String tenantId, Protocol protocol, Boolean enabled, String nameContains, String profileId) {
    }

    public record Found(List<Device> items, long total) {
    }

    /** Loads a device and locks its row until the transaction ends: one writer per device. */
    public Uni<Device> findForUpdate(String id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Takes the tenant's device-count lock until the transaction ends and then counts its devices: creations in one
     * tenant take turns, so two of them cannot both see room for one more under the quota. (Under READ COMMITTED the
     * count, a statement after the lock, sees every creation committed before the lock was granted.)
     */
    public Uni<Long> lockAndCountTenant(String tenantId) {
        return getSession().flatMap(session -> session
                .createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(" + TENANT_LOCK_CLASS + ", hashtext(:tenant))",
                        Integer.class)
                .setParameter("tenant", tenantId).getResultList())
                .chain(() -> count("tenantId", tenantId));
    }

    /** The first key of the tenants' advisory locks (the second is the tenant id's hash). */
    static final int TENANT_LOCK_CLASS = 0x51a7e001;

    /**
     * The revision each of {@code ids} starts above when it is created: the last one of a deleted namesake (ids
     * absent from the answer start above 0). One query.
     */
    public Uni<Map<String, Long>> revisionFloors(Collection<String> ids) {
        return getSession().flatMap(session -> session
                .createNativeQuery("""
                        SELECT id, last_revision
                        FROM deleted_device
                        WHERE id IN (:ids)
                        """, Object[].class)
                .setParameter("ids", ids).getResultList())
                .map(rows -> {
                    Map<String, Long> floors = new HashMap<>();
                    for (Object[] row : rows) {
                        floors.put((String) row[0], ((Number) row[1]).longValue());
                    }
                    return floors;
                });
    }

    /** Which of {@code ids} are taken, in any tenant, in one query. */
    public Uni<Set<String>> existingIds(Collection<String> ids) {
        return getSession().flatMap(session -> session
                .createSelectionQuery("select d.id from Device d where d.id in :ids", String.class)
                .setParameter("ids", ids).getResultList())
                .map(Set::copyOf);
    }

    private static final MultiRowInsert<Device> INSERT = new MultiRowInsert<>("device",
            List.of("id", "tenant_id", "name", "protocol", "protocol_config", "profile_id", "override_interval_s",
                    "override_connected_within_s", "override_disconnected_after_s", "override_min_spacing_s",
                    "override_max_per_minute", "enabled", "remote_control_enabled", "firmware_version", "metadata",
                    "token_hash", "token_rotated_at", "created_at", "updated_at", "revision"),
            List.of("?", "?", "?", "?", "CAST(CAST(? AS text) AS jsonb)", "?", "CAST(? AS integer)", "CAST(? AS integer)",
                    "CAST(? AS integer)", "CAST(? AS integer)", "CAST(? AS integer)", "?", "?", "CAST(? AS text)",
                    "CAST(CAST(? AS text) AS jsonb)", "?", "?", "?", "?", "?"),
            d -> new Object[] { d.id, d.tenantId, d.name, d.protocol.name(), EventJson.write(d.protocolConfig),
                    d.profileId, d.overrides().heartbeatIntervalSeconds, d.overrides().connectedWithinSeconds,
                    d.overrides().disconnectedAfterSeconds, d.overrides().minHeartbeatSpacingSeconds,
                    d.overrides().maxHeartbeatsPerMinute, d.enabled, d.remoteControlEnabled, d.firmwareVersion,
                    EventJson.write(d.metadata), d.tokenHash, d.tokenRotatedAt, d.createdAt, d.updatedAt,
                    d.revision });

    /**
     * Inserts new devices with multi-row statements (see {@link MultiRowInsert}). The devices are not attached to
     * the session: they are answered as they are, not changed later in the transaction.
     */
    public Uni<Void> insertAll(List<Device> devices) {
        return getSession().flatMap(session -> INSERT.insert(session, devices));
    }

    /** Remembers a deleted device's last revision (see {@link #revisionFloors}). */
    public Uni<Void> rememberDeleted(String id, long lastRevision) {
        return getSession().flatMap(session -> session.createNativeQuery(
                "INSERT INTO deleted_device (id, last_revision, deleted_at) VALUES (:id, :rev, now()) "
                        + "ON CONFLICT (id) DO UPDATE SET last_revision = EXCLUDED.last_revision, deleted_at = now()")
                .setParameter("id", id).setParameter("rev", lastRevision).executeUpdate())
                .replaceWithVoid();
    }

    public Uni<List<Device>> findByProfileForUpdate(String profileId) {
        return find("profileId", profileId).withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }

    public Uni<Long> countByProfile(String profileId) {
        return count("profileId", profileId);
    }

    public Uni<Found> search(Filter f, int page, int size) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (f.tenantId() != null) {
            where.add("tenantId = :tenant");
            params.put("tenant", f.tenantId());
        }
        if (f.protocol() != null) {
            where.add("protocol = :protocol");
            params.put("protocol", f.protocol());
        }
        if (f.enabled() != null) {
            where.add("enabled = :enabled");
            params.put("enabled", f.enabled());
        }
        if (f.profileId() != null) {
            where.add("profileId = :profile");
            params.put("profile", f.profileId());
        }
        if (f.nameContains() != null && !f.nameContains().isBlank()) {
            where.add("lower(name) like :name escape '\\'");
            params.put("name", "%" + escapeLike(f.nameContains().toLowerCase()) + "%");
        }
        String query = String.join(" and ", where);
        var found = find(query, Sort.by("id"), params);
        return found.page(Page.of(page, size)).list()
                .flatMap(items -> found.count().map(total -> new Found(items, total)));
    }

    static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
