package io.heartbeat.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * Status monitor benchmark: {@code DEVICES} devices (100,000) registered straight onto {@code registry.devices} (the
 * registry's contract, tenant {@code bench}), then
 * <ol>
 * <li><b>throughput</b>: {@code ROUNDS} heartbeats per device onto {@code heartbeats} as fast as one producer goes;
 * heartbeats/s = heartbeats / time until the monitor's committed offsets reach the end (offsets are committed only
 * after Postgres has the statuses);</li>
 * <li><b>detection delay</b>: then silence; every device passes connected-within (10 s) at about the same time;
 * per transition {@code persisted_at - deadline_at} from the monitor's {@code transition} table (p50/p99/max);</li>
 * <li><b>rebuild</b>: a consumer joins and leaves the monitor's group, so the monitor gets its partitions assigned
 * again and reloads every status and the deadline index ({@code monitor_rebuild_duration_seconds});</li>
 * <li><b>seed 004 style on the same Postgres</b>: one transaction per heartbeat ({@code SELECT … FOR UPDATE} then
 * {@code UPDATE}) from 8 connections for the same number of heartbeats, and one minute-sweep {@code UPDATE} over every
 * expired device (its delay: the sweep period plus the statement).</li>
 * </ol>
 * Talks only to the given local addresses; bounded by the device and round counts; drops its comparison table.
 */
final class MonitorFleetBench {

    private static final String GROUP = "heartbeat-status-monitor";

    private MonitorFleetBench() {
    }

    static void run(Bench.Options o) throws Exception {
        String monitor = o.get("monitor", "http://127.0.0.1:8083");
        String kafka = o.get("kafka", "127.0.0.1:9092");
        // the bench plays ingest: its pulse too, or the monitor holds every timeout for a silent pipeline
        io.heartbeat.localstack.test.TestWatermarks.ensureRunning(kafka);
        String jdbc = o.get("jdbc", "jdbc:postgresql://127.0.0.1:15432/heartbeat");
        int devices = o.getInt("devices", 100_000);
        int rounds = o.getInt("rounds", 3);
        int connectedWithin = o.getInt("connected-within", 60);
        Path dataDir = Path.of(o.get("data-dir", ".local-stack"));
        Bench.Http http = new Bench.Http();
        String metrics = monitor + "/q/metrics";
        Properties db = new Properties();
        db.put("user", "monitor");
        db.put("password", o.get("db-password", "monitor-local-dev"));
        db.put("currentSchema", "monitor");
        StringBuilder out = new StringBuilder();

        Thresholds thresholds = new Thresholds(Math.max(1, connectedWithin / 2), connectedWithin, 3600, 0, 600);
        List<String> ids = new ArrayList<>(devices);
        for (int i = 0; i < devices; i++) {
            ids.add(String.format("bench-%06d", i));
        }
        try (KafkaProducer<String, String> producer = Bench.producer(kafka)) {
            long t0 = System.nanoTime();
            Instant now = Instant.now();
            for (String id : ids) {
                producer.send(new ProducerRecord<>(Topics.REGISTRY_DEVICES, id, EventJson.write(new DeviceView(
                        DeviceView.SCHEMA_VERSION, id, "bench", id, Protocol.MQTT, Map.of(), "bench", thresholds, true,
                        false, "1", Map.of(), null, now, 1, now, now))));
            }
            producer.flush();
            Bench.waitFor("the monitor to track " + devices + " devices", Duration.ofMinutes(5),
                    () -> http.metric(metrics, "monitor_engine_owned_devices") >= devices);
            System.out.printf("registered %d devices in %d ms%n", devices, (System.nanoTime() - t0) / 1_000_000);

            // every device CONNECTED first (a transition each), so what is measured is heartbeat-only updates
            long c0 = System.nanoTime();
            heartbeats(producer, ids, 1);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                Bench.waitFor("the monitor to connect every device", Duration.ofMinutes(10), () -> caughtUp(admin));
            }
            double connect = (System.nanoTime() - c0) / 1e9;
            System.out.printf("first heartbeats (UNKNOWN -> CONNECTED, one transition and event each): %.1f s%n",
                    connect);
            out.append(String.format("| first heartbeat of each device (a transition + outbox event each) | %,.0f/s |%n",
                    devices / connect));

            // 1. throughput with state persisted
            long total = (long) devices * rounds;
            Instant start = Instant.now();
            long s0 = System.nanoTime();
            heartbeats(producer, ids, rounds);
            long produced = System.nanoTime() - s0;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                Bench.waitFor("the monitor to commit every heartbeat", Duration.ofMinutes(10), () -> caughtUp(admin));
            }
            long processed = System.nanoTime() - s0;
            double rate = total / (processed / 1e9);
            System.out.printf("throughput: %d heartbeats persisted in %.1f s = %.0f/s (producing took %.1f s)%n",
                    total, processed / 1e9, rate, produced / 1e9);
            out.append(String.format("| heartbeats processed with state persisted (%d devices x %d) | %,.0f/s"
                    + " (%.1f s; the producer alone took %.1f s) |%n", devices, rounds, rate, processed / 1e9,
                    produced / 1e9));

