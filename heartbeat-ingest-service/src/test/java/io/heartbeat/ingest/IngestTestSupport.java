package io.heartbeat.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.ingest.service.DeviceDirectory;
import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.test.TestDeviceJwts;
import io.heartbeat.localstack.test.TopicReader;
import io.restassured.specification.RequestSpecification;

/**
 * Device views on registry.devices, device JWTs, requests, MQTT devices and a Kafka reader for the ingest tests.
 */
public final class IngestTestSupport {

    public static final String HEARTBEATS_PATH = "/api/v1/heartbeats";
    /** The tenant of the test devices. */
    public static final String TENANT = "acme";
    /** The header a trusted proxy names the client in; the test profile trusts loopback proxies. */
    public static final String FORWARDED_FOR = "X-Forwarded-For";

    private IngestTestSupport() {
    }

    public static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    /** A device id no other test uses. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // --- device views ---------------------------------------------------------------------------------------------

    /** A registered, enabled HTTP device of tenant acme with the seed thresholds and API token {@code token}. */
    public static DeviceView device(String id, String token) {
        return device(id, token, Thresholds.DEFAULTS, true, 1);
    }

    /** When each test device was first registered: its later revisions keep that time, as the registry's do. */
    private static final Map<String, Instant> REGISTERED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * As the registry registers (or changes) it: created and credentials since its first registration in this JVM
     * (microseconds, as Postgres keeps), so every revision is the same device instance.
     */
    public static DeviceView device(String id, String token, Thresholds thresholds, boolean enabled, long revision) {
        Instant registered = REGISTERED.computeIfAbsent(id,
                ignored -> Instant.now().truncatedTo(ChronoUnit.MICROS));
        return view(id, TENANT, token, thresholds, enabled, revision, registered, registered);
    }

    /** The view after the registry rotated the token: the next revision, the new token, credentials since then. */
    public static DeviceView rotated(DeviceView v, String newToken) {
        Instant rotatedAt = later(v.credentialsEpoch());
        return view(v.deviceId(), v.tenantId(), newToken, v.thresholds(), v.enabled(), v.revision() + 1,
                v.createdAt(), rotatedAt);
    }

    /** The same id registered again by {@code tenant} after {@code v} was deleted: a new device above v's revision. */
    public static DeviceView recreated(DeviceView v, String tenant, String token) {
        Instant createdAt = later(v.credentialsEpoch());
        REGISTERED.put(v.deviceId(), createdAt);
        return view(v.deviceId(), tenant, token, v.thresholds(), true, v.revision() + 1, createdAt, createdAt);
    }

