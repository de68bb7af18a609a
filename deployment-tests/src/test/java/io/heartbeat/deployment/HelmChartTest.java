package io.heartbeat.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

/**
 * The Helm chart in deploy/helm/heartbeat, with a real Helm (helm-java: Helm's Go library for linux-amd64 inside a
 * Maven jar): linted strictly, rendered with the default values and with values-production-example.yaml, every
 * rendered object validated against its Kubernetes schema and checked against the services ({@link KubernetesChecks}).
 */
class HelmChartTest {

    static final Path CHART = Repository.path("deploy/helm/heartbeat");

    /**
     * The chart rendered with a values file (null: the defaults). Helm's template leaves hooks out, so the set-up
     * Jobs are rendered as plain objects (setupJobsAsHooks=false) to be checked too: only their annotations differ.
     */
    static List<JsonNode> render(Path valuesFile) {
        var template = new Helm(CHART).template().withName("heartbeat").withNamespace("heartbeat")
                .set("setupJobsAsHooks", "false");
        if (valuesFile != null) {
            template.withValuesFile(valuesFile);
        }
        return Repository.yamlDocuments(template.call());
    }

    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).as("findings").noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void defaultValuesRenderEveryKindAndPassTheChecks() {
        List<JsonNode> docs = render(null);
        Set<String> kinds = new TreeSet<>();
        docs.forEach(d -> kinds.add(d.path("kind").asText()));
        assertThat(kinds).contains("Deployment", "StatefulSet", "Service", "ConfigMap", "ServiceAccount",
                "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "ServiceMonitor", "HTTPRoute",
                "Ingress", "Job");
        KubernetesChecks.verify("helm (default values)", docs);
    }

    @Test
    void productionExampleValuesRenderNativeProbesAndAnExternalBroker() {
        List<JsonNode> docs = render(CHART.resolve("values-production-example.yaml"));
        KubernetesChecks checks = new KubernetesChecks("helm (values-production-example)", docs);
        assertThat(checks.named("StatefulSet", "hivemq")).as("no bundled broker").isNull();
        assertThat(checks.ofKind("HTTPRoute")).isEmpty();
        JsonNode registry = checks.workload("device-registry-service");
        assertThat(registry.path("spec").path("template").path("spec").path("containers").get(0).path("readinessProbe")
                .has("exec")).as("native images: exec probes with hb").isTrue();
        assertThat(checks.named("ConfigMap", "heartbeat-ingest-service").path("data").path("HEARTBEAT_MQTT_HOST").asText())
                .isEqualTo("mqtt.example.com");
        assertThat(checks.named("HorizontalPodAutoscaler", "status-monitor-service")).isNull();
        assertThat(checks.workload("status-monitor-service").path("spec").path("replicas").asInt()).isEqualTo(3);
        KubernetesChecks.verify("helm (values-production-example)", docs);
    }

    @Test
    void theSchemaValidationIsNotVacuous() {
        List<JsonNode> docs = render(null);
        var deployment = (com.fasterxml.jackson.databind.node.ObjectNode) docs.stream()
                .filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) deployment.path("spec").path("template").path("spec")
                .path("containers").get(0).path("ports").get(0)).put("containerPort", "eighty");
        var route = (com.fasterxml.jackson.databind.node.ObjectNode) docs.stream()
                .filter(d -> d.path("kind").asText().equals("HTTPRoute")).findFirst().orElseThrow().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) route.path("spec").path("rules").get(0).path("matches").get(0)
                .path("path")).put("type", "Prefix");
        assertThat(Validators.kubernetes("broken", List.of(deployment, route)).findings()).hasSize(2);
    }

    @Test
    void theChartCarriesTheSameScriptsAndDashboardsAsCompose() throws IOException {
        assertThat(Files.readString(CHART.resolve("files/init-heartbeat.sh")))
                .isEqualTo(Repository.read("deploy/docker/postgres/init-heartbeat.sh"));
        assertThat(Files.readString(CHART.resolve("files/create-topics.sh")))
                .isEqualTo(Repository.read("deploy/docker/kafka/create-topics.sh"));
        Path compose = Repository.path("deploy/docker/grafana/dashboards");
        try (Stream<Path> files = Files.list(compose)) {
            for (Path f : files.toList()) {
                assertThat(CHART.resolve("dashboards").resolve(f.getFileName())).as(f.getFileName().toString())
                        .hasSameTextualContentAs(f);
            }
        }
        try (Stream<Path> a = Files.list(compose); Stream<Path> b = Files.list(CHART.resolve("dashboards"))) {
            assertThat(b.count()).isEqualTo(a.count());
        }
    }
}
