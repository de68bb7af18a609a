package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.contracts.golden.GoldenFixtures;

class EventJsonTest {

    @Test
    void instantsAndDurationsAreIsoStrings() throws Exception {
        CommandRequest request = new CommandRequest(CommandRequest.SCHEMA_VERSION, "r-1", "socket-0042", "acme",
                "ping", Map.of(), Duration.ofSeconds(10), Duration.ofMillis(1500), null, "status-monitor", null,
                Instant.parse("2025-03-14T09:27:33.402123Z"));

        JsonNode json = EventJson.mapper().readTree(EventJson.write(request));

        assertThat(json.get("ttl").isTextual()).isTrue();
        assertThat(json.get("ttl").asText()).isEqualTo("PT10S");
        assertThat(json.get("ackTimeout").asText()).isEqualTo("PT1.5S");
        assertThat(json.get("requestedAt").isTextual()).isTrue();
        assertThat(json.get("requestedAt").asText()).isEqualTo("2025-03-14T09:27:33.402123Z");
        assertThat(EventJson.read(EventJson.write(request), CommandRequest.class)).isEqualTo(request);
    }

    @Test
    void nullsAreWrittenExplicitly() throws Exception {
        DeviceStatusChanged registered = new DeviceStatusChanged(DeviceStatusChanged.SCHEMA_VERSION, "e-1",
                "socket-0042", "acme", DeviceState.UNKNOWN, DeviceState.UNKNOWN, TransitionReason.DEVICE_REGISTERED,
                Instant.parse("2025-02-03T08:15:00Z"), null, null, null, Instant.parse("2025-02-03T08:15:00Z"), 1);

        JsonNode json = EventJson.mapper().readTree(EventJson.write(registered));

        assertThat(json.has("lastHeartbeatAt")).isTrue();
        assertThat(json.get("lastHeartbeatAt").isNull()).isTrue();
        assertThat(json.get("heartbeatAgeMs").isNull()).isTrue();
        assertThat(json.get("detail").isNull()).isTrue();
    }

    @Test
    void malformedJsonGivesAClearException() {
        assertThatThrownBy(() -> EventJson.read("{\"deviceId\": \"socket-0042\",", HeartbeatAccepted.class))
                .isInstanceOf(EventFormatException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read HeartbeatAccepted from JSON")
                .hasMessageContaining("line 1")
                .satisfies(e -> assertThat(((EventFormatException) e).eventType()).isEqualTo(HeartbeatAccepted.class));

        assertThatThrownBy(() -> EventJson.read("not json".getBytes(StandardCharsets.UTF_8), DeviceView.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageStartingWith("cannot read DeviceView from JSON");

        assertThatThrownBy(() -> EventJson.read("", DeviceView.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageStartingWith("cannot read DeviceView from JSON");

        assertThatThrownBy(() -> EventJson.read("{} {}", DeviceView.class))
                .isInstanceOf(EventFormatException.class);
    }

    @Test
    void theJsonLiteralNullIsNoEventAndNoTombstone() {
        // a tombstone is a record without a value; "null" as the value would delete a device from every view
        assertThat(EventJson.read((String) null, DeviceView.class)).isNull();
        assertThatThrownBy(() -> EventJson.read("null", DeviceView.class)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("null is not a DeviceView");
        assertThatThrownBy(() -> EventJson.read(" null ".getBytes(StandardCharsets.UTF_8), HeartbeatAccepted.class))
                .isInstanceOf(EventFormatException.class);
    }

    @Test
    void aViewKeptInMemoryDropsTheFreeFormPartsButWhatItIsAskedToKeep() {
        DeviceView full = GoldenFixtures.read("device-view", DeviceView.class);
        DeviceView slim = full.slim("qos");
        assertThat(slim.metadata()).isEmpty();
        assertThat(slim.name()).isEmpty();
        assertThat(slim.firmwareVersion()).isNull();
        assertThat(slim.protocolConfig()).containsOnlyKeys("qos");
        assertThat(slim).usingRecursiveComparison()
                .ignoringFields("name", "firmwareVersion", "metadata", "protocolConfig").isEqualTo(full);
        assertThat(full.slim().protocolConfig()).isEmpty();
    }

    @Test
    void wrongValuesNameTheField() {
        String unknownState = GoldenFixtures.json("device-status-changed").replace("\"TEMPORARILY_OFFLINE\"",
                "\"ONLINE\"");
        assertThatThrownBy(() -> EventJson.read(unknownState, DeviceStatusChanged.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("cannot read DeviceStatusChanged from JSON at $.to")
                .hasMessageContaining("ONLINE");

        String badThreshold = GoldenFixtures.json("device-view").replace("\"connectedWithinSeconds\": 40",
                "\"connectedWithinSeconds\": \"soon\"");
        assertThatThrownBy(() -> EventJson.read(badThreshold, DeviceView.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("at $.thresholds.connectedWithinSeconds");

        String badInstant = GoldenFixtures.json("signal-delivered").replace("2025-03-14T09:31:21.307Z", "yesterday");
        assertThatThrownBy(() -> EventJson.read(badInstant, SignalDelivered.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("at $.deliveredAt");
    }

    @Test
    void nullOrMissingPrimitiveIsRejected() throws Exception {
        String nullRevision = GoldenFixtures.json("device-view").replace("\"revision\": 4", "\"revision\": null");
        assertThatThrownBy(() -> EventJson.read(nullRevision, DeviceView.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("at $.revision");

        ObjectNode noEnabled = (ObjectNode) EventJson.mapper().readTree(GoldenFixtures.json("device-view"));
        noEnabled.remove("enabled");
        assertThatThrownBy(() -> EventJson.read(noEnabled.toString(), DeviceView.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("at $.enabled");

        assertThatThrownBy(() -> EventJson.read("{}", DeviceStatusChanged.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("at $.schemaVersion");
    }

    @Test
    void missingObjectFieldReadsAsNull() throws Exception {
        ObjectNode noDetail = (ObjectNode) EventJson.mapper().readTree(GoldenFixtures.json("device-status-changed"));
        noDetail.remove("detail");

        assertThat(EventJson.read(noDetail.toString(), DeviceStatusChanged.class).detail()).isNull();
    }

    @Test
    void nullIsATombstone() {
        assertThat(EventJson.read((String) null, DeviceView.class)).isNull();
        assertThat(EventJson.read((byte[]) null, DeviceView.class)).isNull();
        assertThat(EventJson.write(null)).isNull();
        assertThat(EventJson.writeBytes(null)).isNull();
    }
}
