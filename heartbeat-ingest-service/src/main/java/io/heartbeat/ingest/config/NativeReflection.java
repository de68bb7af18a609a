package io.heartbeat.ingest.config;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceSignal;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.HeartbeatRejected;
import io.heartbeat.contracts.HeartbeatWatermark;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.RejectReason;
import io.heartbeat.contracts.SignalDelivered;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.ingest.rest.HeartbeatResponse;
import io.heartbeat.ingest.rest.HistoryResponse;
import io.heartbeat.ingest.telemetry.TelemetryStore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads or writes reflectively, kept for a native image: the events read and written with EventJson
 * (registry.devices, device-signals, heartbeats, heartbeats.rejected, device-signals.delivered) and the REST bodies.
 * deployment-tests NativeReflectionTest fails when a serialized type is missing.
 */
@RegisterForReflection(targets = { HeartbeatWatermark.class, DeviceView.class, Thresholds.class, Protocol.class,
        DeviceSignal.class,
        HeartbeatAccepted.class, HeartbeatKind.class, Channel.class, HeartbeatRejected.class, RejectReason.class,
        SignalDelivered.class, HeartbeatResponse.class, HeartbeatResponse.RefusedField.class, HistoryResponse.class,
        TelemetryStore.Entry.class })
public final class NativeReflection {

    private NativeReflection() {
    }
}
