package io.heartbeat.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.contracts.golden.GoldenFixtures;

/** Every golden fixture is a complete, current example of its event, and survives a read/write round trip unchanged. */
class GoldenFixturesTest {

    static final Map<String, Class<? extends Record>> FIXTURES = new LinkedHashMap<>();
    static {
        FIXTURES.put("device-view", DeviceView.class);
        FIXTURES.put("heartbeat-accepted", HeartbeatAccepted.class);
        FIXTURES.put("heartbeat-accepted-heart-rate", HeartbeatAccepted.class);
        FIXTURES.put("heartbeat-rejected", HeartbeatRejected.class);
        FIXTURES.put("device-status-changed", DeviceStatusChanged.class);
        FIXTURES.put("command-request", CommandRequest.class);
        FIXTURES.put("command-result", CommandResult.class);
        FIXTURES.put("device-signal", DeviceSignal.class);
        FIXTURES.put("signal-delivered", SignalDelivered.class);
        FIXTURES.put("dead-lettered-command", DeadLetteredCommand.class);
        FIXTURES.put("heartbeat-watermark", HeartbeatWatermark.class);
    }

    static Stream<Arguments> fixtures() {
        return FIXTURES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void roundTripKeepsTheFixtureUnchanged(String name, Class<? extends Record> type) throws IOException {
        Record event = GoldenFixtures.read(name, type);

        JsonNode written = EventJson.mapper().readTree(EventJson.write(event));

        assertThat(written).isEqualTo(tree(name));
        assertThat(EventJson.read(EventJson.writeBytes(event), type)).isEqualTo(event);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void fixtureHasExactlyTheRecordComponentsAndTheCurrentSchemaVersion(String name, Class<? extends Record> type)
            throws Exception {
        JsonNode fixture = tree(name);

        Set<String> fields = new TreeSet<>();
        fixture.fieldNames().forEachRemaining(fields::add);
        Set<String> components = Arrays.stream(type.getRecordComponents()).map(c -> c.getName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(fields).isEqualTo(components);
        assertThat(fixture.get("schemaVersion").isInt()).isTrue();
        assertThat(fixture.get("schemaVersion").intValue()).isEqualTo(type.getField("SCHEMA_VERSION").getInt(null))
                .isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void unknownFieldsAreIgnored(String name, Class<? extends Record> type) throws IOException {
        ObjectNode newer = (ObjectNode) tree(name);
        newer.put("addedByANewerProducer", "x");
        newer.putObject("anotherNewField").put("nested", 1);

        assertThat(EventJson.read(EventJson.mapper().writeValueAsString(newer), type))
                .isEqualTo(GoldenFixtures.read(name, type));
    }

    @Test
    void everyFixtureFileIsCovered() throws IOException, URISyntaxException {
        Path dir = Path.of(GoldenFixtures.class.getClassLoader().getResource("golden").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString().replaceFirst("\\.json$", "")))
                    .containsExactlyInAnyOrderElementsOf(FIXTURES.keySet());
        }
    }

    @Test
    void fixturesReadIntoTypedValues() {
        DeviceView view = GoldenFixtures.read("device-view", DeviceView.class);
        assertThat(view.thresholds()).isEqualTo(Thresholds.DEFAULTS);
        assertThat(view.thresholds().violations()).isEmpty();
        assertThat(view.protocol()).isEqualTo(Protocol.MQTT);
        assertThat(view.tokenHash()).matches("sha256:[0-9a-f]{64}");
        assertThat(view.updatedAt()).isEqualTo(Instant.parse("2025-03-10T14:02:11.482Z"));

        HeartbeatAccepted heartbeat = GoldenFixtures.read("heartbeat-accepted", HeartbeatAccepted.class);
        assertThat(heartbeat.telemetry()).containsEntry("voltage", 229.8).containsEntry("relay", "on");
        assertThat(heartbeat.anomalies()).isEmpty();

        HeartbeatAccepted heartRate = GoldenFixtures.read("heartbeat-accepted-heart-rate", HeartbeatAccepted.class);
        assertThat(heartRate.sentAt()).isNull();
        assertThat(heartRate.anomalies()).containsExactly("HEART_RATE_HIGH");

        CommandRequest request = GoldenFixtures.read("command-request", CommandRequest.class);
        assertThat(request.ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(request.ackTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(request.maxAttempts()).isEqualTo(1);

        CommandResult result = GoldenFixtures.read("command-result", CommandResult.class);
        assertThat(result.requestId()).isEqualTo(request.requestId());
        assertThat(result.correlationId()).isEqualTo(request.correlationId());
        assertThat(result.status().terminal()).isTrue();

        DeviceStatusChanged changed = GoldenFixtures.read("device-status-changed", DeviceStatusChanged.class);
        assertThat(Duration.between(changed.lastHeartbeatAt(), changed.at()).toMillis())
                .isEqualTo(changed.heartbeatAgeMs());

        DeviceSignal signal = GoldenFixtures.read("device-signal", DeviceSignal.class);
        SignalDelivered delivered = GoldenFixtures.read("signal-delivered", SignalDelivered.class);
        assertThat(delivered.reconnectCommandId()).isEqualTo(signal.reconnectCommandId());
    }

    @Test
    void everyEventTypeHasAFixture() throws Exception {
        Path dir = Path.of(DeviceView.class.getResource("DeviceView.class").toURI()).getParent();
        List<String> events;
        try (Stream<Path> files = Files.list(dir)) {
            events = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".class") && !f.contains("$"))
                    .map(f -> load(DeviceView.class.getPackageName() + "." + f.replace(".class", "")))
                    .filter(c -> c.isRecord() && hasSchemaVersion(c))
                    .map(Class::getSimpleName)
                    .toList();
        }

        assertThat(events).hasSize(10);
        assertThat(FIXTURES.values().stream().map(Class::getSimpleName)).containsAll(events);
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean hasSchemaVersion(Class<?> type) {
        return Arrays.stream(type.getFields()).anyMatch(f -> f.getName().equals("SCHEMA_VERSION"));
    }

    private static JsonNode tree(String name) throws IOException {
        return EventJson.mapper().readTree(GoldenFixtures.json(name));
    }
}
