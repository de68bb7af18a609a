package io.heartbeat.bench;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.contracts.DeviceState;
import io.heartbeat.contracts.DeviceStatusChanged;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.contracts.TransitionReason;

/**
 * The command service with a simulated fleet: {@code devices} MQTT devices (a Paho client each, answering every command
 * at once with QoS 1), their registry views and liveness transitions produced straight onto Kafka (playing the registry
 * and the monitor). Two scenarios:
 * <ol>
 * <li>throughput: {@code commands} POSTed by {@code clients} concurrent HTTP clients to connected devices; commands/s
 * from the first POST to the last SUCCEEDED, POST latency, POST to device receipt, POST to SUCCEEDED and the service's
 * own round trip (sent to ack), resends and duplicates;</li>
 * <li>reconnect burst: {@code queued} commands queued while every device is DISCONNECTED, then all devices reconnect
 * at once; time from the CONNECTED records to the last command received and the last SUCCEEDED, whether each device
 * got its commands in creation order, duplicates.</li>
 * </ol>
 * Completion times are the service's own ({@code completedAt}, {@code roundTripMs} from the history API); receipts are
 * the devices' clocks (same machine, same JVM). The service runs as configured by default.
 */
final class CommandBench {

    private static final String TENANT = "bench";

    private CommandBench() {
    }

    static void run(Bench.Options o) throws Exception {
        String service = o.get("command", "http://127.0.0.1:8084");
        String kafka = o.get("kafka", "127.0.0.1:9092");
        String mqtt = o.get("mqtt", "tcp://127.0.0.1:1883");
        Path dataDir = Path.of(o.get("data-dir", ".local-stack"));
        Path work = Path.of(o.get("work", "target/bench-command"));
        int devices = o.getInt("devices", 200);
        int commands = o.getInt("commands", 20_000);
        int queued = o.getInt("queued", 10_000);
        int clients = o.getInt("clients", 8);
        int warmup = o.getInt("warmup", 2_000);
        Duration limit = Duration.ofSeconds(o.getInt("timeout-seconds", 300));
        String pid = o.get("command-pid", "");
        Path log = Path.of(o.get("log", dataDir.resolve("logs/command-service.log").toString()));
        Files.createDirectories(work);

        String loadBefore = Bench.loadAverage();
        Api api = new Api(new Bench.Http(), service, Bench.adminToken(dataDir));
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<String> ids = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            ids.add(String.format("cb-%s-%03d", run, i));
        }
        String rssStart = Bench.rss(pid);
        StringBuilder report = new StringBuilder(String.format("Run at %s, commit %s; %d devices (one MQTT client"
                + " each, answering at once), %d HTTP clients; %d cores shared by the whole stack and the load"
                + " generator; load average before the run (1 / 5 / 15 min): %s%n%n", Instant.now(),
                o.get("commit", "?"), devices, clients, Runtime.getRuntime().availableProcessors(), loadBefore));

