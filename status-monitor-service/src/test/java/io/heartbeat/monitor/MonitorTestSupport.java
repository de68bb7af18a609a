package io.heartbeat.monitor;

import static io.restassured.RestAssured.given;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.DevTokens;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.heartbeat.localstack.test.TestRecords;
import io.heartbeat.localstack.test.TopicReader;
import io.restassured.specification.RequestSpecification;

/** Plays the registry and ingest for the monitor's tests: device views and heartbeats straight onto Kafka. */
public final class MonitorTestSupport implements AutoCloseable {

    private final TestRecords records;

    public MonitorTestSupport() {
        this.records = new TestRecords(config("kafka.bootstrap.servers"));
    }

    public static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static DevTokens tokens() {
        return new DevTokens(DevKeys.readPrivate(Path.of(config(LocalStackTestResource.USER_KEY_PROPERTY))));
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    /** Registers (or changes) a device as the registry would, with these thresholds. */
    public void view(String id, Thresholds thresholds, boolean enabled, long revision) {
        view(id, thresholds, enabled, revision, Protocol.HTTP, Map.of());
    }

    public void view(String id, Thresholds thresholds, boolean enabled, long revision, Protocol protocol,
            Map<String, Object> protocolConfig) {
        Instant now = Instant.now();
        DeviceView v = new DeviceView(DeviceView.SCHEMA_VERSION, id, "acme", "Device " + id, protocol, protocolConfig,
                "test-profile", thresholds, enabled, true, "1.0", Map.of(), null, revision, now, now);
        send(Topics.REGISTRY_DEVICES, id, EventJson.write(v));
    }

    /** Plays the command service: answers a ping request with a result. */
    public void result(CommandRequest request, CommandStatus status, long roundTripMs) {
        CommandResult r = new CommandResult(CommandResult.SCHEMA_VERSION, request.requestId(), "cmd-" + request.requestId(),
                request.deviceId(), request.tenantId(), status, Map.of(), roundTripMs, request.correlationId(),
                Instant.now());
        send(Topics.COMMAND_RESULTS, request.deviceId(), EventJson.write(r));
    }

    public void tombstone(String id) {
        send(Topics.REGISTRY_DEVICES, id, null);
    }

    /** A heartbeat as ingest publishes it, received by ingest at {@code receivedAt}. */
    public void heartbeat(String id, Instant receivedAt) {
        HeartbeatAccepted hb = new HeartbeatAccepted(HeartbeatAccepted.SCHEMA_VERSION, UUID.randomUUID().toString(), id,
                "acme", Channel.HTTP, HeartbeatKind.HEARTBEAT, receivedAt, receivedAt, "alive", Map.of(), List.of(), 1);
        send(Topics.HEARTBEATS, id, EventJson.write(hb));
    }

    private void send(String topic, String key, String value) {
        records.send(topic, key, value);
    }

    /** The device's events on device-status, oldest first, once at least {@code count} are there (or after 20 s). */
    public static List<DeviceStatusChanged> events(String id, int count) {
        return TopicReader.read(config("kafka.bootstrap.servers"), Topics.DEVICE_STATUS, r -> id.equals(r.key()), count,
                Duration.ofSeconds(20)).stream().map(r -> EventJson.read(r.value(), DeviceStatusChanged.class))
                .toList();
    }

    @Override
    public void close() {
        records.close();
    }
}
