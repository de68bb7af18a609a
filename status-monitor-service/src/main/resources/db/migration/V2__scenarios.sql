-- Test scenarios (seed 000): what to check on which devices; runs keep their summary and per-device results.
-- Each device's result is also a row of device_monitoring_results (scenario_id, run_id set).
CREATE TABLE scenario (
    id          text PRIMARY KEY,
    tenant_id   text        NOT NULL,
    name        text        NOT NULL,
    description text,
    flow_type   text        NOT NULL,
    selection   jsonb       NOT NULL,
    timeout_ms  bigint      NOT NULL,
    retries     integer     NOT NULL,
    created_by  text,
    created_at  timestamptz NOT NULL
);
CREATE INDEX scenario_tenant ON scenario (tenant_id, created_at DESC);

CREATE TABLE scenario_run (
    id           text PRIMARY KEY,
    scenario_id  text        NOT NULL REFERENCES scenario (id) ON DELETE CASCADE,
    tenant_id    text        NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    summary      jsonb       NOT NULL
);
CREATE INDEX scenario_run_scenario ON scenario_run (scenario_id, started_at DESC);
CREATE INDEX scenario_run_started ON scenario_run (started_at);
