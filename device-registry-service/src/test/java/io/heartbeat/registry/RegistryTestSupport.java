package io.heartbeat.registry;

import static io.restassured.RestAssured.given;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;

import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.DevTokens;
import io.heartbeat.localstack.test.LocalStackTestResource;
import io.heartbeat.localstack.test.TopicReader;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Tokens, requests, a Kafka reader and a database connection for the registry's tests. */
public final class RegistryTestSupport {

    private RegistryTestSupport() {
    }

    public static DevTokens tokens() {
        return new DevTokens(DevKeys.readPrivate(Path.of(config(LocalStackTestResource.USER_KEY_PROPERTY))));
    }

    public static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    public static RequestSpecification as(String token) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token);
    }

    /** A device id no other test uses. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static Map<String, Object> mqttDevice(String id) {
        return Map.of("id", id, "name", "Socket " + id, "protocol", "MQTT");
    }

    /** Creates a device as {@code token} and returns its API token. */
    public static String create(String token, Map<String, Object> body) {
        return as(token).body(body).post("/api/v1/devices").then().statusCode(201).extract().path("apiToken");
    }

    public static Connection registryDb() throws SQLException {
        return DriverManager.getConnection(config("quarkus.datasource.jdbc.url"),
                config("quarkus.datasource.username"), config("quarkus.datasource.password"));
    }

    /** Reads registry.devices from the start until {@code done} holds for {@code key}'s records or time runs out. */
    public static List<ConsumerRecord<String, String>> readDeviceTopic(String key,
            java.util.function.Predicate<List<ConsumerRecord<String, String>>> done, Duration timeout) {
        List<ConsumerRecord<String, String>> mine;
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            mine = TopicReader.read(config("kafka.bootstrap.servers"), Topics.REGISTRY_DEVICES,
                    r -> key.equals(r.key()), Integer.MAX_VALUE, Duration.ofSeconds(2));
        } while (!done.test(mine) && System.nanoTime() < deadline);
        return mine;
    }
}
