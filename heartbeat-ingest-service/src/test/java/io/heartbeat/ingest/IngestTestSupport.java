package io.heartbeat.ingest;

import static io.restassured.RestAssured.given;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.test.TopicReader;
import io.restassured.specification.RequestSpecification;

/** Device views on registry.devices, device JWTs, requests and a Kafka reader for the ingest tests. */
public final class IngestTestSupport {

    public static final String HEARTBEATS_PATH = "/api/v1/heartbeats";

    private IngestTestSupport() {
    }

    public static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    /** A device id no other test uses. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A registered, enabled HTTP device of tenant acme with the seed thresholds and API token {@code token}. */
    public static DeviceView device(String id, String token) {
        return device(id, token, Thresholds.DEFAULTS, true, 1);
    }

    public static DeviceView device(String id, String token, Thresholds thresholds, boolean enabled, long revision) {
        Instant now = Instant.now();
        return new DeviceView(DeviceView.SCHEMA_VERSION, id, "acme", "Device " + id, Protocol.HTTP, Map.of(),
                "default", thresholds, enabled, true, "1.0.0", Map.of(), DeviceTokens.hash(token), revision, now, now);
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

    public static RequestSpecification bearer(String credential) {
        return given().contentType("application/json").header("Authorization", "Bearer " + credential);
    }

    /** A device JWT as the registry issues it, signed with the local stack's device key. */
    public static String deviceJwt(String deviceId, Instant expiresAt) {
        return deviceJwt(deviceId, "heartbeat-registry", "heartbeat-devices", expiresAt);
    }

    public static String deviceJwt(String deviceId, String issuer, String audience, Instant expiresAt) {
        return sign(deviceId, issuer, audience, expiresAt,
                DevKeys.readPrivate(Path.of(config("heartbeat.device-jwt.private-key-location"))));
    }

    public static String sign(String deviceId, String issuer, String audience, Instant expiresAt,
            java.security.PrivateKey key) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(deviceId);
        claims.setAudience(audience);
        claims.setClaim("tenant", "acme");
        claims.setIssuedAt(NumericDate.fromSeconds(expiresAt.getEpochSecond() - 3600));
        claims.setExpirationTime(NumericDate.fromSeconds(expiresAt.getEpochSecond()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

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
}
