package io.heartbeat.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

import io.heartbeat.cli.UsageException;

/**
 * Where hb finds the platform: per-service base URLs, the user's bearer token, the MQTT broker and the local stack's
 * development key. Each value comes from the first of: a flag, an environment variable, the config file, the local
 * stack's default. Within a layer a service's own URL beats the shared one ({@code --url}, {@code HB_URL},
 * {@code url=}), which is meant for a gateway that routes {@code /api/v1/...} to every service.
 *
 * @param source the config file that was read, or null
 */
public record HbConfig(Map<Service, String> urls, String token, String mqttHost, int mqttPort, Path devKey,
        Path source) {

    /** The config file the local stack writes into its data directory (default {@code .local-stack}). */
    public static final String LOCAL_STACK_FILE = "hb.properties";
    /** The user-level default. */
    public static final Path USER_FILE = Path.of(System.getProperty("user.home"), ".config", "hb",
            "config.properties");

    public String url(Service service) {
        return urls.get(service);
    }

    /** The token, or a usage error that says how to give one. */
    public String requireToken() {
        if (token == null || token.isBlank()) {
            throw new UsageException("no token: pass --token, set HB_TOKEN (or HEARTBEAT_TOKEN), or start the local "
                    + "stack, which writes one to .local-stack/hb.properties");
        }
        return token;
    }

    /**
     * @param flags values given as flags, by config key ({@code url}, {@code registry.url}, {@code token}, ...)
     * @param env the environment
     * @param explicitFile {@code --config}, or null
     */
    public static HbConfig resolve(Map<String, String> flags, Function<String, String> env, Path explicitFile) {
        Path file = explicitFile;
        if (file == null && notBlank(env.apply("HB_CONFIG"))) {
            file = Path.of(env.apply("HB_CONFIG"));
        }
        if (file != null && !Files.isRegularFile(file)) {
            throw new UsageException("config file " + file + " does not exist");
        }
        if (file == null) {
            file = defaultFile(Path.of("").toAbsolutePath());
        }
        Properties props = file == null ? new Properties() : load(file);
        List<Function<String, String>> layers = new ArrayList<>();
        layers.add(flags::get);
        layers.add(key -> env.apply(envName(key)));
        layers.add(props::getProperty);

        Map<Service, String> urls = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            String url = null;
            for (Function<String, String> layer : layers) {
                url = firstNotBlank(layer.apply(s.key()), layer.apply("url"));
                if (url != null) {
                    break;
                }
            }
            urls.put(s, stripSlash(url == null ? s.defaultUrl() : url));
        }
        // the local stack prints "export HEARTBEAT_TOKEN=...": honour it as a user would expect, after HB_TOKEN
        String token = firstNotBlank(flags.get("token"), firstNotBlank(env.apply("HB_TOKEN"),
                firstNotBlank(env.apply("HEARTBEAT_TOKEN"), props.getProperty("token"))));
        String mqttHost = first(layers, "mqtt.host");
        String mqttPort = first(layers, "mqtt.port");
        String devKey = first(layers, "dev.key");
        int port;
        try {
            port = mqttPort == null ? 1883 : Integer.parseInt(mqttPort.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("mqtt.port is not a number: '" + mqttPort + "'");
        }
        return new HbConfig(urls, token, mqttHost == null ? "127.0.0.1" : mqttHost, port,
                devKey == null ? null : Path.of(devKey), file);
    }

    /** {@code ./.local-stack/hb.properties} (the local stack's default data directory), then the user's file. */
    static Path defaultFile(Path cwd) {
        Path local = cwd.resolve(".local-stack").resolve(LOCAL_STACK_FILE);
        if (Files.isRegularFile(local)) {
            return local;
        }
        return Files.isRegularFile(USER_FILE) ? USER_FILE : null;
    }

    /** {@code registry.url} → {@code HB_REGISTRY_URL}. */
    static String envName(String key) {
        return "HB_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
    }

    private static String first(List<Function<String, String>> layers, String key) {
        for (Function<String, String> layer : layers) {
            String v = layer.apply(key);
            if (notBlank(v)) {
                return v.trim();
            }
        }
        return null;
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
        }
        return p;
    }

    private static String firstNotBlank(String a, String b) {
        return notBlank(a) ? a.trim() : notBlank(b) ? b.trim() : null;
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
