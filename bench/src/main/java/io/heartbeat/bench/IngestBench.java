package io.heartbeat.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Topics;

/**
 * Accepted heartbeats per second through ingest, over HTTP (wrk, many devices with their own API tokens) and over MQTT
 * (QoS 1 publishes until every one is a record on Kafka, from {@code mqtt-devices} of the devices, each connected to the
 * broker as itself), with ingest's own receipt-to-Kafka-ack percentiles and its resident memory. Devices are registered through
 * the registry in a profile that allows 10 heartbeats a second each,
 * so the rate limit is not what is measured.
 */
final class IngestBench {

    private static final String HANDOFF = "ingest_heartbeat_handoff_seconds";

    private IngestBench() {
    }

    static void run(Bench.Options o) throws Exception {
        String registry = o.get("registry", "http://127.0.0.1:8081");
        String ingest = o.get("ingest", "http://127.0.0.1:8082");
        String kafka = o.get("kafka", "127.0.0.1:9092");
        String mqtt = o.get("mqtt", "tcp://127.0.0.1:1883");
        Path dataDir = Path.of(o.get("data-dir", ".local-stack"));
        Path work = Path.of(o.get("work", "target/bench-ingest"));
        int devices = o.getInt("devices", 4000);
        int httpSeconds = o.getInt("http-seconds", 20);
        int connections = o.getInt("connections", 64);
        int mqttMessages = o.getInt("mqtt-messages", 100_000);
        int mqttInflight = o.getInt("mqtt-inflight", 1000);
        // devices that publish over MQTT, a connection each (the broker lets a device publish only on its own topics)
        int mqttDevices = Math.min(devices, o.getInt("mqtt-devices", 500));
        String ingestPid = o.get("ingest-pid", "");
        Files.createDirectories(work);

        Bench.Http http = new Bench.Http();
        String admin = Bench.adminToken(dataDir);
        String metrics = ingest + "/q/metrics";
        double known = http.metric(metrics, "ingest_directory_devices");
        List<String[]> fleet = register(http, registry, admin, devices);
        Path tokens = work.resolve("tokens.txt");
        Files.write(tokens, fleet.stream().map(d -> d[1]).toList());
        Bench.waitFor("ingest to know " + devices + " new devices", Duration.ofSeconds(120),
                () -> http.metric(metrics, "ingest_directory_devices") >= known + devices);
        // the MQTT devices connect before the HTTP run: the broker has read their views by then
        try (Publishers publishers = Publishers.connect(mqtt, fleet.subList(0, mqttDevices), mqttInflight)) {
            // warm-up: the JIT compilers take a core for a minute after startup; what is measured is the warm service
            int warmup = o.getInt("warmup-seconds", 30);
            if (warmup > 0) {
                System.out.printf("warming up for %d s (HTTP and MQTT, not measured)%n", warmup);
                runWrk(ingest, tokens, work, connections, warmup);
                mqttRun(http, metrics, kafka, publishers, Math.min(mqttMessages, 20_000), mqttInflight);
            }

            StringBuilder report = new StringBuilder();
            report.append("Run at ").append(Instant.now()).append(", ").append(devices).append(" devices, ")
                    .append(Runtime.getRuntime().availableProcessors())
                    .append(" cores shared by the whole stack and the load generator, measured after a ").append(warmup)
                    .append(" s warm-up\n\n");

            // --- HTTP ---
            double acceptedBefore = http.metric(metrics, "ingest_heartbeats_accepted_total", "channel=\"HTTP\"");
            double rejectedBefore = http.metric(metrics, "ingest_heartbeats_rejected_total", "channel=\"HTTP\"");
            var handoffBefore = http.buckets(metrics, HANDOFF, "channel=\"HTTP\"");
            String wrk = runWrk(ingest, tokens, work, connections, httpSeconds);
            double accepted = http.metric(metrics, "ingest_heartbeats_accepted_total", "channel=\"HTTP\"") - acceptedBefore;
            double rejected = http.metric(metrics, "ingest_heartbeats_rejected_total", "channel=\"HTTP\"") - rejectedBefore;
            var handoffAfter = http.buckets(metrics, HANDOFF, "channel=\"HTTP\"");
            double p50 = Bench.Http.quantile(handoffBefore, handoffAfter, 0.5);
            double p99 = Bench.Http.quantile(handoffBefore, handoffAfter, 0.99);
            String rssHttp = Bench.rss(ingestPid);
            report.append("### HTTP (wrk, ").append(connections).append(" connections, ").append(httpSeconds)
                    .append(" s)\n\n")
                    .append(String.format("- accepted: %.0f heartbeats, **%.0f/s**; refused: %.0f%n", accepted,
                            accepted / httpSeconds, rejected))
                    .append(String.format(
                            "- receipt to Kafka ack (ingest's histogram, bucket upper bounds): p50 ≤ %.1f ms, p99 ≤ %.1f ms%n",
                            p50 * 1000,
                            p99 * 1000))
                    .append("- wrk: ").append(wrkSummary(wrk)).append('\n')
                    .append("- ingest RSS after the HTTP run: ").append(rssHttp).append("\n\n");

            // --- MQTT ---
            report.append(mqttRun(http, metrics, kafka, publishers, mqttMessages, mqttInflight));
            report.append("- ingest RSS after the MQTT run: ").append(Bench.rss(ingestPid)).append('\n');
            System.out.println("\n" + report);
            Files.writeString(work.resolve("results.md"), report.toString());
        }
    }

