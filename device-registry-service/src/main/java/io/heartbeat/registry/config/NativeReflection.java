package io.heartbeat.registry.config;

import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.registry.rest.Dtos;
import io.heartbeat.registry.service.DeviceDraft;
import io.heartbeat.registry.service.ProfileChange;
import io.heartbeat.registry.service.ProfileDraft;
import io.heartbeat.registry.service.ThresholdValues;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads or writes reflectively, kept for a native image: the events written with EventJson, and the
 * REST bodies (Quarkus registers those it sees in resource signatures; naming them here also covers the nested ones).
 * deployment-tests NativeReflectionTest fails when a serialized type is missing.
 */
@RegisterForReflection(targets = { DeviceView.class, Thresholds.class, Protocol.class, Dtos.AuditResponse.class,
        Dtos.DeviceBatch.class, Dtos.DeviceJwtRequest.class, Dtos.DeviceJwtResponse.class, Dtos.DeviceResponse.class,
        Dtos.DeviceWithToken.class, Dtos.ProfileResponse.class, Dtos.RegisteredBatch.class, DeviceDraft.class,
        ProfileChange.class,
        ProfileDraft.class, ThresholdValues.class })
public final class NativeReflection {

    private NativeReflection() {
    }
}