        try (KafkaProducer<String, String> producer = Bench.producer(kafka); Fleet fleet = new Fleet(mqtt, ids)) {
            Instant now = Instant.now();
            registered = now;
            for (String id : ids) {
                // playing the registry: the view carries the hash of the device's API token, which the broker checks
                producer.send(new ProducerRecord<>(Topics.REGISTRY_DEVICES, id, EventJson.write(new DeviceView(
                        DeviceView.SCHEMA_VERSION, id, TENANT, id, Protocol.MQTT, Map.of(), "bench",
                        new Thresholds(30, 40, 300, 0, 600), true, true, "1", Map.of(),
                        DeviceTokens.hash(fleet.tokens.get(id)), now, 1, now, now))));
            }
            producer.flush();
            fleet.connect();
            status(producer, ids, DeviceState.UNKNOWN, DeviceState.CONNECTED);

            // warm-up: the service learns the devices (a POST before that is a 404, retried) and the JIT compiles
            if (warmup > 0) {
                Round w = round(api, fleet, ids, Math.max(1, warmup / devices), clients, limit);
                System.out.printf("warm-up: %d commands, %d SUCCEEDED, %.0f commands/s%n", w.posted.count(),
                        w.succeeded(), w.rate());
            }

            // 1. throughput
            fleet.reset();
            String rssBefore = Bench.rss(pid);
            double cpuBefore = Bench.cpuSeconds(pid);
            Round t = round(api, fleet, ids, Math.max(1, commands / devices), clients, limit);
            double cpu = Bench.cpuSeconds(pid) - cpuBefore;
            String rssAfter = Bench.rss(pid);
            report.append("### Throughput: commands POSTed to connected devices, answered at once\n\n")
                    .append("| measure | result |\n| --- | --- |\n")
                    .append(String.format("| commands | %,d POSTed (%,d refused after retries, %,d retried on 404/409),"
                            + " %,d SUCCEEDED%s |%n", t.posted.count(), t.posted.refused.get(), t.posted.retried.get(),
                            t.succeeded(), t.others()))
                    .append(String.format("| **commands/s, first POST → last SUCCEEDED** | **%,.0f/s** (%.1f s) |%n",
                            t.rate(), t.seconds()))
                    .append(String.format("| POSTs/s (%d clients) | %,.0f/s |%n", clients, t.posted.rate()))
                    .append(t.latencies())
                    .append(String.format("| resends (attempt > 1) / duplicate receipts / MQTT ack publishes failed |"
                            + " %d / %d / %d |%n", fleet.resends.get(), fleet.duplicates.get(),
                            fleet.ackFailures.get()))
                    .append(String.format("| devices that received every command in creation order | %d of %d |%n",
                            fleet.inOrder(t.perDevice), devices))
                    .append(String.format("| command-service CPU time during the run | %.1f s (%.1f ms per command) |%n",
                            cpu, cpu * 1000 / t.succeeded()))
                    .append(String.format("| command-service RSS at start / before / after | %s / %s / %s |%n%n",
                            rssStart, rssBefore, rssAfter));
            System.out.print(report);

            // 2. reconnect burst: every device goes offline, commands queue, every device comes back at once
            status(producer, ids, DeviceState.CONNECTED, DeviceState.DISCONNECTED);
            Thread.sleep(3_000);
            fleet.disconnect();
            fleet.reset();
            double sentBefore = api.metric("command_sent_total");
            int perDevice = Math.max(1, queued / devices);
            Posted q = post(api, ids, perDevice, clients);
            Thread.sleep(2_000);
            double sentOffline = api.metric("command_sent_total") - sentBefore;
            long waiting = api.count("QUEUED");
            String rssQueued = Bench.rss(pid);
            long c0 = System.nanoTime();
            fleet.connect();
            double mqttConnect = (System.nanoTime() - c0) / 1e9;
            double appliedBefore = api.metric("command_acks_total", "outcome=\"applied\"");
            double cpuBurst = Bench.cpuSeconds(pid);
            Instant reconnectAt = Instant.now();
            long reconnectNanos = System.nanoTime();
            status(producer, ids, DeviceState.DISCONNECTED, DeviceState.CONNECTED);
            boolean done = api.awaitApplied(appliedBefore + q.count(), limit);
            cpuBurst = Bench.cpuSeconds(pid) - cpuBurst;
            Round b = new Round(q, fleet, api.history(ids), perDevice, done);
            String rssBurst = Bench.rss(pid);
            report.append(String.format("### Reconnect burst: %,d commands queued for %d offline devices, then all"
                    + " reconnect at once%n%n", q.count(), devices))
                    .append("| measure | result |\n| --- | --- |\n")
                    .append(String.format("| queueing (devices DISCONNECTED) | %,d POSTed in %.1f s (%,.0f/s), %d refused;"
                            + " sent while offline: %.0f; QUEUED before the reconnect: %,d |%n", q.count(),
                            q.seconds(), q.rate(), q.refused.get(), sentOffline, waiting))
                    .append(String.format("| devices' MQTT reconnect (connect + subscribe, before the CONNECTED"
                            + " records) | %.2f s |%n", mqttConnect))
                    .append(String.format("| CONNECTED published → first command received | %.2f s |%n",
                            seconds(fleet.firstReceipt.get() - reconnectNanos)))
                    .append(String.format("| **CONNECTED published → last command received** | **%.2f s** (%,d of"
                            + " %,d received) |%n", seconds(fleet.lastReceipt.get() - reconnectNanos),
                            fleet.received(b.posted), q.count()))
                    .append(String.format("| **CONNECTED published → last SUCCEEDED** | **%.2f s** (%,d SUCCEEDED%s;"
                            + " %,.0f commands/s) |%n", b.lastCompletedSince(reconnectAt), b.succeeded(), b.others(),
                            b.succeeded() / Math.max(0.001, b.lastCompletedSince(reconnectAt))))
                    .append(String.format("| server round trip (sent → ack, `roundTripMs`) p50 / p99 | %s |%n",
                            Round.p50p99(b.roundTrips)))
                    .append(String.format("| service's `sentAt` → device received p50 / p99 | %s |%n",
                            Round.p50p99(b.sentToReceipt)))
                    .append(String.format("| devices that received every command in creation order | %d of %d |%n",
                            fleet.inOrder(perDevice), devices))
                    .append(String.format("| resends (attempt > 1) / duplicate receipts / MQTT ack publishes failed |"
                            + " %d / %d / %d |%n", fleet.resends.get(), fleet.duplicates.get(),
                            fleet.ackFailures.get()))
                    .append(String.format("| command-service CPU time, CONNECTED → all applied | %.1f s |%n",
                            cpuBurst))
                    .append(String.format("| command-service RSS with the queue / after the burst | %s / %s |%n%n",
                            rssQueued, rssBurst));
        }

