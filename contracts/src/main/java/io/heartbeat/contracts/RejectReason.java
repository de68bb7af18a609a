package io.heartbeat.contracts;

/** Why ingest refused a heartbeat (see {@link HeartbeatRejected}). */
public enum RejectReason {
    /** The payload is not JSON. */
    MALFORMED_JSON,
    /** A required field is absent. */
    MISSING_FIELD,
    /** A field has the wrong type or format. */
    INVALID_FIELD,
    /** No such device in the registry. */
    UNKNOWN_DEVICE,
    /** The {@code device_id} in the payload differs from the one in the topic, path or credential. */
    DEVICE_ID_MISMATCH,
    /** The device id is not syntactically valid. */
    INVALID_DEVICE_ID,
    /** No credential presented. */
    UNAUTHENTICATED,
    /** The credential (API token or JWT) does not match. */
    INVALID_CREDENTIAL,
    /** The JWT has expired. */
    EXPIRED_CREDENTIAL,
    /** The device is registered but disabled. */
    DEVICE_DISABLED,
    /** Too soon after the previous heartbeat, or too many per minute. */
    RATE_LIMITED,
    /** A telemetry value is outside its plausible range (e.g. heart_rate outside 30..220). */
    OUT_OF_RANGE,
    /** The device timestamp is too far in the future. */
    CLOCK_SKEW,
    /** The device timestamp is too far in the past. */
    TOO_OLD,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    /** Ingest could not accept it right now (e.g. registry view or Kafka not available). */
    UNAVAILABLE
}
