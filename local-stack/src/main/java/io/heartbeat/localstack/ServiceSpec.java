package io.heartbeat.localstack;

import java.nio.file.Path;
import java.util.List;

/** A service module of the platform as the local stack runs it: its folder, default HTTP port and schema. */
public record ServiceSpec(String name, int defaultPort, ServiceDatabase database) {

    /** Every service of the design; the runner starts those whose module has been built. */
    public static final List<ServiceSpec> ALL = List.of(
            new ServiceSpec("device-registry-service", 8081, ServiceDatabase.REGISTRY),
            new ServiceSpec("heartbeat-ingest-service", 8082, ServiceDatabase.INGEST),
            new ServiceSpec("status-monitor-service", 8083, ServiceDatabase.MONITOR),
            new ServiceSpec("command-service", 8084, ServiceDatabase.COMMAND));

    /** The packaged app (Quarkus fast-jar) in the module's build folder. */
    public Path runnerJar(Path root) {
        return root.resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public boolean moduleExists(Path root) {
        return root.resolve(name).resolve("pom.xml").toFile().isFile();
    }
}