        report.append("### The service afterwards\n\n| measure | result |\n| --- | --- |\n")
                .append(String.format("| readiness (`/q/health/ready`) | %s |%n", api.readiness()))
                .append(String.format("| `command_sent_total` / `command_send_failures_total` | %.0f / %.0f |%n",
                        api.metric("command_sent_total"), api.metric("command_send_failures_total")))
                .append(String.format("| `command_acks_total` applied / ignored / failed | %.0f / %.0f / %.0f |%n",
                        api.metric("command_acks_total", "outcome=\"applied\""),
                        api.metric("command_acks_total", "outcome=\"ignored\""),
                        api.metric("command_acks_total", "outcome=\"failed\"")))
                .append(String.format("| open commands (QUEUED / SENT / TIMED_OUT) | %d / %d / %d |%n",
                        api.count("QUEUED"), api.count("SENT"), api.count("TIMED_OUT")))
                .append(String.format("| service log lines at WARN / ERROR | %s |%n", logLevels(log)))
                .append(String.format("| load average after the run (1 / 5 / 15 min) | %s |%n", Bench.loadAverage()));
        System.out.println("\n" + report);
        Files.writeString(work.resolve("results.md"), report.toString());
    }

    /** POSTs {@code perDevice} commands to each device and waits until the service has applied all their acks. */
    private static Round round(Api api, Fleet fleet, List<String> ids, int perDevice, int clients, Duration limit)
            throws Exception {
        double appliedBefore = api.metric("command_acks_total", "outcome=\"applied\"");
        Posted posted = post(api, ids, perDevice, clients);
        boolean done = api.awaitApplied(appliedBefore + posted.count(), limit);
        return new Round(posted, fleet, api.history(ids), perDevice, done);
    }

    /**
     * {@code clients} threads POST {@code perDevice} commands to every device; thread k serves the devices k, k +
     * clients, ... round-robin, so each device's commands are created one after the other, payload {@code n} = 0, 1,
     * ... in creation order. A 404 (the service has not read the view yet) or 409 (queue full) is retried.
     */
    private static Posted post(Api api, List<String> ids, int perDevice, int clients) throws Exception {
        Posted p = new Posted(ids.size() * perDevice);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> threads = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            int first = k;
            threads.add(pool.submit(() -> {
                for (int n = 0; n < perDevice; n++) {
                    for (int d = first; d < ids.size(); d += clients) {
                        p.post(api, ids.get(d), d * perDevice + n, n);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : threads) {
            f.get();
        }
        pool.shutdown();
        return p;
    }

    /** When the played registry registered the bench's devices: the device instance their transitions are of. */
    private static Instant registered;

    /**
     * Plays the monitor: a transition of each device's current instance with a growing version, on device-status (the
     * history) and on the compacted device-status.current, which the command service reads to know who is connected.
     */
    private static void status(KafkaProducer<String, String> producer, List<String> ids, DeviceState from,
            DeviceState to) {
        Instant now = Instant.now();
        long version = System.nanoTime();
        for (String id : ids) {
            String event = EventJson.write(new DeviceStatusChanged(DeviceStatusChanged.SCHEMA_VERSION,
                    UUID.randomUUID().toString(), id, TENANT, from, to, to == DeviceState.CONNECTED
                            ? TransitionReason.HEARTBEAT_RECEIVED
                            : TransitionReason.HEARTBEAT_TIMEOUT,
                    now, now, 0L, null, registered, version));
            producer.send(new ProducerRecord<>(Topics.DEVICE_STATUS, id, event));
            producer.send(new ProducerRecord<>(Topics.DEVICE_STATUS_CURRENT, id, event));
        }
        producer.flush();
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** How many lines of the service's (JSON) log are at WARN and at ERROR, and their distinct messages. */
    private static String logLevels(Path log) {
        try {
            Map<String, Integer> counts = new TreeMap<>(Map.of("WARN", 0, "ERROR", 0));
            Map<String, Integer> messages = new TreeMap<>();
            for (String line : Files.readAllLines(log)) {
                if (!line.startsWith("{")) {
                    continue;
                }
                JsonNode entry = EventJson.mapper().readTree(line);
                String level = entry.path("level").asText();
                if (counts.containsKey(level)) {
                    counts.merge(level, 1, Integer::sum);
                    String message = entry.path("message").asText();
                    messages.merge(level + " " + message.substring(0, Math.min(160, message.length())), 1,
                            Integer::sum);
                }
            }
            StringBuilder sb = new StringBuilder(counts.get("WARN") + " / " + counts.get("ERROR"));
            messages.forEach((m, n) -> sb.append("; ").append(n).append(" × `").append(m.replace("|", "\\|"))
                    .append('`'));
            return sb.toString();
        } catch (Exception e) {
            return "n/a (" + e.getMessage() + ")";
        }
    }

    /** The command API and metrics of the service under test, as an admin. */
    private record Api(Bench.Http http, String url, String token) {

        double metric(String name, String... labels) throws Exception {
            return http.metric(url + "/q/metrics", name, labels);
        }

        /** Open or final commands of the bench tenant in {@code status}. */
        long count(String status) throws Exception {
            HttpResponse<String> r = http.send("GET", url + "/api/v1/commands?tenantId=" + TENANT + "&status=" + status
                    + "&size=1", token, null);
            return EventJson.mapper().readTree(r.body()).path("totalItems").asLong(-1);
        }

        String readiness() throws Exception {
            HttpResponse<String> r = http.send("GET", url + "/q/health/ready", null, null);
            return (r.statusCode() == 200 ? "UP" : "DOWN (" + r.statusCode() + ")") + " "
                    + r.body().replaceAll("\\s+", " ").replace("|", "\\|");
        }

        /** Waits until the service has applied {@code target} acks in all; false if {@code limit} passed first. */
        boolean awaitApplied(double target, Duration limit) throws Exception {
            Instant deadline = Instant.now().plus(limit);
            while (metric("command_acks_total", "outcome=\"applied\"") < target) {
                if (Instant.now().isAfter(deadline)) {
                    System.out.println("gave up waiting for every command to succeed after " + limit);
                    return false;
                }
                Thread.sleep(100);
            }
            return true;
        }

        /** Every command of these devices by id, from the paged history API. */
        Map<String, JsonNode> history(List<String> ids) throws Exception {
            Map<String, JsonNode> all = new HashMap<>();
            for (String id : ids) {
                for (int page = 0;; page++) {
                    JsonNode body = EventJson.mapper().readTree(http.send("GET", url + "/api/v1/commands?deviceId="
                            + id + "&size=500&page=" + page, token, null).body());
                    body.path("items").forEach(c -> all.put(c.path("id").asText(), c));
                    if (page + 1 >= body.path("totalPages").asLong()) {
                        break;
                    }
                }
            }
            return all;
        }
    }

    /** What the POSTs of one scenario did, indexed by device * perDevice + n. */
    private static final class Posted {
        final String[] ids;
        final long[] startNanos;
        final Instant[] startedAt;
        final long[] latencyNanos;
        final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong lastEnd = new AtomicLong();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger retried = new AtomicInteger();

        Posted(int size) {
            ids = new String[size];
            startNanos = new long[size];
            startedAt = new Instant[size];
            latencyNanos = new long[size];
        }

        void post(Api api, String deviceId, int i, int n) throws Exception {
            String body = "{\"deviceId\":\"" + deviceId + "\",\"name\":\"set-relay\",\"payload\":{\"relay\":\"on\",\"n\":"
                    + n + "}}";
            for (int attempt = 0;; attempt++) {
                Instant at = Instant.now();
                long t0 = System.nanoTime();
                HttpResponse<String> r = api.http().send("POST", api.url() + "/api/v1/commands", api.token(), body);
                long t1 = System.nanoTime();
                if (r.statusCode() == 201) {
                    ids[i] = EventJson.mapper().readTree(r.body()).path("id").asText();
                    startNanos[i] = t0;
                    startedAt[i] = at;
                    latencyNanos[i] = t1 - t0;
                    firstStart.accumulateAndGet(t0, Math::min);
                    lastEnd.accumulateAndGet(t1, Math::max);
                    return;
                }
                if ((r.statusCode() == 404 || r.statusCode() == 409) && attempt < 100) {
                    retried.incrementAndGet();
                    Thread.sleep(100);
                    continue;
                }
                refused.incrementAndGet();
                System.err.printf("POST for %s: %d %s%n", deviceId, r.statusCode(), r.body());
                return;
            }
        }

        /** When POST {@code i} started, in microseconds since the epoch. */
        long wallMicros(int i) {
            return micros(startedAt[i]);
        }

        int count() {
            int c = 0;
            for (String id : ids) {
                c += id == null ? 0 : 1;
            }
            return c;
        }

        double seconds() {
            return (lastEnd.get() - firstStart.get()) / 1e9;
        }

        double rate() {
            return count() / seconds();
        }
    }

    /** One scenario's POSTs joined with the devices' receipts and the service's history. */
    private static final class Round {
        final Posted posted;
        final int perDevice;
        final boolean done;
        final List<Long> postLatency = new ArrayList<>();
        final List<Long> toReceipt = new ArrayList<>();
        final List<Long> toSucceeded = new ArrayList<>();
        final List<Long> roundTrips = new ArrayList<>();
        final List<Long> sentToReceipt = new ArrayList<>();
        final Map<String, Integer> statuses = new TreeMap<>();
        Instant firstPost = Instant.MAX;
        Instant lastCompleted = Instant.MIN;

        Round(Posted posted, Fleet fleet, Map<String, JsonNode> history, int perDevice, boolean done) {
            this.posted = posted;
            this.perDevice = perDevice;
            this.done = done;
            for (int i = 0; i < posted.ids.length; i++) {
                String id = posted.ids[i];
                if (id == null) {
                    continue;
                }
                postLatency.add(posted.latencyNanos[i] / 1000);
                Long received = fleet.received.get(id);
                if (received != null) {
                    toReceipt.add((received - posted.startNanos[i]) / 1000);
                }
                if (posted.startedAt[i].isBefore(firstPost)) {
                    firstPost = posted.startedAt[i];
                }
                JsonNode c = history.get(id);
                String status = c == null ? "MISSING" : c.path("status").asText();
                statuses.merge(status, 1, Integer::sum);
                if ("SUCCEEDED".equals(status)) {
                    Instant completed = Instant.parse(c.path("completedAt").asText());
                    toSucceeded.add(ChronoUnit.MICROS.between(posted.startedAt[i], completed));
                    if (completed.isAfter(lastCompleted)) {
                        lastCompleted = completed;
                    }
                    roundTrips.add(c.path("roundTripMs").asLong() * 1000);
                    if (received != null) {
                        long receivedAt = posted.wallMicros(i) + (received - posted.startNanos[i]) / 1000;
                        sentToReceipt.add(receivedAt - micros(Instant.parse(c.path("sentAt").asText())));
                    }
                }
            }
        }

        int succeeded() {
            return statuses.getOrDefault("SUCCEEDED", 0);
        }

        /** The statuses other than SUCCEEDED, if any, such as "; not SUCCEEDED: SENT 3". */
        String others() {
            StringBuilder sb = new StringBuilder();
            statuses.forEach((s, n) -> {
                if (!s.equals("SUCCEEDED")) {
                    sb.append(sb.isEmpty() ? "; not SUCCEEDED: " : ", ").append(s).append(' ').append(n);
                }
            });
            return sb + (done ? "" : "; gave up waiting");
        }

        double seconds() {
            return succeeded() == 0 ? Double.NaN : ChronoUnit.MICROS.between(firstPost, lastCompleted) / 1e6;
        }

        double rate() {
            return succeeded() / seconds();
        }

        double lastCompletedSince(Instant t0) {
            return succeeded() == 0 ? Double.NaN : ChronoUnit.MICROS.between(t0, lastCompleted) / 1e6;
        }

        String latencies() {
            return String.format("| POST latency p50 / p99 | %s |%n| POST → device received p50 / p99 | %s |%n"
                    + "| POST → SUCCEEDED (service's `completedAt`) p50 / p99 | %s |%n"
                    + "| server round trip (sent → ack, `roundTripMs`) p50 / p99 | %s |%n"
                    + "| service's `sentAt` → device received p50 / p99 | %s |%n", p50p99(postLatency),
                    p50p99(toReceipt), p50p99(toSucceeded), p50p99(roundTrips), p50p99(sentToReceipt));
        }

        /** p50 and p99 of microsecond values, in milliseconds. */
        static String p50p99(List<Long> micros) {
            long[] values = micros.stream().mapToLong(Long::longValue).toArray();
            return String.format("%.1f ms / %.1f ms", Bench.percentile(values, 0.5) / 1000,
                    Bench.percentile(values, 0.99) / 1000);
        }
    }

    /**
     * The simulated devices: an MQTT client each, connected as the device (client id and user name = device id, password
     * = its API token), that answers every command at once (QoS 1).
     */
    private static final class Fleet implements AutoCloseable {
        private final List<String> ids;
        /** Each device's API token, by device id (random per run; the views carry their hashes). */
        final Map<String, String> tokens = new HashMap<>();
        private final List<MqttAsyncClient> clients = new ArrayList<>();
        /** First receipt of each command, System.nanoTime(). */
        final Map<String, Long> received = new ConcurrentHashMap<>();
        /** Per device, the creation index {@code n} of each command in the order they arrived (first receipts). */
        final Map<String, List<Integer>> order = new ConcurrentHashMap<>();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger resends = new AtomicInteger();
        final AtomicInteger ackFailures = new AtomicInteger();
        final AtomicLong firstReceipt = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong lastReceipt = new AtomicLong();

        Fleet(String broker, List<String> ids) throws Exception {
            this.ids = ids;
            for (String id : ids) {
                tokens.put(id, DeviceTokens.generate());
                clients.add(new MqttAsyncClient(broker, id, new MemoryPersistence()));
            }
        }

        /**
         * Connects every device at once (again those the broker refused while it had not read their views yet) and
         * subscribes each to its command topic; returns when all are subscribed.
         */
        void connect() throws Exception {
            Bench.connectDevices(clients, tokens, 1000, Duration.ofSeconds(120));
            List<IMqttToken> subscribed = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                MqttAsyncClient c = clients.get(i);
                subscribed.add(c.subscribe("devices/" + id + "/commands", 1, (topic, m) -> answer(id, c, m)));
            }
            for (IMqttToken t : subscribed) {
                t.waitForCompletion(60_000);
            }
        }

        void disconnect() throws Exception {
            List<IMqttToken> tokens = new ArrayList<>();
            for (MqttAsyncClient c : clients) {
                tokens.add(c.disconnect());
            }
            for (IMqttToken t : tokens) {
                t.waitForCompletion(30_000);
            }
        }

        /** Forgets what the devices saw so far (the command ids stay: they are unique). */
        void reset() {
            order.clear();
            duplicates.set(0);
            resends.set(0);
            ackFailures.set(0);
            firstReceipt.set(Long.MAX_VALUE);
            lastReceipt.set(0);
        }

        /** How many of the posted commands a device received. */
        int received(Posted posted) {
            int n = 0;
            for (String id : posted.ids) {
                n += id != null && received.containsKey(id) ? 1 : 0;
            }
            return n;
        }

        /** Devices that received all {@code perDevice} commands, each in creation order. */
        int inOrder(int perDevice) {
            int ok = 0;
            for (String id : ids) {
                List<Integer> got = order.getOrDefault(id, List.of());
                boolean sorted = got.size() == perDevice;
                synchronized (got) {
                    for (int i = 0; sorted && i < got.size(); i++) {
                        sorted = got.get(i) == i;
                    }
                }
                ok += sorted ? 1 : 0;
            }
            return ok;
        }

        private void answer(String deviceId, MqttAsyncClient client, MqttMessage message) {
            long now = System.nanoTime();
            try {
                JsonNode command = EventJson.mapper().readTree(message.getPayload());
                String commandId = command.path("command_id").asText();
                if (command.path("attempt").asInt(1) > 1) {
                    resends.incrementAndGet();
                }
                if (received.putIfAbsent(commandId, now) == null) {
                    order.computeIfAbsent(deviceId, k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(command.path("payload").path("n").asInt());
                    firstReceipt.accumulateAndGet(now, Math::min);
                    lastReceipt.accumulateAndGet(now, Math::max);
                } else {
                    duplicates.incrementAndGet();
                }
                byte[] ack = ("{\"command_id\":\"" + commandId + "\",\"status\":\"ok\",\"result\":{\"relay\":\"on\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                client.publish("devices/" + deviceId + "/status", ack, 1, false, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) {
                        ackFailures.incrementAndGet();
                    }
                });
            } catch (Exception e) {
                ackFailures.incrementAndGet();
            }
        }

        @Override
        public void close() throws Exception {
            for (MqttAsyncClient c : clients) {
                if (c.isConnected()) {
                    c.disconnect().waitForCompletion(5_000);
                }
                c.close();
            }
        }
    }
}
