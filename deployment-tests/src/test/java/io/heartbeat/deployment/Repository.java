package io.heartbeat.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The repository's files as the deployment tests read them, and the services' own configuration. */
final class Repository {

    static final Path ROOT = Path.of(System.getProperty("heartbeat.root", "..")).toAbsolutePath().normalize();
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The four services: module, port, Postgres schema (= role), MQTT service account (null: none). */
    record Service(String module, int port, String schema, String mqttAccount, String apiPrefix) {
        Properties properties() {
            return Repository.properties(ROOT.resolve(module).resolve("src/main/resources/application.properties"));
        }
    }

    static final List<Service> SERVICES = List.of(
            new Service("device-registry-service", 8081, "registry", null, "/api/v1/devices"),
            new Service("heartbeat-ingest-service", 8082, "ingest", "heartbeat-ingest", "/api/v1/heartbeats"),
            new Service("status-monitor-service", 8083, "monitor", "heartbeat-status-monitor", "/api/v1/status"),
            new Service("command-service", 8084, "command", "heartbeat-command-service", "/api/v1/commands"));

    private Repository() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every document of a (multi-document) YAML text, empty ones left out, read by SnakeYAML as compose and kubectl
     * read it: anchors, aliases and merge keys resolved.
     */
    static List<JsonNode> yamlDocuments(String text) {
        List<JsonNode> docs = new ArrayList<>();
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(200);
        // a key given twice is an error (kubectl and compose would take one of them silently)
        options.setAllowDuplicateKeys(false);
        for (Object doc : new Yaml(new SafeConstructor(options)).loadAll(text)) {
            if (doc != null) {
                JsonNode n = JSON.valueToTree(doc);
                if (!n.isEmpty()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    static JsonNode yamlFile(String relative) {
        return yamlDocuments(read(relative)).get(0);
    }

    static Properties properties(Path file) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** MicroProfile Config's environment variable name of a property. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    /** Names of ${VAR} references in a text. */
    static List<String> references(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static Map<String, String> map(JsonNode object) {
        Map<String, String> m = new LinkedHashMap<>();
        if (object != null) {
            object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return m;
    }
}
