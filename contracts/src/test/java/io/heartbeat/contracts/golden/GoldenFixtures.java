package io.heartbeat.contracts.golden;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.heartbeat.contracts.EventJson;

/**
 * Loads the golden JSON fixtures: one canonical example per event, as it travels on Kafka.
 *
 * <p>
 * The fixtures ({@code golden/<name>.json} on the classpath) and this class ship in the {@code contracts} test-jar, so
 * that producer tests can assert "what I publish equals the fixture" and consumer tests can feed the very same JSON to
 * their consumers. Add the dependency {@code io.heartbeat:contracts:test-jar} with scope {@code test}, then e.g.
 * {@code GoldenFixtures.read("heartbeat-accepted", HeartbeatAccepted.class)}.
 *
 * <p>
 * Names: {@code device-view}, {@code heartbeat-accepted}, {@code heartbeat-accepted-heart-rate},
 * {@code heartbeat-rejected}, {@code device-status-changed}, {@code command-request}, {@code command-result},
 * {@code device-signal}, {@code signal-delivered}, {@code dead-lettered-command}.
 */
public final class GoldenFixtures {

    /**
     * The (test-only) API token of the device in {@code device-view}: its {@code tokenHash} is
     * {@code DeviceTokens.hash(DEVICE_VIEW_TOKEN)}, so ingest tests can authenticate as that device.
     */
    public static final String DEVICE_VIEW_TOKEN = "k3Jx9vQ2mW7pL4tR8nB1cY6hF0dZ5sA3eU2iO9gT7wV4qX1jN8mK6bH0lP3rS5yD";

    private GoldenFixtures() {
    }

    /**
     * @param name the fixture name without directory and extension, e.g. {@code "device-view"}
     * @return the fixture's JSON text
     * @throws IllegalArgumentException if there is no such fixture
     */
    public static String json(String name) {
        String path = "golden/" + name + ".json";
        try (InputStream in = GoldenFixtures.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden fixture " + path + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden fixture " + path, e);
        }
    }

    /**
     * @param name the fixture name, e.g. {@code "device-view"}
     * @param type the event type
     * @return the fixture read with {@link EventJson}
     */
    public static <T> T read(String name, Class<T> type) {
        return EventJson.read(json(name), type);
    }
}
