package io.heartbeat.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;

import io.heartbeat.broker.BrokerSettings;
import io.heartbeat.broker.ServiceAccount;
import io.heartbeat.contracts.DeviceTokens;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.Protocol;
import io.heartbeat.contracts.Thresholds;
import io.heartbeat.contracts.Topics;
import io.heartbeat.localstack.Dirs;
import io.heartbeat.localstack.KafkaBroker;
import io.heartbeat.localstack.MqttBroker;
import io.heartbeat.localstack.Ports;

/**
 * The price of the device edge (issue 10): connects per second and QoS 1 messages per second through the embedded
 * HiveMQ CE with the platform's extension (every device authenticated against the views it follows on Kafka, topic
 * permissions per client) and through the same broker without any extension (open), one broker at a time, in
 * alternating rounds (the order alternates too) after an unreported warm-up round, same clients, same JVM.
 *
 * <ul>
 * <li>Connect: {@code --devices} MQTT 3.1.1 device clients (client id = user name = device id, password = API token),
 * at most {@code --connect-window} CONNECTs in flight.</li>
 * <li>Publish: {@code --publishers} of those devices publish {@code --messages} QoS 1 heartbeats in all on their own
 * topic, {@code --publish-window} unacknowledged per device; {@code --subscribers} MQTT 5 service connections in one
 * shared-subscription group (receive maximum 65535) receive them. The rate counts from the first publish to the last
 * message received.</li>
 * </ul>
 */
final class BrokerBench {

    private BrokerBench() {
    }

    record Round(String broker, int round, double connectsPerSecond, double messagesPerSecond, long received,
            double viewsSeconds) {
    }

