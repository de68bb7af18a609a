package io.heartbeat.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSettingsTest {

    @Test
    void theFileIsReadAndTheEnvironmentWins(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve(BrokerSettings.FILE), """
                kafka.bootstrap.servers=kafka:9092
                kafka.security.protocol=SSL
                device-jwt.audience=from-file
                service-account.heartbeat-ingest.password=from-file
                """);
        BrokerSettings s = BrokerSettings.load(home, Map.of(
                "HEARTBEAT_BROKER_KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093",
                "HEARTBEAT_BROKER_KAFKA_SASL_MECHANISM", "PLAIN",
                "HEARTBEAT_BROKER_SERVICE_ACCOUNT_HEARTBEAT_INGEST_PASSWORD", "from-env",
                "UNRELATED", "x"));
        assertThat(s.kafkaBootstrapServers()).isEqualTo("broker-1:9093");
        assertThat(s.kafkaProperties()).containsEntry("security.protocol", "SSL").containsEntry("sasl.mechanism", "PLAIN")
                .doesNotContainKey("bootstrap.servers");
        assertThat(s.deviceJwtAudience()).isEqualTo("from-file");
        assertThat(s.deviceJwtIssuer()).isEqualTo("heartbeat-registry");
        assertThat(s.passwordMatches(ServiceAccount.INGEST, "from-env")).isTrue();
        assertThat(s.passwordMatches(ServiceAccount.INGEST, "from-file")).isFalse();
        assertThat(s.passwordMatches(ServiceAccount.MONITOR, "")).isFalse();
        assertThat(s.toString()).doesNotContain("from-env");
    }

    @Test
    void withoutAFileNothingIsConfiguredAndNoAccountCanConnect(@TempDir Path home) {
        BrokerSettings s = BrokerSettings.load(home, Map.of());
        assertThat(s.kafkaBootstrapServers()).isNull();
        assertThat(s.servicePasswords()).isEmpty();
        assertThat(s.deviceJwtPublicKeyLocation()).isEmpty();
    }
}
