package io.heartbeat.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.heartbeat.cli.UsageException;
import picocli.CommandLine;

class HbConfigTest {

    @TempDir
    Path dir;

    Path file(String text) throws Exception {
        Path f = dir.resolve("hb.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheFile() throws Exception {
        Path f = file("registry.url=http://file:1\ningest.url=http://file:2\ntoken=file-token\nmqtt.port=1999\n");
        Map<String, String> env = Map.of("HB_INGEST_URL", "http://env:2", "HB_TOKEN", "env-token");
        HbConfig c = HbConfig.resolve(Map.of("token", "flag-token"), env::get, f);
        assertThat(c.url(Service.REGISTRY)).isEqualTo("http://file:1");
        assertThat(c.url(Service.INGEST)).isEqualTo("http://env:2");
        assertThat(c.url(Service.MONITOR)).isEqualTo("http://127.0.0.1:8083");
        assertThat(c.token()).isEqualTo("flag-token");
        assertThat(c.mqttPort()).isEqualTo(1999);
        assertThat(c.source()).isEqualTo(f);
    }

    @Test
    void oneBaseUrlServesEveryServiceUnlessAServiceHasItsOwn() throws Exception {
        HbConfig c = HbConfig.resolve(Map.of("url", "https://gw.example/", "command.url", "http://cmd:8084"),
                k -> null, file(""));
        assertThat(c.url(Service.REGISTRY)).isEqualTo("https://gw.example");
        assertThat(c.url(Service.MONITOR)).isEqualTo("https://gw.example");
        assertThat(c.url(Service.COMMAND)).isEqualTo("http://cmd:8084");
    }

    @Test
    void theLocalStacksPrintedVariableIsHonoured() throws Exception {
        HbConfig c = HbConfig.resolve(Map.of(), Map.of("HEARTBEAT_TOKEN", "printed")::get, file("token=file"));
        assertThat(c.token()).isEqualTo("printed");
    }

    @Test
    void theConfigFileComesFromHbConfigAndAMissingOneIsAUsageError() throws Exception {
        Path f = file("monitor.url=http://m:1\n");
        HbConfig c = HbConfig.resolve(Map.of(), Map.of("HB_CONFIG", f.toString())::get, null);
        assertThat(c.url(Service.MONITOR)).isEqualTo("http://m:1");
        assertThatThrownBy(() -> HbConfig.resolve(Map.of(), k -> null, dir.resolve("nope.properties")))
                .isInstanceOf(UsageException.class).hasMessageContaining("does not exist");
    }

    @Test
    void withoutATokenTheErrorSaysWhereToGetOne() throws Exception {
        HbConfig c = HbConfig.resolve(Map.of(), k -> null, file(""));
        assertThatThrownBy(c::requireToken).isInstanceOf(UsageException.class).hasMessageContaining("HB_TOKEN");
    }

    @Test
    void theLocalStacksFileInTheWorkingDirectoryIsFound() throws Exception {
        Files.createDirectories(dir.resolve(".local-stack"));
        Files.writeString(dir.resolve(".local-stack/hb.properties"), "token=t\n");
        assertThat(HbConfig.defaultFile(dir)).isEqualTo(dir.resolve(".local-stack/hb.properties"));
    }

    @Test
    void envNamesFollowTheKeys() {
        assertThat(HbConfig.envName("registry.url")).isEqualTo("HB_REGISTRY_URL");
        assertThat(HbConfig.envName("mqtt.port")).isEqualTo("HB_MQTT_PORT");
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationConverter.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("45")).isEqualTo(Duration.ofSeconds(45));
        assertThatThrownBy(() -> DurationConverter.parse("soon"))
                .isInstanceOf(CommandLine.TypeConversionException.class);
    }
}
