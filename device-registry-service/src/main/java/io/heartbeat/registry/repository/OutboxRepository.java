package io.heartbeat.registry.repository;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.registry.entity.OutboxEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;

/**
 * Outbox rows, written through Hibernate in the change's transaction; {@link io.heartbeat.registry.messaging.OutboxRelay}
 * publishes and deletes them.
 */
@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxEvent> {
}
