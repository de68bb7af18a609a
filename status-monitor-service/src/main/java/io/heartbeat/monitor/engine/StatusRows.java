package io.heartbeat.monitor.engine;

import java.time.Instant;
import java.time.OffsetDateTime;

import io.heartbeat.contracts.DeviceState;
import io.vertx.mutiny.sqlclient.Row;

/** Reads {@code device_status} rows. */
public final class StatusRows {

    private StatusRows() {
    }

    public static DeviceStatus status(Row r) {
        return new DeviceStatus(r.getString("device_id"), r.getString("tenant_id"), r.getString("profile_id"),
                DeviceState.valueOf(r.getString("state")), instant(r, "since"), instant(r, "last_heartbeat_at"),
                instant(r, "last_evidence_at"), instant(r, "deadline_at"), r.getBoolean("tracked"),
                new DeviceStatus.Limits(r.getInteger("interval_s"), r.getInteger("connected_within_s"),
                        r.getInteger("disconnected_after_s")),
                r.getLong("version"), instant(r, "device_created_at"));
    }

    public static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
