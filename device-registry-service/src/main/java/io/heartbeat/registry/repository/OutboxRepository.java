package io.heartbeat.registry.repository;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.heartbeat.registry.entity.OutboxEvent;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;

/**
 * Outbox rows, written through Hibernate in the change's transaction; {@link io.heartbeat.registry.messaging.OutboxRelay}
 * publishes and deletes them.
 */
@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxEvent> {

    private static final MultiRowInsert<OutboxEvent> INSERT = new MultiRowInsert<>("outbox",
            List.of("topic", "message_key", "payload", "created_at"), List.of("?", "?", "CAST(? AS text)", "?"),
            e -> new Object[] { e.topic, e.key, e.payload, e.createdAt });

    /** Queues many events with multi-row statements; their ids (the relay's order) follow the list's order. */
    public Uni<Void> insertAll(List<OutboxEvent> events) {
        return getSession().flatMap(session -> INSERT.insert(session, events));
    }
}