            // 2. detection delay of the timeouts that follow the silence
            Bench.waitFor("every device to time out", Duration.ofSeconds(connectedWithin + 120L),
                    () -> timeouts(jdbc, db, start) >= devices);
            try (Connection c = DriverManager.getConnection(jdbc, db);
                    Statement st = c.createStatement();
                    ResultSet r = st.executeQuery("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d),"
                            + " percentile_cont(0.99) WITHIN GROUP (ORDER BY d), max(d), count(*) FROM (SELECT"
                            + " extract(epoch FROM persisted_at - deadline_at) * 1000 AS d FROM transition WHERE"
                            + " tenant_id = 'bench' AND reason = 'HEARTBEAT_TIMEOUT' AND to_state ="
                            + " 'TEMPORARILY_OFFLINE' AND at > '" + Timestamp.from(start) + "') x")) {
                r.next();
                System.out.printf("detection delay: p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d timeouts%n",
                        r.getDouble(1), r.getDouble(2), r.getDouble(3), r.getLong(4));
                out.append(String.format("| detection delay beyond the threshold (%,d devices timing out together)"
                        + " | p50 %.0f ms, p99 %.0f ms, max %.0f ms |%n", r.getLong(4), r.getDouble(1), r.getDouble(2),
                        r.getDouble(3)));
            }
        }

        // 3. rebuild on assignment: a consumer joins the group and leaves again
        double sum0 = http.metric(metrics, "monitor_rebuild_duration_seconds_sum");
        double count0 = http.metric(metrics, "monitor_rebuild_duration_seconds_count");
        rebalance(kafka);
        Bench.waitFor("the monitor to rebuild after the rebalance", Duration.ofMinutes(2),
                () -> http.metric(metrics, "monitor_rebuild_duration_seconds_count") >= count0 + 2);
        Thread.sleep(1000);
        double rebuilds = http.metric(metrics, "monitor_rebuild_duration_seconds_count") - count0;
        double rebuildMax = http.metric(metrics, "monitor_rebuild_duration_seconds_max");
        double rebuildAvg = (http.metric(metrics, "monitor_rebuild_duration_seconds_sum") - sum0) / rebuilds;
        System.out.printf("rebuild: %.0f assignments, mean %.0f ms, max %.0f ms%n", rebuilds, rebuildAvg * 1000,
                rebuildMax * 1000);
        out.append(String.format("| rebuild of statuses and deadline index on assignment (%,d devices) | mean %.0f ms,"
                + " max %.0f ms over %.0f assignments |%n", devices, rebuildAvg * 1000, rebuildMax * 1000, rebuilds));

        // 4. the seed 004 design on the same Postgres
        seed004(jdbc, db, ids, out);

        System.out.println();
        System.out.println("| measure | result |");
        System.out.println("| --- | --- |");
        System.out.print(out);
        System.out.println("(data dir " + dataDir + ")");
    }

    private static void seed004(String jdbc, Properties db, List<String> ids, StringBuilder out)
            throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, db); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS bench_seed004_status");
            st.execute("CREATE TABLE bench_seed004_status (device_id text PRIMARY KEY, state text NOT NULL,"
                    + " last_heartbeat_at timestamptz, updated_at timestamptz)");
            st.execute("INSERT INTO bench_seed004_status SELECT 'bench-' || lpad(g::text, 6, '0'), 'CONNECTED', now(),"
                    + " now() FROM generate_series(0, " + (ids.size() - 1) + ") g");
        }
        int threads = 8;
        long total = ids.size();
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(jdbc, db)) {
                    c.setAutoCommit(false);
                    PreparedStatement lock = c.prepareStatement(
                            "SELECT state, last_heartbeat_at FROM bench_seed004_status WHERE device_id = ? FOR UPDATE");
                    PreparedStatement update = c.prepareStatement("UPDATE bench_seed004_status SET state = 'CONNECTED',"
                            + " last_heartbeat_at = ?, updated_at = now() WHERE device_id = ?");
                    for (long i; (i = next.getAndIncrement()) < total;) {
                        String id = ids.get((int) (i % ids.size()));
                        lock.setString(1, id);
                        try (ResultSet r = lock.executeQuery()) {
                            r.next();
                        }
                        update.setTimestamp(1, Timestamp.from(Instant.now()));
                        update.setString(2, id);
                        update.executeUpdate();
                        c.commit();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long sweepMs;
        try (Connection c = DriverManager.getConnection(jdbc, db); Statement st = c.createStatement()) {
            long s0 = System.nanoTime();
            st.executeUpdate("UPDATE bench_seed004_status SET state = 'TEMPORARILY_OFFLINE', updated_at = now()"
                    + " WHERE state = 'CONNECTED' AND last_heartbeat_at < now()");
            sweepMs = (System.nanoTime() - s0) / 1_000_000;
            st.execute("DROP TABLE bench_seed004_status");
        }
        System.out.printf("seed 004 style: %d heartbeats in %.1f s = %.0f/s (8 connections); sweep of %d devices %d ms%n",
                total, seconds, total / seconds, ids.size(), sweepMs);
        out.append(String.format("| seed 004 style: one transaction per heartbeat (SELECT … FOR UPDATE, UPDATE), 8"
                + " connections, same Postgres, one heartbeat per device | %,.0f/s |%n", total / seconds));
        out.append(String.format("| seed 004 style: detection delay with a sweep per minute | uniform over 0 – 60 s"
                + " after the deadline (p50 ≈ 30 s, p99 ≈ 59.4 s) plus the sweep statement: %d ms for %,d devices |%n",
                sweepMs, ids.size()));
    }

    private static void heartbeats(KafkaProducer<String, String> producer, List<String> ids, int rounds) {
        for (int r = 0; r < rounds; r++) {
            for (String id : ids) {
                Instant at = Instant.now();
                producer.send(new ProducerRecord<>(Topics.HEARTBEATS, id, EventJson.write(new HeartbeatAccepted(
                        HeartbeatAccepted.SCHEMA_VERSION, UUID.randomUUID().toString(), id, "bench", Channel.MQTT,
                        HeartbeatKind.HEARTBEAT, at, at, "alive", Map.of(), List.of(), 1))));
            }
        }
        producer.flush();
    }

    private static long timeouts(String jdbc, Properties db, Instant since) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, db);
                PreparedStatement st = c.prepareStatement("SELECT count(*) FROM transition WHERE tenant_id = 'bench'"
                        + " AND reason = 'HEARTBEAT_TIMEOUT' AND to_state = 'TEMPORARILY_OFFLINE' AND at > ?")) {
            st.setTimestamp(1, Timestamp.from(since));
            try (ResultSet r = st.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static boolean caughtUp(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> ask = new java.util.HashMap<>();
        for (TopicPartition tp : admin.describeTopics(List.of(Topics.HEARTBEATS)).allTopicNames().get()
                .get(Topics.HEARTBEATS).partitions().stream()
                .map(p -> new TopicPartition(Topics.HEARTBEATS, p.partition())).toList()) {
            ask.put(tp, OffsetSpec.latest());
        }
        var ends = admin.listOffsets(ask).all().get();
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset())) {
                return false;
            }
        }
        return true;
    }

    /** Joins the monitor's group for a few seconds without committing anything, then leaves. */
    private static void rebalance(String kafka) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(Topics.HEARTBEATS));
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until) {
                c.poll(Duration.ofMillis(200));
            }
        }
    }
}
