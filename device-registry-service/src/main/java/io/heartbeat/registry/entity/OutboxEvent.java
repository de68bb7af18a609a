package io.heartbeat.registry.entity;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An event waiting to be published, written in the same transaction as the change it describes. A null payload is a
 * tombstone.
 */
@Entity
@Table(name = "outbox")
public class OutboxEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String topic;

    @Column(name = "message_key")
    public String key;

    public String payload;

    @Column(name = "created_at")
    public Instant createdAt;

    public static OutboxEvent of(String topic, String key, String payload) {
        OutboxEvent e = new OutboxEvent();
        e.topic = topic;
        e.key = key;
        e.payload = payload;
        e.createdAt = Instant.now();
        return e;
    }
}
