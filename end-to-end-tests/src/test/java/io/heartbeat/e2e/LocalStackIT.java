package io.heartbeat.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.localstack.Dirs;
import io.heartbeat.localstack.LocalStackMain;
import io.heartbeat.localstack.Ports;

/**
 * What the README promises a new user: the local-stack runner starts the infrastructure and the packaged services as
 * processes, prints the table and an admin token, and with that token a device can be created and listed; the
 * device's API token then carries a heartbeat through ingest; the stack stops cleanly and, started again on the same
 * data, still has the device.
 */
class LocalStackIT {

    static final Path ROOT = Path.of(System.getProperty("heartbeat.root", "..")).toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Path dataDir = Dirs.temp("e2e-stack-");
    final int offset = freeOffset();
    Process stack;

    @AfterEach
    void stop() throws Exception {
        stop(stack);
        Dirs.deleteRecursively(dataDir);
    }

    @Test
    void theRunCommandBringsUpAWorkingPlatformThatKeepsItsData() throws Exception {
        String table = start();
        assertThat(table).containsPattern("device-registry-service +\\S+ +UP")
                .containsPattern("command-service +\\S+ +UP")
                .containsPattern("heartbeat-ingest-service +\\S+ +UP")
                .containsPattern("status-monitor-service +\\S+ +UP");
        String token = token(table);

        String registry = "http://127.0.0.1:" + (8081 + offset);
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(registry + "/api/v1/devices"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"socket-0042\",\"name\":\"Kitchen socket\",\"protocol\":\"MQTT\"}")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).containsPattern("\"apiToken\":\"[A-Za-z0-9]{64}\"");

