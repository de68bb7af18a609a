package io.heartbeat.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real Postgres server from the embedded binaries on Maven Central. Creates the {@value ServiceDatabase#DATABASE}
 * database and, per service, a login role that owns exactly one schema: a service's role can touch only its own
 * schema.
 */
public final class PostgresNode implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private PostgresNode(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts Postgres on {@code port} with its data in {@code dataDir}; an existing data directory is reused, so data
     * survives a restart.
     */
    public static PostgresNode start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir.getParent());
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(true)
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "on")
                    .setPgBinaryResolver(PostgresNode::binaries)
                    .start();
            return new PostgresNode(postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Postgres did not start on port " + port, e);
        }
    }

    /**
     * The Postgres binaries for this system from the classpath. Zonky's default resolver refuses to start when the
     * same archive is on the classpath twice (as in a multi-module build's test classpath, where a module's
     * dependencies can arrive by more than one path); the copies are the same artifact, so the first one is taken.
     */
    static java.io.InputStream binaries(String system, String hardware) throws IOException {
        String name = ("postgres-" + system + "-" + hardware + ".txz").toLowerCase(java.util.Locale.ROOT);
        java.util.Enumeration<java.net.URL> found = PostgresNode.class.getClassLoader().getResources(name);
        if (!found.hasMoreElements()) {
            throw new IOException("no embedded Postgres binaries " + name + " on the classpath");
        }
        return found.nextElement().openStream();
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + ServiceDatabase.DATABASE;
    }

    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port() + "/" + ServiceDatabase.DATABASE;
    }

    /** Idempotent: creates the database, the roles and their schemas that don't exist yet. */
    public void provision(List<ServiceDatabase> services) {
        try {
            try (Connection admin = postgres.getPostgresDatabase().getConnection();
                    Statement st = admin.createStatement()) {
                if (!exists(st, "SELECT 1 FROM pg_database WHERE datname = '" + ServiceDatabase.DATABASE + "'")) {
                    st.execute("CREATE DATABASE " + ServiceDatabase.DATABASE);
                }
                for (ServiceDatabase s : services) {
                    if (!exists(st, "SELECT 1 FROM pg_roles WHERE rolname = '" + s.role() + "'")) {
                        st.execute("CREATE ROLE " + s.role() + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '"
                                + s.password() + "'");
                    }
                }
            }
            try (Connection db = postgres.getDatabase("postgres", ServiceDatabase.DATABASE).getConnection();
                    Statement st = db.createStatement()) {
                st.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC");
                st.execute("REVOKE ALL ON DATABASE " + ServiceDatabase.DATABASE + " FROM PUBLIC");
                for (ServiceDatabase s : services) {
                    st.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + ServiceDatabase.DATABASE + " TO " + s.role());
                    st.execute("CREATE SCHEMA IF NOT EXISTS " + s.schema() + " AUTHORIZATION " + s.role());
                    st.execute("ALTER ROLE " + s.role() + " IN DATABASE " + ServiceDatabase.DATABASE
                            + " SET search_path = " + s.schema());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not provision the service schemas: " + e.getMessage(), e);
        }
    }

    private static boolean exists(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next();
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