    static void run(Bench.Options o) throws Exception {
        int devices = o.getInt("devices", 8_000);
        int connectWindow = o.getInt("connect-window", 200);
        int publishers = o.getInt("publishers", 100);
        int messages = o.getInt("messages", 200_000);
        int publishWindow = o.getInt("publish-window", 20);
        int subscribers = o.getInt("subscribers", 4);
        int rounds = o.getInt("rounds", 2);
        Path work = Files.createDirectories(Path.of(o.get("work", "target/bench-broker")));
        Path dir = Dirs.temp("bench-broker-");
        String tenant = "bench";
        String servicePassword = DeviceTokens.generate();
        List<String> ids = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), Ports.freeOr(0), Ports.freeOr(0))) {
            kafka.createTopics(Topics.ALL, 3);
            try (KafkaProducer<String, String> producer = Bench.producer(kafka.bootstrapServers())) {
                Instant now = Instant.now();
                for (int i = 0; i < devices; i++) {
                    String id = "bench-device-" + i;
                    String token = DeviceTokens.generate();
                    ids.add(id);
                    tokens.add(token);
                    producer.send(new ProducerRecord<>(Topics.REGISTRY_DEVICES, id, EventJson.write(new DeviceView(
                            DeviceView.SCHEMA_VERSION, id, tenant, id, Protocol.MQTT, Map.of(), "bench",
                            Thresholds.DEFAULTS, true, false, null, Map.of(), DeviceTokens.hash(token), now, 1, now,
                            now))));
                }
                producer.flush();
            }
            BrokerSettings settings = BrokerSettings.of(Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                    BrokerSettings.passwordKey(ServiceAccount.INGEST), servicePassword));
            List<Round> results = new ArrayList<>();
            // round 0 warms the JIT (and HiveMQ) up and is not reported
            for (int round = 0; round <= rounds; round++) {
                // the order alternates from round to round, so what comes second (a warmer JIT, a fuller heap)
                // does not favour one broker
                boolean[] order = round % 2 == 0 ? new boolean[] { true, false } : new boolean[] { false, true };
                for (boolean withExtension : order) {
                    String name = withExtension ? "with extension" : "open (no extension)";
                    Path brokerDir = dir.resolve("mqtt-" + round + "-" + withExtension);
                    long started = System.nanoTime();
                    try (MqttBroker broker = MqttBroker.start(brokerDir, Ports.freeOr(0), null,
                            withExtension ? settings : null)) {
                        double viewsSeconds = Double.NaN;
                        if (withExtension) {
                            // the extension has read every view once the last device can connect
                            Bench.waitFor("the broker's device views", java.time.Duration.ofSeconds(120),
                                    () -> canConnect(broker, ids.get(devices - 1), tokens.get(devices - 1)));
                            viewsSeconds = (System.nanoTime() - started) / 1e9;
                            System.out.printf("  broker started and %d views read in %.1f s%n", devices,
                                    viewsSeconds);
                        }
                        System.out.printf("round %d, %s: connecting %d devices%n", round, name, devices);
                        List<Mqtt3AsyncClient> connected = new ArrayList<>();
                        double connects = connectAll(broker, ids, tokens, connectWindow, connected);
                        System.out.printf("  %.0f connects/s%n", connects);
                        long[] received = new long[1];
                        double rate = publish(broker, connected.subList(0, Math.min(publishers, connected.size())),
                                ids, messages, publishWindow, subscribers, servicePassword, received);
                        System.out.printf("  %.0f QoS 1 messages/s publish -> subscriber (%d received)%n", rate,
                                received[0]);
                        if (round > 0) {
                            results.add(new Round(name, round, connects, rate, received[0], viewsSeconds));
                        }
                        disconnectAll(connected);
                    }
                }
            }
            String md = report(results, o.get("commit", "?"), devices, publishers, messages, subscribers);
            Files.writeString(work.resolve("results.md"), md);
            System.out.println(md);
        } finally {
            Dirs.deleteRecursively(dir);
        }
    }

    private static boolean canConnect(MqttBroker broker, String id, String token) {
        Mqtt3AsyncClient c = client(broker, id, token);
        try {
            c.connect().get(10, TimeUnit.SECONDS);
            c.disconnect().get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static Mqtt3AsyncClient client(MqttBroker broker, String id, String token) {
        return Mqtt3Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(id).password(token.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildAsync();
    }

    private static double connectAll(MqttBroker broker, List<String> ids, List<String> tokens, int window,
            List<Mqtt3AsyncClient> connected) throws Exception {
        Semaphore inFlight = new Semaphore(window);
        AtomicLong failed = new AtomicLong();
        List<CompletableFuture<?>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < ids.size(); i++) {
            Mqtt3AsyncClient c = client(broker, ids.get(i), tokens.get(i));
            connected.add(c);
            inFlight.acquire();
            all.add(c.connect().whenComplete((ack, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                }
                inFlight.release();
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(300,
                TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + ids.size() + " connects failed");
        }
        return ids.size() / seconds;
    }

    private static double publish(MqttBroker broker, List<Mqtt3AsyncClient> publishers, List<String> ids,
            int messages, int window, int subscriberCount, String servicePassword, long[] receivedOut)
            throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicLong lastReceivedAt = new AtomicLong();
        List<Mqtt5AsyncClient> subscribers = new ArrayList<>();
        for (int i = 0; i < subscriberCount; i++) {
            Mqtt5AsyncClient s = Mqtt5Client.builder().identifier(ServiceAccount.INGEST.username() + "-bench-" + i)
                    .serverHost("127.0.0.1").serverPort(broker.port())
                    .simpleAuth().username(ServiceAccount.INGEST.username())
                    .password(servicePassword.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .buildAsync();
            s.publishes(MqttGlobalPublishFilter.ALL, p -> {
                received.incrementAndGet();
                lastReceivedAt.set(System.nanoTime());
            });
            s.connectWith().cleanStart(true).restrictions().receiveMaximum(65_535).applyRestrictions().send()
                    .get(30, TimeUnit.SECONDS);
            s.subscribeWith().topicFilter("$share/bench/devices/+/heartbeat").qos(MqttQos.AT_LEAST_ONCE).send()
                    .get(30, TimeUnit.SECONDS);
            subscribers.add(s);
        }
        byte[] payload = "{\"status\":\"alive\",\"voltage\":229.8,\"current\":0.42,\"power\":96.5,\"relay\":\"on\"}"
                .getBytes(StandardCharsets.UTF_8);
        int perPublisher = messages / publishers.size();
        List<CompletableFuture<?>> loops = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int p = 0; p < publishers.size(); p++) {
            Mqtt3AsyncClient c = publishers.get(p);
            String topic = "devices/" + ids.get(p) + "/heartbeat";
            Semaphore inFlight = new Semaphore(window);
            loops.add(CompletableFuture.runAsync(() -> {
                for (int m = 0; m < perPublisher; m++) {
                    inFlight.acquireUninterruptibly();
                    c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                            .whenComplete((r, e) -> inFlight.release());
                }
                inFlight.acquireUninterruptibly(window);
            }));
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(600, TimeUnit.SECONDS);
        long expected = (long) perPublisher * publishers.size();
        Bench.waitFor("every message at the subscribers", java.time.Duration.ofSeconds(120),
                () -> received.get() >= expected);
        double seconds = (lastReceivedAt.get() - t0) / 1e9;
        receivedOut[0] = received.get();
        for (Mqtt5AsyncClient s : subscribers) {
            s.disconnect().get(10, TimeUnit.SECONDS);
        }
        return expected / seconds;
    }

    private static void disconnectAll(List<Mqtt3AsyncClient> clients) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Mqtt3AsyncClient c : clients) {
            all.add(c.disconnect().exceptionally(e -> null));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    private static String report(List<Round> rounds, String commit, int devices, int publishers, int messages,
            int subscribers) {
        StringBuilder sb = new StringBuilder();
        sb.append("### Broker with and without the extension (commit ").append(commit).append(")\n\n");
        sb.append("Load before the run: ").append(Bench.loadAverage()).append(". ").append(devices)
                .append(" device connections; ").append(messages).append(" QoS 1 heartbeats from ").append(publishers)
                .append(" devices to ").append(subscribers).append(" shared-subscription service connections.\n\n");
        sb.append("| round | broker | connects/s | QoS 1 messages/s | start until every view is read |\n"
                + "| --- | --- | --- | --- | --- |\n");
        for (Round r : rounds) {
            sb.append(String.format("| %d | %s | %.0f | %.0f | %s |%n", r.round(), r.broker(), r.connectsPerSecond(),
                    r.messagesPerSecond(), Double.isNaN(r.viewsSeconds()) ? ""
                            : String.format("%.1f s",
                                    r.viewsSeconds())));
        }
        double openConnects = average(rounds, false, true);
        double extConnects = average(rounds, true, true);
        double openRate = average(rounds, false, false);
        double extRate = average(rounds, true, false);
        sb.append(String.format("%nWith the extension / open, mean of the rounds: connects %.2f, messages %.2f%n",
                extConnects / openConnects, extRate / openRate));
        return sb.toString();
    }

    private static double average(List<Round> rounds, boolean extension, boolean connects) {
        return rounds.stream().filter(r -> r.broker().startsWith("with") == extension)
                .mapToDouble(r -> connects ? r.connectsPerSecond() : r.messagesPerSecond()).average().orElse(Double.NaN);
    }
}
