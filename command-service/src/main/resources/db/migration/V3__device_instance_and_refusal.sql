-- The device instance a command or schedule is for: DeviceView.createdAt of the registration it was made under. A
-- device id deleted and registered again (by another tenant, too) is another instance: claims, acks and fires match
-- only the current one, and the old instance's open commands are cancelled and its schedules disabled. Null in rows
-- from before this version: they match whatever instance of their tenant is current.
ALTER TABLE command ADD COLUMN device_created_at timestamptz;
ALTER TABLE schedule ADD COLUMN device_created_at timestamptz;

-- Why a command ended without reaching its device, a stable code (CommandResult.refusal): device-unknown,
-- device-deleted, remote-control-disabled, queue-full, push-unsupported, reconnect-pending. Null otherwise.
ALTER TABLE command ADD COLUMN refusal text;

-- Why the service disabled a schedule (device-deleted); null while enabled or when a user disabled it.
ALTER TABLE schedule ADD COLUMN disabled_reason text;
