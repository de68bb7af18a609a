package io.heartbeat.contracts;

/** What proved the device alive: a dedicated heartbeat ({@code devices/{id}/heartbeat}) or a data message. */
public enum HeartbeatKind {
    /** A heartbeat message ({@code device_id, timestamp, status, jwt_token}, optionally with telemetry). */
    HEARTBEAT,
    /** A telemetry message ({@code devices/{id}/data}); it also proves liveness. */
    DATA
}
