package io.heartbeat.cli.config;

/** The platform's HTTP services, each with its config key, environment variable and local-stack default port. */
public enum Service {
    REGISTRY("registry.url", "HB_REGISTRY_URL", 8081),
    INGEST("ingest.url", "HB_INGEST_URL", 8082),
    MONITOR("monitor.url", "HB_MONITOR_URL", 8083),
    COMMAND("command.url", "HB_COMMAND_URL", 8084);

    private final String key;
    private final String env;
    private final int defaultPort;

    Service(String key, String env, int defaultPort) {
        this.key = key;
        this.env = env;
        this.defaultPort = defaultPort;
    }

    public String key() {
        return key;
    }

    public String env() {
        return env;
    }

    public String defaultUrl() {
        return "http://127.0.0.1:" + defaultPort;
    }
}
