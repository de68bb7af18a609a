package io.heartbeat.monitor.config;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.HeartbeatWatermark;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.monitor.probe.Scenarios;
import io.heartbeat.monitor.rest.ProbeResource;
import io.heartbeat.monitor.rest.ScenarioResource;
import io.heartbeat.monitor.rest.StatusResource;
import io.heartbeat.monitor.service.ProbeEvidence;
import io.heartbeat.monitor.service.StatusQueries;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads or writes reflectively, kept for a native image: the events read and written with EventJson
 * (heartbeats, registry.devices, device-status, command-requests, command-results), the scenario results kept as JSON
 * and the REST bodies. deployment-tests NativeReflectionTest fails when a serialized type is missing.
 */
@RegisterForReflection(targets = { HeartbeatWatermark.class, HeartbeatAccepted.class, HeartbeatKind.class, Channel.class,
        DeviceView.class,
        Thresholds.class, Protocol.class, DeviceStatusChanged.class, DeviceState.class, TransitionReason.class,
        CommandRequest.class, CommandResult.class, CommandStatus.class, Scenarios.DeviceResult.class,
        Scenarios.FlowType.class, Scenarios.Run.class, Scenarios.Scenario.class,
        ProbeResource.ProbeResultRequest.class, ScenarioResource.ScenarioRequest.class, StatusResource.StatusView.class,
        ProbeEvidence.Verdict.class, StatusQueries.TransitionRow.class })
public final class NativeReflection {

    private NativeReflection() {
    }
}
