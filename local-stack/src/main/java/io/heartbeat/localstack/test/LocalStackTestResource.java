package io.heartbeat.localstack.test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.heartbeat.localstack.Dirs;
import io.heartbeat.localstack.Infrastructure;
import io.heartbeat.localstack.ServiceDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the real embedded infrastructure (Postgres, MQTT broker, Kafka in KRaft mode) for a service's
 * {@code @QuarkusTest}s, on free ports, once per test JVM: every test class and profile of a module shares it, and a
 * shutdown hook stops it when the tests are done. Init argument {@code service} names the service's schema
 * ({@code registry}, {@code ingest}, {@code monitor}, {@code command}).
 *
 * <p>
 * Besides the service's own configuration it sets {@code heartbeat.test.user-private-key-location}, the key that signs
 * the test users' tokens (see {@link io.heartbeat.localstack.DevTokens}).
 */
public class LocalStackTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String USER_KEY_PROPERTY = "heartbeat.test.user-private-key-location";

    private static Infrastructure infrastructure;

    private ServiceDatabase database = ServiceDatabase.REGISTRY;

    @Override
    public void init(Map<String, String> initArgs) {
        String service = initArgs.get("service");
        if (service != null) {
            database = ServiceDatabase.named(service);
        }
    }

    @Override
    public Map<String, String> start() {
        Infrastructure infra = infrastructure();
        Map<String, String> config = new HashMap<>(infra.serviceConfig(database));
        config.put(USER_KEY_PROPERTY, infra.userKeys().privateKey().toAbsolutePath().toString());
        return config;
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; stopped by the shutdown hook
    }

    /** The infrastructure of this test JVM, started on first use. */
    public static synchronized Infrastructure infrastructure() {
        if (infrastructure == null) {
            Path dir = Dirs.temp("heartbeat-test-stack-");
            Infrastructure started = Infrastructure.start(new Infrastructure.Settings(dir, 0, 0, 0, 0, 3));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } finally {
                    Dirs.deleteRecursively(dir);
                }
            }, "local-stack-test-shutdown"));
            infrastructure = started;
        }
        return infrastructure;
    }
}