    /** Creates the bench profile and the devices; returns {id, token} pairs. */
    private static List<String[]> register(Bench.Http http, String registry, String admin, int devices)
            throws Exception {
        HttpResponse<String> profile = http.send("POST", registry + "/api/v1/profiles", admin,
                "{\"id\":\"bench\",\"name\":\"Benchmark\",\"thresholds\":{\"heartbeatIntervalSeconds\":30,"
                        + "\"connectedWithinSeconds\":40,\"disconnectedAfterSeconds\":300,"
                        + "\"minHeartbeatSpacingSeconds\":0,\"maxHeartbeatsPerMinute\":600}}");
        if (profile.statusCode() != 201 && profile.statusCode() != 409) {
            throw new IllegalStateException("creating the bench profile: " + profile.statusCode() + " " + profile.body());
        }
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String[]>> created = new ArrayList<>();
        String run = Long.toString(System.currentTimeMillis(), 36);
        for (int i = 0; i < devices; i++) {
            String id = "bench-" + run + "-" + i;
            created.add(pool.submit(() -> {
                HttpResponse<String> r = http.send("POST", registry + "/api/v1/devices", admin,
                        "{\"id\":\"" + id + "\",\"tenantId\":\"bench\",\"name\":\"" + id
                                + "\",\"protocol\":\"HTTP\",\"profileId\":\"bench\"}");
                if (r.statusCode() != 201) {
                    throw new IllegalStateException("creating " + id + ": " + r.statusCode() + " " + r.body());
                }
                JsonNode body = EventJson.mapper().readTree(r.body());
                return new String[] { id, body.path("apiToken").asText() };
            }));
        }
        List<String[]> fleet = new ArrayList<>();
        for (Future<String[]> f : created) {
            fleet.add(f.get());
        }
        pool.shutdown();
        System.out.printf("registered %d devices in %.1f s%n", devices, (System.nanoTime() - t0) / 1e9);
        return fleet;
    }

    private static String runWrk(String ingest, Path tokens, Path work, int connections, int seconds)
            throws Exception {
        Path script = work.resolve("heartbeats.lua");
        Files.writeString(script, """
                -- each wrk thread walks the device tokens from its own starting point
                local tokens = {}
                for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
                local i = math.random(#tokens)
                request = function()
                  i = i % #tokens + 1
                  return wrk.format("POST", "/api/v1/heartbeats",
                    { ["Authorization"] = "Bearer " .. tokens[i], ["Content-Type"] = "application/json" },
                    '{"status":"alive","voltage":229.8,"current":0.41,"relay":"on"}')
                end
                """);
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-s", script.toString(), ingest + "/api/v1/heartbeats");
        pb.environment().put("TOKENS_FILE", tokens.toAbsolutePath().toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = String.join("\n", r.lines().toList());
        }
        p.waitFor();
        System.out.println(out);
        Files.writeString(work.resolve("wrk.txt"), out);
        return out;
    }

    /** The wrk lines that matter: requests/s, latency percentiles, non-2xx. */
    private static String wrkSummary(String wrk) {
        List<String> keep = new ArrayList<>();
        for (String line : wrk.split("\n")) {
            String t = line.strip();
            if (t.startsWith("50%") || t.startsWith("99%") || t.startsWith("Requests/sec") || t.startsWith("Non-2xx")
                    || t.contains("requests in")) {
                keep.add(t.replaceAll("\\s+", " "));
            }
        }
        return String.join("; ", keep);
    }

