-- Device registry schema, owned by the registry role. No other service reads it:
-- they learn about devices from the compacted registry.devices topic.

CREATE TABLE profile (
    id                          text PRIMARY KEY,
    name                        text        NOT NULL,
    description                 text,
    heartbeat_interval_s        integer     NOT NULL,
    connected_within_s          integer     NOT NULL,
    disconnected_after_s        integer     NOT NULL,
    min_heartbeat_spacing_s     integer     NOT NULL,
    max_heartbeats_per_minute   integer     NOT NULL,
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    revision                    bigint      NOT NULL,
    CONSTRAINT profile_thresholds_consistent CHECK (
        heartbeat_interval_s > 0
        AND heartbeat_interval_s <= connected_within_s
        AND connected_within_s < disconnected_after_s
        AND min_heartbeat_spacing_s >= 0
        AND min_heartbeat_spacing_s <= heartbeat_interval_s
        AND max_heartbeats_per_minute BETWEEN 1 AND 600)
);

-- The seeds' values: a heartbeat every 30 s; connected while the last one is younger than 40 s,
-- disconnected from 300 s; at least 10 s between heartbeats and at most 10 a minute.
INSERT INTO profile (id, name, description, heartbeat_interval_s, connected_within_s, disconnected_after_s,
                     min_heartbeat_spacing_s, max_heartbeats_per_minute, created_at, updated_at, revision)
VALUES ('default', 'Default', 'Heartbeat every 30 s; temporarily offline after 40 s of silence, disconnected after 300 s.',
        30, 40, 300, 10, 10, now(), now(), 1);

CREATE TABLE device (
    id                          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
    tenant_id                   text        NOT NULL,
    name                        text        NOT NULL,
    protocol                    text        NOT NULL CHECK (protocol IN ('MQTT', 'HTTP')),
    protocol_config             jsonb       NOT NULL DEFAULT '{}'::jsonb,
    profile_id                  text        NOT NULL REFERENCES profile (id),
    override_interval_s         integer,
    override_connected_within_s integer,
    override_disconnected_after_s integer,
    override_min_spacing_s      integer,
    override_max_per_minute     integer,
    enabled                     boolean     NOT NULL,
    remote_control_enabled      boolean     NOT NULL,
    firmware_version            text,
    metadata                    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    token_hash                  text        NOT NULL,
    token_rotated_at            timestamptz NOT NULL,
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    revision                    bigint      NOT NULL
);

CREATE INDEX device_tenant_idx ON device (tenant_id, id);
CREATE INDEX device_profile_idx ON device (profile_id);
CREATE INDEX device_tenant_name_idx ON device (tenant_id, lower(name));

CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL,
    actor           text        NOT NULL,
    actor_tenant    text,
    tenant_id       text,
    action          text        NOT NULL,
    entity_type     text        NOT NULL,
    entity_id       text        NOT NULL,
    details         jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id DESC);

-- Transactional outbox: a change and its event commit together; the relay publishes rows in id order
-- and deletes them once Kafka has acknowledged. payload NULL is a tombstone.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    topic           text        NOT NULL,
    message_key     text        NOT NULL,
    payload         text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
