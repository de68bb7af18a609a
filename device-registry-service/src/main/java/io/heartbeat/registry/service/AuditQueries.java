package io.heartbeat.registry.service;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.common.security.Caller;
import io.heartbeat.registry.repository.AuditRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;

/** Reading the audit log, scoped to what the caller may see. */
@ApplicationScoped
public class AuditQueries {

    private final AuditRepository repository;

    public AuditQueries(AuditRepository repository) {
        this.repository = repository;
    }

    @WithSession
    public Uni<AuditRepository.Found> search(Caller caller, String tenantId, String entityType, String entityId,
            int page, int size) {
        return repository.search(caller.scope(tenantId), entityType, entityId, page, size);
    }
}