    /**
     * The devices that publish over MQTT: a Paho client each, connected as the device (client id and user name = device
     * id, password = its API token).
     */
    private record Publishers(List<String> ids, List<MqttAsyncClient> clients) implements AutoCloseable {

        static Publishers connect(String broker, List<String[]> devices, int inflight) throws Exception {
            List<String> ids = new ArrayList<>();
            List<MqttAsyncClient> clients = new ArrayList<>();
            Map<String, String> tokens = new HashMap<>();
            for (String[] d : devices) {
                ids.add(d[0]);
                tokens.put(d[0], d[1]);
                clients.add(new MqttAsyncClient(broker, d[0], new MemoryPersistence()));
            }
            long t0 = System.nanoTime();
            Bench.connectDevices(clients, tokens, inflight, Duration.ofSeconds(120));
            System.out.printf("connected %d MQTT devices in %.1f s%n", clients.size(), (System.nanoTime() - t0) / 1e9);
            return new Publishers(ids, clients);
        }

        int size() {
            return clients.size();
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

    /**
     * Publishes {@code messages} QoS 1 heartbeats round-robin over the MQTT devices, each on its own topic, and waits for
     * all on Kafka. The body carries no credential: the broker authenticated the connection, and ingest takes the topic
     * as the device.
     */
    private static String mqttRun(Bench.Http http, String metrics, String kafka, Publishers publishers, int messages,
            int inflight) throws Exception {
        double acceptedBefore = http.metric(metrics, "ingest_heartbeats_accepted_total", "channel=\"MQTT\"");
        double rejectedBefore = http.metric(metrics, "ingest_heartbeats_rejected_total", "channel=\"MQTT\"");
        var handoffBefore = http.buckets(metrics, HANDOFF, "channel=\"MQTT\"");
        AtomicInteger seen = new AtomicInteger();
        long[] lastSeen = new long[1];
        KafkaConsumer<String, String> consumer = consumer(kafka);
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.HEARTBEATS).stream()
                .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        Thread counter = new Thread(() -> {
            Instant deadline = Instant.now().plusSeconds(300);
            while (seen.get() < messages && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && r.value().contains("\"channel\":\"MQTT\"")) {
                        seen.incrementAndGet();
                        lastSeen[0] = System.nanoTime();
                    }
                }
            }
            consumer.close();
        }, "bench-kafka-counter");
        counter.start();

        Semaphore window = new Semaphore(inflight);
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            int d = i % publishers.size();
            String id = publishers.ids().get(d);
            String body = "{\"device_id\":\"" + id + "\",\"status\":\"alive\",\"timestamp\":\"" + Instant.now()
                    + "\",\"voltage\":230.1}";
            window.acquire();
            MqttMessage m = new MqttMessage(body.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            publishers.clients().get(d).publish("devices/" + id + "/heartbeat", m, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    window.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    failed.incrementAndGet();
                    window.release();
                }
            });
        }
        window.acquire(inflight);
        long published = System.nanoTime();
        counter.join();
        double seconds = ((lastSeen[0] == 0 ? System.nanoTime() : lastSeen[0]) - t0) / 1e9;
        double accepted = http.metric(metrics, "ingest_heartbeats_accepted_total", "channel=\"MQTT\"") - acceptedBefore;
        double rejected = http.metric(metrics, "ingest_heartbeats_rejected_total", "channel=\"MQTT\"") - rejectedBefore;
        var handoffAfter = http.buckets(metrics, HANDOFF, "channel=\"MQTT\"");
        double p50 = Bench.Http.quantile(handoffBefore, handoffAfter, 0.5);
        double p99 = Bench.Http.quantile(handoffBefore, handoffAfter, 0.99);
        return String.format("### MQTT (QoS 1, %d devices with a connection each, %d in flight in all)%n%n"
                + "- %d published (%d failed) in %.1f s; %d records on `heartbeats` after %.1f s: **%.0f accepted/s**"
                + " to Kafka%n- ingest counted %.0f accepted, %.0f refused%n"
                + "- receipt to Kafka ack (ingest's histogram, bucket upper bounds): p50 ≤ %.1f ms, p99 ≤ %.1f ms%n",
                publishers.size(), inflight, messages, failed.get(), (published - t0) / 1e9, seen.get(), seconds,
                seen.get() / seconds,
                accepted, rejected, p50 * 1000, p99 * 1000);
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p);
    }

}
