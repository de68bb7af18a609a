package io.heartbeat.cli.device;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ingest's own counters from its Prometheus endpoint ({@code /q/metrics}, no credential):
 * {@code ingest_heartbeats_accepted_total} and {@code ingest_heartbeats_rejected_total} by channel and reason. The
 * simulator reads them before and after a run, so its summary can say what ingest made of what it sent. They count
 * every client's heartbeats, not only the simulator's.
 */
public record IngestCounters(double accepted, Map<String, Double> rejectedByReason) {

    public static IngestCounters read(HttpClient http, String ingestUrl) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ingestUrl + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? parse(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    static IngestCounters parse(String metrics) {
        double accepted = 0;
        Map<String, Double> rejected = new TreeMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("ingest_heartbeats_accepted_total")) {
                accepted += value(line);
            } else if (line.startsWith("ingest_heartbeats_rejected_total")) {
                rejected.merge(label(line, "reason"), value(line), Double::sum);
            }
        }
        return new IngestCounters(accepted, rejected);
    }

    /** This snapshot minus an earlier one. */
    public IngestCounters minus(IngestCounters before) {
        Map<String, Double> r = new TreeMap<>();
        rejectedByReason.forEach((k, v) -> {
            double d = v - before.rejectedByReason.getOrDefault(k, 0.0);
            if (d != 0) {
                r.put(k, d);
            }
        });
        return new IngestCounters(accepted - before.accepted, r);
    }

    /** Refusals of whole heartbeats: an out-of-range reading is refused while its heartbeat is accepted. */
    public double refusedHeartbeats() {
        return rejectedByReason.entrySet().stream().filter(e -> !e.getKey().equals("OUT_OF_RANGE"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static double value(String line) {
        try {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String label(String line, String name) {
        int i = line.indexOf(name + "=\"");
        if (i < 0) {
            return "?";
        }
        int start = i + name.length() + 2;
        return line.substring(start, line.indexOf('"', start));
    }
}