        // the device reaches ingest through registry.devices; its API token then carries a heartbeat
        String apiToken = created.body().replaceAll(".*\"apiToken\":\"([A-Za-z0-9]{64})\".*", "$1");
        String ingest = "http://127.0.0.1:" + (8082 + offset);
        HttpResponse<String> beat = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(HttpRequest.newBuilder(URI.create(ingest + "/api/v1/heartbeats"))
                        .header("Authorization", "Bearer " + apiToken).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"alive\",\"voltage\":229.8}"))),
                        r -> r.statusCode() != 401);
        assertThat(beat.statusCode()).as(beat.body()).isEqualTo(200);
        assertThat(beat.body()).contains("\"accepted\":true").contains("\"next_heartbeat_in_s\":30");

        // the heartbeat reaches the monitor through Kafka: the device is CONNECTED, with its transition history
        String monitor = "http://127.0.0.1:" + (8083 + offset);
        HttpResponse<String> status = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(HttpRequest.newBuilder(URI.create(monitor + "/api/v1/status/devices/socket-0042"))
                        .header("Authorization", "Bearer " + token).GET()),
                        r -> r.statusCode() == 200 && r.body().contains("\"state\":\"CONNECTED\""));
        assertThat(status.body()).contains("\"tenantId\":\"local\"");
        HttpResponse<String> transitions = send(HttpRequest.newBuilder(
                URI.create(monitor + "/api/v1/status/devices/socket-0042/transitions"))
                .header("Authorization", "Bearer " + token).GET());
        assertThat(transitions.body()).contains("HEARTBEAT_RECEIVED").contains("DEVICE_REGISTERED");

        // an MQTT device as seed 002 has it: its id and API token as the broker credentials, a heartbeat on its own
        // topic with no credential in the body; ingest (the runner gave it its service account) takes it to the
        // monitor. An anonymous client is refused by the broker.
        int mqttPort = 1883 + offset;
        assertThat(table).contains("tcp://127.0.0.1:" + mqttPort);
        HttpResponse<String> sensor = send(HttpRequest.newBuilder(URI.create(registry + "/api/v1/devices"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"sensor-0001\",\"name\":\"Heart rate sensor\",\"protocol\":\"MQTT\"}")));
        assertThat(sensor.statusCode()).as(sensor.body()).isEqualTo(201);
        String sensorToken = sensor.body().replaceAll(".*\"apiToken\":\"([A-Za-z0-9]{64})\".*", "$1");
        MqttClient device = new MqttClient("tcp://127.0.0.1:" + mqttPort, "sensor-0001", new MemoryPersistence());
        MqttConnectOptions credentials = new MqttConnectOptions();
        credentials.setUserName("sensor-0001");
        credentials.setPassword(sensorToken.toCharArray());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            device.connect(credentials);
            return true;
        });
        device.publish("devices/sensor-0001/heartbeat",
                "{\"status\":\"alive\",\"heart_rate\":72}".getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(HttpRequest.newBuilder(URI.create(monitor + "/api/v1/status/devices/sensor-0001"))
                        .header("Authorization", "Bearer " + token).GET()),
                        r -> r.statusCode() == 200 && r.body().contains("\"state\":\"CONNECTED\""));
        device.disconnect();
        device.close();
        MqttClient stranger = new MqttClient("tcp://127.0.0.1:" + mqttPort, "stranger", new MemoryPersistence());
        try {
            stranger.connect(new MqttConnectOptions());
            throw new AssertionError("the broker accepted an anonymous client");
        } catch (MqttException e) {
            assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        } finally {
            stranger.close();
        }

        // seed 004's reconnect for an HTTP device: a reconnect command in the command service is answered in the
        // device's next heartbeat response, ingest's delivery report completes the command, and it is answered once
        HttpResponse<String> meter = send(HttpRequest.newBuilder(URI.create(registry + "/api/v1/devices"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"meter-0007\",\"name\":\"Meter\","
                        + "\"protocol\":\"HTTP\",\"remoteControlEnabled\":true}")));
        assertThat(meter.statusCode()).as(meter.body()).isEqualTo(201);
        String meterToken = meter.body().replaceAll(".*\"apiToken\":\"([A-Za-z0-9]{64})\".*", "$1");
        String commands = "http://127.0.0.1:" + (8084 + offset);
        HttpResponse<String> reconnect = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(HttpRequest.newBuilder(URI.create(commands + "/api/v1/commands"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"meter-0007\",\"name\":\"reconnect\"}"))),
                        r -> r.statusCode() != 404);
        assertThat(reconnect.statusCode()).as(reconnect.body()).isEqualTo(201);
        String commandId = reconnect.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        HttpRequest.Builder meterBeat = HttpRequest.newBuilder(URI.create(ingest + "/api/v1/heartbeats"))
                .header("Authorization", "Bearer " + meterToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"alive\"}"));
        HttpResponse<String> told = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(meterBeat), r -> r.statusCode() == 200 && r.body().contains("\"should_reconnect\":true"));
        assertThat(told.body()).contains("\"remote_control_enabled\":true");
        HttpResponse<String> done = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(HttpRequest.newBuilder(URI.create(commands + "/api/v1/commands/" + commandId))
                        .header("Authorization", "Bearer " + token).GET()),
                        r -> r.body().contains("\"status\":\"SUCCEEDED\""));
        assertThat(done.body()).contains("\"delivery\":\"SIGNAL\"").contains("heartbeat-response");
        // the next heartbeat (after ingest's minimum interval) is not told again
        HttpResponse<String> after = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2))
                .until(() -> send(meterBeat), r -> r.statusCode() == 200);
        assertThat(after.body()).contains("\"should_reconnect\":false");

        HttpResponse<String> list = send(HttpRequest.newBuilder(URI.create(registry + "/api/v1/devices"))
                .header("Authorization", "Bearer " + token).GET());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"id\":\"socket-0042\"").doesNotContain("apiToken");

        // SIGTERM, as Ctrl-C's shutdown hook path: everything stops
        stack.destroy();
        assertThat(stack.waitFor(90, TimeUnit.SECONDS)).as("the stack stops within 90 s").isTrue();

        // same data directory: the device and the keys (so the token) are still there
        start();
        HttpResponse<String> again = send(HttpRequest.newBuilder(URI.create(registry + "/api/v1/devices/socket-0042"))
                .header("Authorization", "Bearer " + token).GET());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }

    String start() throws Exception {
        Ready ready = startReady(dataDir, offset);
        stack = ready.process();
        return ready.table();
    }

    /** The runner as a process and the lines it prints. */
    record Launched(Process process, BlockingQueue<String> lines) {
    }

    /** A runner whose services are all ready: its process, the lines it prints from now on, and its table. */
    record Ready(Process process, BlockingQueue<String> lines, String table) {
    }

    /**
     * Starts the runner on {@code dataDir} and {@code offset} and waits for its "ready in" table. A start whose
     * infrastructure stalled (the runner says so with every thread's stack, then exits) is printed, with the tail of
     * the infrastructure's log, and tried once more on the same data, as a user would run the command again; a second
     * stall, or services that do not become ready, fail the test with that output.
     */
    static Ready startReady(Path dataDir, int offset) throws Exception {
        for (int attempt = 1;; attempt++) {
            Launched launched = launch(dataDir, offset);
            try {
                String table = readUntil(launched, "ready in", Duration.ofSeconds(240), dataDir);
                return new Ready(launched.process(), launched.lines(), table);
            } catch (Stalled stalled) {
                stop(launched.process());
                if (attempt == 2) {
                    throw new AssertionError(stalled.getMessage());
                }
                System.out.println("LocalStackIT: the runner's start stalled; starting it again. What it printed:\n"
                        + stalled.getMessage());
            }
        }
    }

    /** The runner said its infrastructure did not come up (and printed its threads). */
    static final class Stalled extends AssertionError {
        Stalled(String message) {
            super(message);
        }
    }

    /**
     * Like {@link #readUntil(BlockingQueue, String, Duration)} for a runner: fails at once when the runner ends or
     * reports a stall instead of waiting out the timeout, and a failure carries the end of the infrastructure's log.
     */
    static String readUntil(Launched runner, String marker, Duration timeout, Path dataDir) throws Exception {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = runner.lines().poll(1, TimeUnit.SECONDS);
            if (line == null) {
                if (!runner.process().isAlive() && runner.lines().isEmpty()) {
                    break;
                }
                continue;
            }
            seen.append(line).append('\n');
            if (line.contains(marker)) {
                return seen.toString();
            }
            if (line.contains(LocalStackMain.STALLED)) {
                runner.process().waitFor(30, TimeUnit.SECONDS);
                Thread.sleep(500); // the rest of its thread dump
                for (String rest; (rest = runner.lines().poll()) != null;) {
                    seen.append(rest).append('\n');
                }
                throw new Stalled(seen + logTail(dataDir));
            }
        }
        String end = runner.process().isAlive() ? "no '" + marker + "' within " + timeout
                : "the runner ended (status " + runner.process().exitValue() + ") before '" + marker + "'";
        throw new AssertionError(end + "; output:\n" + seen + logTail(dataDir));
    }

    /** The last lines of the runner's infrastructure log (Postgres, Kafka and the broker write there). */
    static String logTail(Path dataDir) {
        Path log = dataDir.resolve("logs/infrastructure.log");
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (java.io.IOException e) {
            return "\n(no " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Starts the local-stack runner jar, as the README's command does, on {@code dataDir} and port offset. */
    static Launched launch(Path dataDir, int offset) throws Exception {
        Path jar = Files.list(ROOT.resolve("local-stack/target"))
                .filter(p -> p.getFileName().toString().matches("local-stack-.*\\.jar"))
                .filter(p -> !p.getFileName().toString().contains("tests")).findFirst().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--root", ROOT.toString(), "--data-dir", dataDir.toString(),
                "--port-offset", Integer.toString(offset), "--partitions", "2"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "local-stack-output");
        reader.setDaemon(true);
        reader.start();
        return new Launched(p, lines);
    }

    /** SIGTERM first (the runner's shutdown hook stops the services it started), then kill. */
    static void stop(Process stack) throws InterruptedException {
        if (stack != null && stack.isAlive()) {
            stack.destroy();
            if (!stack.waitFor(90, TimeUnit.SECONDS)) {
                stack.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    static String readUntil(BlockingQueue<String> lines, String marker, Duration timeout) throws Exception {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.append(line).append('\n');
                if (line.contains(marker)) {
                    return seen.toString();
                }
            }
        }
        throw new AssertionError("no '" + marker + "' within " + timeout + "; output:\n" + seen);
    }

    static String token(String output) {
        Matcher m = Pattern.compile("export HEARTBEAT_TOKEN=(\\S+)").matcher(output);
        assertThat(m.find()).as("the admin token line").isTrue();
        return m.group(1);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An offset that puts every default port (1883 .. 15432) on free ports. */
    static int freeOffset() {
        int[] defaults = { 1883, 8081, 8082, 8083, 8084, 9092, 9093, 15432 };
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = 20000 + (int) (Math.random() * 30000);
            boolean free = true;
            for (int port : defaults) {
                free &= port + offset < 65535 && !Ports.inUse(port + offset);
            }
            if (free) {
                return offset;
            }
        }
        throw new IllegalStateException("no free port offset found");
    }
}
