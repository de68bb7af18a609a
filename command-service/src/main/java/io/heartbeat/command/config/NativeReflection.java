package io.heartbeat.command.config;

import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeadLetteredCommand;
import io.heartbeat.contracts.DeviceSignal;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.SignalDelivered;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.TransitionReason;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads or writes reflectively, kept for a native image: the events read and written with EventJson
 * (registry.devices, device-status.current, command-requests, device-signals.delivered in; command-results, commands.dlq,
 * device-signals out) and the REST bodies. The service's own classes are named by string so that moving them between
 * packages does not break this file's compilation; deployment-tests NativeReflectionTest fails when a name here no
 * longer names a class, or when a serialized type is missing.
 */
@RegisterForReflection(targets = { DeviceView.class, Thresholds.class, Protocol.class, DeviceStatusChanged.class,
        DeviceState.class, TransitionReason.class, CommandRequest.class, CommandResult.class, CommandStatus.class,
        DeadLetteredCommand.class, DeviceSignal.class, SignalDelivered.class }, classNames = {
                "io.heartbeat.command.store.Command",
                "io.heartbeat.command.store.Command$Delivery",
                "io.heartbeat.command.service.CommandService$CreateCommand",
                "io.heartbeat.command.store.CommandStore$Transition",
                "io.heartbeat.command.store.Schedule",
                "io.heartbeat.command.store.Schedule$CommandTemplate",
                "io.heartbeat.command.service.ScheduleService$CommandBody",
                "io.heartbeat.command.service.ScheduleService$ScheduleBody" })
public final class NativeReflection {

    private NativeReflection() {
    }
}
