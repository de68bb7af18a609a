package io.heartbeat.command.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.vertx.mutiny.sqlclient.Row;

/**
 * A command on a cron schedule, as stored and as the API shows it.
 *
 * @param cron a five-field cron expression (minute hour day-of-month month day-of-week), read in {@code timeZone}
 * @param nextFireAt the next fire time; null while disabled
 * @param lastFiredAt the fire time the newest command was made for
 * @param missedFires fire times that made no command because the service was down past the command's TTL (or only
 *        the newest of several missed ones was made up)
 * @param revision grows with every change by a user (and when the service disables it)
 * @param deviceCreatedAt the device instance it is for ({@code DeviceView.createdAt} when it was made); null for a
 *        schedule stored before instances were recorded
 * @param disabledReason why the service disabled it ({@code device-deleted}: its device was deleted or its id
 *        registered again); null while enabled or when a user disabled it
 */
public record Schedule(String id, String tenantId, String deviceId, String description, String cron,
        String timeZone, CommandTemplate command, boolean enabled, Instant nextFireAt, Instant lastFiredAt,
        String lastCommandId, long missedFires, String createdBy, Instant createdAt, Instant updatedAt,
        long revision, Instant deviceCreatedAt, String disabledReason) {

    /** The command each fire makes; durations in ISO-8601. */
    public record CommandTemplate(String name, Map<String, Object> payload, String ttl, String ackTimeout,
            int maxAttempts) {

        public CommandSpec spec() {
            return new CommandSpec(name, payload, Duration.parse(ttl), Duration.parse(ackTimeout),
                    maxAttempts);
        }
    }

    public static Schedule of(Row r) {
        CommandTemplate command = new CommandTemplate(r.getString("command_name"), Command.json(r.getString("payload")),
                Duration.ofMillis(r.getLong("ttl_ms")).toString(),
                Duration.ofMillis(r.getLong("ack_timeout_ms")).toString(), r.getInteger("max_attempts"));
        return new Schedule(r.getString("id"), r.getString("tenant_id"), r.getString("device_id"),
                r.getString("description"), r.getString("cron"), r.getString("time_zone"), command,
                r.getBoolean("enabled"), Command.instant(r, "next_fire_at"), Command.instant(r, "last_fired_at"),
                r.getString("last_command_id"), r.getLong("missed_fires"), r.getString("created_by"),
                Command.instant(r, "created_at"), Command.instant(r, "updated_at"), r.getLong("revision"),
                Command.instant(r, "device_created_at"), r.getString("disabled_reason"));
    }
}
