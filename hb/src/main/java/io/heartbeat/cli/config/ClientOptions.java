package io.heartbeat.cli.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.heartbeat.cli.http.Api;
import picocli.CommandLine.Option;

/** The options every command that talks to the platform takes (a picocli mixin). */
public final class ClientOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "config file (default: HB_CONFIG, "
            + "./.local-stack/hb.properties, ~/.config/hb/config.properties)")
    Path config;

    @Option(names = "--url", paramLabel = "URL", description = "one base URL for every service (a gateway)")
    String url;

    @Option(names = "--registry-url", paramLabel = "URL", description = "device-registry-service (default "
            + "http://127.0.0.1:8081)")
    String registryUrl;

    @Option(names = "--ingest-url", paramLabel = "URL", description = "heartbeat-ingest-service (default "
            + "http://127.0.0.1:8082)")
    String ingestUrl;

    @Option(names = "--monitor-url", paramLabel = "URL", description = "status-monitor-service (default "
            + "http://127.0.0.1:8083)")
    String monitorUrl;

    @Option(names = "--command-url", paramLabel = "URL", description = "command-service (default "
            + "http://127.0.0.1:8084)")
    String commandUrl;

    @Option(names = "--token", paramLabel = "JWT", description = "the user's bearer token (default: HB_TOKEN, "
            + "HEARTBEAT_TOKEN, the config file)")
    String token;

    @Option(names = "--mqtt-host", paramLabel = "HOST", description = "the MQTT broker (default 127.0.0.1)")
    String mqttHost;

    @Option(names = "--mqtt-port", paramLabel = "PORT", description = "default 1883")
    Integer mqttPort;

    @Option(names = "--json", description = "JSON output for scripts instead of a table")
    boolean json;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class, description = "per HTTP request (default ${DEFAULT-VALUE})")
    Duration timeout;

    private HbConfig resolved;

    public boolean json() {
        return json;
    }

    public Duration timeout() {
        return timeout;
    }

    public HbConfig config() {
        if (resolved == null) {
            Map<String, String> flags = new HashMap<>();
            put(flags, "url", url);
            put(flags, Service.REGISTRY.key(), registryUrl);
            put(flags, Service.INGEST.key(), ingestUrl);
            put(flags, Service.MONITOR.key(), monitorUrl);
            put(flags, Service.COMMAND.key(), commandUrl);
            put(flags, "token", token);
            put(flags, "mqtt.host", mqttHost);
            put(flags, "mqtt.port", mqttPort == null ? null : mqttPort.toString());
            resolved = HbConfig.resolve(flags, System::getenv, config);
        }
        return resolved;
    }

    /** A client with the user's token. */
    public Api api() {
        return new Api(config(), config().requireToken(), timeout);
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