    /** Now, but at least a millisecond after {@code previous}: a device JWT carries milliseconds. */
    private static Instant later(Instant previous) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant floor = previous.truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
        return now.isBefore(floor) ? floor : now;
    }

    private static DeviceView view(String id, String tenant, String token, Thresholds thresholds, boolean enabled,
            long revision, Instant createdAt, Instant credentialsSince) {
        return new DeviceView(DeviceView.SCHEMA_VERSION, id, tenant, "Device " + id, Protocol.HTTP, Map.of(),
                "default", thresholds, enabled, true, "1.0.0", Map.of(), DeviceTokens.hash(token), credentialsSince,
                revision, createdAt, Instant.now());
    }

    /** Publishes views to registry.devices and waits until the service's directory holds them. */
    public static void seed(DeviceDirectory directory, DeviceView... views) {
        publish(views);
        for (DeviceView v : views) {
            await().atMost(Duration.ofSeconds(20)).until(() -> directory.find(v.deviceId())
                    .map(held -> held.revision() >= v.revision()).orElse(false));
        }
    }

    /** Deletes the device on registry.devices and waits until the service's directory forgot it. */
    public static void delete(DeviceDirectory directory, String deviceId) {
        tombstone(deviceId);
        await().atMost(Duration.ofSeconds(20)).until(() -> directory.find(deviceId).isEmpty());
    }

    /** Publishes views (or a tombstone: {@code null} view needs {@link #tombstone}) to registry.devices. */
    public static void publish(DeviceView... views) {
        try (KafkaProducer<String, String> producer = producer()) {
            for (DeviceView view : views) {
                producer.send(new ProducerRecord<>(Topics.REGISTRY_DEVICES, view.deviceId(), EventJson.write(view)))
                        .get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not publish device views", e);
        }
    }

    public static void tombstone(String deviceId) {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.REGISTRY_DEVICES, deviceId, null)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish a tombstone", e);
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config("kafka.bootstrap.servers"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p);
    }

    // --- HTTP -----------------------------------------------------------------------------------------------------

    public static RequestSpecification bearer(String credential) {
        return given().contentType("application/json").header("Authorization", "Bearer " + credential);
    }

    /**
     * A client address no other test uses (10.x.y.z), for {@link #FORWARDED_FOR}: refusals of unauthenticated requests
     * are recorded per source, so a test that counts their records sends from a source of its own.
     */
    public static String uniqueSource() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
    }

    // --- device JWTs ----------------------------------------------------------------------------------------------

    /** The local stack's device key, the one the registry signs device JWTs with. */
    public static PrivateKey deviceKey() {
        return DevKeys.readPrivate(Path.of(config("heartbeat.device-jwt.private-key-location")));
    }

    /** A device JWT as the registry issues it for {@code view}: its tenant and credentials epoch. */
    public static String deviceJwt(DeviceView view, Instant expiresAt) {
        return TestDeviceJwts.sign(deviceKey(), view.deviceId(), view.tenantId(), view.credentialsEpoch(), expiresAt);
    }

    /** {@link #deviceJwt(DeviceView, Instant)} with another issuer or audience. */
    public static String deviceJwt(DeviceView view, String issuer, String audience, Instant expiresAt) {
        return TestDeviceJwts.sign(deviceKey(), view.deviceId(), view.tenantId(), view.credentialsEpoch(), expiresAt,
                issuer, audience);
    }

    // --- MQTT devices ---------------------------------------------------------------------------------------------

    private static String mqttUrl() {
        return "tcp://" + config("heartbeat.mqtt.host") + ":" + config("heartbeat.mqtt.port");
    }

    /**
     * Connects as the device, the only way the broker lets a device in: client id and user name = device id, password
     * = its API token or a device JWT. Retries until the broker accepts, i.e. until its extension has read the view
     * (it follows registry.devices on its own), for at most 20 s.
     */
    public static MqttClient connectDevice(String deviceId, String password) {
        MqttClient[] connected = new MqttClient[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> (connected[0] = tryConnect(deviceId, password)) != null);
        return connected[0];
    }

    private static MqttClient tryConnect(String deviceId, String password) throws MqttException {
        MqttClient client = new MqttClient(mqttUrl(), deviceId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setUserName(deviceId);
        options.setPassword(password.toCharArray());
        try {
            client.connect(options);
            return client;
        } catch (MqttException e) {
            client.close(true);
            return null;
        }
    }

    /** Publishes {@code body} as JSON with QoS 1 and waits for the broker's acknowledgement. */
    public static void send(MqttClient client, String topic, Map<String, Object> body) throws MqttException {
        client.publish(topic, EventJson.write(body).getBytes(StandardCharsets.UTF_8), 1, false);
    }

    /** Disconnects (if the broker has not already) and releases the client. */
    public static void close(MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
        } catch (MqttException e) {
            // already gone
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // nothing left to release
        }
    }

    // --- Kafka ----------------------------------------------------------------------------------------------------

    /** Reads {@code topic} from the start until {@code count} records match or the time runs out. */
    public static List<ConsumerRecord<String, String>> read(String topic,
            Predicate<ConsumerRecord<String, String>> wanted, int count, Duration timeout) {
        return TopicReader.read(config("kafka.bootstrap.servers"), topic, wanted, count, timeout);
    }

    /** The first record on {@code topic} with key {@code key}, read as {@code type}; fails after 20 s. */
    public static <T> T first(String topic, String key, Class<T> type, Predicate<T> wanted) {
        List<ConsumerRecord<String, String>> records = read(topic,
                r -> key.equals(r.key()) && r.value() != null && wanted.test(EventJson.read(r.value(), type)), 1,
                Duration.ofSeconds(20));
        if (records.isEmpty()) {
            throw new AssertionError("no matching record with key " + key + " on " + topic);
        }
        return EventJson.read(records.get(0).value(), type);
    }

    /** The one record on {@code topic} whose JSON contains {@code marker}; fails after 20 s. */
    public static <T> T oneMarked(String topic, String marker, Class<T> type) {
        List<T> found = marked(topic, marker, type, 1, Duration.ofSeconds(20));
        if (found.isEmpty()) {
            throw new AssertionError("no record containing " + marker + " on " + topic);
        }
        return found.get(0);
    }

    /** The records on {@code topic} whose JSON contains {@code marker} (e.g. a unique status in the excerpt). */
    public static <T> List<T> marked(String topic, String marker, Class<T> type, int count, Duration timeout) {
        return read(topic, r -> r.value() != null && r.value().contains(marker), count, timeout).stream()
                .map(r -> EventJson.read(r.value(), type)).toList();
    }
}
