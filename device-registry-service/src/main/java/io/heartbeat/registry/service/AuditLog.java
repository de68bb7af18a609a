package io.heartbeat.registry.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.security.Caller;
import io.heartbeat.registry.entity.AuditEntry;
import io.heartbeat.registry.repository.AuditRepository;
import io.smallrye.mutiny.Uni;

/** Writes audit entries inside the caller's transaction, so a change and its audit entry commit together. */
@ApplicationScoped
public class AuditLog {

    public static final String DEVICE = "device";
    public static final String PROFILE = "profile";

    private final AuditRepository repository;

    public AuditLog(AuditRepository repository) {
        this.repository = repository;
    }

    public Uni<Void> record(Caller caller, String action, String entityType, String entityId, String tenantId,
            Map<String, Object> details) {
        return repository.persist(entry(caller, action, entityType, entityId, tenantId, details)).replaceWithVoid();
    }

    /** One entry per item of {@code items}, all of {@code action} by {@code caller}, written at once. */
    public <T> Uni<Void> recordAll(Caller caller, String action, String entityType, List<T> items,
            Function<T, String> entityId, Function<T, String> tenantId, Function<T, Map<String, Object>> details) {
        return repository.insertAll(items.stream()
                .map(i -> entry(caller, action, entityType, entityId.apply(i), tenantId.apply(i), details.apply(i)))
                .toList());
    }

    private static AuditEntry entry(Caller caller, String action, String entityType, String entityId,
            String tenantId, Map<String, Object> details) {
        AuditEntry entry = new AuditEntry();
        entry.at = Instant.now();
        entry.actor = caller.subject();
        entry.actorTenant = caller.tenant();
        entry.tenantId = tenantId;
        entry.action = action;
        entry.entityType = entityType;
        entry.entityId = entityId;
        entry.details = details;
        return entry;
    }
}
