package io.heartbeat.cli.ops;

import static io.heartbeat.cli.config.Service.MONITOR;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.config.DurationConverter;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.ApiException;
import io.heartbeat.cli.http.Json;
import io.heartbeat.cli.http.Problem;
import io.heartbeat.cli.output.Printer;
import io.heartbeat.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hb status [ID] [--watch]}: the monitor's view of the fleet. With {@code --watch} the table is kept live from
 * the monitor's SSE stream ({@code /api/v1/status/stream}): redrawn in place on a terminal, one line per transition
 * otherwise, one JSON event per line with {@code --json}.
 */
@Command(name = "status", description = "Liveness of one device, or counts and a table of devices; --watch keeps "
        + "it live from the monitor's event stream.")
public final class StatusCommand extends ApiCommand {

    static final String PATH = "/api/v1/status";

    @Parameters(paramLabel = "ID", arity = "0..1", description = "one device")
    String id;
    @Option(names = "--state", paramLabel = "STATE", description = "UNKNOWN, CONNECTED, TEMPORARILY_OFFLINE, "
            + "DISCONNECTED")
    String state;
    @Option(names = "--profile", paramLabel = "PROFILE")
    String profile;
    @Option(names = "--tenant", paramLabel = "TENANT", description = "admins only")
    String tenant;
    @Option(names = "--page", defaultValue = "0")
    int page;
    @Option(names = "--size", defaultValue = "50")
    int size;
    @Option(names = { "-w", "--watch" }, description = "follow the monitor's transitions live")
    boolean watch;
    @Option(names = "--max-events", paramLabel = "N", description = "with --watch: stop after N transitions")
    Long maxEvents;
    @Option(names = "--for", paramLabel = "DURATION", converter = DurationConverter.class, description = "with --watch: stop after this long (e.g. 30s)")
    Duration watchFor;

    @Override
    protected int execute(Api api, Printer out) throws Exception {
        if (id != null && !watch) {
            out.object(api.get(MONITOR, PATH + "/devices/" + Api.seg(id)));
            return ExitCode.OK;
        }
        Map<String, ObjectNode> rows = new LinkedHashMap<>();
        JsonNode counts = api.get(MONITOR, PATH + "/counts");
        JsonNode devices;
        if (id != null) {
            ObjectNode one;
            try {
                one = (ObjectNode) api.get(MONITOR, PATH + "/devices/" + Api.seg(id));
            } catch (io.heartbeat.cli.http.ApiException e) {
                // a device the monitor has not heard of yet (just registered): watch it from UNKNOWN
                if (e.problem() == null || e.problem().status() != 404) {
                    throw e;
                }
                one = Json.object().put("deviceId", id).put("state", "UNKNOWN");
            }
            devices = Json.MAPPER.createArrayNode().add(one);
        } else {
            devices = api.get(MONITOR, PATH + "/devices", Api.params("state", state, "profileId", profile,
                    "tenantId", tenant, "page", page, "size", size)).path("items");
        }
        for (JsonNode d : devices) {
            rows.put(d.path("deviceId").asText(), (ObjectNode) d);
        }
        if (!watch) {
            if (out.json()) {
                ObjectNode all = Json.object();
                all.set("counts", counts);
                all.set("devices", devices);
                out.object(all);
            } else {
                out.line(countsLine(counts));
                out.out().print(table(rows).render());
                out.out().flush();
            }
            return ExitCode.OK;
        }
        return watch(api, out, rows, counts);
    }

