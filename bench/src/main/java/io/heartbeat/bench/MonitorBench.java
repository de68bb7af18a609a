package io.heartbeat.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;

/**
 * The status monitor under a fleet: {@code devices} device views and one heartbeat each are produced straight onto
 * Kafka (playing the registry and ingest), then it measures heartbeats/s until the monitor's consumer group has
 * committed them all (it commits only after Postgres has the statuses), the detection delay of every device timing
 * out (the monitor's own histogram of persisted transition time minus deadline), the rebuild time when a rebalance
 * hands the partitions over again, and the seed 004 way (one transaction with SELECT ... FOR UPDATE and UPDATE per
 * heartbeat) on the same Postgres, for the ratio.
 */
final class MonitorBench {

    private static final String GROUP = "heartbeat-status-monitor";
    private static final String DELAY = "monitor_detection_delay_seconds";

    private MonitorBench() {
    }

    static void run(Bench.Options o) throws Exception {
        String monitor = o.get("monitor", "http://127.0.0.1:8083");
        String kafka = o.get("kafka", "127.0.0.1:9092");
        // the bench plays ingest: its pulse too, or the monitor holds every timeout for a silent pipeline
        io.heartbeat.localstack.test.TestWatermarks.ensureRunning(kafka);
        String jdbc = o.get("jdbc", "jdbc:postgresql://127.0.0.1:15432/heartbeat");
        int devices = o.getInt("devices", 100_000);
        int seed004 = o.getInt("seed004-heartbeats", 20_000);
        Path work = Path.of(o.get("work", "target/bench-monitor"));
        Files.createDirectories(work);
        Bench.Http http = new Bench.Http();
        String metrics = monitor + "/q/metrics";
        // connected within 20 s, disconnected after 40 s: long enough to load the fleet, short enough to wait for
        Thresholds t = new Thresholds(10, 20, 40, 0, 600);
        String run = Long.toString(System.currentTimeMillis(), 36);
        StringBuilder report = new StringBuilder("Run at " + Instant.now() + ", " + devices + " devices, "
                + Runtime.getRuntime().availableProcessors() + " cores shared by the whole stack and the load generator\n\n");

        try (KafkaProducer<String, String> producer = Bench.producer(kafka); Admin admin = admin(kafka)) {
            Instant now = Instant.now();
            for (int i = 0; i < devices; i++) {
                String id = "mb-" + run + "-" + i;
                producer.send(new ProducerRecord<>(Topics.REGISTRY_DEVICES, id, EventJson.write(new DeviceView(
                        DeviceView.SCHEMA_VERSION, id, "bench", id, Protocol.HTTP, Map.of(), "bench", t, true, false, null,
                        Map.of(), null, now, 1, now, now))));
            }
            producer.flush();
            // let the monitor read the views (its heartbeat of an unknown device would use default thresholds)
            Thread.sleep(5_000);

            Map<TopicPartition, Long> before = committed(admin);
            long t0 = System.nanoTime();
            heartbeatRound(producer, run, devices);
            double produced = (System.nanoTime() - t0) / 1e9;
            Map<TopicPartition, Long> end = endOffsets(admin);
            while (!caughtUp(committed(admin), end)) {
                Thread.sleep(100);
            }
            double persisted = (System.nanoTime() - t0) / 1e9;
            report.append("### Heartbeats processed with state persisted\n\n")
                    .append(String.format("- %d heartbeats (one per device, each a first heartbeat: UNKNOWN → CONNECTED,"
                            + " so a transition row and an outbox event each) produced in %.1f s; the monitor's group"
                            + " had committed them all (after Postgres) %.1f s after the first: **%.0f heartbeats/s**%n",
                            devices, produced, persisted, devices / persisted))
                    .append(String.format("- committed offsets before: %s%n%n", before.values().stream()
                            .mapToLong(Long::longValue).sum()));

            // second round: the same devices again, now already CONNECTED (the coalesced path)
            long t1 = System.nanoTime();
            heartbeatRound(producer, run, devices);
            Instant lastBeat = Instant.now();
            end = endOffsets(admin);
            while (!caughtUp(committed(admin), end)) {
                Thread.sleep(100);
            }
            double again = (System.nanoTime() - t1) / 1e9;
            report.append(String.format("- a second heartbeat for each (state unchanged: the batched, coalesced"
                    + " UPDATE): **%.0f heartbeats/s** (%.1f s)%n%n", devices / again, again));

            // detection: every device times out 20 s after its last heartbeat
            TreeMap<Double, Double> delayBefore = http.buckets(metrics, DELAY);
            double maxBefore = http.metric(metrics, DELAY + "_max");
            Instant deadline = lastBeat.plusSeconds(20);
            double target = http.metric(metrics, "monitor_transitions_total", "reason=\"HEARTBEAT_TIMEOUT\"") + devices;
            Instant limit = deadline.plusSeconds(120);
            while (http.metric(metrics, "monitor_transitions_total", "reason=\"HEARTBEAT_TIMEOUT\"") < target
                    && Instant.now().isBefore(limit)) {
                Thread.sleep(200);
            }
            TreeMap<Double, Double> delayAfter = http.buckets(metrics, DELAY);
            double timedOut = delayAfter.isEmpty() ? 0
                    : delayAfter.lastEntry().getValue()
                            - delayBefore.getOrDefault(delayAfter.lastKey(), 0.0);
            report.append("### Detection delay (persisted transition time minus deadline)\n\n")
                    .append(String.format("- %.0f of %d devices timed out to TEMPORARILY_OFFLINE; p50 ≤ %.0f ms, p99 ≤ %.0f"
                            + " ms (histogram bucket bounds), max %.0f ms%n%n", timedOut, devices,
                            Bench.Http.quantile(delayBefore, delayAfter, 0.5) * 1000,
                            Bench.Http.quantile(delayBefore, delayAfter, 0.99) * 1000,
                            Math.max(maxBefore, http.metric(metrics, DELAY + "_max")) * 1000));

            // rebuild: a second member joins the group, the engine's partitions are revoked and assigned again
            double rebuildsBefore = http.metric(metrics, "monitor_rebuild_duration_seconds_count");
            try (KafkaConsumer<String, String> joiner = joiner(kafka)) {
                joiner.subscribe(List.of(Topics.HEARTBEATS));
                Instant stop = Instant.now().plusSeconds(20);
                while (Instant.now().isBefore(stop)
                        && http.metric(metrics, "monitor_rebuild_duration_seconds_count") < rebuildsBefore + 1) {
                    joiner.poll(Duration.ofMillis(200));
                }
            }
            Instant stop = Instant.now().plusSeconds(30);
            while (Instant.now().isBefore(stop)
                    && http.metric(metrics, "monitor_rebuild_duration_seconds_count") < rebuildsBefore + 2) {
                Thread.sleep(200);
            }
            report.append("### Rebuild after a rebalance\n\n").append(String.format("- %.0f rebuilds; longest %.2f s"
                    + " (loading every status row and re-indexing the owned devices' deadlines; %d+ rows)%n%n",
                    http.metric(metrics, "monitor_rebuild_duration_seconds_count") - rebuildsBefore,
                    http.metric(metrics, "monitor_rebuild_duration_seconds_max"), devices));
        }

        // the seed 004 way, on the same Postgres: a transaction per heartbeat
        report.append(seed004(jdbc, seed004, Math.min(devices, 10_000)));
        System.out.println("\n" + report);
        Files.writeString(work.resolve("results.md"), report.toString());
    }

