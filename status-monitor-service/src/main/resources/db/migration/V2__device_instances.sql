-- The device instance (the registry's createdAt of the registration) each status and transition belongs to: a device
-- id deleted and registered again, perhaps by another tenant, starts over, and the earlier device's history is not
-- the new one's. Null in rows written before this migration.
ALTER TABLE device_status ADD COLUMN device_created_at timestamptz;
ALTER TABLE transition ADD COLUMN device_created_at timestamptz;
CREATE INDEX transition_device_instance ON transition (device_id, tenant_id, device_created_at, id DESC);
