package io.heartbeat.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.heartbeat.localstack.DevTokens;
import io.heartbeat.localstack.Dirs;
import io.heartbeat.localstack.Infrastructure;
import io.heartbeat.localstack.Ports;
import io.heartbeat.localstack.ServiceDatabase;
import io.heartbeat.localstack.ServiceProcess;
import io.heartbeat.localstack.ServiceSpec;

/**
 * Faults as an operator meets them, with the packaged services as processes and devices heartbeating over MQTT and
 * HTTP while commands flow: {@code kill -9} of ingest, of the monitor and of the command service (each started again,
 * as a supervisor would), then a restart of Kafka, of Postgres and of the MQTT broker. Afterwards: every heartbeat
 * that got a 200 or a PUBACK is in the telemetry history, no device that kept heartbeating was ever reported offline,
 * every command a device answered ended SUCCEEDED and none reached a device more often than it was sent; no request
 * was answered 500. Each fault's recovery time (from the fault to every service ready and a fresh heartbeat through
 * the whole pipeline) is printed and written to {@code target/fault-recovery.txt}.
 */
class FaultIT {

    static final Path ROOT = Path.of(System.getProperty("heartbeat.root", "..")).toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Pattern API_TOKEN = Pattern.compile("\"apiToken\":\"([A-Za-z0-9]{64})\"");
    static final Pattern COMMAND_ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    static final int MQTT_DEVICES = 8;
    static final int HTTP_DEVICES = 8;
    /** A heartbeat every second; offline after 8 s without one (far less than any fault here lasts). */
    static final String THRESHOLDS = "{\"heartbeatIntervalSeconds\":1,\"connectedWithinSeconds\":8,"
            + "\"disconnectedAfterSeconds\":30,\"minHeartbeatSpacingSeconds\":0,\"maxHeartbeatsPerMinute\":600}";

    final Path dataDir = Dirs.temp("e2e-faults-");
    final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    final Map<String, Integer> ports = new HashMap<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    /** Per device, the timestamps of heartbeats that got a 200 or a PUBACK. */
    final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
    /** Per command id, how often it reached its device. */
    final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    final List<String> serverErrors = new CopyOnWriteArrayList<>();
    final List<String> unavailable = new CopyOnWriteArrayList<>();
    final List<MqttClient> clients = new CopyOnWriteArrayList<>();
    /** The command service's answers to the commands sent, by status code. */
    final Map<Integer, Integer> commandAnswers = new ConcurrentHashMap<>();
    /** Why MQTT heartbeats got no PUBACK, for whoever reads a failure. */
    final Map<String, Integer> publishFailures = new ConcurrentHashMap<>();
    Infrastructure infra;
    String admin;

    @AfterEach
    void tearDown() throws Exception {
        running.set(false);
        threads.forEach(Thread::interrupt);
        for (MqttClient c : clients) {
            try {
                c.disconnectForcibly(100, 100);
                c.close(true);
            } catch (Exception ignored) {
                // already gone
            }
        }
        services.values().forEach(p -> p.stop(Duration.ofSeconds(10)));
        if (infra != null) {
            infra.close();
        }
        // the services' logs outlive the run, for whoever reads a failure
        Path kept = ROOT.resolve("end-to-end-tests/target/fault-logs");
        Dirs.deleteRecursively(kept);
        Files.createDirectories(kept);
        if (Files.isDirectory(dataDir.resolve("logs"))) {
            try (var logs = Files.list(dataDir.resolve("logs"))) {
                for (Path log : logs.toList()) {
                    Files.copy(log, kept.resolve(log.getFileName()));
                }
            }
        }
        Dirs.deleteRecursively(dataDir);
    }

