package io.heartbeat.cli.ops;

import static io.heartbeat.cli.config.Service.COMMAND;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.config.DurationConverter;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.http.Json;
import io.heartbeat.cli.output.Printer;
import io.heartbeat.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hb commands ...}: commands to devices and their outcome ({@code /api/v1/commands}). */
@Command(name = "commands", description = "Send commands to devices and follow what became of them.", subcommands = {
        CommandsCommand.Send.class, CommandsCommand.Get.class, CommandsCommand.ListCommands.class,
        CommandsCommand.Cancel.class, CommandsCommand.Replay.class })
public final class CommandsCommand {

    static final String PATH = "/api/v1/commands";
    static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "EXPIRED", "DEAD_LETTERED", "CANCELLED");

    static Table table(JsonNode items) {
        Table t = Table.of("id", "device", "name", "status", "attempts", "created", "completed", "result");
        for (JsonNode c : items) {
            t.row(c.get("id"), c.get("deviceId"), c.get("name"), c.get("status"), c.get("attempts"),
                    c.get("createdAt"), c.get("completedAt"), c.hasNonNull("lastError") ? c.get("lastError")
                            : c.get("result"));
        }
        return t;
    }

    /** The command template options a command and a schedule share. */
    static final class Template {
        @Option(names = "--payload", paramLabel = "JSON", description = "e.g. '{\"state\":\"on\"}'")
        String payload;
        @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class, description = "default PT1H, at most P2D")
        Duration ttl;
        @Option(names = "--ack-timeout", paramLabel = "DURATION", converter = DurationConverter.class, description = "default PT10S")
        Duration ackTimeout;
        @Option(names = "--max-attempts", paramLabel = "N", description = "1 to 10, default 3")
        Integer maxAttempts;

        void into(ObjectNode body) {
            if (payload != null) {
                body.set("payload", Json.objectArg("--payload", payload));
            }
            if (ttl != null) {
                body.put("ttl", ttl.toString());
            }
            if (ackTimeout != null) {
                body.put("ackTimeout", ackTimeout.toString());
            }
            if (maxAttempts != null) {
                body.put("maxAttempts", maxAttempts);
            }
        }
    }

    @Command(name = "send", description = "Send a command (ping, reconnect, relay, ...) to a device.")
    static final class Send extends ApiCommand {
        @Parameters(index = "0", paramLabel = "DEVICE")
        String device;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;
        @picocli.CommandLine.Mixin
        Template template = new Template();
        @Option(names = "--idempotency-key", paramLabel = "KEY", description = "the same key again answers the "
                + "first command")
        String idempotencyKey;
        @Option(names = "--wait", description = "wait until the command is final; exit 0 only if it SUCCEEDED")
        boolean await;
        @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "60s")
        Duration waitTimeout;

        @Override
        protected int execute(Api api, Printer out) throws InterruptedException {
            ObjectNode body = Json.object().put("deviceId", device).put("name", name);
            template.into(body);
            Map<String, String> headers = idempotencyKey == null ? Map.of()
                    : Map.of("Idempotency-Key", idempotencyKey);
            JsonNode command = api.send(COMMAND, "POST", PATH, body, headers).body();
            if (!await) {
                out.object(command);
                return ExitCode.OK;
            }
            long deadline = System.nanoTime() + waitTimeout.toNanos();
            String id = command.path("id").asText();
            while (!FINAL.contains(command.path("status").asText()) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                command = api.get(COMMAND, PATH + "/" + Api.seg(id));
            }
            out.object(command);
            String status = command.path("status").asText();
            if (!FINAL.contains(status)) {
                spec.commandLine().getErr().println("hb: command " + id + " is still " + status + " after "
                        + waitTimeout.toSeconds() + " s");
                return ExitCode.FAILED;
            }
            return status.equals("SUCCEEDED") ? ExitCode.OK : ExitCode.FAILED;
        }
    }

    @Command(name = "get", description = "Show one command; --transitions adds its history.")
    static final class Get extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;
        @Option(names = "--transitions", description = "every status change, oldest first")
        boolean transitions;

        @Override
        protected int execute(Api api, Printer out) {
            if (!transitions) {
                out.object(api.get(COMMAND, PATH + "/" + Api.seg(id)));
                return ExitCode.OK;
            }
            JsonNode all = api.get(COMMAND, PATH + "/" + Api.seg(id) + "/transitions");
            Table t = Table.of("at", "status", "attempt", "detail");
            for (JsonNode e : all.isArray() ? all : all.path("items")) {
                t.row(e.get("at"), e.get("status"), e.get("attempt"), e.get("detail"));
            }
            out.list(all, t);
            return ExitCode.OK;
        }
    }

    @Command(name = "list", description = "Command history, newest first.")
    static final class ListCommands extends ApiCommand {
        @Option(names = "--device", paramLabel = "DEVICE")
        String device;
        @Option(names = "--status", paramLabel = "STATUS", description = "QUEUED, SENT, SUCCEEDED, FAILED, ...")
        String status;
        @Option(names = "--since", paramLabel = "INSTANT")
        String since;
        @Option(names = "--tenant", paramLabel = "TENANT", description = "admins only")
        String tenant;
        @Option(names = "--page", defaultValue = "0")
        int page;
        @Option(names = "--size", defaultValue = "50")
        int size;

        @Override
        protected int execute(Api api, Printer out) {
            JsonNode answer = api.get(COMMAND, PATH, Api.params("deviceId", device, "status", status, "since", since,
                    "tenantId", tenant, "page", page, "size", size));
            out.list(answer, table(answer.path("items")));
            return ExitCode.OK;
        }
    }

    @Command(name = "cancel", description = "Cancel an open command.")
    static final class Cancel extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            out.object(api.post(COMMAND, PATH + "/" + Api.seg(id) + "/cancel", null));
            return ExitCode.OK;
        }
    }

    @Command(name = "replay", description = "Send a dead-lettered, expired or failed command again, as a new one.")
    static final class Replay extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            out.object(api.post(COMMAND, PATH + "/" + Api.seg(id) + "/replay", null));
            return ExitCode.OK;
        }
    }
}
