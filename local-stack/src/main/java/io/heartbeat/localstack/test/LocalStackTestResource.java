package io.heartbeat.localstack.test;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.heartbeat.localstack.Dirs;
import io.heartbeat.localstack.Infrastructure;
import io.heartbeat.localstack.ServiceDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the real embedded infrastructure (Postgres, MQTT broker, Kafka in KRaft mode) for a service's
 * {@code @QuarkusTest}s, on free ports, once per test JVM: every test class and profile of a module shares it, and a
 * shutdown hook stops it when the tests are done. Quarkus loads each test profile's application, this class included, in
 * a class loader of its own, so the stack is handed on through a system property naming a file with every service's
 * configuration: an application restarted for another profile finds the same Postgres, broker and Kafka, with the
 * data the earlier one left. Init argument {@code service} names the service's schema
 * ({@code registry}, {@code ingest}, {@code monitor}, {@code command}).
 *
 * <p>
 * Besides the service's own configuration it sets {@code heartbeat.test.user-private-key-location}, the key that signs
 * the test users' tokens (see {@link io.heartbeat.localstack.DevTokens}).
 */
public class LocalStackTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String USER_KEY_PROPERTY = "heartbeat.test.user-private-key-location";

    /** System property: the file with the running stack's configuration per service (see the class comment). */
    static final String SHARED_CONFIG_PROPERTY = "heartbeat.test.stack.config-file";

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
        Properties shared = sharedConfig();
        String prefix = database.schema() + ".";
        Map<String, String> config = new HashMap<>();
        for (String key : shared.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                config.put(key.substring(prefix.length()), shared.getProperty(key));
            }
        }
        return config;
    }

    /**
     * Every service's configuration for the stack of this test JVM, keyed {@code <schema>.<key>}: read from the file
     * an earlier class loader wrote, or written now after starting the stack.
     */
    private static synchronized Properties sharedConfig() {
        Properties shared = new Properties();
        String file = System.getProperty(SHARED_CONFIG_PROPERTY);
        try {
            if (file != null) {
                try (Reader in = Files.newBufferedReader(Path.of(file))) {
                    shared.load(in);
                }
                return shared;
            }
            Infrastructure infra = infrastructure();
            for (ServiceDatabase db : ServiceDatabase.ALL) {
                infra.serviceConfig(db).forEach((key, value) -> shared.setProperty(db.schema() + "." + key, value));
                shared.setProperty(db.schema() + "." + USER_KEY_PROPERTY,
                        infra.userKeys().privateKey().toAbsolutePath().toString());
            }
            Path written = infra.settings().dataDir().resolve("test-config.properties");
            try (Writer out = Files.newBufferedWriter(written)) {
                shared.store(out, "the local stack of this test JVM, per service");
            }
            System.setProperty(SHARED_CONFIG_PROPERTY, written.toString());
            return shared;
        } catch (IOException e) {
            throw new UncheckedIOException("the shared test stack configuration is unreadable", e);
        }
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; stopped by the shutdown hook
    }

    /**
     * The infrastructure of this test JVM, started on first use; only the tests of the profile (class loader) that
     * started it can reach the running parts (e.g. to stop Kafka for an outage test).
     */
    public static synchronized Infrastructure infrastructure() {
        if (infrastructure == null && System.getProperty(SHARED_CONFIG_PROPERTY) != null) {
            throw new IllegalStateException("the test stack was started by another test profile's class loader; "
                    + "a test that handles the infrastructure itself must run without a @TestProfile");
        }
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
