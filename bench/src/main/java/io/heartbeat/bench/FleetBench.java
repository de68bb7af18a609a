package io.heartbeat.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.contracts.EventJson;

/**
 * The whole platform with a fleet of the seeds' size: {@code devices} devices heartbeating every {@code interval}
 * seconds over HTTP through {@code hb simulate} (ingest, Kafka, the monitor, Postgres, all four services and the
 * broker running), plus {@code command-devices} MQTT devices that answer commands. Measured, in this order:
 * <ol>
 * <li>device send → status persisted: the monitor's {@code monitor_heartbeat_persist_delay_seconds} histogram
 * ({@code since="device"}: from the heartbeat's own timestamp, the simulator's clock, which is this machine's;
 * {@code since="receipt"}: from ingest's receipt) over {@code steady} seconds of the steady fleet;</li>
 * <li>commands: {@code command-rate} POSTs a second for {@code command-seconds} to the MQTT devices, while the fleet
 * heartbeats; POST latency, the service's {@code roundTripMs} (sent → ack) and POST → {@code completedAt};</li>
 * <li>a single device among the fleet goes silent: its {@code persisted_at - deadline_at} from the monitor's
 * {@code transition} table;</li>
 * <li>a mass outage: half the fleet stops at once; p50/p99/max of the same over every one of its timeouts, and whether
 * any device of the other half was reported offline (it must not be).</li>
 * </ol>
 * Every process it starts is stopped at the end; 127.0.0.1 only; each wait is bounded.
 */
final class FleetBench {

    private static final String PROFILE = "fleet-bench";

    private FleetBench() {
    }

