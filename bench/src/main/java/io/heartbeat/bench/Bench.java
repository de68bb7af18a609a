package io.heartbeat.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

import io.heartbeat.localstack.DevKeys;
import io.heartbeat.localstack.DevTokens;

/**
 * Entry point of the benchmark jar: {@code java -jar bench/target/heartbeat-bench.jar <benchmark> --option value ...}.
 * Each benchmark talks only to a local stack on 127.0.0.1, is bounded in count and time, and prints its results as
 * Markdown.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: heartbeat-bench ingest --option value ... (see bench/*.sh)");
            System.exit(2);
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        switch (args[0]) {
            case "ingest" -> IngestBench.run(new Options(options));
            case "monitor" -> MonitorBench.run(new Options(options));
            case "monitor-fleet" -> MonitorFleetBench.run(new Options(options));
            case "command" -> CommandBench.run(new Options(options));
            case "broker" -> BrokerBench.run(new Options(options));
            case "fleet" -> FleetBench.run(new Options(options));
            default -> {
                System.err.println("unknown benchmark " + args[0]);
                System.exit(2);
            }
        }
    }

    /** A condition polled by {@link #waitFor}. */
    @FunctionalInterface
    public interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} every 250 ms until it holds; fails after {@code timeout}. */
    public static void waitFor(String what, java.time.Duration timeout, Check check) throws Exception {
        java.time.Instant deadline = java.time.Instant.now().plus(timeout);
        while (!check.ok()) {
            if (java.time.Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    /**
     * Connect options for device {@code deviceId}: the broker's extension takes user name = device id, password = the
     * device's API token (and the client id must be the device id too).
     */
    public static MqttConnectOptions deviceOptions(String deviceId, String token, int maxInflight) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setMaxInflight(maxInflight);
        options.setConnectionTimeout(30);
        options.setUserName(deviceId);
        options.setPassword(token.toCharArray());
        return options;
    }

    /**
     * Connects every client at once as the device its client id names ({@link #deviceOptions}, tokens by device id),
     * then again the ones the broker refused, until all are connected: the broker accepts a device only once it has
     * read the device's view from registry.devices. Fails after {@code timeout}.
     */
    public static void connectDevices(List<MqttAsyncClient> clients, Map<String, String> tokens, int maxInflight,
            Duration timeout) throws Exception {
        java.time.Instant deadline = java.time.Instant.now().plus(timeout);
        List<MqttAsyncClient> pending = clients;
        while (!pending.isEmpty()) {
            Map<MqttAsyncClient, IMqttToken> attempts = new LinkedHashMap<>();
            List<MqttAsyncClient> refused = new ArrayList<>();
            MqttException last = null;
            for (MqttAsyncClient c : pending) {
                try {
                    attempts.put(c, c.connect(deviceOptions(c.getClientId(), tokens.get(c.getClientId()), maxInflight)));
                } catch (MqttException e) {
                    refused.add(c); // e.g. an earlier attempt still in progress
                    last = e;
                }
            }
            for (Map.Entry<MqttAsyncClient, IMqttToken> a : attempts.entrySet()) {
                try {
                    a.getValue().waitForCompletion(60_000);
                } catch (MqttException e) {
                    refused.add(a.getKey());
                    last = e;
                }
            }
            if (!refused.isEmpty() && java.time.Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(refused.size() + " devices not accepted by the broker after " + timeout
                        + ", such as " + refused.get(0).getClientId() + ": " + last.getMessage(), last);
            }
            if (!refused.isEmpty()) {
                Thread.sleep(250);
            }
            pending = refused;
        }
    }

    /** Named options with defaults. */
    public record Options(Map<String, String> values) {

        public String get(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        public int getInt(String name, int fallback) {
            return Integer.parseInt(get(name, String.valueOf(fallback)));
        }
    }

    /** Admin tokens signed with the stack's dev user key (the stack under test is local and throwaway). */
    public static String adminToken(Path dataDir) {
        return new DevTokens(DevKeys.readPrivate(dataDir.resolve("keys/users-private.pem"))).admin();
    }

    /** A producer for playing the other services onto Kafka (string keys and values, batched, acks from all). */
    public static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        return new KafkaProducer<>(p);
    }

    /** The resident memory of process {@code pid} from {@code /proc}, such as "263 MiB"; "n/a" without a pid. */
    public static String rss(String pid) {
        if (pid == null || pid.isBlank()) {
            return "n/a (no pid)";
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format("%.0f MiB", kb / 1024.0);
                }
            }
        } catch (Exception e) {
            return "n/a (" + e.getMessage() + ")";
        }
        return "n/a";
    }

    /** CPU time (user + system) process {@code pid} has used so far, in seconds, from {@code /proc}; NaN without one. */
    public static double cpuSeconds(String pid) {
        if (pid == null || pid.isBlank()) {
            return Double.NaN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // the fields after the command name, which is in parentheses: state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** The machine's load averages over 1, 5 and 15 minutes, from {@code /proc/loadavg}. */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException e) {
            return "n/a (" + e.getMessage() + ")";
        }
    }

    /** The {@code q} quantile (nearest rank) of {@code values}, which need not be sorted; NaN when there is none. */
    public static double percentile(long[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** A tiny JSON-over-HTTP client for setting up fixtures. */
    public static final class Http {
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        public HttpResponse<String> send(String method, String url, String bearer, String json)
                throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(json));
            if (json != null) {
                b.header("Content-Type", "application/json");
            }
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** The cumulative histogram buckets ({@code le} to count) of {@code name}_bucket with the given labels. */
        public java.util.TreeMap<Double, Double> buckets(String metricsUrl, String name, String... labels)
                throws IOException, InterruptedException {
            java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
            for (String line : send("GET", metricsUrl, null, null).body().split("\n")) {
                if (!line.startsWith(name + "_bucket{")) {
                    continue;
                }
                boolean all = true;
                for (String label : labels) {
                    all &= line.contains(label);
                }
                java.util.regex.Matcher le = java.util.regex.Pattern.compile("le=\"([^\"]+)\"").matcher(line);
                if (all && le.find()) {
                    double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                    buckets.merge(bound, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
                }
            }
            return buckets;
        }

        /**
         * The {@code q} quantile (upper bucket bound, in the metric's unit) of what was recorded between two scrapes of
         * the same cumulative histogram.
         */
        public static double quantile(java.util.TreeMap<Double, Double> before, java.util.TreeMap<Double, Double> after,
                double q) {
            double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
            for (Map.Entry<Double, Double> e : after.entrySet()) {
                double delta = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
                if (delta >= q * total) {
                    return e.getKey();
                }
            }
            return Double.NaN;
        }

        /**
         * The sum of the Prometheus samples of {@code name} whose labels contain every one of {@code labels} (such as
         * {@code channel="HTTP"}); 0 when there is none.
         */
        public double metric(String metricsUrl, String name, String... labels) throws IOException, InterruptedException {
            double sum = 0;
            for (String line : send("GET", metricsUrl, null, null).body().split("\n")) {
                if (!(line.startsWith(name + " ") || line.startsWith(name + "{"))) {
                    continue;
                }
                boolean all = true;
                for (String label : labels) {
                    all &= line.contains(label);
                }
                if (all) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }
    }
}
