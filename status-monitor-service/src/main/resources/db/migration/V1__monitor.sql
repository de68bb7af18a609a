-- Current liveness per device: one row, written by the engine that owns the device's partition of `heartbeats`
-- (heartbeat-only changes batched and coalesced) or by a probe under a row lock; every write checks and bumps
-- `version` (the database guard against a stale writer, e.g. during a rebalance).
CREATE TABLE device_status (
    device_id            text PRIMARY KEY,
    tenant_id            text        NOT NULL,
    profile_id           text,
    state                text        NOT NULL,
    since                timestamptz NOT NULL,
    last_heartbeat_at    timestamptz,
    last_evidence_at     timestamptz,
    deadline_at          timestamptz,
    tracked              boolean     NOT NULL,
    interval_s           integer     NOT NULL,
    connected_within_s   integer     NOT NULL,
    disconnected_after_s integer     NOT NULL,
    version              bigint      NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_status_tenant_state ON device_status (tenant_id, state);
CREATE INDEX device_status_since ON device_status (since);
CREATE INDEX device_status_deadline ON device_status (deadline_at) WHERE deadline_at IS NOT NULL;

-- Every state change, with its reason and the heartbeat age at that moment.
CREATE TABLE transition (
    id                bigserial PRIMARY KEY,
    event_id          text        NOT NULL,
    device_id         text        NOT NULL,
    tenant_id         text        NOT NULL,
    from_state        text        NOT NULL,
    to_state          text        NOT NULL,
    reason            text        NOT NULL,
    at                timestamptz NOT NULL,
    last_heartbeat_at timestamptz,
    heartbeat_age_ms  bigint,
    deadline_at       timestamptz,
    detail            text,
    persisted_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX transition_device ON transition (device_id, id DESC);

-- Probe results (external pingers, MQTT last wills), applied or not (seed 000's device_monitoring_results).
CREATE TABLE device_monitoring_results (
    id               bigserial PRIMARY KEY,
    device_id        text        NOT NULL,
    tenant_id        text        NOT NULL,
    test_scenario_id text,
    test_run_id      text,
    source           text        NOT NULL,
    success          boolean     NOT NULL,
    applied          boolean     NOT NULL,
    reason           text        NOT NULL,
    error_message    text,
    response_time_ms bigint,
    metadata         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    at               timestamptz NOT NULL
);
CREATE INDEX device_monitoring_results_device ON device_monitoring_results (device_id, id DESC);
CREATE INDEX device_monitoring_results_at ON device_monitoring_results (at);

-- Transactional outbox (io.heartbeat.common.outbox.OutboxRelay): device-status events.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    topic       text        NOT NULL,
    message_key text        NOT NULL,
    payload     text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Test scenarios (seed 000's test_scenarios): which devices to check and how.
CREATE TABLE test_scenarios (
    id           text PRIMARY KEY,
    tenant_id    text        NOT NULL,
    name         text        NOT NULL,
    description  text,
    flow_type    text        NOT NULL,
    device_ids   text[]      NOT NULL DEFAULT '{}',
    profile_id   text,
    timeout_ms   integer     NOT NULL,
    retries      integer     NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX test_scenarios_tenant ON test_scenarios (tenant_id);

-- One execution of a scenario and its summary; per-device rows are in device_monitoring_results.
CREATE TABLE test_runs (
    id            text PRIMARY KEY,
    scenario_id   text        NOT NULL REFERENCES test_scenarios (id) ON DELETE CASCADE,
    tenant_id     text        NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    devices       integer     NOT NULL,
    succeeded     integer     NOT NULL,
    success_rate  double precision NOT NULL,
    p50_ms        bigint,
    p95_ms        bigint,
    results       jsonb       NOT NULL
);
CREATE INDEX test_runs_scenario ON test_runs (scenario_id, started_at DESC);
