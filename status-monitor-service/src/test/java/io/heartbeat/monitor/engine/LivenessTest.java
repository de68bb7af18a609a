package io.heartbeat.monitor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.monitor.engine.Liveness.Outcome;

/** The state machine at every boundary, with the seeds' thresholds (interval 30 s, 40 s, 300 s). */
class LivenessTest {

    private static final DeviceStatus.Limits SEEDS = new DeviceStatus.Limits(30, 40, 300);
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static DeviceStatus fresh() {
        return DeviceStatus.unknown("d1", "acme", "default", SEEDS, T0, T0);
    }

    private static DeviceStatus connectedAt(Instant heartbeat) {
        return Liveness.heartbeat(fresh(), heartbeat, heartbeat).status();
    }

    @Test
    void aFirstHeartbeatConnectsAnUnknownDevice() {
        Outcome o = Liveness.heartbeat(fresh(), T0, T0.plusMillis(20));
        assertThat(o.status().state()).isEqualTo(DeviceState.CONNECTED);
        assertThat(o.transition().from()).isEqualTo(DeviceState.UNKNOWN);
        assertThat(o.transition().reason()).isEqualTo(TransitionReason.HEARTBEAT_RECEIVED);
        assertThat(o.transition().heartbeatAgeMs()).isEqualTo(20);
        assertThat(o.status().deadlineAt()).isEqualTo(T0.plusSeconds(40));
        assertThat(o.status().since()).isEqualTo(T0.plusMillis(20));
    }

    @Test
    void furtherHeartbeatsMoveTheDeadlineWithoutATransition() {
        Outcome o = Liveness.heartbeat(connectedAt(T0), T0.plusSeconds(30), T0.plusSeconds(30));
        assertThat(o.changed()).isFalse();
        assertThat(o.applied()).isTrue();
        assertThat(o.status().deadlineAt()).isEqualTo(T0.plusSeconds(70));
        assertThat(o.status().since()).isEqualTo(T0);
    }

    @Test
    void anOlderOrEqualHeartbeatIsIgnored() {
        DeviceStatus s = connectedAt(T0.plusSeconds(10));
        assertThat(Liveness.heartbeat(s, T0.plusSeconds(10), T0.plusSeconds(11)).applied()).isFalse();
        assertThat(Liveness.heartbeat(s, T0.plusSeconds(5), T0.plusSeconds(11)).status()).isEqualTo(s);
    }

    @Test
    void silenceAtTheConnectedWithinBoundary() {
        DeviceStatus s = connectedAt(T0);
        assertThat(Liveness.deadline(s, T0.plusSeconds(40).minusMillis(1)).changed()).isFalse();
        Outcome o = Liveness.deadline(s, T0.plusSeconds(40));
        assertThat(o.status().state()).isEqualTo(DeviceState.TEMPORARILY_OFFLINE);
        assertThat(o.transition().reason()).isEqualTo(TransitionReason.HEARTBEAT_TIMEOUT);
        assertThat(o.transition().deadline()).isEqualTo(T0.plusSeconds(40));
        assertThat(o.transition().heartbeatAgeMs()).isEqualTo(40_000);
        assertThat(o.status().deadlineAt()).isEqualTo(T0.plusSeconds(300));
    }

    @Test
    void silenceAtTheDisconnectedAfterBoundary() {
        DeviceStatus offline = Liveness.deadline(connectedAt(T0), T0.plusSeconds(40)).status();
        assertThat(Liveness.deadline(offline, T0.plusSeconds(300).minusMillis(1)).changed()).isFalse();
        Outcome o = Liveness.deadline(offline, T0.plusSeconds(300));
        assertThat(o.status().state()).isEqualTo(DeviceState.DISCONNECTED);
        assertThat(o.transition().from()).isEqualTo(DeviceState.TEMPORARILY_OFFLINE);
        assertThat(o.status().deadlineAt()).isNull();
        assertThat(Liveness.deadline(o.status(), T0.plusSeconds(1000)).changed()).isFalse();
    }

    @Test
    void aMonitorThatWasAwayPastBothDeadlinesGoesStraightToDisconnected() {
        Outcome o = Liveness.deadline(connectedAt(T0), T0.plusSeconds(301));
        assertThat(o.status().state()).isEqualTo(DeviceState.DISCONNECTED);
        assertThat(o.transition().from()).isEqualTo(DeviceState.CONNECTED);
    }

