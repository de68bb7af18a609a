package io.heartbeat.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A native image knows only the classes registered for reflection; Jackson needs reflection for every type it reads
 * or writes. Quarkus registers what it sees in REST signatures, but not what goes through {@code EventJson} (the Kafka
 * events, outbox rows, JSON columns), so each service lists those in its {@code config.NativeReflection}. This test
 * finds the serialized types in the compiled classes ({@link SerializedTypes}) and fails for each one not registered.
 */
class NativeReflectionTest {

    static final Path ROOT = Repository.ROOT;

    @ParameterizedTest
    @ValueSource(strings = { "device-registry-service", "heartbeat-ingest-service", "status-monitor-service",
            "command-service" })
    void everyTypeTheServiceSerializesIsRegisteredForReflection(String service) {
        SerializedTypes types = new SerializedTypes(ROOT.resolve(service).resolve("target/classes"),
                List.of(ROOT.resolve("service-common/target/classes"), ROOT.resolve("contracts/target/classes")));
        Map<String, String> serialized = types.serialized();
        Set<String> registered = types.registered();

        assertThat(serialized).as("the scan finds the events (it would pass vacuously if it found nothing)")
                .containsKey("io.heartbeat.contracts.DeviceView");
        Map<String, String> missing = new TreeMap<>(serialized);
        missing.keySet().removeAll(registered);
        assertThat(missing).as(service + ": serialized (value: where) but not in any @RegisterForReflection").isEmpty();
        assertThat(registered).as(service + ": @RegisterForReflection classNames that name no class")
                .allMatch(types::exists);
    }
}
