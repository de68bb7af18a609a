package io.heartbeat.monitor.engine;

import java.time.Duration;
import java.time.Instant;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.TransitionReason;

/**
 * The liveness state machine of seed 004, as pure functions: every input (a heartbeat, a deadline passing, a probe
 * result, a registry change) maps a {@link DeviceStatus} to an {@link Outcome}: the new status and, if the state
 * changed, the transition to record. No I/O, no clock: the caller passes the time.
 *
 * <pre>
 * UNKNOWN ──heartbeat──▶ CONNECTED ──silent past connected-within──▶ TEMPORARILY_OFFLINE ──past disconnected-after──▶ DISCONNECTED
 *                          ▲                                              │                                             │
 *                          └───────────────────────── heartbeat ◀─────────┴─────────────────────────────────────────────┘
 * </pre>
 *
 * Deadlines count from the last evidence of life (the ingest timestamp of the newest heartbeat, or a later successful
 * probe). The heartbeat is the authority: a probe, or an MQTT last will, changes the state only when the last heartbeat
 * is older than the heartbeat interval.
 */
public final class Liveness {

    private Liveness() {
    }

    /** The new status, and the transition if the state changed (else null). */
    public record Outcome(DeviceStatus status, Transition transition, boolean applied, String reason) {

        static Outcome unchanged(DeviceStatus status, String reason) {
            return new Outcome(status, null, false, reason);
        }

        public boolean changed() {
            return transition != null;
        }
    }

    /**
     * A recorded state change.
     *
     * @param deadline for timeouts, the deadline that passed (detection delay = persisted time minus this)
     */
    public record Transition(DeviceState from, DeviceState to, TransitionReason reason, Instant at,
            Instant lastHeartbeatAt, Long heartbeatAgeMs, Instant deadline, String detail) {
    }

    /** A heartbeat received by ingest at {@code receivedAt}. Older than the newest one held: ignored. */
    public static Outcome heartbeat(DeviceStatus s, Instant receivedAt, Instant now) {
        if (!s.tracked()) {
            return Outcome.unchanged(s, "the device is not tracked (disabled or deleted)");
        }
        if (s.lastHeartbeatAt() != null && !receivedAt.isAfter(s.lastHeartbeatAt())) {
            return Outcome.unchanged(s, "an older heartbeat than the newest one held");
        }
        Instant evidence = later(receivedAt, s.lastEvidenceAt());
        Instant deadline = evidence.plus(s.limits().connectedWithin());
        if (s.state() == DeviceState.CONNECTED) {
            return new Outcome(s.with(DeviceState.CONNECTED, s.since(), receivedAt, evidence, deadline, true), null,
                    true, "heartbeat");
        }
        DeviceStatus next = s.with(DeviceState.CONNECTED, now, receivedAt, evidence, deadline, true);
        return new Outcome(next, new Transition(s.state(), DeviceState.CONNECTED, TransitionReason.HEARTBEAT_RECEIVED,
                now, receivedAt, Duration.between(receivedAt, now).toMillis(), null, null), true, "heartbeat");
    }

    /** The deadline check at {@code now}: CONNECTED → TEMPORARILY_OFFLINE → DISCONNECTED. */
    public static Outcome deadline(DeviceStatus s, Instant now) {
        return deadline(s, now, Duration.ZERO);
    }

    /**
     * The deadline check at {@code now}, with {@code excused} of the device's silence not counted (a gap of the
     * heartbeat pipeline): a device silent through a gap goes TEMPORARILY_OFFLINE first, as it would have without the
     * gap, rather than straight to DISCONNECTED.
     */
    public static Outcome deadline(DeviceStatus s, Instant now, Duration excused) {
        if (!s.tracked() || s.deadlineAt() == null || now.isBefore(s.deadlineAt()) || s.lastEvidenceAt() == null) {
            return Outcome.unchanged(s, "no deadline has passed");
        }
        Instant evidence = s.lastEvidenceAt();
        if (s.state() == DeviceState.CONNECTED) {
            Instant disconnectAt = evidence.plus(s.limits().disconnectedAfter());
            boolean both = !now.minus(excused).isBefore(disconnectAt);
            DeviceState to = both ? DeviceState.DISCONNECTED : DeviceState.TEMPORARILY_OFFLINE;
            DeviceStatus next = s.with(to, now, s.lastHeartbeatAt(), evidence, both ? null : disconnectAt, true);
            return new Outcome(next, timeout(s, to, now, s.deadlineAt()), true, "timeout");
        }
        if (s.state() == DeviceState.TEMPORARILY_OFFLINE) {
            DeviceStatus next = s.with(DeviceState.DISCONNECTED, now, s.lastHeartbeatAt(), evidence, null, true);
            return new Outcome(next, timeout(s, DeviceState.DISCONNECTED, now, s.deadlineAt()), true, "timeout");
        }
        return new Outcome(s.with(s.state(), s.since(), s.lastHeartbeatAt(), evidence, null, true), null, false,
                "no timeout from " + s.state());
    }