    @Test
    void aHeartbeatReconnectsFromEitherOfflineState() {
        DeviceStatus offline = Liveness.deadline(connectedAt(T0), T0.plusSeconds(40)).status();
        DeviceStatus gone = Liveness.deadline(offline, T0.plusSeconds(300)).status();
        for (DeviceStatus s : new DeviceStatus[] { offline, gone }) {
            Outcome o = Liveness.heartbeat(s, T0.plusSeconds(400), T0.plusSeconds(400));
            assertThat(o.transition().from()).isEqualTo(s.state());
            assertThat(o.status().state()).isEqualTo(DeviceState.CONNECTED);
            assertThat(o.status().deadlineAt()).isEqualTo(T0.plusSeconds(440));
        }
    }

    @Test
    void aProbeCannotOverruleAHeartbeatYoungerThanTheInterval() {
        DeviceStatus s = connectedAt(T0);
        Outcome o = Liveness.evidence(s, false, TransitionReason.PROBE_FAILED, "pinger", T0.plusSeconds(30).minusMillis(1));
        assertThat(o.applied()).isFalse();
        assertThat(o.reason()).contains("heartbeat is the authority");
        assertThat(o.status()).isEqualTo(s);
    }

    @Test
    void aFailedProbeAfterTheIntervalTakesTheDeviceOffline() {
        Outcome o = Liveness.evidence(connectedAt(T0), false, TransitionReason.PROBE_FAILED, "pinger",
                T0.plusSeconds(30));
        assertThat(o.applied()).isTrue();
        assertThat(o.status().state()).isEqualTo(DeviceState.TEMPORARILY_OFFLINE);
        assertThat(o.transition().reason()).isEqualTo(TransitionReason.PROBE_FAILED);
        assertThat(o.status().deadlineAt()).isEqualTo(T0.plusSeconds(300));
    }

    @Test
    void aSuccessfulProbeReconnectsAnOfflineDeviceAndCountsAsEvidence() {
        DeviceStatus offline = Liveness.deadline(connectedAt(T0), T0.plusSeconds(40)).status();
        Outcome o = Liveness.evidence(offline, true, TransitionReason.PROBE_SUCCEEDED, "pinger", T0.plusSeconds(50));
        assertThat(o.status().state()).isEqualTo(DeviceState.CONNECTED);
        assertThat(o.transition().reason()).isEqualTo(TransitionReason.PROBE_SUCCEEDED);
        assertThat(o.status().deadlineAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(o.status().lastHeartbeatAt()).isEqualTo(T0);
    }

    @Test
    void aFailedProbeOfAnOfflineDeviceChangesNothing() {
        DeviceStatus offline = Liveness.deadline(connectedAt(T0), T0.plusSeconds(40)).status();
        Outcome o = Liveness.evidence(offline, false, TransitionReason.LAST_WILL, "mqtt", T0.plusSeconds(60));
        assertThat(o.applied()).isFalse();
        assertThat(o.status()).isEqualTo(offline);
    }

    @Test
    void disablingEndsTrackingAndEnablingStartsOver() {
        Outcome off = Liveness.untrack(connectedAt(T0), TransitionReason.DEVICE_DISABLED, T0.plusSeconds(5));
        assertThat(off.status().tracked()).isFalse();
        assertThat(off.status().state()).isEqualTo(DeviceState.DISCONNECTED);
        assertThat(off.status().deadlineAt()).isNull();
        assertThat(Liveness.heartbeat(off.status(), T0.plusSeconds(6), T0.plusSeconds(6)).applied()).isFalse();
        Outcome on = Liveness.track(off.status(), T0.plusSeconds(7));
        assertThat(on.status().state()).isEqualTo(DeviceState.UNKNOWN);
        assertThat(on.transition().reason()).isEqualTo(TransitionReason.DEVICE_ENABLED);
    }

    @Test
    void newThresholdsMoveThePendingDeadline() {
        DeviceStatus s = Liveness.rethreshold(connectedAt(T0), new DeviceStatus.Limits(10, 15, 60));
        assertThat(s.deadlineAt()).isEqualTo(T0.plusSeconds(15));
        DeviceStatus offline = Liveness.deadline(s, T0.plusSeconds(15)).status();
        assertThat(Liveness.rethreshold(offline, SEEDS).deadlineAt()).isEqualTo(T0.plusSeconds(300));
    }
}
