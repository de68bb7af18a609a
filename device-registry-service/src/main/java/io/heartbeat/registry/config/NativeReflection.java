package io.heartbeat.registry.config;

import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.Thresholds;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads or writes reflectively outside a REST signature (the events written with EventJson), kept
 * for a native image.
 */
@RegisterForReflection(targets = { DeviceView.class, Thresholds.class })
public final class NativeReflection {

    private NativeReflection() {
    }
}
