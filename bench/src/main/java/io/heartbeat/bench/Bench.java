package io.heartbeat.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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
