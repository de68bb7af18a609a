package io.heartbeat.ingest.service;

import java.time.Duration;

import io.heartbeat.contracts.RejectReason;

/**
 * Why a heartbeat was refused, in words a device owner understands.
 *
 * @param reason the stable reason, also published on heartbeats.rejected
 * @param detail a human-readable explanation (never a class name)
 * @param retryAfter for {@link RejectReason#RATE_LIMITED}: how long until a heartbeat would be accepted, else null
 */
public record Refusal(RejectReason reason, String detail, Duration retryAfter) {

    public Refusal(RejectReason reason, String detail) {
        this(reason, detail, null);
    }
}