    static void run(Bench.Options o) throws Exception {
        Path dataDir = Path.of(o.get("data-dir", "target/bench-fleet/stack"));
        Path work = Path.of(o.get("work", "target/bench-fleet"));
        String hb = o.get("hb", "hb/hb");
        int devices = o.getInt("devices", 100_000);
        int interval = o.getInt("interval", 30);
        int steady = o.getInt("steady", 60);
        int commandDevices = o.getInt("command-devices", 200);
        int commandRate = o.getInt("command-rate", 1000);
        int commandSeconds = o.getInt("command-seconds", 30);
        int connections = o.getInt("sim-connections", 96);
        String jdbc = o.get("jdbc", "jdbc:postgresql://127.0.0.1:16132/heartbeat");
        Properties hbConfig = new Properties();
        try (var in = Files.newInputStream(dataDir.resolve("hb.properties"))) {
            hbConfig.load(in);
        }
        String registry = hbConfig.getProperty("registry.url");
        String monitor = hbConfig.getProperty("monitor.url");
        String command = hbConfig.getProperty("command.url");
        String admin = Bench.adminToken(dataDir);
        Bench.Http http = new Bench.Http();
        Properties db = new Properties();
        db.put("user", "monitor");
        db.put("password", o.get("db-password", "monitor-local-dev"));
        db.put("currentSchema", "monitor");
        StringBuilder out = new StringBuilder();
        int half = devices / 2;
        int cmdInterval = interval;

        // a profile with the fleet's interval; offline 10 s after a second missed heartbeat was due (a simulator
        // that falls behind skips a beat now and then: that is not what is measured)
        int connectedWithin = 2 * interval + 10;
        HttpResponse<String> p = http.send("POST", registry + "/api/v1/profiles", admin, "{\"id\":\"" + PROFILE
                + "\",\"name\":\"fleet bench\",\"thresholds\":{\"heartbeatIntervalSeconds\":" + interval
                + ",\"connectedWithinSeconds\":" + connectedWithin + ",\"disconnectedAfterSeconds\":"
                + connectedWithin * 4 + ",\"minHeartbeatSpacingSeconds\":0,\"maxHeartbeatsPerMinute\":"
                + Math.max(10, 120 / interval) + "}}");
        if (p.statusCode() != 201) {
            throw new IllegalStateException("profile not created: " + p.statusCode() + " " + p.body());
        }

        Map<String, Process> sims = new LinkedHashMap<>();
        try {
            Instant started = Instant.now();
            sims.put("one", simulate(hb, dataDir, work, "one", "fleet-one", 1, interval, "http", connections));
            sims.put("cmd", simulate(hb, dataDir, work, "cmd", "fleet-cmd", commandDevices, cmdInterval, "mqtt", connections));
            sims.put("a", simulate(hb, dataDir, work, "a", "fleet-a", half, interval, "http", connections));
            sims.put("b", simulate(hb, dataDir, work, "b", "fleet-b", devices - half, interval, "http", connections));
            int total = devices + 1 + commandDevices;
            long[] last = { 0 };
            Bench.waitFor("every device CONNECTED (see the simulators' .err files)", Duration.ofMinutes(8), () -> {
                for (Map.Entry<String, Process> s : sims.entrySet()) {
                    if (!s.getValue().isAlive()) {
                        throw new IllegalStateException("hb simulate (" + s.getKey() + ") ended: "
                                + Files.readString(work.resolve(s.getKey() + ".err")));
                    }
                }
                long now = connected(http, monitor, admin);
                if (now / 10_000 != last[0] / 10_000) {
                    System.out.printf("%,d of %,d CONNECTED%n", now, total);
                }
                last[0] = now;
                return now >= total;
            });
            double upAfter = Duration.between(started, Instant.now()).toMillis() / 1000.0;
            System.out.printf("%d devices CONNECTED %.1f s after the simulators started%n", total, upAfter);
            out.append(String.format("| fleet | %,d HTTP devices every %d s (%,.0f heartbeats/s) + 1 + %d MQTT devices"
                    + " answering commands; all CONNECTED %.0f s after the simulators started (registration"
                    + " included) |%n", devices, interval, (double) devices / interval, commandDevices, upAfter));
            // let the registration burst and the first heartbeats settle
            Thread.sleep(TimeUnit.SECONDS.toMillis(interval));

            // 1. send -> status persisted
            String metrics = monitor + "/q/metrics";
            String delay = "monitor_heartbeat_persist_delay_seconds";
            TreeMap<Double, Double> d0 = http.buckets(metrics, delay, "since=\"device\"");
            TreeMap<Double, Double> r0 = http.buckets(metrics, delay, "since=\"receipt\"");
            double h0 = http.metric(metrics, "monitor_heartbeats_processed_total");
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(steady));
            TreeMap<Double, Double> d1 = http.buckets(metrics, delay, "since=\"device\"");
            TreeMap<Double, Double> r1 = http.buckets(metrics, delay, "since=\"receipt\"");
            double processed = http.metric(metrics, "monitor_heartbeats_processed_total") - h0;
            double secs = (System.nanoTime() - t0) / 1e9;
            String line = String.format("| device send → status persisted, %d s steady (%,.0f heartbeats/s processed)"
                    + " | p50 ≤ %s, p99 ≤ %s (from ingest's receipt: p50 ≤ %s, p99 ≤ %s) |%n", steady, processed / secs,
                    ms(Bench.Http.quantile(d0, d1, 0.5)), ms(Bench.Http.quantile(d0, d1, 0.99)),
                    ms(Bench.Http.quantile(r0, r1, 0.5)), ms(Bench.Http.quantile(r0, r1, 0.99)));
            System.out.print(line);
            out.append(line);

            // 2. commands while the fleet heartbeats
            out.append(commands(http, command, admin, commandDevices, commandRate, commandSeconds));

            // 3. one device among the fleet goes silent
            Instant quiet = Instant.now();
            stop(sims.remove("one"));
            Bench.waitFor("the single device's timeout", Duration.ofSeconds(connectedWithin + 60L),
                    () -> timeouts(jdbc, db, "fleet-one-%", quiet) >= 1);
            line = "| one device silent among " + String.format("%,d", total - 1) + " live ones: persisted timeout"
                    + " minus its deadline | " + delays(jdbc, db, "fleet-one-%", quiet) + " |\n";
            System.out.print(line);
            out.append(line);

            // 4. half the fleet goes silent at once
            Instant outage = Instant.now();
            stop(sims.remove("a"));
            Bench.waitFor("every timeout of the stopped half", Duration.ofSeconds(connectedWithin + 300L),
                    () -> timeouts(jdbc, db, "fleet-a-%", outage) >= half);
            line = String.format("| mass outage: %,d devices silent at once, persisted timeout minus deadline | %s |%n",
                    half, delays(jdbc, db, "fleet-a-%", outage));
            System.out.print(line);
            out.append(line);
            long falseOffline = timeouts(jdbc, db, "fleet-b-%", started);
            line = String.format("| devices of the live half reported offline meanwhile | %d |%n", falseOffline);
            System.out.print(line);
            out.append(line);
        } finally {
            for (Process s : sims.values()) {
                stop(s);
            }
        }
        System.out.println();
        System.out.println("| measure | result |");
        System.out.println("| --- | --- |");
        System.out.print(out);
    }

    private static Process simulate(String hb, Path dataDir, Path work, String name, String prefix, int devices,
            int interval, String transport, int connections) throws Exception {
        ProcessBuilder b = new ProcessBuilder(hb, "simulate", "--devices", String.valueOf(devices), "--interval",
                interval + "s", "--duration", "3600s", "--transport", transport, "--qos", "1", "--profile", PROFILE,
                "--prefix", prefix, "--settle", "5s", "--connections", String.valueOf(connections), "--quiet", "--json");
        b.environment().put("HB_CONFIG", dataDir.resolve("hb.properties").toAbsolutePath().toString());
        b.redirectOutput(work.resolve(name + ".json").toFile()).redirectError(work.resolve(name + ".err").toFile());
        return b.start();
    }

    /** Stops a simulator as an operator would (SIGTERM: it stops sending and prints its summary). */
    private static void stop(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static long connected(Bench.Http http, String monitor, String admin) throws Exception {
        JsonNode counts = EventJson.mapper().readTree(http.send("GET", monitor + "/api/v1/status/counts", admin, null)
                .body());
        return counts.path("CONNECTED").asLong(counts.path("counts").path("CONNECTED").asLong());
    }

    private static long timeouts(String jdbc, Properties db, String like, Instant since) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, db);
                PreparedStatement st = c.prepareStatement("SELECT count(*) FROM transition WHERE device_id LIKE ?"
                        + " AND reason = 'HEARTBEAT_TIMEOUT' AND to_state = 'TEMPORARILY_OFFLINE' AND persisted_at > ?")) {
            st.setString(1, like);
            st.setTimestamp(2, Timestamp.from(since));
            try (ResultSet r = st.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static String delays(String jdbc, Properties db, String like, Instant since) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, db);
                PreparedStatement st = c.prepareStatement("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d),"
                        + " percentile_cont(0.99) WITHIN GROUP (ORDER BY d), max(d), count(*) FROM (SELECT"
                        + " extract(epoch FROM persisted_at - deadline_at) * 1000 AS d FROM transition WHERE"
                        + " device_id LIKE ? AND reason = 'HEARTBEAT_TIMEOUT' AND to_state = 'TEMPORARILY_OFFLINE'"
                        + " AND persisted_at > ?) x")) {
            st.setString(1, like);
            st.setTimestamp(2, Timestamp.from(since));
            try (ResultSet r = st.executeQuery()) {
                r.next();
                return String.format("p50 %.0f ms, p99 %.0f ms, max %.0f ms (%,d timeouts)", r.getDouble(1),
                        r.getDouble(2), r.getDouble(3), r.getLong(4));
            }
        }
    }

    /**
     * {@code rate} ping commands a second for {@code seconds} to the MQTT devices round-robin (at most 500 POSTs
     * unanswered); then waits for every one to end and reads their history.
     */
    private static String commands(Bench.Http http, String command, String admin, int devices, int rate, int seconds)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int count = rate * seconds;
        Semaphore window = new Semaphore(500);
        ConcurrentLinkedQueue<Long> postMicros = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        Map<String, Instant> postedAt = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger behind = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (!window.tryAcquire()) {
                behind.incrementAndGet();
                continue;
            }
            String device = String.format("fleet-cmd-%05d", i % devices);
            HttpRequest req = HttpRequest.newBuilder(URI.create(command + "/api/v1/commands"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"" + device + "\",\"name\":\"ping\"}"))
                    .build();
            Instant at = Instant.now();
            long t = System.nanoTime();
            all.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                window.release();
                if (e != null || r.statusCode() != 201) {
                    refused.incrementAndGet();
                    return;
                }
                postMicros.add((System.nanoTime() - t) / 1000);
                try {
                    String id = EventJson.mapper().readTree(r.body()).path("id").asText();
                    ids.add(id);
                    postedAt.put(id, at);
                } catch (Exception ex) {
                    refused.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        double postSecs = (System.nanoTime() - start) / 1e9;
        Map<String, JsonNode> history = new java.util.HashMap<>();
        Bench.waitFor("every command to end", Duration.ofSeconds(300), () -> {
            history.clear();
            for (int d = 0; d < devices; d++) {
                String device = String.format("fleet-cmd-%05d", d);
                for (int page = 0;; page++) {
                    JsonNode body = EventJson.mapper().readTree(http.send("GET", command + "/api/v1/commands?deviceId="
                            + device + "&size=500&page=" + page, admin, null).body());
                    body.path("items").forEach(c -> history.put(c.path("id").asText(), c));
                    if (page + 1 >= body.path("totalPages").asLong()) {
                        break;
                    }
                }
            }
            return ids.stream().allMatch(id -> history.containsKey(id)
                    && !history.get(id).path("completedAt").isMissingNode()
                    && !history.get(id).path("completedAt").isNull());
        });
        List<Long> roundTrips = new ArrayList<>();
        List<Long> toDone = new ArrayList<>();
        Map<String, Integer> states = new TreeMap<>();
        for (String id : ids) {
            JsonNode c = history.get(id);
            states.merge(c.path("status").asText(), 1, Integer::sum);
            if (c.hasNonNull("roundTripMs")) {
                roundTrips.add(c.path("roundTripMs").asLong());
            }
            toDone.add(Duration.between(postedAt.get(id), Instant.parse(c.path("completedAt").asText())).toMillis());
        }
        long[] post = postMicros.stream().mapToLong(Long::longValue).toArray();
        long[] rt = roundTrips.stream().mapToLong(Long::longValue).toArray();
        long[] done = toDone.stream().mapToLong(Long::longValue).toArray();
        String line = String.format("| commands under the heartbeat load: %,d ping POSTs at a %,d/s target to %d MQTT"
                + " devices (%,.0f/s achieved, %d refused, %d skipped with 500 unanswered) | POST p50 %.1f / p99 %.1f"
                + " ms; `roundTripMs` (sent → ack) p50 %.0f / p99 %.0f ms; POST → completed p50 %.0f / p99 %.0f ms;"
                + " outcomes %s |%n", ids.size(), rate, devices, ids.size() / postSecs, refused.get(), behind.get(),
                Bench.percentile(post, 0.5) / 1000, Bench.percentile(post, 0.99) / 1000, Bench.percentile(rt, 0.5),
                Bench.percentile(rt, 0.99), Bench.percentile(done, 0.5), Bench.percentile(done, 0.99), states);
        System.out.print(line);
        return line;
    }

    private static String ms(double seconds) {
        return Double.isNaN(seconds) ? "n/a" : String.format("%.0f ms", seconds * 1000);
    }
}
