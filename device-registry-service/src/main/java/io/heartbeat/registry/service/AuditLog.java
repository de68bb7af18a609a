package io.heartbeat.registry.service;

import java.time.Instant;
import java.util.Map;

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
        AuditEntry entry = new AuditEntry();
        entry.at = Instant.now();
        entry.actor = caller.subject();
        entry.actorTenant = caller.tenant();
        entry.tenantId = tenantId;
        entry.action = action;
        entry.entityType = entityType;
        entry.entityId = entityId;
        entry.details = details;
        return repository.persist(entry).replaceWithVoid();
    }
}
