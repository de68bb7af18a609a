-- How a command reaches its device: MQTT (devices/{id}/commands, acked by the device) or SIGNAL (a reconnect for an
-- HTTP device: published on device-signals, answered in its next heartbeat response, completed when ingest reports
-- the delivery on device-signals.delivered).
ALTER TABLE command ADD COLUMN delivery text NOT NULL DEFAULT 'MQTT';
-- The schedule and fire time a command was made for: at most one command per schedule and fire time.
ALTER TABLE command ADD COLUMN schedule_id text;
ALTER TABLE command ADD COLUMN scheduled_for timestamptz;
CREATE UNIQUE INDEX command_schedule_fire ON command (schedule_id, scheduled_for) WHERE schedule_id IS NOT NULL;

-- The newest signal per device, as published on the compacted device-signals topic; revision only grows.
CREATE TABLE device_signal (
    device_id              text PRIMARY KEY,
    tenant_id              text        NOT NULL,
    revision               bigint      NOT NULL,
    should_reconnect       boolean     NOT NULL,
    reconnect_command_id   text,
    remote_control_enabled boolean     NOT NULL,
    updated_at             timestamptz NOT NULL
);

-- Commands on a cron schedule. next_fire_at is the timer (null while disabled); the claimer locks due rows with
-- FOR UPDATE SKIP LOCKED and moves next_fire_at on in the transaction that creates the command.
CREATE TABLE schedule (
    id             text PRIMARY KEY,
    tenant_id      text        NOT NULL,
    device_id      text        NOT NULL,
    description    text,
    cron           text        NOT NULL,
    time_zone      text        NOT NULL,
    command_name   text        NOT NULL,
    payload        text        NOT NULL,
    ttl_ms         bigint      NOT NULL,
    ack_timeout_ms bigint      NOT NULL,
    max_attempts   integer     NOT NULL,
    enabled        boolean     NOT NULL,
    next_fire_at   timestamptz,
    last_fired_at  timestamptz,
    last_command_id text,
    missed_fires   bigint      NOT NULL DEFAULT 0,
    created_by     text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    revision       bigint      NOT NULL DEFAULT 1
);
CREATE INDEX schedule_due ON schedule (next_fire_at) WHERE next_fire_at IS NOT NULL;
CREATE INDEX schedule_tenant_device ON schedule (tenant_id, device_id);

-- Retention: final commands older than heartbeat.command.retention are deleted with their transitions.
CREATE INDEX command_completed ON command (completed_at) WHERE completed_at IS NOT NULL;
