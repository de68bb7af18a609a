package io.heartbeat.cli.ops;

import static io.heartbeat.cli.config.Service.COMMAND;

import java.util.Map;

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

/** {@code hb schedules ...}: cron schedules that make commands ({@code /api/v1/schedules}). */
@Command(name = "schedules", description = "Cron schedules that send a command at each fire time.", subcommands = {
        SchedulesCommand.Create.class, SchedulesCommand.ListSchedules.class,
        SchedulesCommand.Get.class, SchedulesCommand.Update.class, SchedulesCommand.Delete.class })
public final class SchedulesCommand {

    static final String PATH = "/api/v1/schedules";

    static final class Settings {
        @Option(names = "--cron", paramLabel = "CRON", description = "five fields: minute hour day-of-month month "
                + "day-of-week, e.g. '0 7 * * 1-5'")
        String cron;
        @Option(names = "--time-zone", paramLabel = "ZONE", description = "IANA id (default UTC)")
        String timeZone;
        @Option(names = "--description")
        String description;
        @Option(names = "--command", paramLabel = "NAME", description = "the command each fire time sends")
        String name;
        @Option(names = "--enabled", arity = "1", paramLabel = "true|false")
        Boolean enabled;
        @Mixin
        CommandsCommand.Template template = new CommandsCommand.Template();

        /** Sets what was given over {@code body} (a new body or the schedule as it is, for a PUT). */
        void into(ObjectNode body) {
            if (cron != null) {
                body.put("cron", cron);
            }
            if (timeZone != null) {
                body.put("timeZone", timeZone);
            }
            if (description != null) {
                body.put("description", description);
            }
            if (enabled != null) {
                body.put("enabled", enabled);
            }
            ObjectNode command = body.has("command") && body.get("command").isObject()
                    ? (ObjectNode) body.get("command")
                    : body.putObject("command");
            if (name != null) {
                command.put("name", name);
            }
            template.into(command);
        }
    }

    @Command(name = "create", description = "Create a schedule for a device.")
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "DEVICE")
        String device;
        @Mixin
        Settings settings = new Settings();

        @Override
        protected int execute(Api api, Printer out) {
            ObjectNode body = Json.object().put("deviceId", device);
            settings.into(body);
            out.object(api.post(COMMAND, PATH, body));
            return ExitCode.OK;
        }
    }

    @Command(name = "list", description = "Schedules, oldest first.")
    static final class ListSchedules extends ApiCommand {
        @Option(names = "--device", paramLabel = "DEVICE")
        String device;
        @Option(names = "--tenant", paramLabel = "TENANT")
        String tenant;
        @Option(names = "--page", defaultValue = "0")
        int page;
        @Option(names = "--size", defaultValue = "50")
        int size;

        @Override
        protected int execute(Api api, Printer out) {
            JsonNode answer = api.get(COMMAND, PATH, Api.params("deviceId", device, "tenantId", tenant, "page", page,
                    "size", size));
            Table t = Table.of("id", "device", "cron", "zone", "command", "enabled", "next fire", "last fired");
            for (JsonNode s : answer.path("items")) {
                t.row(s.get("id"), s.get("deviceId"), s.get("cron"), s.get("timeZone"), s.path("command").get("name"),
                        s.get("enabled"), s.get("nextFireAt"), s.get("lastFiredAt"));
            }
            out.list(answer, t);
            return ExitCode.OK;
        }
    }

    @Command(name = "get", description = "Show one schedule.")
    static final class Get extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            out.object(api.get(COMMAND, PATH + "/" + Api.seg(id)));
            return ExitCode.OK;
        }
    }

    @Command(name = "update", description = "Change a schedule: the given settings over the current ones (the "
            + "timer restarts from now).")
    static final class Update extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;
        @Mixin
        Settings settings = new Settings();

        @Override
        protected int execute(Api api, Printer out) {
            JsonNode current = api.get(COMMAND, PATH + "/" + Api.seg(id));
            // PUT replaces the settings: start from what the schedule has, keep only the fields a body may carry
            ObjectNode body = Json.object();
            for (String f : new String[] { "deviceId", "description", "cron", "timeZone", "enabled" }) {
                if (current.has(f)) {
                    body.set(f, current.get(f));
                }
            }
            ObjectNode command = body.putObject("command");
            JsonNode c = current.path("command");
            for (String f : new String[] { "name", "payload", "ttl", "ackTimeout", "maxAttempts" }) {
                if (c.hasNonNull(f)) {
                    command.set(f, c.get(f));
                }
            }
            settings.into(body);
            out.object(api.send(COMMAND, "PUT", PATH + "/" + Api.seg(id), body, Map.of()).body());
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", description = "Delete a schedule (the commands it made stay).")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            api.delete(COMMAND, PATH + "/" + Api.seg(id), Map.of());
            if (!out.json()) {
                out.line("deleted " + id);
            }
            return ExitCode.OK;
        }
    }
}