    @Test
    void faultsLoseNothingAcceptedAndTakeNoLiveDeviceOffline() throws Exception {
        int base = 20000 + ThreadLocalRandom.current().nextInt(20) * 1000;
        infra = Infrastructure.start(new Infrastructure.Settings(dataDir, Ports.freeOr(base + 432),
                Ports.freeOr(base + 883), Ports.freeOr(base + 92), Ports.freeOr(base + 93), 3));
        for (ServiceSpec spec : ServiceSpec.ALL) {
            ports.put(spec.name(), Ports.freeOr(base + spec.defaultPort() - 8000));
            launch(spec);
        }
        awaitAllReady(Duration.ofSeconds(240));
        admin = new DevTokens(infra.userKeys().loadPrivate()).admin();

        List<String> mqttIds = new ArrayList<>();
        for (int i = 0; i < MQTT_DEVICES; i++) {
            String id = "fault-mqtt-" + i;
            mqttIds.add(id);
            startMqttDevice(id, register(id, "MQTT"));
        }
        for (int i = 0; i < HTTP_DEVICES; i++) {
            String id = "fault-http-" + i;
            startHttpDevice(id, register(id, "HTTP"));
        }
        startCommands(mqttIds);
        String probe = mqttIds.get(0);
        try {
            await("every device connected").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> connected() == MQTT_DEVICES + HTTP_DEVICES);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not every device CONNECTED within 60 s; per device:\n" + devicesNow()
                    + "MQTT heartbeats without a PUBACK, by reason: " + publishFailures, e);
        }

        Map<String, Duration> recovery = new LinkedHashMap<>();
        for (String name : List.of("heartbeat-ingest-service", "status-monitor-service", "command-service")) {
            recovery.put("kill -9 " + name, fault(probe, () -> {
                services.get(name).kill();
                launch(spec(name));
            }));
        }
        recovery.put("Kafka restart (10 s down)", fault(probe, () -> infra.restartKafka(Duration.ofSeconds(10))));
        recovery.put("Postgres restart (10 s down)", fault(probe, () -> {
            Thread checker = background("registry-during-outage", () -> get(registry("/api/v1/devices?size=1")));
            infra.restartPostgres(Duration.ofSeconds(10));
            checker.interrupt();
        }));
        recovery.put("MQTT broker restart (10 s down)", fault(probe, () -> infra.restartMqtt(Duration.ofSeconds(10))));

        // the devices stop; what was acknowledged must all arrive
        running.set(false);
        threads.forEach(Thread::interrupt);
        Thread.sleep(2_000);
        StringBuilder report = new StringBuilder("fault                                 recovery\n");
        recovery.forEach((k, v) -> report.append(String.format("%-37s %5.1f s%n", k, v.toMillis() / 1000.0)));
        System.out.println(report);
        System.out.println("MQTT heartbeats without a PUBACK, by reason: " + publishFailures);
        System.out.println("command requests answered, by status: " + commandAnswers);
        Files.writeString(ROOT.resolve("end-to-end-tests/target/fault-recovery.txt"), report);

        Map<String, Set<String>> stored = await("acknowledged heartbeats in the telemetry history")
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                .until(this::storedTimestamps, s -> missing(s).isEmpty());
        assertThat(missing(stored)).isEmpty();
        assertThat(acknowledged.values().stream().mapToInt(Set::size).sum()).as("heartbeats acknowledged")
                .isGreaterThan((MQTT_DEVICES + HTTP_DEVICES) * 40);

        assertThat(offlineTransitions()).as("no device that kept heartbeating was reported offline").isEmpty();

        Map<String, String> statuses = await("every accepted command final").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(2)).until(this::commandStatuses,
                        s -> s.size() == accepted.size() && s.values().stream().noneMatch(
                                v -> v.equals("QUEUED") || v.equals("SENT") || v.equals("TIMED_OUT")));
        assertThat(accepted).as("commands accepted while the faults ran").hasSizeGreaterThan(20);
        assertThat(statuses).as("every device answers every command it gets").allSatisfy(
                (id, status) -> assertThat(status).as(id).isEqualTo("SUCCEEDED"));
        Map<String, Integer> sends = sends();
        deliveries.forEach((id, n) -> assertThat(n).as("deliveries of " + id + " within its recorded sends")
                .isLessThanOrEqualTo(sends.getOrDefault(id, 0)));

        assertThat(serverErrors).as("no request answered 500; what the services logged for them:%n%s",
                loggedFor(serverErrors)).isEmpty();
        assertThat(unavailable).as("the Postgres outage answered 503 with Retry-After").isNotEmpty()
                .allMatch(s -> s.contains("retry-after"));
    }

    /** The services' log lines that name the ids a 500 told its client to quote (their exception and stack). */
    String loggedFor(List<String> errors) throws java.io.IOException {
        Matcher quoted = Pattern.compile("quote ([0-9a-f-]{36})").matcher(String.join("\n", errors));
        Set<String> ids = new HashSet<>();
        while (quoted.find()) {
            ids.add(quoted.group(1));
        }
        StringBuilder found = new StringBuilder();
        if (ids.isEmpty() || !Files.isDirectory(dataDir.resolve("logs"))) {
            return found.toString();
        }
        try (var logs = Files.list(dataDir.resolve("logs"))) {
            for (Path log : logs.toList()) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (ids.stream().anyMatch(line::contains)) {
                        found.append(log.getFileName()).append(": ").append(line).append('\n');
                    }
                }
            }
        }
        return found.toString();
    }

    // --- faults --------------------------------------------------------------------------------------------------

    /** Runs the fault; returns the time until every service is ready and a fresh heartbeat has gone all the way. */
    Duration fault(String probe, ThrowingRunnable fault) throws Exception {
        Instant t0 = Instant.now();
        fault.run();
        awaitAllReady(Duration.ofSeconds(180));
        Instant after = Instant.now();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> lastHeartbeatAt(probe).isAfter(after));
        Duration d = Duration.between(t0, Instant.now());
        Thread.sleep(3_000);
        return d;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    ServiceSpec spec(String name) {
        return ServiceSpec.ALL.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    void launch(ServiceSpec spec) {
        Path jar = spec.runnerJar(ROOT);
        assertThat(jar).as("packaged " + spec.name()).isRegularFile();
        services.put(spec.name(), ServiceProcess.launch(spec, jar, ports.get(spec.name()),
                infra.serviceConfig(spec.database()), dataDir.resolve("logs")));
    }

    void awaitAllReady(Duration timeout) {
        for (ServiceProcess p : services.values()) {
            assertThat(p.awaitReady(timeout)).as(p.spec().name() + " ready; log " + p.log()).isTrue();
        }
    }

    // --- devices -------------------------------------------------------------------------------------------------

    String register(String id, String protocol) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(registry("/api/v1/devices")))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"name\":\"" + id
                        + "\",\"protocol\":\"" + protocol + "\",\"remoteControlEnabled\":true,\"thresholdOverrides\":"
                        + THRESHOLDS + "}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        Matcher m = API_TOKEN.matcher(r.body());
        assertThat(m.find()).isTrue();
        acknowledged.put(id, ConcurrentHashMap.newKeySet());
        return m.group(1);
    }

    void startMqttDevice(String id, String token) throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + infra.mqtt().port(), id, new MemoryPersistence());
        clients.add(client);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(id);
        options.setPassword(token.toCharArray());
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(1000);
        options.setConnectionTimeout(5);
        options.setMaxInflight(100);
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                try {
                    client.subscribe("devices/" + id + "/commands", 1);
                } catch (Exception e) {
                    // the next reconnect subscribes again
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                String body = new String(message.getPayload(), StandardCharsets.UTF_8);
                Matcher m = Pattern.compile("\"command_id\":\"([^\"]+)\"").matcher(body);
                if (!m.find()) {
                    return;
                }
                deliveries.merge(m.group(1), 1, Integer::sum);
                Thread answer = new Thread(() -> {
                    try {
                        client.publish("devices/" + id + "/status", ("{\"command_id\":\"" + m.group(1)
                                + "\",\"status\":\"ok\",\"result\":{}}").getBytes(StandardCharsets.UTF_8), 1, false);
                    } catch (Exception e) {
                        // unanswered: the command times out and is sent again
                    }
                });
                answer.setDaemon(true);
                answer.start();
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            client.connect(options);
            return true;
        });
        background("device-" + id, () -> {
            if (!client.isConnected()) {
                return;
            }
            String ts = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
            try {
                client.publish("devices/" + id + "/heartbeat",
                        ("{\"status\":\"alive\",\"timestamp\":\"" + ts + "\"}").getBytes(StandardCharsets.UTF_8), 1,
                        false);
                acknowledged.get(id).add(ts);
            } catch (Exception e) {
                // no PUBACK: not acknowledged, nothing owed
                publishFailures.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
            }
        });
    }

    void startHttpDevice(String id, String token) {
        background("device-" + id, () -> {
            String ts = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(ingest("/api/v1/heartbeats")))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"alive\",\"timestamp\":\"" + ts + "\"}")));
            if (r != null && r.statusCode() == 200) {
                acknowledged.get(id).add(ts);
            }
        });
    }

    void startCommands(List<String> devices) {
        background("commands", () -> {
            String device = devices.get(ThreadLocalRandom.current().nextInt(devices.size()));
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(command("/api/v1/commands")))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"" + device + "\",\"name\":\"ping\","
                            + "\"ttl\":\"PT10M\",\"ackTimeout\":\"PT5S\",\"maxAttempts\":10}")));
            if (r != null) {
                commandAnswers.merge(r.statusCode(), 1, Integer::sum);
            }
            if (r != null && r.statusCode() == 201) {
                Matcher m = COMMAND_ID.matcher(r.body());
                if (m.find()) {
                    accepted.add(m.group(1));
                }
            }
        });
    }

    /** Runs {@code beat} about once a second on a daemon thread until the test stops the devices. */
    Thread background(String name, ThrowingRunnable beat) {
        Thread t = new Thread(() -> {
            while (running.get() && !Thread.currentThread().isInterrupted()) {
                long started = System.nanoTime();
                try {
                    beat.run();
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // a fault in progress
                }
                long left = 1000 - (System.nanoTime() - started) / 1_000_000;
                if (left > 0) {
                    try {
                        Thread.sleep(left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    // --- reading the outcome -------------------------------------------------------------------------------------

    /** Each device's heartbeats acknowledged and what the monitor says of it, for whoever reads a failure. */
    String devicesNow() {
        StringBuilder b = new StringBuilder();
        acknowledged.forEach((id, acked) -> {
            HttpResponse<String> r = get(monitor("/api/v1/status/devices/" + id));
            b.append(id).append(": ").append(acked.size()).append(" acknowledged; monitor ")
                    .append(r == null ? "no answer" : r.statusCode() + " " + r.body()).append('\n');
        });
        return b.toString();
    }

    long connected() {
        return acknowledged.keySet().stream().filter(id -> {
            HttpResponse<String> r = get(monitor("/api/v1/status/devices/" + id));
            return r != null && r.statusCode() == 200 && r.body().contains("\"state\":\"CONNECTED\"");
        }).count();
    }

    Instant lastHeartbeatAt(String id) {
        HttpResponse<String> r = get(monitor("/api/v1/status/devices/" + id));
        if (r == null || r.statusCode() != 200) {
            return Instant.EPOCH;
        }
        Matcher m = Pattern.compile("\"lastHeartbeatAt\":\"([^\"]+)\"").matcher(r.body());
        return m.find() ? Instant.parse(m.group(1)) : Instant.EPOCH;
    }

    Map<String, Set<String>> missing(Map<String, Set<String>> stored) {
        Map<String, Set<String>> missing = new HashMap<>();
        acknowledged.forEach((id, sent) -> {
            Set<String> gone = new HashSet<>(sent);
            gone.removeAll(stored.getOrDefault(id, Set.of()));
            if (!gone.isEmpty()) {
                missing.put(id, gone);
            }
        });
        return missing;
    }

    Map<String, Set<String>> storedTimestamps() throws SQLException {
        Map<String, Set<String>> stored = new HashMap<>();
        try (Connection c = connect(ServiceDatabase.INGEST);
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT device_id, measured_at FROM ingest.telemetry WHERE device_id LIKE 'fault-%'")) {
            while (rs.next()) {
                stored.computeIfAbsent(rs.getString(1), k -> new HashSet<>())
                        .add(rs.getTimestamp(2).toInstant().truncatedTo(ChronoUnit.MILLIS).toString());
            }
        }
        return stored;
    }

    List<String> offlineTransitions() throws SQLException {
        List<String> offline = new ArrayList<>();
        try (Connection c = connect(ServiceDatabase.MONITOR);
                ResultSet rs = c.createStatement().executeQuery("SELECT device_id, to_state, reason, at, detail FROM"
                        + " monitor.transition WHERE device_id LIKE 'fault-%' AND to_state IN"
                        + " ('TEMPORARILY_OFFLINE', 'DISCONNECTED')")) {
            while (rs.next()) {
                offline.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " at "
                        + rs.getTimestamp(4).toInstant());
            }
        }
        return offline;
    }

    Map<String, String> commandStatuses() throws SQLException {
        Map<String, String> statuses = new HashMap<>();
        try (Connection c = connect(ServiceDatabase.COMMAND);
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT id, status FROM command.command WHERE device_id LIKE 'fault-%'")) {
            while (rs.next()) {
                if (accepted.contains(rs.getString(1))) {
                    statuses.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return statuses;
    }

    Map<String, Integer> sends() throws SQLException {
        Map<String, Integer> sends = new HashMap<>();
        try (Connection c = connect(ServiceDatabase.COMMAND);
                ResultSet rs = c.createStatement().executeQuery("SELECT command_id, count(*) FROM"
                        + " command.command_transition WHERE status = 'SENT' GROUP BY command_id")) {
            while (rs.next()) {
                sends.put(rs.getString(1), rs.getInt(2));
            }
        }
        return sends;
    }

    Connection connect(ServiceDatabase db) throws SQLException {
        return DriverManager.getConnection(infra.postgres().jdbcUrl(), db.role(), db.password());
    }

    // --- HTTP ----------------------------------------------------------------------------------------------------

    String registry(String path) {
        return "http://127.0.0.1:" + ports.get("device-registry-service") + path;
    }

    String ingest(String path) {
        return "http://127.0.0.1:" + ports.get("heartbeat-ingest-service") + path;
    }

    String monitor(String path) {
        return "http://127.0.0.1:" + ports.get("status-monitor-service") + path;
    }

    String command(String path) {
        return "http://127.0.0.1:" + ports.get("command-service") + path;
    }

    HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + admin)
                .timeout(Duration.ofSeconds(10)).GET());
    }

    /** Sends; a refused connection (the service is down) is {@code null}. Records every 5xx. */
    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 500) {
                String line = r.request().method() + " " + r.uri().getPath() + " -> " + r.statusCode() + " "
                        + r.body();
                if (r.statusCode() == 503) {
                    if (r.body().contains("database-unavailable")) {
                        unavailable.add(line + r.headers().firstValue("retry-after").map(v -> " retry-after=" + v)
                                .orElse(""));
                    }
                } else {
                    serverErrors.add(line);
                }
            }
            return r;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
