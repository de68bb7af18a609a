package io.heartbeat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * picocli-codegen's annotation processor writes the reflection configuration a native image of hb needs; the jar
 * carries it under META-INF/native-image, where native-image finds it. No GraalVM builder is installed here, so this
 * is what is verified of the native build (end-to-end-tests checks the same file in the packaged hb.jar).
 */
class NativeImageConfigTest {

    static final String DIR = "META-INF/native-image/picocli-generated/io.heartbeat/hb/";

    static String resource(String name) throws Exception {
        try (InputStream in = NativeImageConfigTest.class.getClassLoader().getResourceAsStream(DIR + name)) {
            assertThat(in).as(DIR + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theReflectionConfigNamesEveryCommand() throws Exception {
        String reflect = resource("reflect-config.json");
        assertThat(reflect).contains("\"io.heartbeat.cli.Hb\"", "\"io.heartbeat.cli.probe.ProbeCommand\"",
                "\"io.heartbeat.cli.device.AgentCommand\"", "\"io.heartbeat.cli.device.SimulateCommand\"",
                "\"io.heartbeat.cli.ops.DevicesCommand$Create\"", "\"io.heartbeat.cli.config.ClientOptions\"");
        assertThat(resource("resource-config.json")).isNotBlank();
        assertThat(resource("proxy-config.json")).isNotBlank();
    }
}
