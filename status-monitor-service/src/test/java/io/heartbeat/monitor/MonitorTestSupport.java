package io.heartbeat.monitor;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.CommandRequest;
import io.heartbeat.contracts.CommandResult;
import io.heartbeat.contracts.CommandStatus;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceTokens;
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
import io.heartbeat.localstack.test.TestDevices;
import io.heartbeat.localstack.test.TestRecords;
import io.heartbeat.localstack.test.TestWatermarks;
import io.heartbeat.localstack.test.TopicReader;
import io.restassured.specification.RequestSpecification;

/**
 * Plays the registry and ingest for the monitor's tests (device views and heartbeats straight onto Kafka) and connects
 * test devices to the broker as themselves.
 */
public final class MonitorTestSupport implements AutoCloseable {

    /** When each test device was first registered (this JVM's tests share one stack). */
    private static final Map<String, Instant> REGISTERED = new ConcurrentHashMap<>();

    private final TestRecords records;

    public MonitorTestSupport() {
        this.records = new TestRecords(config("kafka.bootstrap.servers"));
        watermarks();
    }

    /** Ingest's pulse on every partition of heartbeats (running for the whole test JVM, as a working ingest would). */
    public static TestWatermarks watermarks() {
        return TestWatermarks.ensureRunning(config("kafka.bootstrap.servers"));
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

    /**
     * Registers (or changes) a device as the registry would, with its {@link #deviceToken test API token}. The
     * registration time (also when its credential was issued) is the first view's, so a later revision does not look
     * like a token rotation to the broker, which would end the device's session.
     */
    public void view(String id, Thresholds thresholds, boolean enabled, long revision, Protocol protocol,
            Map<String, Object> protocolConfig) {
        Instant now = Instant.now();
        Instant registered = REGISTERED.computeIfAbsent(id, ignored -> now);
        DeviceView v = new DeviceView(DeviceView.SCHEMA_VERSION, id, "acme", "Device " + id, protocol, protocolConfig,
                "test-profile", thresholds, enabled, true, "1.0", Map.of(), DeviceTokens.hash(deviceToken(id)),
                registered, revision, registered, now);
        send(Topics.REGISTRY_DEVICES, id, EventJson.write(v));
    }

    /** TEST ONLY: the API token of test device {@code id} ({@link TestDevices#token}). */
    public static String deviceToken(String id) {
        return TestDevices.token(id);
    }

    /**
     * An MQTT client connected to the test broker as device {@code id} (user name and client id = device id, password =
     * its {@link #deviceToken test token}), with the rest of {@code options} (e.g. a last will). The device's view must
     * be on {@code registry.devices} first: the broker accepts a device once it has read the view, so this retries the
     * connect until then.
     */
    public static MqttClient connectDevice(String id, MqttConnectOptions options) throws MqttException {
        MqttClient client = new MqttClient("tcp://" + config("heartbeat.mqtt.host") + ":" + config("heartbeat.mqtt.port"),
                id, new MemoryPersistence());
        options.setUserName(id);
        options.setPassword(deviceToken(id).toCharArray());
        await("device " + id + " accepted by the broker").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    client.connect(options);
                    return true;
                });
        return client;
    }

    /** Plays the command service: answers a ping request with the device's answer. */
    public void result(CommandRequest request, CommandStatus status, long roundTripMs) {
        CommandResult r = new CommandResult(CommandResult.SCHEMA_VERSION, request.requestId(), "cmd-" + request.requestId(),
                request.deviceId(), request.tenantId(), status, Map.of(), roundTripMs, request.correlationId(),
                Instant.now(), 1, null);
        send(Topics.COMMAND_RESULTS, request.deviceId(), EventJson.write(r));
    }

    /**
     * Plays the command service: a result without the device's answer, after {@code attempts} sends, refused with
     * {@code refusal} (or not refused: null).
     */
    public void result(CommandRequest request, CommandStatus status, int attempts, String refusal) {
        CommandResult r = new CommandResult(CommandResult.SCHEMA_VERSION, request.requestId(), "cmd-" + request.requestId(),
                request.deviceId(), request.tenantId(), status, null, null, request.correlationId(), Instant.now(),
                attempts, refusal);
        send(Topics.COMMAND_RESULTS, request.deviceId(), EventJson.write(r));
    }

    /** Any value on registry.devices under the device's key, e.g. a JSON {@code null}. */
    public void rawView(String id, String value) {
        send(Topics.REGISTRY_DEVICES, id, value);
    }

    public void tombstone(String id) {
        send(Topics.REGISTRY_DEVICES, id, null);
    }

    /** A heartbeat as ingest publishes it, received by ingest at {@code receivedAt}. */
    public void heartbeat(String id, Instant receivedAt) {
        heartbeat(id, receivedAt, receivedAt);
    }

    /** A heartbeat the device stamped {@code sentAt} and ingest received at {@code receivedAt}. */
    public void heartbeat(String id, Instant sentAt, Instant receivedAt) {
        HeartbeatAccepted hb = new HeartbeatAccepted(HeartbeatAccepted.SCHEMA_VERSION, UUID.randomUUID().toString(), id,
                "acme", Channel.HTTP, HeartbeatKind.HEARTBEAT, sentAt, receivedAt, "alive", Map.of(), List.of(), 1);
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
