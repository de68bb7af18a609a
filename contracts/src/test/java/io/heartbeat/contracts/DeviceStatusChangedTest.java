package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.golden.GoldenFixtures;

class DeviceStatusChangedTest {

    static final Instant FIRST_INSTANCE = Instant.parse("2025-02-03T08:15:00Z");
    static final Instant SECOND_INSTANCE = Instant.parse("2025-06-01T00:00:00Z");
    static final Instant T = Instant.parse("2025-03-14T09:27:33Z");

    static DeviceStatusChanged change(Instant instance, long version, Instant at, DeviceState to) {
        return new DeviceStatusChanged(1, "e-" + version, "socket-0042", "acme", DeviceState.UNKNOWN, to,
                TransitionReason.HEARTBEAT_RECEIVED, at, at, 0L, null, instance, version);
    }

    @Test
    void aHigherVersionWinsEvenWithAnOlderTime() {
        // a retried batch wrote the CONNECTED with the tick's earlier time after the TEMPORARILY_OFFLINE
        DeviceStatusChanged offline = change(FIRST_INSTANCE, 7, T, DeviceState.TEMPORARILY_OFFLINE);
        DeviceStatusChanged connected = change(FIRST_INSTANCE, 8, T.minusSeconds(2), DeviceState.CONNECTED);

        assertThat(connected.supersedes(offline)).isTrue();
        assertThat(offline.supersedes(connected)).isFalse();
    }

    @Test
    void aLaterInstanceWinsWhateverItsVersion() {
        DeviceStatusChanged old = change(FIRST_INSTANCE, 90, T, DeviceState.CONNECTED);
        DeviceStatusChanged registeredAgain = change(SECOND_INSTANCE, 1, T.minusSeconds(60), DeviceState.UNKNOWN);

        assertThat(registeredAgain.supersedes(old)).isTrue();
        assertThat(old.supersedes(registeredAgain)).isFalse();
    }

    @Test
    void eventsFromBeforeVersionsFallBackToTheirTime() {
        DeviceStatusChanged earlier = change(null, 0, T, DeviceState.CONNECTED);
        DeviceStatusChanged later = change(null, 0, T.plusSeconds(1), DeviceState.TEMPORARILY_OFFLINE);

        assertThat(later.supersedes(earlier)).isTrue();
        assertThat(earlier.supersedes(later)).isFalse();
        assertThat(earlier.supersedes(null)).isTrue();
    }

    @Test
    void belongsToTheRegistrationWithTheSameTenantAndCreationTime() {
        DeviceView view = GoldenFixtures.read("device-view", DeviceView.class);
        DeviceStatusChanged mine = change(view.createdAt(), 1, T, DeviceState.CONNECTED);
        DeviceStatusChanged earlierRegistration = change(view.createdAt().minusSeconds(1), 1, T,
                DeviceState.CONNECTED);
        DeviceStatusChanged otherTenant = new DeviceStatusChanged(1, "e", view.deviceId(), "globex",
                DeviceState.UNKNOWN, DeviceState.CONNECTED, TransitionReason.HEARTBEAT_RECEIVED, T, T, 0L, null,
                view.createdAt(), 1);

        assertThat(mine.belongsTo(view)).isTrue();
        assertThat(earlierRegistration.belongsTo(view)).isFalse();
        assertThat(otherTenant.belongsTo(view)).isFalse();
        assertThat(mine.belongsTo(null)).isFalse();
    }
}
