package io.heartbeat.deployment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.heartbeat.contracts.Topics;

/** What every deployment must agree on, read from the code and the services' configuration. */
final class Platform {

    private Platform() {
    }

    /** contracts Topics.ALL as the topic scripts take it: name:compact or name:delete. */
    static Set<String> topics() {
        return Topics.ALL.stream().map(t -> t.name() + ":" + (t.compacted() ? "compact" : "delete"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> topicList(String spaceSeparated) {
        return new TreeSet<>(List.of(spaceSeparated.trim().split("\\s+")));
    }

    /**
     * The environment variables a service reads: every key of its application.properties (profiles stripped,
     * commented-out examples included), every ${...} it refers to, as MicroProfile Config maps them, and the variables
     * its comments name.
     */
    static Set<String> knownVariables(Repository.Service service) {
        String text = Repository.read(service.module() + "/src/main/resources/application.properties");
        Set<String> names = new TreeSet<>();
        Matcher key = Pattern.compile("(?m)^[#\\s]*(%[a-z]+\\.)?([a-zA-Z][a-zA-Z0-9.\"_-]*)\\s*=").matcher(text);
        while (key.find()) {
            names.add(Repository.envName(key.group(2).replace("\"", "")));
        }
        Matcher ref = Pattern.compile("\\$\\{([a-zA-Z][a-zA-Z0-9._-]*)").matcher(text);
        while (ref.find()) {
            names.add(Repository.envName(ref.group(1)));
        }
        // variables the file's comments name (keys of a @ConfigMapping without a line of their own)
        Matcher documented = Pattern.compile("(?m)^#.*").matcher(text);
        while (documented.find()) {
            Matcher upper = Pattern.compile("\\b(HEARTBEAT|QUARKUS|KAFKA|MP|MONITORING)_[A-Z0-9_]+\\b")
                    .matcher(documented.group());
            while (upper.find()) {
                names.add(upper.group());
            }
        }
        // Quarkus's own settings the deployments use besides those
        names.add("JAVA_OPTS_APPEND");
        return names;
    }

    /** Those of {@code names} the service does not read. */
    static Set<String> unknown(Repository.Service service, java.util.Collection<String> names) {
        Set<String> unknown = new TreeSet<>(names);
        unknown.removeAll(knownVariables(service));
        return unknown;
    }

    /** The variables a service cannot run without in a deployment. */
    static Set<String> requiredVariables(Repository.Service service) {
        Set<String> names = new TreeSet<>(Set.of("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_DATASOURCE_REACTIVE_URL",
                "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD",
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION"));
        if (service.mqttAccount() != null) {
            names.addAll(Set.of("HEARTBEAT_MQTT_HOST", "HEARTBEAT_MQTT_PORT", "HEARTBEAT_MQTT_USERNAME",
                    "HEARTBEAT_MQTT_PASSWORD"));
        }
        if (service.schema().equals("registry")) {
            names.add("HEARTBEAT_DEVICE_JWT_PRIVATE_KEY_LOCATION");
        }
        if (service.schema().equals("ingest")) {
            names.add("HEARTBEAT_DEVICE_JWT_PUBLIC_KEY_LOCATION");
        }
        return names;
    }

    static int port(Repository.Service service) {
        return Integer.parseInt(service.properties().getProperty("quarkus.http.port"));
    }

    /** The broker extension's variable for an account's password (mqtt-broker-extension BrokerSettings). */
    static String brokerPasswordVariable(String account) {
        return "HEARTBEAT_BROKER_" + ("service-account." + account + ".password").toUpperCase(Locale.ROOT)
                .replace('.', '_').replace('-', '_');
    }

    /** The gateway's routes in deploy/docker/gateway/nginx.conf: path prefix to "host:port". */
    static Map<String, String> nginxRoutes() {
        String conf = Repository.read("deploy/docker/gateway/nginx.conf");
        Map<String, String> upstreams = new LinkedHashMap<>();
        Matcher u = Pattern.compile("upstream\\s+(\\S+)\\s*\\{\\s*server\\s+([^;\\s]+);").matcher(conf);
        while (u.find()) {
            upstreams.put(u.group(1), u.group(2));
        }
        Map<String, String> routes = new LinkedHashMap<>();
        Matcher l = Pattern.compile("location\\s+(/api/\\S+)\\s*\\{([^}]*)\\}").matcher(conf);
        while (l.find()) {
            Matcher pass = Pattern.compile("proxy_pass\\s+http://([^;/\\s]+)").matcher(l.group(2));
            if (pass.find()) {
                routes.put(l.group(1), upstreams.getOrDefault(pass.group(1), "(no upstream " + pass.group(1) + ")"));
            }
        }
        return routes;
    }
}