    /** One heartbeat for every device, as ingest would publish it; returns once Kafka has them all. */
    private static void heartbeatRound(KafkaProducer<String, String> producer, String run, int devices)
            throws Exception {
        Future<RecordMetadata> last = null;
        for (int i = 0; i < devices; i++) {
            String id = "mb-" + run + "-" + i;
            last = producer.send(new ProducerRecord<>(Topics.HEARTBEATS, id, EventJson.write(new HeartbeatAccepted(
                    HeartbeatAccepted.SCHEMA_VERSION, UUID.randomUUID().toString(), id, "bench", Channel.HTTP,
                    HeartbeatKind.HEARTBEAT, null, Instant.now(), "alive", Map.of(), List.of(), 1))));
        }
        producer.flush();
        if (last != null) {
            last.get();
        }
    }

    /** One transaction per heartbeat with SELECT ... FOR UPDATE and UPDATE, as seed 004's service does. */
    private static String seed004(String jdbc, int heartbeats, int devices) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "monitor", System.getProperty("monitor.password",
                "monitor-local-dev"))) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS bench_seed004 (device_id text PRIMARY KEY, status text,"
                        + " last_heartbeat timestamptz, updated_at timestamptz)");
                s.execute("TRUNCATE bench_seed004");
                s.execute("INSERT INTO bench_seed004 SELECT 'd' || g, 'offline', now(), now() FROM generate_series(0, "
                        + (devices - 1) + ") g");
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT status, last_heartbeat FROM bench_seed004 WHERE device_id = ? FOR UPDATE");
                    PreparedStatement update = c.prepareStatement(
                            "UPDATE bench_seed004 SET status = 'online', last_heartbeat = ?, updated_at = now()"
                                    + " WHERE device_id = ?")) {
                for (int i = 0; i < heartbeats; i++) {
                    String id = "d" + (i % devices);
                    select.setString(1, id);
                    try (ResultSet rs = select.executeQuery()) {
                        rs.next();
                    }
                    update.setTimestamp(1, Timestamp.from(Instant.now()));
                    update.setString(2, id);
                    update.executeUpdate();
                    c.commit();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE bench_seed004");
                c.commit();
            }
            return String.format("### Seed 004 style on the same Postgres%n%n- %d heartbeats, one transaction each"
                    + " (SELECT ... FOR UPDATE, UPDATE, COMMIT), one connection: **%.0f heartbeats/s** (%.1f s)."
                    + " Its timeouts come from a sweep once a minute: detection delay up to 60 s.%n", heartbeats,
                    heartbeats / seconds, seconds);
        }
    }

    private static boolean caughtUp(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (committed.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Map<TopicPartition, Long> committed(Admin admin) throws Exception {
        Map<TopicPartition, Long> out = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get().entrySet()) {
            if (e.getValue() != null && e.getKey().topic().equals(Topics.HEARTBEATS)) {
                out.put(e.getKey(), e.getValue().offset());
            }
        }
        return out;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> query = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        int partitions = admin.describeTopics(List.of(Topics.HEARTBEATS)).allTopicNames().get().get(Topics.HEARTBEATS)
                .partitions().size();
        for (int p = 0; p < partitions; p++) {
            query.put(new TopicPartition(Topics.HEARTBEATS, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : admin.listOffsets(query).all().get()
                .entrySet()) {
            out.put(e.getKey(), e.getValue().offset());
        }
        return out;
    }

    private static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    private static KafkaConsumer<String, String> joiner(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        return new KafkaConsumer<>(p);
    }
}
