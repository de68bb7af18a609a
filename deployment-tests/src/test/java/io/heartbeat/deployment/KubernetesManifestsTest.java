package io.heartbeat.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;

/**
 * The plain manifests in deploy/k8s: the kustomize base is the Helm chart rendered with base/chart-values.yaml (so
 * the two cannot drift; regenerate with {@code -Dheartbeat.k8s.write=true}), and the example overlay built from it.
 * Both pass {@link KubernetesChecks}. The overlay is built by this test's small kustomize (resources, namespace,
 * images, JSON 6902 patches; any other field fails the test) and, where kubectl is installed, by kubectl's own
 * kustomize too, which must give the same objects.
 */
class KubernetesManifestsTest {

    static final Path BASE = Repository.path("deploy/k8s/base");
    static final Path OVERLAY = Repository.path("deploy/k8s/overlays/example");
    static final String HEADER = """
            # GENERATED from the Helm chart (deploy/helm/heartbeat) with chart-values.yaml: do not edit by hand.
            # Regenerate: ./mvnw -pl deployment-tests test -Dtest=KubernetesManifestsTest -Dheartbeat.k8s.write=true
            """;

    /** The chart rendered as plain manifests: no Helm labels, set-up Jobs as ordinary objects. */
    static List<JsonNode> renderBase() {
        String yaml = new Helm(HelmChartTest.CHART).template().withName("heartbeat")
                .withValuesFile(BASE.resolve("chart-values.yaml")).call();
        List<JsonNode> docs = Repository.yamlDocuments(yaml);
        for (JsonNode d : docs) {
            plain(d);
        }
        return docs;
    }

    static void plain(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("helm.sh/chart")) {
                o.remove("helm.sh/chart");
            }
            if (o.has("app.kubernetes.io/managed-by")) {
                o.put("app.kubernetes.io/managed-by", "kustomize");
            }
            o.forEach(KubernetesManifestsTest::plain);
        } else if (node instanceof ArrayNode a) {
            a.forEach(KubernetesManifestsTest::plain);
        }
    }

    @Test
    void theBaseIsTheChartRenderedAsPlainManifests() throws IOException {
        List<JsonNode> rendered = renderBase();
        Path file = BASE.resolve("heartbeat.yaml");
        if (Boolean.getBoolean("heartbeat.k8s.write")) {
            YAMLMapper yaml = YAMLMapper.builder().disable(YAMLGenerator.Feature.SPLIT_LINES)
                    .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                    .build();
            StringBuilder out = new StringBuilder(HEADER);
            for (JsonNode d : rendered) {
                out.append(yaml.writeValueAsString(d));
            }
            Files.writeString(file, out.toString());
        }
        assertThat(Repository.yamlDocuments(Files.readString(file))).as("deploy/k8s/base/heartbeat.yaml = the chart")
                .isEqualTo(rendered);
        JsonNode kustomization = Repository.yamlFile("deploy/k8s/base/kustomization.yaml");
        assertThat(kustomization.get("resources").toString()).isEqualTo("[\"heartbeat.yaml\"]");
    }

    @Test
    void theBasePassesTheChecks() throws IOException {
        KubernetesChecks.verify("deploy/k8s/base", Repository.yamlDocuments(Files.readString(BASE.resolve("heartbeat.yaml"))));
    }

    @Test
    void theExampleOverlayPassesTheChecks() {
        List<JsonNode> docs = Kustomize.build(OVERLAY);
        assertThat(docs).allMatch(d -> d.path("metadata").path("namespace").asText().equals("heartbeat-staging"));
        KubernetesChecks checks = new KubernetesChecks("overlay", docs);
        assertThat(checks.workload("command-service").path("spec").path("template").path("spec").path("containers")
                .get(0).path("image").asText()).isEqualTo("registry.example.com/heartbeat/command-service:0.1.0");
        KubernetesChecks.verify("deploy/k8s/overlays/example", docs);
    }

    @Test
    void kubectlBuildsTheSameOverlay() throws Exception {
        assumeTrue(ComposeFileTest.onPath("kubectl"), "kubectl is not installed here");
        Process p = new ProcessBuilder("kubectl", "kustomize", OVERLAY.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(keyed(Repository.yamlDocuments(out))).isEqualTo(keyed(Kustomize.build(OVERLAY)));
    }

    /** Objects by kind and name, order left out (kubectl sorts them its own way). */
    static Set<String> keyed(List<JsonNode> docs) {
        Set<String> keyed = new TreeSet<>();
        for (JsonNode d : docs) {
            keyed.add(d.path("kind").asText() + "/" + d.path("metadata").path("name").asText() + " " + canonical(d));
        }
        return keyed;
    }

    static String canonical(JsonNode node) {
        try {
            return Repository.JSON.copy()
                    .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                    .writeValueAsString(Repository.JSON.treeToValue(node, Object.class));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> lines(String s) {
        return new ArrayList<>(List.of(s.split("\n")));
    }
}