    static String countsLine(JsonNode counts) {
        StringBuilder sb = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = counts.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            sb.append(sb.length() == 0 ? "" : "  ").append(e.getKey()).append(' ').append(e.getValue().asText());
        }
        return sb.toString();
    }

    static Table table(Map<String, ObjectNode> rows) {
        Table t = Table.of("device", "tenant", "state", "since", "last heartbeat", "profile");
        for (ObjectNode d : rows.values()) {
            t.row(d.get("deviceId"), d.get("tenantId"), d.get("state"), d.get("since"), d.get("lastHeartbeatAt"),
                    d.get("profileId"));
        }
        return t;
    }

    /** One transition as a line: {@code 2026-11-22T10:00:00Z  socket-0042  UNKNOWN -> CONNECTED  HEARTBEAT_RECEIVED}. */
    static String eventLine(JsonNode e) {
        return Table.cell(e.get("at")) + "  " + Table.cell(e.get("deviceId")) + "  " + Table.cell(e.get("from"))
                + " -> " + Table.cell(e.get("to")) + "  " + Table.cell(e.get("reason"))
                + (e.hasNonNull("detail") ? "  " + Table.cell(e.get("detail")) : "");
    }

    private int watch(Api api, Printer out, Map<String, ObjectNode> rows, JsonNode counts) throws Exception {
        boolean redraw = !out.json() && System.console() != null;
        if (!out.json()) {
            if (redraw) {
                draw(out, rows, counts, null);
            } else {
                out.line(countsLine(counts));
                out.out().print(table(rows).render());
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(MONITOR, PATH + "/stream"))
                .header("Authorization", "Bearer " + api.token()).header("Accept", "text/event-stream");
        HttpResponse<InputStream> r;
        try {
            r = api.http().send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ApiException.unreachable("status-monitor-service at " + api.config().url(MONITOR) + ": "
                    + e.getMessage());
        }
        if (r.statusCode() >= 400) {
            try (InputStream in = r.body()) {
                throw ApiException.of(Problem.of(r.statusCode(), new String(in.readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        // once the stream is open, so a script knows that no later transition is missed
        if (out.json()) {
            System.err.println("watching transitions (Ctrl-C stops)");
        } else if (!redraw) {
            out.line("watching transitions (Ctrl-C stops)");
        }
        long deadline = watchFor == null ? Long.MAX_VALUE : System.nanoTime() + watchFor.toNanos();
        InputStream body = r.body();
        if (watchFor != null) {
            // the stream may stay quiet: closing it from a timer ends the blocking read at the deadline
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(watchFor.toMillis());
                    body.close();
                } catch (InterruptedException | IOException e) {
                    // done anyway
                }
            }, "hb-watch-deadline");
            closer.setDaemon(true);
            closer.start();
        }
        long seen = 0;
        try (Stream<String> lines = new java.io.BufferedReader(new java.io.InputStreamReader(body,
                java.nio.charset.StandardCharsets.UTF_8)).lines()) {
            StringBuilder data = new StringBuilder();
            for (Iterator<String> it = lines.iterator(); it.hasNext();) {
                String line = it.next();
                if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                    continue;
                }
                if (!line.isEmpty() || data.length() == 0) {
                    continue;
                }
                JsonNode event = Json.MAPPER.readTree(data.toString());
                data.setLength(0);
                if (id != null && !id.equals(event.path("deviceId").asText())) {
                    continue;
                }
                seen++;
                apply(rows, event);
                if (out.json()) {
                    out.line(Json.write(event));
                } else if (redraw) {
                    draw(out, rows, counts, event);
                } else {
                    out.line(eventLine(event));
                }
                if ((maxEvents != null && seen >= maxEvents) || System.nanoTime() >= deadline) {
                    break;
                }
            }
        } catch (java.io.UncheckedIOException e) {
            if (System.nanoTime() < deadline) {
                throw ApiException.unreachable("the status stream ended: " + e.getCause().getMessage());
            }
        }
        return ExitCode.OK;
    }

    /** A transition moves its device's row (a new device gets one) and the counts. */
    static void apply(Map<String, ObjectNode> rows, JsonNode event) {
        String device = event.path("deviceId").asText();
        ObjectNode row = rows.computeIfAbsent(device, d -> Json.object().put("deviceId", d));
        row.set("tenantId", event.get("tenantId"));
        row.set("state", event.get("to"));
        row.set("since", event.get("at"));
        if (event.hasNonNull("lastHeartbeatAt")) {
            row.set("lastHeartbeatAt", event.get("lastHeartbeatAt"));
        }
    }

    private static void draw(Printer out, Map<String, ObjectNode> rows, JsonNode counts, JsonNode last) {
        StringBuilder sb = new StringBuilder("\033[H\033[2J");
        sb.append(table(rows).render());
        if (last != null) {
            sb.append('\n').append("last: ").append(eventLine(last)).append('\n');
        }
        out.out().print(sb);
        out.out().flush();
    }
}
