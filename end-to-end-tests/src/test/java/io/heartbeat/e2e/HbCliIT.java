package io.heartbeat.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heartbeat.localstack.Dirs;

/**
 * The packaged {@code hb} command line against the packaged platform, both as processes: the local stack writes
 * hb's config file, every operator command works and fails as docs/cli.md says (one line, its exit code), the agent
 * is a real device (CONNECTED, a command acked once, a reconnect after the broker restarts, offline after SIGTERM),
 * and the simulator's counts match ingest's own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HbCliIT {

    static final Path JAR = LocalStackIT.ROOT.resolve("hb/target/hb.jar");
    static final Path LAUNCHER = LocalStackIT.ROOT.resolve("hb/hb");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    static Path dataDir;
    static int offset;
    static Process stack;
    static Path config;
    static String token;
    static String monitor;
    static String ingest;

    final List<Process> started = new ArrayList<>();

    /** One stack for the class: it takes a minute to start. */
    @BeforeAll
    static void startStack() throws Exception {
        dataDir = Dirs.temp("e2e-hb-");
        offset = LocalStackIT.freeOffset();
        LocalStackIT.Launched launched = LocalStackIT.launch(dataDir, offset);
        stack = launched.process();
        String table = LocalStackIT.readUntil(launched.lines(), "ready in", Duration.ofSeconds(240));
        assertThat(table).contains("hb config: " + dataDir.resolve("hb.properties"));
        config = dataDir.resolve("hb.properties");
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(config)) {
            p.load(r);
        }
        token = p.getProperty("token");
        monitor = p.getProperty("monitor.url");
        ingest = p.getProperty("ingest.url");
        assertThat(p.getProperty("registry.url")).isEqualTo("http://127.0.0.1:" + (8081 + offset));
        assertThat(p.getProperty("mqtt.port")).isEqualTo(Integer.toString(1883 + offset));
        assertThat(token).isEqualTo(LocalStackIT.token(table));
        // what the restart test waits for is printed by the stack
        stackLines = launched.lines();
    }

    static java.util.concurrent.BlockingQueue<String> stackLines;

    @AfterAll
    static void stopStack() throws Exception {
        LocalStackIT.stop(stack);
        Dirs.deleteRecursively(dataDir);
    }

    @AfterEach
    void stopProcesses() throws Exception {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    /** {@code hb ARGS} as a process, configured by HB_CONFIG (the file the stack wrote) as a user's shell would be. */
    static Run hb(String... args) throws Exception {
        return hb(Map.of(), args);
    }

    static Run hb(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar",
                JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HB_CONFIG", config.toString());
        pb.environment().remove("HB_TOKEN");
        pb.environment().remove("HEARTBEAT_TOKEN");
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("hb " + String.join(" ", args) + " ends").isTrue();
        return new Run(p.exitValue(), out.get(), err.get());
    }

    static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /**
     * A long-running hb (agent) through the hb/hb launcher, its output in a file. Not a pipe: what a child writes while
     * it shuts down (the agent's last log lines) was lost on a pipe, as the JDK drains a pipe when its process exits.
     */
    record Running(Process process, Path log) {
        List<String> lines() {
            try {
                return Files.readAllLines(log, StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return List.of();
            }
        }

        long count(String text) {
            return lines().stream().filter(l -> l.contains(text)).count();
        }

        String all() {
            return String.join("\n", lines());
        }
    }

    Running start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dataDir, "hb-", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HB_CONFIG", config.toString());
        pb.environment().put("HB_JAVA", JAVA);
        Process p = pb.start();
        started.add(p);
        return new Running(p, log);
    }

    static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = LocalStackIT.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).GET());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
    }

    static String state(String device) throws Exception {
        return get(monitor + "/api/v1/status/devices/" + device).path("state").asText("");
    }

    static double ingestAccepted() throws Exception {
        HttpResponse<String> r = LocalStackIT.send(HttpRequest.newBuilder(URI.create(ingest + "/q/metrics")).GET());
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("ingest_heartbeats_accepted_total")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** A profile whose timeouts fire in seconds, so going offline is seen quickly. */
    static void fastProfile() throws Exception {
        Run r = hb("profiles", "create", "fast", "--interval", "2", "--connected-within", "4",
                "--disconnected-after", "30", "--min-spacing", "0", "--max-per-minute", "120");
        assertThat(r.exit() == 0 || r.err().contains("409 profile-exists")).as(r.err()).isTrue();
    }

    @Test
    @Order(1)
    void theJarCarriesTheNativeImageConfigurationPicocliGenerated() throws Exception {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            assertThat(jar.getEntry("META-INF/native-image/picocli-generated/io.heartbeat/hb/reflect-config.json"))
                    .isNotNull();
        }
    }

    @Test
    @Order(2)
    void operatorCommandsWorkAndTheirErrorsAreOneLineWithTheirExitCode() throws Exception {
        fastProfile();
        Run profiles = hb("profiles", "list");
        assertThat(profiles.out()).contains("default").contains("fast");

        // devices: create (token printed once), get, list, update, rotate, jwt, delete
        Run created = hb("devices", "create", "cli-socket", "--name", "Kitchen socket", "--profile", "fast",
                "--remote-control", "true", "--metadata", "site=kitchen", "--print-token");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out().trim()).matches("[A-Za-z0-9]{64}");
        Run got = hb("devices", "get", "cli-socket");
        assertThat(got.out()).containsPattern("name +Kitchen socket").containsPattern("profileId +fast")
                .doesNotContain("apiToken");
        Run list = hb("devices", "list", "--json");
        assertThat(list.json().path("items").findValuesAsText("id")).contains("cli-socket");
        assertThat(hb("devices", "list").out()).containsPattern("cli-socket +local +Kitchen socket +MQTT +fast");
        Run updated = hb("devices", "update", "cli-socket", "--firmware", "1.2.3", "--if-match", "1", "--json");
        assertThat(updated.exit()).as(updated.err()).isZero();
        assertThat(updated.json().path("firmwareVersion").asText()).isEqualTo("1.2.3");
        Run stale = hb("devices", "update", "cli-socket", "--firmware", "1.2.4", "--if-match", "1");
        assertThat(stale.exit()).isEqualTo(6);
        assertThat(stale.err().trim()).startsWith("hb: 412 revision-mismatch: ").doesNotContain("\n");
        Run rotated = hb("devices", "rotate-token", "cli-socket");
        assertThat(rotated.out().trim()).matches("[A-Za-z0-9]{64}").isNotEqualTo(created.out().trim());
        Run jwt = hb("devices", "jwt", "cli-socket", "--lifetime", "600");
        assertThat(jwt.out().trim().split("\\.")).hasSize(3);

        // error paths: each one line on stderr, nothing on stdout, the documented exit code
        Run missing = hb("devices", "get", "no-such-device");
        assertThat(missing.exit()).isEqualTo(5);
        assertThat(missing.err()).isEqualTo("hb: 404 not-found: device 'no-such-device' does not exist\n");
        assertThat(missing.out()).isEmpty();
        Run twice = hb("devices", "create", "cli-socket");
        assertThat(twice.exit()).isEqualTo(6);
        assertThat(twice.err()).startsWith("hb: 409 device-exists: ");
        Run invalid = hb("devices", "create", "cli-bad", "--protocol-config", "qos=7");
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).startsWith("hb: 422 validation-failed: ").contains("(protocolConfig.qos: ")
                .endsWith(")\n");
        Run viewerToken = hb("dev-token", "--tenant", "local", "--group", "viewer");
        assertThat(viewerToken.exit()).isZero();
        assertThat(viewerToken.err()).contains("LOCAL");
        Run asViewer = hb(Map.of("HB_TOKEN", viewerToken.out().trim()), "devices", "create", "cli-viewer");
        assertThat(asViewer.exit()).isEqualTo(4);
        assertThat(asViewer.err()).startsWith("hb: 403 forbidden: ");
        assertThat(hb(Map.of("HB_TOKEN", viewerToken.out().trim()), "devices", "get", "cli-socket").exit()).isZero();
        Run otherTenant = hb(Map.of("HB_TOKEN", hb("dev-token", "--tenant", "acme", "--group", "operator").out()
                .trim()), "devices", "get", "cli-socket");
        assertThat(otherTenant.exit()).as("another tenant's device is not found").isEqualTo(5);
        Run unauthenticated = hb("devices", "list", "--token", "not-a-jwt");
        assertThat(unauthenticated.exit()).isEqualTo(4);
        assertThat(unauthenticated.err()).startsWith("hb: 401");
        Run unreachable = hb("devices", "list", "--registry-url", "http://127.0.0.1:1");
        assertThat(unreachable.exit()).isEqualTo(3);
        assertThat(unreachable.err()).startsWith("hb: device-registry-service at http://127.0.0.1:1: ");
        Run usage = hb("devices", "create");
        assertThat(usage.exit()).isEqualTo(2);

        // commands: remote control off is a conflict; a command to an offline device waits, can be cancelled
        hb("devices", "create", "cli-plain", "--profile", "fast");
        Run refused = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> hb("commands", "send", "cli-plain", "ping"), r -> !r.err().contains("404"));
        assertThat(refused.exit()).isEqualTo(6);
        assertThat(refused.err()).startsWith("hb: 409 remote-control-disabled: ");
        Run queued = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> hb("commands", "send", "cli-socket", "ping", "--ttl", "10m", "--json"),
                        r -> r.exit() == 0);
        String commandId = queued.json().path("id").asText();
        assertThat(queued.json().path("status").asText()).isEqualTo("QUEUED");
        assertThat(hb("commands", "get", commandId).out()).containsPattern("status +QUEUED");
        assertThat(hb("commands", "list", "--device", "cli-socket").out()).contains(commandId);
        assertThat(hb("commands", "cancel", commandId, "--json").json().path("status").asText())
                .isEqualTo("CANCELLED");
        Run again = hb("commands", "cancel", commandId);
        assertThat(again.exit()).isEqualTo(6);
        assertThat(again.err()).startsWith("hb: 409 command-final: ");
        Run replay = hb("commands", "replay", commandId);
        assertThat(replay.exit()).isEqualTo(6);
        assertThat(replay.err()).startsWith("hb: 409 not-replayable: ");
        assertThat(hb("commands", "get", commandId, "--transitions").out()).contains("CANCELLED");

        // schedules
        Run schedule = hb("schedules", "create", "cli-socket", "--cron", "0 7 * * 1-5", "--time-zone",
                "Europe/Berlin", "--command", "relay_on", "--json");
        assertThat(schedule.exit()).as(schedule.err()).isZero();
        String scheduleId = schedule.json().path("id").asText();
        assertThat(schedule.json().path("nextFireAt").isNull()).isFalse();
        assertThat(hb("schedules", "list", "--device", "cli-socket").out()).contains(scheduleId).contains("0 7 * * 1-5");
        Run paused = hb("schedules", "update", scheduleId, "--enabled", "false", "--json");
        assertThat(paused.exit()).as(paused.err()).isZero();
        assertThat(paused.json().path("enabled").asBoolean()).isFalse();
        assertThat(paused.json().path("cron").asText()).isEqualTo("0 7 * * 1-5");
        Run badCron = hb("schedules", "create", "cli-socket", "--cron", "every day", "--command", "ping");
        assertThat(badCron.exit()).isEqualTo(1);
        assertThat(badCron.err()).startsWith("hb: 422 validation-failed: ").contains("cron");
        assertThat(hb("schedules", "delete", scheduleId).exit()).isZero();
        assertThat(hb("schedules", "get", scheduleId).exit()).isEqualTo(5);

        // scenarios
        Run scenario = hb("scenarios", "create", "cli-check", "--device", "cli-socket", "--json");
        assertThat(scenario.exit()).as(scenario.err()).isZero();
        String scenarioId = scenario.json().path("id").asText();
        Run run = hb("scenarios", "run", scenarioId);
        assertThat(run.out()).contains("cli-socket").startsWith("run ");
        assertThat(run.exit()).as("1 when a device failed its check").isIn(0, 1);
        assertThat(hb("scenarios", "results", scenarioId).out()).contains("DEVICES");
        assertThat(hb("scenarios", "list").out()).contains("cli-check");

        // status, transitions, history
        assertThat(hb("status").out()).contains("UNKNOWN").contains("CONNECTED");
        assertThat(hb("status", "cli-socket").exit()).isZero();
        Run transitions = hb("transitions", "cli-socket");
        assertThat(transitions.exit()).isZero();
        assertThat(hb("heartbeats", "cli-socket").out()).startsWith("RECEIVED");
        Run badLimit = hb("heartbeats", "cli-socket", "--limit", "5000");
        assertThat(badLimit.exit()).isEqualTo(1);
        assertThat(badLimit.err()).startsWith("hb: 400 ");

        assertThat(hb("profiles", "delete", "fast").err()).startsWith("hb: 409 profile-in-use: ");
        assertThat(hb("devices", "delete", "cli-plain").out()).isEqualTo("deleted cli-plain\n");

        // the probe: silent 0 when UP, one line and 3 when nothing answers
        Run up = hb("probe", "http://127.0.0.1:" + (8081 + offset) + "/q/health/ready");
        assertThat(up.exit()).isZero();
        assertThat(up.out() + up.err()).isEmpty();
        Run down = hb("probe", "--timeout", "500ms", "http://127.0.0.1:1/q/health/ready");
        assertThat(down.exit()).isEqualTo(3);
        assertThat(down.err().lines().count()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void theAgentIsADeviceThatAcksOnceReconnectsAndGoesOfflineOnSigterm() throws Exception {
        fastProfile();
        String deviceToken = hb("devices", "create", "cli-agent", "--profile", "fast", "--remote-control", "true",
                "--print-token").out().trim();
        Running agent = start("agent", "--device", "cli-agent", "--device-token", deviceToken, "--interval", "1s",
                "--reconnect-min", "500ms", "--reconnect-max", "2s");
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> state("cli-agent").equals("CONNECTED"));
        assertThat(agent.all()).contains("Connected to the MQTT broker").contains("Heartbeat published successfully");

        Run ping = hb("commands", "send", "cli-agent", "ping", "--wait", "--json");
        assertThat(ping.exit()).as(ping.err()).isZero();
        String pingId = ping.json().path("id").asText();
        assertThat(ping.json().path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(ping.json().path("attempts").asInt()).isEqualTo(1);
        Run relay = hb("commands", "send", "cli-agent", "relay", "--payload", "{\"state\":\"off\"}", "--wait",
                "--json");
        assertThat(relay.json().path("result").path("relay").asText()).isEqualTo("off");
        Run unknown = hb("commands", "send", "cli-agent", "self_destruct", "--wait", "--json");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.json().path("status").asText()).isEqualTo("FAILED");
        // acked exactly once: one ack in the agent's log, one SUCCEEDED in the command's history
        assertThat(agent.count("msg=\"Command acknowledged\" command_id=" + pingId)).isEqualTo(1);
        assertThat(hb("commands", "get", pingId, "--transitions", "--json").out().split("\"SUCCEEDED\"", -1))
                .hasSize(2);
        // the relay is off: the next heartbeats say so
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.all().contains("\\\"relay\\\":\\\"off\\\""));

        // the broker restarts: the agent loses its connection, reconnects with backoff, and its heartbeats go on
        long connectsBefore = agent.count("Connected to the MQTT broker");
        OutputStream controls = stack.getOutputStream();
        controls.write("restart-mqtt\n".getBytes(StandardCharsets.UTF_8));
        controls.flush();
        LocalStackIT.readUntil(stackLines, "MQTT broker restarted", Duration.ofSeconds(60));
        Instant restarted = Instant.now();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> agent.count("Connected to the MQTT broker") > connectsBefore);
        assertThat(agent.all()).contains("MQTT connection lost or refused; reconnecting");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode items = get(ingest + "/api/v1/heartbeats/cli-agent?limit=1").path("items");
            return items.size() == 1 && Instant.parse(items.get(0).path("receivedAt").asText()).isAfter(restarted);
        });

        // SIGTERM through the launcher: a graceful stop, then the device goes offline (last will, or its silence)
        assertThat(agent.process().isAlive()).as(agent.all()).isTrue();
        agent.process().destroy();
        assertThat(agent.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        // the agent's shutdown hook stops it: both lines are in its log (143: the JVM's exit status after SIGTERM)
        assertThat(agent.all()).contains("Stopping the heartbeat service (SIGTERM or Ctrl-C)",
                "Heartbeat service stopped");
        assertThat(agent.process().exitValue()).as(agent.all()).isIn(0, 143);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> !state("cli-agent").equals("CONNECTED"));
        JsonNode last = get(monitor + "/api/v1/status/devices/cli-agent/transitions").path("items").get(0);
        assertThat(last.path("from").asText()).isEqualTo("CONNECTED");
        assertThat(last.path("reason").asText()).isIn("LAST_WILL", "HEARTBEAT_TIMEOUT");
    }

    @Test
    @Order(4)
    void theAgentOverHttpAndWithADeviceJwt() throws Exception {
        fastProfile();
        String meterToken = hb("devices", "create", "cli-meter", "--protocol", "HTTP", "--profile", "fast",
                "--remote-control", "true", "--print-token").out().trim();
        Running meter = start("agent", "--device", "cli-meter", "--device-token", meterToken, "--transport", "http",
                "--telemetry", "heart_rate");
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> state("cli-meter").equals("CONNECTED"));
        // seed 004 over HTTP: the reconnect rides on the next heartbeat's answer
        Run reconnect = hb("commands", "send", "cli-meter", "reconnect", "--wait", "--json");
        assertThat(reconnect.exit()).as(reconnect.err()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> meter.all().contains("should_reconnect"));
        // the answer's next_heartbeat_in_s (the profile's 2 s) paces it: about 2 s apart, not the 30 s default
        await().atMost(Duration.ofSeconds(20)).until(() -> meter.count("Heartbeat published successfully") >= 5);
        meter.process().destroy();
        assertThat(meter.process().waitFor(20, TimeUnit.SECONDS)).isTrue();

        // a device JWT from the registry (with the user's token) as the MQTT password and in each heartbeat
        hb("devices", "create", "cli-jwt", "--profile", "fast");
        Running jwt = start("agent", "--device", "cli-jwt", "--credential", "jwt", "--jwt-lifetime", "10m",
                "--interval", "1s", "--count", "3");
        assertThat(jwt.process().waitFor(60, TimeUnit.SECONDS)).as(jwt.all()).isTrue();
        assertThat(jwt.process().exitValue()).as(jwt.all()).isZero();
        assertThat(jwt.all()).contains("Device JWT issued").contains("[redacted]");
        assertThat(jwt.all()).doesNotContain("\\\"jwt_token\\\":\\\"ey");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> get(ingest + "/api/v1/heartbeats/cli-jwt").path("items").size() >= 1);
    }

    @Test
    @Order(5)
    void simulateReportsCountsThatMatchIngestsCounters() throws Exception {
        double before = ingestAccepted();
        Run sim = hb(Map.of(), "simulate", "--devices", "300", "--transport", "mixed", "--rate", "300",
                "--duration", "10s", "--prefix", "cli-sim", "--silent-percent", "10", "--json", "--quiet");
        assertThat(sim.exit()).as(sim.err()).isZero();
        JsonNode s = sim.json();
        assertThat(s.path("devices").asInt()).isEqualTo(300);
        assertThat(s.path("silent").asInt()).isEqualTo(30);
        // heartbeats the pacer skipped because every HTTP connection was busy are "behind", not sent
        assertThat(s.path("sent").asLong() + s.path("behind").asLong()).as(s.toString()).isBetween(2_700L, 3_100L);
        assertThat(s.path("sent").asLong()).as(s.toString()).isGreaterThan(1_000L);
        assertThat(s.path("refused").asLong()).as(s.toString()).isZero();
        assertThat(s.path("accepted").asLong()).isEqualTo(s.path("sent").asLong());
        assertThat(s.path("ingest").path("accepted").asLong()).as(s.toString()).isEqualTo(s.path("accepted").asLong());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ingestAccepted() - before >= s.path("accepted").asLong());
        assertThat(ingestAccepted() - before).isEqualTo(s.path("accepted").asDouble());
        Matcher m = Pattern.compile("registered 300 devices").matcher(sim.err());
        assertThat(m.find()).as(sim.err()).isTrue();
        JsonNode silent = get(monitor + "/api/v1/status/devices/cli-sim-00000");
        assertThat(silent.path("state").asText()).isEqualTo("UNKNOWN");
        // a sending device became CONNECTED (and, silent since the run ended, may be offline again by now)
        assertThat(get(monitor + "/api/v1/status/devices/cli-sim-00299/transitions").path("items").findValuesAsText(
                "to")).contains("CONNECTED");
    }
}