    private static Transition timeout(DeviceStatus s, DeviceState to, Instant now, Instant deadline) {
        return new Transition(s.state(), to, TransitionReason.HEARTBEAT_TIMEOUT, now, s.lastHeartbeatAt(),
                s.heartbeatAgeMs(now), deadline, null);
    }

    /**
     * External evidence: a probe result (or, as a failure, an MQTT last will). Applied only when the last heartbeat
     * is older than the heartbeat interval; otherwise recorded and not applied, with the reason.
     */
    public static Outcome evidence(DeviceStatus s, boolean alive, TransitionReason reason, String detail, Instant at) {
        if (!s.tracked()) {
            return Outcome.unchanged(s, "the device is not tracked (disabled or deleted)");
        }
        if (s.lastHeartbeatAt() != null && at.isBefore(s.lastHeartbeatAt().plus(s.limits().interval()))) {
            return Outcome.unchanged(s, "the last heartbeat (" + s.heartbeatAgeMs(at) + " ms ago) is younger than the "
                    + s.limits().intervalSeconds() + " s interval: the heartbeat is the authority");
        }
        if (alive) {
            Instant evidence = later(at, s.lastEvidenceAt());
            Instant deadline = evidence.plus(s.limits().connectedWithin());
            if (s.state() == DeviceState.CONNECTED) {
                return new Outcome(s.with(DeviceState.CONNECTED, s.since(), s.lastHeartbeatAt(), evidence, deadline, true),
                        null, true, "the device answered; it stays connected");
            }
            DeviceStatus next = s.with(DeviceState.CONNECTED, at, s.lastHeartbeatAt(), evidence, deadline, true);
            return new Outcome(next, new Transition(s.state(), DeviceState.CONNECTED, reason, at, s.lastHeartbeatAt(),
                    s.heartbeatAgeMs(at), null, detail), true, "the device answered");
        }
        if (s.state() != DeviceState.CONNECTED) {
            return Outcome.unchanged(s, "the device is already " + s.state());
        }
        Instant evidence = s.lastEvidenceAt() == null ? at : s.lastEvidenceAt();
        Instant disconnectAt = evidence.plus(s.limits().disconnectedAfter());
        boolean gone = !at.isBefore(disconnectAt);
        DeviceState to = gone ? DeviceState.DISCONNECTED : DeviceState.TEMPORARILY_OFFLINE;
        DeviceStatus next = s.with(to, at, s.lastHeartbeatAt(), evidence, gone ? null : disconnectAt, true);
        return new Outcome(next, new Transition(s.state(), to, reason, at, s.lastHeartbeatAt(), s.heartbeatAgeMs(at),
                null, detail), true, "the device did not answer");
    }

    /** The registry disabled or deleted the device: tracking ends with a transition of its own. */
    public static Outcome untrack(DeviceStatus s, TransitionReason reason, Instant at) {
        if (!s.tracked()) {
            return Outcome.unchanged(s, "not tracked already");
        }
        DeviceState to = s.state() == DeviceState.UNKNOWN ? DeviceState.UNKNOWN : DeviceState.DISCONNECTED;
        DeviceStatus next = s.with(to, at, s.lastHeartbeatAt(), s.lastEvidenceAt(), null, false);
        return new Outcome(next, new Transition(s.state(), to, reason, at, s.lastHeartbeatAt(), s.heartbeatAgeMs(at),
                null, null), true, reason.name());
    }

    /** The registry enabled the device again: tracking starts over from UNKNOWN. */
    public static Outcome track(DeviceStatus s, Instant at) {
        if (s.tracked()) {
            return Outcome.unchanged(s, "tracked already");
        }
        DeviceStatus next = s.with(DeviceState.UNKNOWN, at, s.lastHeartbeatAt(), s.lastEvidenceAt(), null, true);
        return new Outcome(next, new Transition(s.state(), DeviceState.UNKNOWN, TransitionReason.DEVICE_ENABLED, at,
                s.lastHeartbeatAt(), s.heartbeatAgeMs(at), null, null), true, "enabled");
    }

    /** New thresholds: the pending deadline is recomputed from the same evidence (a passed one fires next check). */
    public static DeviceStatus rethreshold(DeviceStatus s, DeviceStatus.Limits limits) {
        DeviceStatus n = s.withLimits(s.tenantId(), s.profileId(), limits);
        if (!n.tracked() || n.lastEvidenceAt() == null) {
            return n;
        }
        Instant deadline = switch (n.state()) {
            case CONNECTED -> n.lastEvidenceAt().plus(limits.connectedWithin());
            case TEMPORARILY_OFFLINE -> n.lastEvidenceAt().plus(limits.disconnectedAfter());
            default -> null;
        };
        return n.with(n.state(), n.since(), n.lastHeartbeatAt(), n.lastEvidenceAt(), deadline, true);
    }

    private static Instant later(Instant a, Instant b) {
        return b == null || a.isAfter(b) ? a : b;
    }
}
