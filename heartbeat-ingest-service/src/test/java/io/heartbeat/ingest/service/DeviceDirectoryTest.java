package io.heartbeat.ingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.golden.GoldenFixtures;

class DeviceDirectoryTest {

    private final DeviceDirectory directory = new DeviceDirectory();

    static DeviceView view(String id, long revision, String token, boolean enabled) {
        return new DeviceView(DeviceView.SCHEMA_VERSION, id, "acme", "Device " + id, Protocol.HTTP, Map.of(),
                "default", Thresholds.DEFAULTS, enabled, false, null, Map.of(),
                token == null ? null : DeviceTokens.hash(token), Instant.EPOCH, revision, Instant.EPOCH,
                Instant.EPOCH);
    }

    @Test
    void theGoldenViewIsFoundByIdAndByItsTokenHash() {
        DeviceView golden = GoldenFixtures.read("device-view", DeviceView.class);
        assertThat(directory.apply(golden.deviceId(), golden)).isTrue();
        // kept without the free-form parts ingest never reads
        assertThat(directory.find("socket-0042")).contains(golden.slim());
        assertThat(directory.findByTokenHash(DeviceTokens.hash(GoldenFixtures.DEVICE_VIEW_TOKEN)))
                .contains(golden.slim());
    }

    @Test
    void olderOrEqualRevisionsAreIgnored() {
        directory.apply("d", view("d", 5, "t5", true));
        assertThat(directory.apply("d", view("d", 5, "other", false))).isFalse();
        assertThat(directory.apply("d", view("d", 4, "t4", false))).isFalse();
        assertThat(directory.find("d").orElseThrow().revision()).isEqualTo(5);
        assertThat(directory.findByTokenHash(DeviceTokens.hash("t4"))).isEmpty();
        assertThat(directory.apply("d", view("d", 6, "t5", false))).isTrue();
        assertThat(directory.find("d").orElseThrow().enabled()).isFalse();
    }

    @Test
    void aRotatedTokenReplacesTheOldOneInTheIndex() {
        directory.apply("d", view("d", 1, "old", true));
        directory.apply("d", view("d", 2, "new", true));
        assertThat(directory.findByTokenHash(DeviceTokens.hash("old"))).isEmpty();
        assertThat(directory.findByTokenHash(DeviceTokens.hash("new"))).isPresent();
    }

    @Test
    void aTombstoneRemovesTheDeviceAndItsToken() {
        directory.apply("d", view("d", 1, "tok", true));
        assertThat(directory.apply("d", null)).isTrue();
        assertThat(directory.find("d")).isEmpty();
        assertThat(directory.findByTokenHash(DeviceTokens.hash("tok"))).isEmpty();
        assertThat(directory.apply("d", null)).isFalse();
        assertThat(directory.size()).isZero();
        // re-created after a delete: revisions continue, the new view is taken
        assertThat(directory.apply("d", view("d", 3, "tok2", true))).isTrue();
    }

    @Test
    void viewsWithoutTokenAndRecordsWithoutKeyAreHandled() {
        assertThat(directory.apply("d", view("d", 1, null, true))).isTrue();
        assertThat(directory.findByTokenHash(null)).isEmpty();
        assertThat(directory.apply(null, view("x", 1, "t", true))).isFalse();
    }
}
