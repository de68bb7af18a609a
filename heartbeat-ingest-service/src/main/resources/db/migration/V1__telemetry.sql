-- Telemetry history: one row per accepted heartbeat, written in batches from the heartbeats topic.
-- Partitioned by day of received_at (the ingest clock, always present and never far from now); partitions are
-- created ahead and dropped whole once older than the retention (TelemetryPartitions), so retention never runs a
-- large DELETE. The primary key is also the (device, time) index the history query uses, and makes a redelivered
-- batch (crash between insert and offset commit) a no-op.
CREATE TABLE telemetry (
    device_id    text        NOT NULL,
    received_at  timestamptz NOT NULL,
    heartbeat_id text        NOT NULL,
    tenant_id    text        NOT NULL,
    channel      text        NOT NULL,
    kind         text        NOT NULL,
    status       text,
    measured_at  timestamptz,
    telemetry    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    anomalies    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (device_id, received_at, heartbeat_id)
) PARTITION BY RANGE (received_at);
