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
 * the simulator's counts match ingest's own, and a device's journeys run end to end (orders 6 to 8: thresholds, the
 * live stream, a command queued while offline, should_reconnect once, a scenario's real probes, seed 003 readings).
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
        LocalStackIT.Ready launched = LocalStackIT.startReady(dataDir, offset);
        stack = launched.process();
        String table = launched.table();
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
        return ingestCounter("ingest_heartbeats_accepted_total", null);
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

    /** Seconds-scale thresholds: interval 1 s, TEMPORARILY_OFFLINE after 3 s of silence, DISCONNECTED after 8 s. */
    static void journeyProfile() throws Exception {
        Run r = hb("profiles", "create", "journey", "--interval", "1", "--connected-within", "3",
                "--disconnected-after", "8", "--min-spacing", "0", "--max-per-minute", "240");
        assertThat(r.exit() == 0 || r.err().contains("409 profile-exists")).as(r.err()).isTrue();
    }

    static JsonNode transitions(String device) throws Exception {
        Run r = hb("transitions", device, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.json().path("items");
    }

    static JsonNode heartbeats(String device) throws Exception {
        Run r = hb("heartbeats", device, "--limit", "1000", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.json().path("items");
    }

    /** The newest transition to {@code state}, or null. */
    static JsonNode last(JsonNode transitions, String state) {
        for (JsonNode t : transitions) {
            if (t.path("to").asText().equals(state)) {
                return t;
            }
        }
        return null;
    }

    /**
     * From the device's first heartbeat (its own {@code timestamp}, taken when the agent published) to the monitor's
     * CONNECTED: the platform's whole path, devices → broker or HTTP → ingest → Kafka → monitor.
     */
    static long connectedAfterMs(String device) throws Exception {
        JsonNode items = heartbeats(device);
        Instant first = Instant.parse(items.get(items.size() - 1).path("measuredAt").asText());
        Instant connected = Instant.parse(last(transitions(device), "CONNECTED").path("at").asText());
        return Duration.between(first, connected).toMillis();
    }

    /** Waits for CONNECTED, which must come within 2 s of the device's first heartbeat. */
    static void awaitConnectedWithinTwoSeconds(String device, String channel) throws Exception {
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> state(device).equals("CONNECTED"));
        long after = connectedAfterMs(device);
        System.out.println("HbCliIT: " + channel + " device CONNECTED " + after + " ms after its first heartbeat");
        assertThat(after).as("first " + channel + " heartbeat to CONNECTED").isBetween(0L, 2_000L);
    }

    @Test
    @Order(6)
    void aDeviceOverMqttGoesOfflineAtItsThresholdsAndGetsItsQueuedCommandWhenItReturns() throws Exception {
        journeyProfile();
        String deviceToken = hb("devices", "create", "journey-mqtt", "--profile", "journey", "--remote-control",
                "true", "--print-token").out().trim();
        // the live stream (the monitor relays device-status, whichever replica wrote it) from before the first heartbeat
        Running watch = start("status", "journey-mqtt", "--watch", "--json", "--for", "150s");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> watch.all().contains("watching transitions"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("hb status --watch did not open the stream: " + watch.all(), e);
        }

        Running agent = start("agent", "--device", "journey-mqtt", "--device-token", deviceToken, "--interval", "1s");
        awaitConnectedWithinTwoSeconds("journey-mqtt", "MQTT");

        // stopped: silent past connected-within, then past disconnected-after
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.count("Heartbeat published successfully") >= 3);
        agent.process().destroy();
        assertThat(agent.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> state("journey-mqtt").equals("DISCONNECTED"));
        JsonNode history = transitions("journey-mqtt");
        JsonNode offline = last(history, "TEMPORARILY_OFFLINE");
        JsonNode disconnected = last(history, "DISCONNECTED");
        assertThat(offline).as(history.toString()).isNotNull();
        assertThat(offline.path("from").asText()).isEqualTo("CONNECTED");
        // its last will right after a heartbeat is not evidence (the heartbeat-authority rule): the silence is
        assertThat(offline.path("reason").asText()).isIn("HEARTBEAT_TIMEOUT", "PROBE_FAILED");
        if (offline.path("reason").asText().equals("HEARTBEAT_TIMEOUT")) {
            assertThat(offline.path("heartbeatAgeMs").asLong()).isGreaterThanOrEqualTo(3_000L);
        }
        assertThat(disconnected.path("from").asText()).isEqualTo("TEMPORARILY_OFFLINE");
        assertThat(disconnected.path("reason").asText()).isEqualTo("HEARTBEAT_TIMEOUT");
        // at the threshold: not before 8 s of silence, and within the monitor's tick after it
        assertThat(disconnected.path("heartbeatAgeMs").asLong()).as(disconnected.toString())
                .isBetween(8_000L, 12_000L);

        // a command to the offline device waits for it, and is delivered and acked once it is back
        Run queued = hb("commands", "send", "journey-mqtt", "ping", "--ttl", "10m", "--json");
        assertThat(queued.exit()).as(queued.err()).isZero();
        String commandId = queued.json().path("id").asText();
        assertThat(queued.json().path("status").asText()).isEqualTo("QUEUED");
        Thread.sleep(1_500);
        assertThat(hb("commands", "get", commandId, "--json").json().path("status").asText()).isEqualTo("QUEUED");
        Running back = start("agent", "--device", "journey-mqtt", "--device-token", deviceToken, "--interval", "1s");
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> hb("commands", "get", commandId, "--json").json().path("status").asText()
                        .equals("SUCCEEDED"));
        assertThat(back.count("msg=\"Command acknowledged\" command_id=" + commandId)).isEqualTo(1);
        assertThat(last(transitions("journey-mqtt"), "CONNECTED").path("from").asText()).isEqualTo("DISCONNECTED");

        // the stream showed each change as it happened, with its reason (the registration's UNKNOWN too, when the
        // monitor took it in after the stream opened)
        await().atMost(Duration.ofSeconds(15)).until(() -> watch.count("\"to\":\"CONNECTED\"") >= 2);
        watch.process().destroy();
        List<String> seen = new ArrayList<>();
        for (String line : watch.lines()) {
            if (line.startsWith("{")) {
                JsonNode e = JSON.readTree(line);
                assertThat(e.path("deviceId").asText()).isEqualTo("journey-mqtt");
                assertThat(e.path("reason").asText()).isNotEmpty();
                if (!e.path("reason").asText().equals("DEVICE_REGISTERED")) {
                    seen.add(e.path("to").asText());
                }
            }
        }
        assertThat(seen).as(watch.all()).containsExactly("CONNECTED", "TEMPORARILY_OFFLINE", "DISCONNECTED",
                "CONNECTED");
    }

    @Test
    @Order(7)
    void anHttpDeviceIsToldToReconnectOnceAndAScenarioProbesHttpAndMqttDevicesForReal() throws Exception {
        journeyProfile();
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String httpToken = hb("devices", "create", "journey-http", "--protocol", "HTTP", "--profile", "journey",
                "--remote-control", "true", "--protocol-config", "healthUrl=http://127.0.0.1:" + port + "/health",
                "--print-token").out().trim();
        String mqttToken = hb("devices", "create", "journey-ping", "--profile", "journey", "--remote-control", "true",
                "--print-token").out().trim();
        Running http = start("agent", "--device", "journey-http", "--device-token", httpToken, "--transport", "http",
                "--telemetry", "heart_rate", "--health-port", Integer.toString(port));
        Running mqtt = start("agent", "--device", "journey-ping", "--device-token", mqttToken, "--interval", "1s");
        awaitConnectedWithinTwoSeconds("journey-http", "HTTP");
        assertThat(http.all()).contains("Health endpoint listening");

        // seed 004 over HTTP: told once, on the next answer, and not again
        Run reconnect = hb("commands", "send", "journey-http", "reconnect", "--wait", "--json");
        assertThat(reconnect.exit()).as(reconnect.err()).isZero();
        assertThat(reconnect.json().path("status").asText()).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.count("Reconnecting as the platform asked (should_reconnect)") == 1);
        long published = http.count("Heartbeat published successfully");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> http.count("Heartbeat published successfully") >= published + 5);
        assertThat(http.count("Reconnecting as the platform asked (should_reconnect)")).as(http.all()).isEqualTo(1);

        // a scenario: freshness, then the probe each protocol has (monitor -> device and back)
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> state("journey-ping").equals("CONNECTED"));
        Run created = hb("scenarios", "create", "journey-probe", "--flow", "FULL", "--device", "journey-http",
                "--device", "journey-ping", "--timeout-ms", "5000", "--json");
        assertThat(created.exit()).as(created.err()).isZero();
        Run run = hb("scenarios", "run", created.json().path("id").asText(), "--json");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.json().path("succeeded").asInt()).isEqualTo(2);
        Map<String, JsonNode> results = new java.util.HashMap<>();
        run.json().path("results").forEach(r -> results.put(r.path("deviceId").asText(), r));
        assertThat(results.get("journey-http").path("check").asText()).isEqualTo("HTTP_CHECK");
        assertThat(results.get("journey-ping").path("check").asText()).isEqualTo("MQTT_PING");
        for (JsonNode r : results.values()) {
            assertThat(r.path("success").asBoolean()).as(r.toString()).isTrue();
            assertThat(r.path("inconclusive").asBoolean()).as(r.toString()).isFalse();
            assertThat(r.path("responseTimeMs").isNumber()).as(r.toString()).isTrue();
        }
        // the ping reached the agent and came back as its ack
        assertThat(mqtt.all()).contains("msg=\"Command acknowledged\"");
        // the health endpoint stops with its agent: the same probe then fails for that reason
        http.process().destroy();
        assertThat(http.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        Run created2 = hb("scenarios", "create", "journey-http-check", "--flow", "HTTP_CHECK", "--device",
                "journey-http", "--timeout-ms", "1000", "--retries", "0", "--json");
        Run failed = hb("scenarios", "run", created2.json().path("id").asText(), "--json");
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.json().path("results").get(0).path("success").asBoolean()).isFalse();
        assertThat(failed.json().path("results").get(0).path("error").asText()).isNotEmpty();
    }

    @Test
    @Order(8)
    void seed003ReadingsInRangeAreStoredAnomaliesFlaggedAndOutOfRangeOnesRefusedWithTheirReason() throws Exception {
        journeyProfile();
        String token = hb("devices", "create", "journey-heart", "--protocol", "HTTP", "--profile", "journey",
                "--print-token").out().trim();
        double refusedBefore = ingestCounter("ingest_readings_refused_total", "OUT_OF_RANGE");
        Map<Integer, JsonNode> answers = new java.util.LinkedHashMap<>();
        for (int bpm : new int[] { 72, 40, 190, 250, 20 }) {
            java.util.concurrent.Callable<HttpResponse<String>> post = () -> LocalStackIT.send(HttpRequest
                    .newBuilder(URI.create(ingest + "/api/v1/heartbeats"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"device_id\":\"journey-heart\",\"timestamp\":\""
                            + Instant.now() + "\",\"status\":\"bpm-" + bpm + "\",\"heart_rate\":" + bpm + "}")));
            // the first one as soon as ingest has the new device's view (a moment after the registry's answer)
            HttpResponse<String> r = bpm == 72
                    ? await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                            .until(post, a -> a.statusCode() != 401)
                    : post.call();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            answers.put(bpm, JSON.readTree(r.body()));
        }
        assertThat(answers.get(72).path("refused_fields")).isEmpty();
        assertThat(answers.get(40).path("refused_fields")).isEmpty();
        for (int bpm : new int[] { 250, 20 }) {
            JsonNode refused = answers.get(bpm).path("refused_fields");
            assertThat(refused).as(refused.toString()).hasSize(1);
            assertThat(refused.get(0).path("field").asText()).isEqualTo("heart_rate");
            assertThat(refused.get(0).path("reason").asText()).contains("out of range 30..220");
        }
        // the history, as an operator reads it: in-range readings stored, anomalies flagged, refused ones absent
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> heartbeats("journey-heart").size() == 5);
        Map<String, JsonNode> stored = new java.util.HashMap<>();
        heartbeats("journey-heart").forEach(h -> stored.put(h.path("status").asText(), h));
        assertThat(stored.get("bpm-72").path("telemetry").path("heart_rate").asInt()).isEqualTo(72);
        assertThat(stored.get("bpm-72").path("anomalies")).isEmpty();
        assertThat(stored.get("bpm-40").path("telemetry").path("heart_rate").asInt()).isEqualTo(40);
        assertThat(stored.get("bpm-40").path("anomalies").toString()).contains("HEART_RATE_LOW");
        assertThat(stored.get("bpm-190").path("anomalies").toString()).contains("HEART_RATE_HIGH");
        assertThat(stored.get("bpm-250").path("telemetry").has("heart_rate")).isFalse();
        assertThat(stored.get("bpm-20").path("telemetry").has("heart_rate")).isFalse();
        // and each refusal is on record with its reason
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ingestCounter("ingest_readings_refused_total", "OUT_OF_RANGE") - refusedBefore >= 2);
    }

    /** Sum of a counter's series whose labels contain {@code label} (all series when null). */
    static double ingestCounter(String name, String label) throws Exception {
        HttpResponse<String> r = LocalStackIT.send(HttpRequest.newBuilder(URI.create(ingest + "/q/metrics")).GET());
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name) && (label == null || line.contains(label))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
