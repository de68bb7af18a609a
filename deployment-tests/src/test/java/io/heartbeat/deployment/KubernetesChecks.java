package io.heartbeat.deployment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.assertj.core.api.SoftAssertions;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.contracts.ServiceAccounts;

/**
 * What every set of Kubernetes objects of the platform must satisfy, whether rendered by Helm or kept as plain
 * manifests: the schemas (validate.mjs), and agreement with the services' configuration and with each other.
 */
final class KubernetesChecks {

    final String source;
    final List<JsonNode> docs;
    final SoftAssertions soft = new SoftAssertions();

    KubernetesChecks(String source, List<JsonNode> docs) {
        this.source = source;
        this.docs = docs;
    }

    static void verify(String source, List<JsonNode> docs) {
        KubernetesChecks checks = new KubernetesChecks(source, docs);
        checks.schemas();
        checks.services();
        checks.broker();
        checks.topics();
        checks.routes();
        checks.references();
        checks.soft.assertAll();
    }

    void schemas() {
        Validators.Result result = Validators.kubernetes(source, docs);
        soft.assertThat(result.findings()).as(source + ": schema findings").isEmpty();
        soft.assertThat(result.checked()).as(source + ": objects validated").isEqualTo(docs.size());
    }

    List<JsonNode> ofKind(String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    JsonNode named(String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind))
                .filter(d -> d.path("metadata").path("name").asText().equals(name)).findFirst().orElse(null);
    }

    JsonNode workload(String name) {
        JsonNode d = named("Deployment", name);
        return d != null ? d : named("StatefulSet", name);
    }

    void services() {
        for (Repository.Service s : Repository.SERVICES) {
            String what = source + " " + s.module();
            int port = Platform.port(s);
            JsonNode w = workload(s.module());
            soft.assertThat(w).as(what + ": Deployment or StatefulSet").isNotNull();
            if (w == null) {
                continue;
            }
            JsonNode pod = w.path("spec").path("template");
            JsonNode c = pod.path("spec").path("containers").get(0);
            soft.assertThat(c.path("ports").get(0).path("containerPort").asInt()).as(what + " containerPort")
                    .isEqualTo(port);
            for (String[] probe : new String[][] { { "startupProbe", "started" }, { "readinessProbe", "ready" },
                    { "livenessProbe", "live" } }) {
                JsonNode p = c.path(probe[0]);
                if (p.has("exec")) {
                    soft.assertThat(p.path("exec").path("command").toString()).as(what + " " + probe[0])
                            .isEqualTo("[\"/usr/local/bin/hb\",\"probe\",\"http://127.0.0.1:" + port + "/q/health/"
                                    + probe[1] + "\"]");
                } else {
                    soft.assertThat(p.path("httpGet").path("path").asText()).as(what + " " + probe[0])
                            .isEqualTo("/q/health/" + probe[1]);
                    soft.assertThat(p.path("httpGet").path("port").asText()).as(what + " " + probe[0] + " port")
                            .isIn("http", Integer.toString(port));
                }
            }
            soft.assertThat(c.path("resources").path("requests").path("memory").isMissingNode()).as(what + " requests")
                    .isFalse();
            soft.assertThat(c.path("resources").path("limits").path("memory").isMissingNode()).as(what + " limits")
                    .isFalse();
            Map<String, JsonNode> env = environment(c);
            soft.assertThat(Platform.unknown(s, env.keySet())).as(what + ": variables it does not read").isEmpty();
            soft.assertThat(env.keySet()).as(what + ": variables it needs").containsAll(Platform.requiredVariables(s));
            soft.assertThat(text(env.get("QUARKUS_DATASOURCE_USERNAME"))).as(what).isEqualTo(s.schema());
            soft.assertThat(env.get("QUARKUS_DATASOURCE_PASSWORD").has("valueFrom")).as(what + " password from a Secret")
                    .isTrue();
            if (env.containsKey("QUARKUS_HTTP_PORT")) {
                soft.assertThat(text(env.get("QUARKUS_HTTP_PORT"))).as(what).isEqualTo(Integer.toString(port));
            }
            if (s.mqttAccount() != null) {
                soft.assertThat(ServiceAccounts.ALL).contains(s.mqttAccount());
                soft.assertThat(text(env.get("HEARTBEAT_MQTT_USERNAME"))).as(what).isEqualTo(s.mqttAccount());
                soft.assertThat(env.get("HEARTBEAT_MQTT_PASSWORD").path("valueFrom").path("secretKeyRef").path("key")
                        .asText()).as(what + " MQTT password key").isEqualTo(s.mqttAccount());
            }
            JsonNode svc = named("Service", s.module());
            soft.assertThat(svc).as(what + " Service").isNotNull();
            if (svc != null) {
                soft.assertThat(svc.path("spec").path("ports").get(0).path("port").asInt()).as(what + " Service port")
                        .isEqualTo(port);
                soft.assertThat(matches(svc.path("spec").path("selector"), pod.path("metadata").path("labels")))
                        .as(what + " Service selects the pods").isTrue();
            }
            for (JsonNode m : ofKind("ServiceMonitor")) {
                if (m.path("metadata").path("name").asText().equals(s.module())) {
                    JsonNode ep = m.path("spec").path("endpoints").get(0);
                    soft.assertThat(ep.path("path").asText()).as(what + " ServiceMonitor path").isEqualTo("/q/metrics");
                    soft.assertThat(ep.path("port").asText()).as(what + " ServiceMonitor port").isEqualTo("http");
                    soft.assertThat(svc != null && matches(m.path("spec").path("selector").path("matchLabels"),
                            svc.path("metadata").path("labels"))).as(what + " ServiceMonitor selects the Service")
                            .isTrue();
                }
            }
            for (String kind : List.of("PodDisruptionBudget", "NetworkPolicy")) {
                JsonNode o = named(kind, s.module());
                if (o != null) {
                    JsonNode selector = kind.equals("NetworkPolicy") ? o.path("spec").path("podSelector")
                            : o.path("spec").path("selector");
                    soft.assertThat(matches(selector.path("matchLabels"), pod.path("metadata").path("labels")))
                            .as(what + " " + kind + " selects the pods").isTrue();
                }
            }
            JsonNode hpa = named("HorizontalPodAutoscaler", s.module());
            if (hpa != null) {
                soft.assertThat(hpa.path("spec").path("scaleTargetRef").path("kind").asText()).as(what + " HPA target")
                        .isEqualTo(w.path("kind").asText());
                soft.assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo(s.module());
            }
        }
    }

    void broker() {
        JsonNode broker = named("StatefulSet", "hivemq");
        if (broker == null) {
            return;
        }
        JsonNode c = broker.path("spec").path("template").path("spec").path("containers").get(0);
        Map<String, JsonNode> env = environment(c);
        for (String account : ServiceAccounts.ALL) {
            JsonNode v = env.get(Platform.brokerPasswordVariable(account));
            soft.assertThat(v).as(source + " broker: password of " + account).isNotNull();
            if (v != null) {
                soft.assertThat(v.path("valueFrom").path("secretKeyRef").path("key").asText()).isEqualTo(account);
            }
        }
        soft.assertThat(env).as(source + " broker").containsKeys("HEARTBEAT_BROKER_KAFKA_BOOTSTRAP_SERVERS",
                "HEARTBEAT_BROKER_DEVICE_JWT_PUBLIC_KEY_LOCATION");
        JsonNode svc = named("Service", "hivemq");
        soft.assertThat(svc).as(source + " broker Service").isNotNull();
    }

    void topics() {
        JsonNode job = named("Job", "heartbeat-kafka-topics");
        if (job == null) {
            return;
        }
        Map<String, JsonNode> env = environment(job.path("spec").path("template").path("spec").path("containers").get(0));
        soft.assertThat(Platform.topicList(text(env.get("HEARTBEAT_TOPICS")))).as(source + " topics")
                .isEqualTo(Platform.topics());
        JsonNode script = named("ConfigMap", "heartbeat-kafka-topics");
        soft.assertThat(script.path("data").path("create-topics.sh").asText()).as(source + " topic script")
                .isEqualTo(Repository.read("deploy/docker/kafka/create-topics.sh"));
        JsonNode init = named("ConfigMap", "heartbeat-postgres-init");
        if (init != null) {
            soft.assertThat(init.path("data").path("init-heartbeat.sh").asText()).as(source + " Postgres init script")
                    .isEqualTo(Repository.read("deploy/docker/postgres/init-heartbeat.sh"));
        }
    }

    /** The gateway's routes: those of nginx.conf, less the more specific ones that go where their prefix goes. */
    static Map<String, String> expectedRoutes() {
        Map<String, String> nginx = Platform.nginxRoutes();
        Map<String, String> routes = new TreeMap<>();
        nginx.forEach((prefix, target) -> {
            boolean covered = nginx.entrySet().stream().anyMatch(e -> !e.getKey().equals(prefix)
                    && prefix.startsWith(e.getKey() + "/") && e.getValue().equals(target));
            if (!covered) {
                routes.put(prefix, target);
            }
        });
        return routes;
    }

    void routes() {
        for (JsonNode route : ofKind("HTTPRoute")) {
            Map<String, String> found = new TreeMap<>();
            for (JsonNode rule : route.path("spec").path("rules")) {
                JsonNode backend = rule.path("backendRefs").get(0);
                for (JsonNode match : rule.path("matches")) {
                    soft.assertThat(match.path("path").path("type").asText()).isEqualTo("PathPrefix");
                    found.put(match.path("path").path("value").asText(),
                            backend.path("name").asText() + ":" + backend.path("port").asText());
                }
            }
            soft.assertThat(found).as(source + " HTTPRoute = the nginx gateway's routes").isEqualTo(expectedRoutes());
        }
        for (JsonNode ingress : ofKind("Ingress")) {
            Map<String, String> found = new TreeMap<>();
            for (JsonNode rule : ingress.path("spec").path("rules")) {
                for (JsonNode path : rule.path("http").path("paths")) {
                    JsonNode svc = path.path("backend").path("service");
                    found.put(path.path("path").asText(),
                            svc.path("name").asText() + ":" + svc.path("port").path("number").asText());
                }
            }
            soft.assertThat(found).as(source + " Ingress = the nginx gateway's routes").isEqualTo(expectedRoutes());
        }
    }

    /** Every ServiceAccount, ConfigMap and Secret volume a pod names exists (Secrets are the operator's: named only). */
    void references() {
        Set<String> accounts = names("ServiceAccount");
        Set<String> configMaps = names("ConfigMap");
        for (JsonNode w : docs) {
            JsonNode spec = w.path("spec").path("template").path("spec");
            if (spec.isMissingNode()) {
                continue;
            }
            String what = source + " " + w.path("kind").asText() + " " + w.path("metadata").path("name").asText();
            if (spec.has("serviceAccountName")) {
                soft.assertThat(accounts).as(what + " serviceAccountName").contains(spec.get("serviceAccountName").asText());
            }
            for (JsonNode v : spec.path("volumes")) {
                if (v.has("configMap")) {
                    soft.assertThat(configMaps).as(what + " volume").contains(v.path("configMap").path("name").asText());
                }
            }
            for (JsonNode c : spec.path("containers")) {
                for (JsonNode from : c.path("envFrom")) {
                    if (from.has("configMapRef")) {
                        soft.assertThat(configMaps).as(what + " envFrom")
                                .contains(from.path("configMapRef").path("name").asText());
                    }
                }
            }
        }
    }

    Set<String> names(String kind) {
        Set<String> names = new TreeSet<>();
        ofKind(kind).forEach(d -> names.add(d.path("metadata").path("name").asText()));
        return names;
    }

    /** A container's variables: env entries and the data of the ConfigMaps it takes with envFrom. */
    Map<String, JsonNode> environment(JsonNode container) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            JsonNode cm = named("ConfigMap", from.path("configMapRef").path("name").asText());
            if (cm != null) {
                cm.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue()));
            }
        }
        for (JsonNode e : container.path("env")) {
            env.put(e.path("name").asText(), e.has("value") ? e.get("value") : e);
        }
        return env;
    }

    static String text(JsonNode n) {
        return n == null ? null : n.asText();
    }

    static boolean matches(JsonNode selector, JsonNode labels) {
        if (selector == null || !selector.isObject() || selector.isEmpty()) {
            return false;
        }
        List<Boolean> all = new ArrayList<>();
        selector.fields().forEachRemaining(e -> all.add(e.getValue().asText().equals(labels.path(e.getKey()).asText())));
        return !all.contains(false);
    }
}
