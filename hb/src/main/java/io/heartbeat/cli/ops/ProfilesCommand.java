package io.heartbeat.cli.ops;

import static io.heartbeat.cli.config.Service.REGISTRY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.Json;
import io.heartbeat.cli.output.Printer;
import io.heartbeat.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hb profiles ...}: heartbeat intervals and thresholds that devices share ({@code /api/v1/profiles}). */
@Command(name = "profiles", description = "Profiles: the heartbeat interval and thresholds devices share.", subcommands = {
        ProfilesCommand.ListProfiles.class, ProfilesCommand.Get.class, ProfilesCommand.Create.class,
        ProfilesCommand.Update.class, ProfilesCommand.Delete.class })
public final class ProfilesCommand {

    static final String PATH = "/api/v1/profiles";

    static final class Fields {
        @Option(names = "--name")
        String name;
        @Option(names = "--description")
        String description;
        @Option(names = "--interval", paramLabel = "SECONDS", description = "heartbeatIntervalSeconds")
        Integer interval;
        @Option(names = "--connected-within", paramLabel = "SECONDS")
        Integer connectedWithin;
        @Option(names = "--disconnected-after", paramLabel = "SECONDS")
        Integer disconnectedAfter;
        @Option(names = "--min-spacing", paramLabel = "SECONDS", description = "minHeartbeatSpacingSeconds")
        Integer minSpacing;
        @Option(names = "--max-per-minute", paramLabel = "N", description = "maxHeartbeatsPerMinute")
        Integer maxPerMinute;

        ObjectNode body() {
            ObjectNode b = Json.object();
            if (name != null) {
                b.put("name", name);
            }
            if (description != null) {
                b.put("description", description);
            }
            ObjectNode t = Json.object();
            put(t, "heartbeatIntervalSeconds", interval);
            put(t, "connectedWithinSeconds", connectedWithin);
            put(t, "disconnectedAfterSeconds", disconnectedAfter);
            put(t, "minHeartbeatSpacingSeconds", minSpacing);
            put(t, "maxHeartbeatsPerMinute", maxPerMinute);
            if (!t.isEmpty()) {
                b.set("thresholds", t);
            }
            return b;
        }

        private static void put(ObjectNode o, String k, Integer v) {
            if (v != null) {
                o.put(k, v);
            }
        }
    }

    @Command(name = "list", description = "Every profile.")
    static final class ListProfiles extends ApiCommand {
        @Override
        protected int execute(Api api, Printer out) {
            JsonNode all = api.get(REGISTRY, PATH);
            Table t = Table.of("id", "name", "interval", "connected-within", "disconnected-after", "min-spacing",
                    "max/min", "revision");
            for (JsonNode p : all) {
                JsonNode th = p.path("thresholds");
                t.row(p.get("id"), p.get("name"), th.get("heartbeatIntervalSeconds"), th.get("connectedWithinSeconds"),
                        th.get("disconnectedAfterSeconds"), th.get("minHeartbeatSpacingSeconds"),
                        th.get("maxHeartbeatsPerMinute"), p.get("revision"));
            }
            out.list(all, t);
            return ExitCode.OK;
        }
    }

    @Command(name = "get", description = "Show one profile.")
    static final class Get extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            out.object(api.get(REGISTRY, PATH + "/" + Api.seg(id)));
            return ExitCode.OK;
        }
    }

    @Command(name = "create", description = "Create a profile (admins); absent thresholds take the defaults.")
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;
        @Mixin
        Fields fields = new Fields();

        @Override
        protected int execute(Api api, Printer out) {
            ObjectNode body = Json.object().put("id", id).put("name", id);
            body.setAll(fields.body());
            out.object(api.post(REGISTRY, PATH, body));
            return ExitCode.OK;
        }
    }

    @Command(name = "update", description = "Change a profile (admins); its devices get the new thresholds.")
    static final class Update extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;
        @Mixin
        Fields fields = new Fields();

        @Override
        protected int execute(Api api, Printer out) {
            out.object(api.send(REGISTRY, "PATCH", PATH + "/" + Api.seg(id), fields.body(), java.util.Map.of())
                    .body());
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", description = "Delete a profile no device uses (admins).")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            api.delete(REGISTRY, PATH + "/" + Api.seg(id), java.util.Map.of());
            if (!out.json()) {
                out.line("deleted " + id);
            }
            return ExitCode.OK;
        }
    }
}
