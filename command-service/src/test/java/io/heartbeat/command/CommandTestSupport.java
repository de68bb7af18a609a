package io.heartbeat.command;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import io.heartbeat.command.store.Command;
import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.TransitionReason;
import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.DevTokens;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.heartbeat.localstack.test.TestDevices;
import io.heartbeat.localstack.test.TestRecords;
import io.heartbeat.localstack.test.TopicReader;
import io.restassured.specification.RequestSpecification;

/**
 * Plays the registry and the monitor (records straight onto Kafka) and the devices (an MQTT client each, authenticated
 * as the device).
 */
public final class CommandTestSupport implements AutoCloseable {

    /** When each test device was registered (this JVM's tests share one stack): its current instance. */
    private static final Map<String, Instant> REGISTERED = new ConcurrentHashMap<>();

    /** The version of each test device's newest liveness transition. */
    private static final Map<String, AtomicLong> VERSIONS = new ConcurrentHashMap<>();

    /** The tenant each test device is registered in now. */
    private static final Map<String, String> TENANTS = new ConcurrentHashMap<>();

    private final TestRecords records;

    public CommandTestSupport() {
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

    public static RequestSpecification operator() {
        return as(tokens().operator("acme")).contentType("application/json");
    }

    /** Registers an MQTT device of tenant acme as the registry would. */
    public void view(String id, boolean remoteControl, long revision) {
        view(id, Protocol.MQTT, remoteControl, revision);
    }

    /**
     * Registers a device of tenant acme as the registry would, with its {@link #deviceToken test API token}. The
     * registration time (also when its credential was issued) is the first view's, so a later revision does not look
     * like a token rotation to the broker, which would end the device's session.
     */
    public void view(String id, Protocol protocol, boolean remoteControl, long revision) {
        Instant now = Instant.now();
        Instant registered = REGISTERED.computeIfAbsent(id, ignored -> now);
        DeviceView v = new DeviceView(DeviceView.SCHEMA_VERSION, id, tenant(id), "Device " + id, protocol, Map.of(),
                "default", new Thresholds(30, 40, 300, 0, 600), true, remoteControl, "1.0", Map.of(),
                DeviceTokens.hash(deviceToken(id)), registered, revision, registered, now);
        send(Topics.REGISTRY_DEVICES, id, EventJson.write(v));
    }

    /** The registry deletes a device: a tombstone on registry.devices and on device-status.current, as they publish. */
    public void delete(String id) {
        send(Topics.REGISTRY_DEVICES, id, null);
        send(Topics.DEVICE_STATUS_CURRENT, id, null);
    }

    /**
     * The same device id registered again (a new instance, its registration time now) in {@code tenant}, with remote
     * control; its liveness versions start again.
     */
    public void reregister(String id, String tenant) {
        REGISTERED.put(id, Instant.now().plusMillis(1));
        TENANTS.put(id, tenant);
        VERSIONS.remove(id);
        view(id, true, 1);
    }

    /** The tenant test device {@code id} is registered in (acme unless {@link #reregister}ed). */
    public static String tenant(String id) {
        return TENANTS.getOrDefault(id, "acme");
    }

    /** The registration time of test device {@code id}'s current instance. */
    public static Instant instance(String id) {
        return REGISTERED.get(id);
    }

    /** TEST ONLY: the API token of test device {@code id} ({@link TestDevices#token}). */
    public static String deviceToken(String id) {
        return TestDevices.token(id);
    }

    /**
     * A liveness transition of the device's current instance as the monitor publishes it: on device-status (the
     * history) and on the compacted device-status.current, with the next version and the time now.
     */
    public void status(String id, DeviceState from, DeviceState to) {
        publish(transition(id, from, to, nextVersion(id), Instant.now()), true);
    }

    /**
     * The next liveness version of test device {@code id}: growing across the test profiles of this JVM too (each has
     * its own copy of this class), as the monitor's row version grows across its restarts.
     */
    public static long nextVersion(String id) {
        return VERSIONS.computeIfAbsent(id, ignored -> new AtomicLong())
                .updateAndGet(v -> Math.max(v + 1, System.nanoTime()));
    }

    /** A transition of the device's current instance and tenant. */
    public static DeviceStatusChanged transition(String id, DeviceState from, DeviceState to, long version,
            Instant at) {
        return new DeviceStatusChanged(DeviceStatusChanged.SCHEMA_VERSION, UUID.randomUUID().toString(), id,
                tenant(id), from, to, to == DeviceState.CONNECTED ? TransitionReason.HEARTBEAT_RECEIVED
                        : TransitionReason.HEARTBEAT_TIMEOUT,
                at, at, 0L, null, REGISTERED.get(id), version);
    }

    /** Publishes a transition on device-status.current and, with {@code history}, on device-status as well. */
    public void publish(DeviceStatusChanged e, boolean history) {
        if (history) {
            send(Topics.DEVICE_STATUS, e.deviceId(), EventJson.write(e));
        }
        send(Topics.DEVICE_STATUS_CURRENT, e.deviceId(), EventJson.write(e));
    }

    public void send(String topic, String key, String value) {
        records.send(topic, key, value);
    }

    /** Records of a topic for one device, oldest first, once {@code count} arrived (or after 20 s). */
    public static List<String> records(String topic, String deviceId, int count) {
        return TopicReader.read(config("kafka.bootstrap.servers"), topic, r -> deviceId.equals(r.key()), count,
                Duration.ofSeconds(20)).stream().map(r -> r.value()).toList();
    }

    /**
     * Creates a command through the API and returns its id. The service learns of a device a moment after the
     * registry published it, so this retries while the device is unknown, under one idempotency key (one command).
     */
    public static String create(String deviceId, String body) {
        String json = body.replace("$DEVICE", deviceId);
        String key = UUID.randomUUID().toString();
        String[] id = new String[1];
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            io.restassured.response.Response r = operator().header("Idempotency-Key", key).body(json)
                    .post("/api/v1/commands");
            if (r.statusCode() == 404) {
                return false;
            }
            assertThat(r.statusCode()).as(r.asString()).isIn(200, 201);
            id[0] = r.path("id");
            return true;
        });
        return id[0];
    }

    public static String status(String commandId) {
        return operator().get("/api/v1/commands/" + commandId).then().statusCode(200).extract().path("status");
    }

    @Override
    public void close() {
        records.close();
    }

    /**
     * A device on the real broker: connects as itself (user name and client id = device id, password = its
     * {@link #deviceToken test token}), receives its commands and answers them. Its view must be on
     * {@code registry.devices} first: the broker accepts a device once it has read the view, so this retries the
     * connect until then.
     */
    public static final class Device implements AutoCloseable {

        public record Received(Map<String, Object> body, long atNanos) {
            public String commandId() {
                return (String) body.get("command_id");
            }
        }

        private final String id;
        private final MqttClient client;
        private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        private final List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();

        public Device(String id) throws Exception {
            this.id = id;
            String broker = "tcp://" + config("heartbeat.mqtt.host") + ":" + config("heartbeat.mqtt.port");
            client = new MqttClient(broker, id, new MemoryPersistence());
            // a publish or subscribe on a connection the broker closed fails instead of waiting forever
            client.setTimeToWait(10_000);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            // 3.1.1, as fleets use: the broker answers an unauthorized publish by closing the connection
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setUserName(id);
            options.setPassword(deviceToken(id).toCharArray());
            // Paho allows 10 publishes in progress; its count can lag its own completions when a device answers a
            // burst as fast as it can ("Too many publishes in progress"), which is the test client's limit, not ours
            options.setMaxInflight(1000);
            Awaitility.await("device " + id + " accepted by the broker").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                        client.connect(options);
                        return true;
                    });
            client.subscribe("devices/" + id + "/commands", 1, (topic, message) -> {
                Received r = new Received(EventJson.mapper().readValue(message.getPayload(), Command.OBJECT),
                        System.nanoTime());
                order.add(r.commandId());
                received.add(r);
            });
        }

        public String id() {
            return id;
        }

        /** The ids of every command received so far, in the order they arrived. */
        public List<String> receivedOrder() {
            return List.copyOf(order);
        }

        /** The next command, or null after {@code timeout}. */
        public Received next(Duration timeout) throws InterruptedException {
            return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public void ack(String commandId, String status, String resultJson) throws Exception {
            publish("{\"command_id\":\"" + commandId + "\",\"status\":\"" + status + "\",\"result\":" + resultJson + "}");
        }

        /** Publishes on the device's own status topic. */
        public void publish(String body) throws Exception {
            publish("devices/" + id + "/status", body);
        }

        /** Publishes on any topic, QoS 1, such as another device's (which the broker must refuse). */
        public void publish(String topic, String body) throws Exception {
            publishBytes(topic, body.getBytes(StandardCharsets.UTF_8));
        }

        /** Publishes raw bytes (not necessarily UTF-8, not necessarily JSON), QoS 1. */
        public void publishBytes(String topic, byte[] body) throws Exception {
            client.publish(topic, body, 1, false);
        }

        public boolean connected() {
            return client.isConnected();
        }

        @Override
        public void close() throws Exception {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }
}
