package io.heartbeat.localstack;

import java.util.List;

/**
 * One service's slice of the shared Postgres: a schema and a login role that owns it and nothing else.
 *
 * <p>
 * The password is a local development credential, not a secret: the embedded Postgres trusts loopback connections,
 * and production deployments set their own through {@code QUARKUS_DATASOURCE_PASSWORD}.
 */
public record ServiceDatabase(String schema, String role, String password) {

    public static final String DATABASE = "heartbeat";

    public static final ServiceDatabase REGISTRY = of("registry");
    public static final ServiceDatabase INGEST = of("ingest");
    public static final ServiceDatabase MONITOR = of("monitor");
    public static final ServiceDatabase COMMAND = of("command");

    public static final List<ServiceDatabase> ALL = List.of(REGISTRY, INGEST, MONITOR, COMMAND);

    static ServiceDatabase of(String schema) {
        return new ServiceDatabase(schema, schema, schema + "-local-dev");
    }

    public static ServiceDatabase named(String schema) {
        return ALL.stream().filter(s -> s.schema.equals(schema)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown service schema '" + schema + "', known: "
                        + ALL.stream().map(ServiceDatabase::schema).toList()));
    }
}
