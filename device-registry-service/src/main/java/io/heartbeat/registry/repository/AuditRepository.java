package io.heartbeat.registry.repository;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.registry.entity.AuditEntry;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class AuditRepository implements PanacheRepository<AuditEntry> {

    public record Found(List<AuditEntry> items, long total) {
    }

    private static final MultiRowInsert<AuditEntry> INSERT = new MultiRowInsert<>("audit_log",
            List.of("at", "actor", "actor_tenant", "tenant_id", "action", "entity_type", "entity_id", "details"),
            List.of("?", "?", "CAST(? AS text)", "CAST(? AS text)", "?", "?", "?", "CAST(CAST(? AS text) AS jsonb)"),
            e -> new Object[] { e.at, e.actor, e.actorTenant, e.tenantId, e.action, e.entityType, e.entityId,
                    EventJson.write(e.details == null ? Map.of() : e.details) });

    /** Writes many entries with multi-row statements. */
    public Uni<Void> insertAll(List<AuditEntry> entries) {
        return getSession().flatMap(session -> INSERT.insert(session, entries));
    }

    /** Newest first. A null tenant (admins only) means every tenant. */
    public Uni<Found> search(String tenantId, String entityType, String entityId, int page, int size) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (tenantId != null) {
            where.add("tenantId = :tenant");
            params.put("tenant", tenantId);
        }
        if (entityType != null) {
            where.add("entityType = :type");
            params.put("type", entityType);
        }
        if (entityId != null) {
            where.add("entityId = :entity");
            params.put("entity", entityId);
        }
        var found = find(String.join(" and ", where), Sort.descending("id"), params);
        return found.page(Page.of(page, size)).list()
                .flatMap(items -> found.count().map(total -> new Found(items, total)));
    }
}
