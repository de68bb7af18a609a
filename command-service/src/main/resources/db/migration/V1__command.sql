-- One row per command; the dispatcher's timers live here (next_attempt_at, expires_at), so a restart re-arms them.
-- seq gives the creation order per device in which queued commands leave.
CREATE TABLE command (
    id              text PRIMARY KEY,
    seq             bigserial   NOT NULL,
    tenant_id       text        NOT NULL,
    device_id       text        NOT NULL,
    name            text        NOT NULL,
    payload         text        NOT NULL,
    status          text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    max_attempts    integer     NOT NULL,
    ack_timeout_ms  bigint      NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    -- QUEUED/TIMED_OUT: when it may be sent; SENT: when its ack is overdue; null once final
    next_attempt_at timestamptz,
    sent_at         timestamptz,
    completed_at    timestamptz,
    result          text,
    round_trip_ms   bigint,
    last_error      text,
    idempotency_key text,
    request_id      text,
    requested_by    text,
    correlation_id  text,
    replay_of       text,
    updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX command_idempotency ON command (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX command_request ON command (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX command_due ON command (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX command_open_device ON command (device_id, seq) WHERE completed_at IS NULL;
CREATE INDEX command_device_history ON command (device_id, created_at DESC);
CREATE INDEX command_tenant_history ON command (tenant_id, created_at DESC);

-- Every status change of a command, with its time.
CREATE TABLE command_transition (
    id         bigserial PRIMARY KEY,
    command_id text        NOT NULL,
    status     text        NOT NULL,
    attempt    integer     NOT NULL,
    detail     text,
    at         timestamptz NOT NULL
);
CREATE INDEX command_transition_command ON command_transition (command_id, id);

-- Acks that changed nothing (duplicate, late, unknown command) are counted in metrics, not stored.

-- Transactional outbox (io.heartbeat.common.outbox.OutboxRelay): command-results and commands.dlq.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    topic       text        NOT NULL,
    message_key text        NOT NULL,
    payload     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
