package io.heartbeat.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.contracts.Topics;

/** The local stack keeps its data across a restart from the same data directory, keys included. */
class RestartTest {

    final Path dir = Dirs.temp("restart-test-");

    @AfterEach
    void cleanUp() {
        Dirs.deleteRecursively(dir);
    }

    @Test
    void postgresRowsKafkaRecordsAndKeysSurviveARestart() throws Exception {
        String publicKeyBefore;
        try (Infrastructure first = start()) {
            try (Connection c = connect(first); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE kept (v text)");
                st.execute("INSERT INTO kept VALUES ('still here')");
            }
            InfrastructureTestSupport.produce(first, Topics.DEVICE_STATUS, "before-restart");
            publicKeyBefore = java.nio.file.Files.readString(first.userKeys().publicKey());
        }
        try (Infrastructure second = start()) {
            try (Connection c = connect(second);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT v FROM kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("still here");
            }
            assertThat(InfrastructureTestSupport.consume(second, Topics.DEVICE_STATUS, 1)).containsExactly(
                    "before-restart");
            assertThat(java.nio.file.Files.readString(second.userKeys().publicKey())).isEqualTo(publicKeyBefore);
            // the second start provisioned again without complaint and the topics are all there
            try (var admin = second.kafka().admin()) {
                assertThat(admin.listTopics().names().get()).containsAll(
                        Topics.ALL.stream().map(Topics.TopicSpec::name).toList());
            }
        }
    }

    private Infrastructure start() {
        // fixed ports: a restart must come back where clients expect it
        return Infrastructure.start(new Infrastructure.Settings(dir, ports.get(0), ports.get(1), ports.get(2),
                ports.get(3), 2));
    }

    private final List<Integer> ports = List.of(Ports.freeOr(0), Ports.freeOr(0), Ports.freeOr(0), Ports.freeOr(0));

    private static Connection connect(Infrastructure infra) throws Exception {
        ServiceDatabase db = ServiceDatabase.MONITOR;
        return DriverManager.getConnection(infra.postgres().jdbcUrl(), db.role(), db.password());
    }
}
