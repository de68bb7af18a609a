-- The last revision of each deleted device id, so a device re-created under the same id continues
-- above it: consumers that missed the tombstone never mistake the new device's views for stale ones.
CREATE TABLE deleted_device (
    id              text PRIMARY KEY,
    last_revision   bigint      NOT NULL,
    deleted_at      timestamptz NOT NULL
);
