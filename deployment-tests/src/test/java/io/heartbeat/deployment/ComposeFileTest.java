package io.heartbeat.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.contracts.ServiceAccounts;

/**
 * docker-compose.yml against the compose specification's schema, against {@code docker-compose config -q} where that
 * binary is installed, and against the services' own configuration: ports, health paths, environment variables,
 * service accounts, passwords shared between a service and the broker or Postgres, the topics of contracts
 * Topics.ALL, the gateway's and Prometheus's targets.
 */
class ComposeFileTest {

    static final JsonNode COMPOSE = Repository.yamlFile("docker-compose.yml");
    static final JsonNode SERVICES = COMPOSE.get("services");

    @Test
    void isValidAgainstTheComposeSpecification() {
        Validators.Result result = Validators.compose("docker-compose.yml", COMPOSE);
        assertThat(result.checked()).isEqualTo(1);
        assertThat(result.findings()).isEmpty();
    }

    @Test
    void theComposeSchemaRefusesWhatComposeWouldRefuse() {
        // the validator is not vacuous: a misspelt key and a wrong depends_on condition are findings
        var broken = COMPOSE.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.get("services").get("gateway")).put("prots", "8080");
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.get("services").get("gateway").get("depends_on")
                .get("command-service")).put("condition", "service_ready");
        assertThat(Validators.compose("broken", broken).findings()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        assumeTrue(onPath("docker-compose"), "docker-compose is not installed here (apt: docker-compose)");
        Process p = new ProcessBuilder("docker-compose", "-f", Repository.path("docker-compose.yml").toString(),
                "config", "-q").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void everyServiceGetsItsPortHealthPathAndConfiguration() {
        SoftAssertions soft = new SoftAssertions();
        for (Repository.Service s : Repository.SERVICES) {
            JsonNode c = SERVICES.get(s.module());
            soft.assertThat(c).as(s.module()).isNotNull();
            if (c == null) {
                continue;
            }
            int port = Platform.port(s);
            soft.assertThat(port).as(s.module() + " port").isEqualTo(s.port());
            soft.assertThat(c.get("healthcheck").get("test").toString()).as(s.module() + " healthcheck")
                    .contains("http://127.0.0.1:" + port + "/q/health/ready");
            Map<String, String> env = Repository.map(c.get("environment"));
            soft.assertThat(Platform.unknown(s, env.keySet())).as(s.module() + ": variables it does not read").isEmpty();
            soft.assertThat(env.keySet()).as(s.module() + ": variables it needs")
                    .containsAll(Platform.requiredVariables(s));
            soft.assertThat(env.get("QUARKUS_DATASOURCE_USERNAME")).isEqualTo(s.schema());
            soft.assertThat(env.get("QUARKUS_DATASOURCE_PASSWORD")).as(s.module() + " password = the init script's")
                    .isEqualTo(Repository.map(SERVICES.get("postgres").get("environment"))
                            .get("HEARTBEAT_DB_PASSWORD_" + s.schema().toUpperCase()));
            if (s.mqttAccount() != null) {
                soft.assertThat(ServiceAccounts.ALL).contains(s.mqttAccount());
                soft.assertThat(env.get("HEARTBEAT_MQTT_USERNAME")).isEqualTo(s.mqttAccount());
                soft.assertThat(env.get("HEARTBEAT_MQTT_PASSWORD")).as(s.module() + " MQTT password = the broker's")
                        .isEqualTo(Repository.map(SERVICES.get("hivemq").get("environment"))
                                .get(Platform.brokerPasswordVariable(s.mqttAccount())));
                soft.assertThat(c.get("depends_on").get("hivemq").get("condition").asText()).isEqualTo("service_healthy");
            }
            soft.assertThat(c.get("depends_on").get("postgres").get("condition").asText()).isEqualTo("service_healthy");
            soft.assertThat(c.get("depends_on").get("kafka-topics").get("condition").asText())
                    .isEqualTo("service_completed_successfully");
            String dockerfile = c.get("build").get("dockerfile").asText();
            soft.assertThat(dockerfile).isEqualTo(s.module() + "/src/main/docker/Dockerfile.jvm");
            soft.assertThat(Files.exists(Repository.path(dockerfile))).as(dockerfile).isTrue();
        }
        soft.assertAll();
    }

    @Test
    void theBrokerKnowsEveryServiceAccountAndTheDevicesKey() {
        Map<String, String> env = Repository.map(SERVICES.get("hivemq").get("environment"));
        for (String account : ServiceAccounts.ALL) {
            assertThat(env).containsKey(Platform.brokerPasswordVariable(account));
        }
        assertThat(env.get("HEARTBEAT_BROKER_KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
        assertThat(env).containsKey("HEARTBEAT_BROKER_DEVICE_JWT_PUBLIC_KEY_LOCATION");
    }

    @Test
    void theTopicsAreThoseOfTheContracts() {
        Map<String, String> env = Repository.map(SERVICES.get("kafka-topics").get("environment"));
        assertThat(Platform.topicList(env.get("HEARTBEAT_TOPICS"))).isEqualTo(Platform.topics());
        assertThat(SERVICES.get("kafka").get("environment").get("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText())
                .isEqualTo("false");
    }

    @Test
    void thePostgresInitScriptGetsEveryPassword() {
        Map<String, String> env = Repository.map(SERVICES.get("postgres").get("environment"));
        String script = Repository.read("deploy/docker/postgres/init-heartbeat.sh");
        for (String name : Repository.references(script.replace("$HEARTBEAT_DB_PASSWORD", "${HEARTBEAT_DB_PASSWORD"))) {
            if (name.startsWith("HEARTBEAT_DB_PASSWORD_")) {
                assertThat(env).as("postgres environment").containsKey(name);
            }
        }
        for (Repository.Service s : Repository.SERVICES) {
            assertThat(script).contains("role " + s.schema() + " \"$HEARTBEAT_DB_PASSWORD_" + s.schema().toUpperCase() + "\"");
        }
    }

    @Test
    void everyMountedFileExists() {
        Set<String> missing = new TreeSet<>();
        SERVICES.fields().forEachRemaining(e -> {
            JsonNode volumes = e.getValue().get("volumes");
            if (volumes != null) {
                for (JsonNode v : volumes) {
                    String source = v.asText().split(":")[0];
                    if (source.startsWith("./") && !Files.exists(Repository.path(source.substring(2)))) {
                        missing.add(e.getKey() + ": " + source);
                    }
                }
            }
        });
        assertThat(missing).isEmpty();
    }

    @Test
    void theGatewayAndPrometheusReachEveryService() {
        Map<String, String> expected = new LinkedHashMap<>();
        for (Repository.Service s : Repository.SERVICES) {
            expected.put(s.module(), s.module() + ":" + Platform.port(s));
        }
        assertThat(Platform.nginxRoutes().values()).containsAll(expected.values());
        assertThat(Set.copyOf(Platform.nginxRoutes().values())).isEqualTo(Set.copyOf(expected.values()));
        JsonNode prometheus = Repository.yamlFile("deploy/docker/prometheus/prometheus.yml");
        Map<String, String> scraped = new LinkedHashMap<>();
        for (JsonNode job : prometheus.get("scrape_configs")) {
            assertThat(job.get("metrics_path").asText()).isEqualTo("/q/metrics");
            scraped.put(job.get("job_name").asText(), job.get("static_configs").get(0).get("targets").get(0).asText());
        }
        assertThat(scraped).isEqualTo(expected);
        for (Repository.Service s : Repository.SERVICES) {
            assertThat(SERVICES.get("gateway").get("depends_on").get(s.module()).get("condition").asText())
                    .isEqualTo("service_healthy");
        }
    }

    @Test
    void grafanaIsProvisionedWithBothDatasourcesAndTheDashboards() {
        JsonNode datasources = Repository.yamlFile("deploy/docker/grafana/provisioning/datasources/heartbeat.yml");
        Set<String> uids = new TreeSet<>();
        datasources.get("datasources").forEach(d -> uids.add(d.get("uid").asText()));
        assertThat(uids).containsExactlyInAnyOrder("prometheus", "heartbeat-postgres");
        JsonNode grafana = SERVICES.get("grafana");
        assertThat(grafana.get("volumes").toString())
                .contains("./deploy/docker/grafana/dashboards:/var/lib/grafana/dashboards");
        JsonNode providers = Repository.yamlFile("deploy/docker/grafana/provisioning/dashboards/heartbeat.yml");
        assertThat(providers.get("providers").get(0).get("options").get("path").asText())
                .isEqualTo("/var/lib/grafana/dashboards");
    }

    @Test
    void devSecretsAreMarkedAsSuch() {
        // every password default in the file says it is a development value
        List<String> defaults = new java.util.ArrayList<>();
        var m = java.util.regex.Pattern.compile("\\$\\{(HEARTBEAT_[A-Z_]*PASSWORD[A-Z_]*):-([^}]*)}")
                .matcher(Repository.read("docker-compose.yml"));
        while (m.find()) {
            defaults.add(m.group(2));
        }
        assertThat(defaults).isNotEmpty().allMatch(d -> d.endsWith("-dev-only"));
    }

    @Test
    void theKeyGeneratorMakesKeysAndAnAdminTokenTheyVerify(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // the compose "keys" service: java DevKeys.java /keys, with a JDK's source launcher
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Repository.path("deploy/docker/keys/DevKeys.java").toString(), dir.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String token = Files.readString(dir.resolve("admin-token")).strip();
        assertThat(out).contains("export HEARTBEAT_TOKEN=" + token);
        for (String f : List.of("users-private.pem", "users-public.pem", "devices-private.pem", "devices-public.pem")) {
            assertThat(dir.resolve(f)).exists();
        }
        String pem = Files.readString(dir.resolve("users-public.pem")).replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        var key = java.security.KeyFactory.getInstance("RSA").generatePublic(
                new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(pem)));
        String[] parts = token.split("\\.");
        var rs256 = java.security.Signature.getInstance("SHA256withRSA");
        rs256.initVerify(key);
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rs256.verify(java.util.Base64.getUrlDecoder().decode(parts[2]))).as("signature").isTrue();
        JsonNode claims = Repository.JSON.readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
        // what the services require (application.properties: mp.jwt.verify.issuer, .audiences)
        Repository.Service registry = Repository.SERVICES.get(0);
        assertThat(claims.get("iss").asText()).isEqualTo(registry.properties().getProperty("mp.jwt.verify.issuer"));
        assertThat(claims.get("aud").asText()).isEqualTo(registry.properties().getProperty("mp.jwt.verify.audiences"));
        assertThat(claims.get("groups").toString()).isEqualTo("[\"admin\"]");
        assertThat(claims.get("tenant").asText()).isEqualTo("local");
        // a second run keeps the keys
        String before = Files.readString(dir.resolve("devices-private.pem"));
        new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Repository.path("deploy/docker/keys/DevKeys.java").toString(), dir.toString()).start().waitFor();
        assertThat(Files.readString(dir.resolve("devices-private.pem"))).isEqualTo(before);
    }

    static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(java.nio.file.Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }
}
