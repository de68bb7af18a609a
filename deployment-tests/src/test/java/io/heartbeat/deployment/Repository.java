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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The repository's files as the deployment tests read them, and the services' own configuration. */
final class Repository {

    static final Path ROOT = Path.of(System.getProperty("heartbeat.root", "..")).toAbsolutePath().normalize();
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final YAMLMapper YAML = new YAMLMapper();

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

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every document of a (multi-document) YAML text; empty documents left out. */
    static List<JsonNode> yamlDocuments(String text) {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(text)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode() && !n.isEmpty()) {
                    docs.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
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
