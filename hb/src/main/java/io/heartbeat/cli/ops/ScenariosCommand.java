package io.heartbeat.cli.ops;

import static io.heartbeat.cli.config.Service.MONITOR;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.Json;
import io.heartbeat.cli.output.Printer;
import io.heartbeat.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hb scenarios ...}: the monitor's test scenarios: check a set of devices now and keep the results. */
@Command(name = "scenarios", description = "Test scenarios: check a set of devices on demand and keep the results.", subcommands = {
        ScenariosCommand.Create.class, ScenariosCommand.ListScenarios.class,
        ScenariosCommand.Run.class, ScenariosCommand.Results.class, ScenariosCommand.Delete.class })
public final class ScenariosCommand {

    static final String PATH = "/api/v1/scenarios";

    @Command(name = "create", description = "Create a scenario.")
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--flow", defaultValue = "HEARTBEAT_FRESHNESS", paramLabel = "FLOW", description = "HEARTBEAT_FRESHNESS, HTTP_CHECK, MQTT_PING or FULL (default ${DEFAULT-VALUE})")
        String flow;
        @Option(names = "--device", paramLabel = "ID", description = "repeatable; default: --profile's devices, "
                + "else every device of the tenant")
        List<String> devices;
        @Option(names = "--profile", paramLabel = "PROFILE")
        String profile;
        @Option(names = "--description")
        String description;
        @Option(names = "--timeout-ms", paramLabel = "MS", description = "100..60000, default 5000")
        Integer timeoutMs;
        @Option(names = "--retries", paramLabel = "N", description = "0..5, default 1")
        Integer retries;

        @Override
        protected int execute(Api api, Printer out) {
            ObjectNode body = Json.object().put("name", name).put("flowType", flow);
            if (devices != null) {
                devices.forEach(body.putArray("deviceIds")::add);
            }
            if (profile != null) {
                body.put("profileId", profile);
            }
            if (description != null) {
                body.put("description", description);
            }
            if (timeoutMs != null) {
                body.put("timeoutMs", timeoutMs);
            }
            if (retries != null) {
                body.put("retries", retries);
            }
            out.object(api.post(MONITOR, PATH, body));
            return ExitCode.OK;
        }
    }

    @Command(name = "list", description = "The tenant's scenarios.")
    static final class ListScenarios extends ApiCommand {
        @Override
        protected int execute(Api api, Printer out) {
            JsonNode all = api.get(MONITOR, PATH);
            Table t = Table.of("id", "name", "flow", "devices", "profile", "timeout ms", "retries");
            for (JsonNode s : all) {
                t.row(s.get("id"), s.get("name"), s.get("flowType"), s.get("deviceIds"), s.get("profileId"),
                        s.get("timeoutMs"), s.get("retries"));
            }
            out.list(all, t);
            return ExitCode.OK;
        }
    }

    /** A run's summary line and per-device table. */
    static void printRun(Printer out, JsonNode run) {
        out.line("run " + Table.cell(run.get("id")) + ": " + run.path("succeeded").asLong() + " of "
                + run.path("devices").asLong() + " succeeded (" + Table.cell(run.get("successRate")) + "), p50 "
                + Table.cell(run.get("p50Ms")) + " ms, p95 " + Table.cell(run.get("p95Ms")) + " ms");
        Table t = Table.of("device", "success", "check", "ms", "error");
        for (JsonNode r : run.path("results")) {
            t.row(r.get("deviceId"), r.get("success"), r.get("check"), r.get("responseTimeMs"), r.get("error"));
        }
        out.out().print(t.render());
        out.out().flush();
    }

    @Command(name = "run", description = "Run a scenario now and show its results; exit 1 if a device failed.")
    static final class Run extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            JsonNode run = api.post(MONITOR, PATH + "/" + Api.seg(id) + "/runs", null);
            if (out.json()) {
                out.object(run);
            } else {
                printRun(out, run);
            }
            return run.path("succeeded").asLong() == run.path("devices").asLong() ? ExitCode.OK : ExitCode.FAILED;
        }
    }

    @Command(name = "results", description = "A scenario's last runs, newest first (--last 1: the newest in full).")
    static final class Results extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;
        @Option(names = "--last", paramLabel = "N", defaultValue = "10")
        int last;

        @Override
        protected int execute(Api api, Printer out) {
            JsonNode runs = api.get(MONITOR, PATH + "/" + Api.seg(id) + "/runs");
            if (out.json()) {
                out.object(runs);
            } else if (last == 1 && !runs.isEmpty()) {
                printRun(out, runs.get(0));
            } else {
                Table t = Table.of("run", "started", "devices", "succeeded", "rate", "p50 ms", "p95 ms");
                int n = 0;
                for (JsonNode r : runs) {
                    if (n++ >= last) {
                        break;
                    }
                    t.row(r.get("id"), r.get("startedAt"), r.get("devices"), r.get("succeeded"), r.get("successRate"),
                            r.get("p50Ms"), r.get("p95Ms"));
                }
                out.out().print(t.render());
                out.out().flush();
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", description = "Delete a scenario.")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            api.delete(MONITOR, PATH + "/" + Api.seg(id), Map.of());
            if (!out.json()) {
                out.line("deleted " + id);
            }
            return ExitCode.OK;
        }
    }
}
