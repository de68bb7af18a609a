package io.heartbeat.cli.ops;

import static io.heartbeat.cli.config.Service.REGISTRY;

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

/** {@code hb devices ...}: the registry's devices ({@code /api/v1/devices}). */
@Command(name = "devices", description = "Register, list, change and delete devices; rotate tokens; issue JWTs.", subcommands = {
        DevicesCommand.Create.class, DevicesCommand.ListDevices.class, DevicesCommand.Get.class,
        DevicesCommand.Update.class, DevicesCommand.Delete.class, DevicesCommand.RotateToken.class,
        DevicesCommand.Jwt.class })
public final class DevicesCommand {

    static final String PATH = "/api/v1/devices";

    static String path(String id) {
        return PATH + "/" + Api.seg(id);
    }

    /** The table of a page of devices. */
    static Table table(JsonNode items) {
        Table t = Table.of("id", "tenant", "name", "protocol", "profile", "enabled", "remote", "revision");
        for (JsonNode d : items) {
            t.row(d.get("id"), d.get("tenantId"), d.get("name"), d.get("protocol"), d.get("profileId"),
                    d.get("enabled"), d.get("remoteControlEnabled"), d.get("revision"));
        }
        return t;
    }

    /** What a create and an update may set, as flags. */
    static final class Settings {
        @Option(names = "--name", description = "display name")
        String name;
        @Option(names = "--profile", paramLabel = "PROFILE", description = "profile id (default: default)")
        String profile;
        @Option(names = "--enabled", arity = "1", paramLabel = "true|false")
        Boolean enabled;
        @Option(names = "--remote-control", arity = "1", paramLabel = "true|false", description = "allow commands to this device")
        Boolean remoteControl;
        @Option(names = "--firmware", paramLabel = "VERSION")
        String firmware;
        @Option(names = "--protocol-config", paramLabel = "KEY=VALUE", description = "e.g. qos=1, "
                + "healthUrl=http://...; repeatable")
        Map<String, String> protocolConfig;
        @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "repeatable")
        Map<String, String> metadata;
        @Option(names = "--threshold", paramLabel = "NAME=SECONDS", description = "an override of the profile's, "
                + "e.g. heartbeatIntervalSeconds=10; repeatable")
        Map<String, String> thresholds;

        void into(ObjectNode body) {
            put(body, "name", name);
            put(body, "profileId", profile);
            if (enabled != null) {
                body.put("enabled", enabled);
            }
            if (remoteControl != null) {
                body.put("remoteControlEnabled", remoteControl);
            }
            put(body, "firmwareVersion", firmware);
            map(body, "protocolConfig", protocolConfig);
            map(body, "metadata", metadata);
            map(body, "thresholdOverrides", thresholds);
        }

        private static void put(ObjectNode body, String field, String value) {
            if (value != null) {
                body.put(field, value);
            }
        }

        /** {@code k=v} pairs as an object; values that are JSON (numbers, booleans, null) keep their type. */
        private static void map(ObjectNode body, String field, Map<String, String> pairs) {
            if (pairs != null) {
                ObjectNode o = body.putObject(field);
                pairs.forEach((k, v) -> o.set(k, Json.value(v)));
            }
        }
    }

    @Command(name = "create", description = "Register a device; prints it with its API token (shown only now).")
    static final class Create extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "device id: 1 to 64 of A-Z a-z 0-9 . _ -")
        String id;
        @Option(names = "--protocol", defaultValue = "MQTT", paramLabel = "MQTT|HTTP", description = "default ${DEFAULT-VALUE}")
        String protocol;
        @Option(names = "--tenant", paramLabel = "TENANT", description = "admins only; default: the caller's")
        String tenant;
        @Option(names = "--print-token", description = "print only the API token (for scripts)")
        boolean printToken;
        @picocli.CommandLine.Mixin
        Settings settings = new Settings();

        @Override
        protected int execute(Api api, Printer out) {
            ObjectNode body = Json.object().put("id", id).put("name", id)
                    .put("protocol", protocol.toUpperCase(java.util.Locale.ROOT));
            if (tenant != null) {
                body.put("tenantId", tenant);
            }
            settings.into(body);
            JsonNode device = api.post(REGISTRY, PATH, body);
            if (printToken) {
                out.line(device.path("apiToken").asText());
            } else {
                out.object(device);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "list", description = "List devices, ordered by id.")
    static final class ListDevices extends ApiCommand {
        @Option(names = "--page", defaultValue = "0")
        int page;
        @Option(names = "--size", defaultValue = "50", description = "1 to 500 (default ${DEFAULT-VALUE})")
        int size;
        @Option(names = "--protocol", paramLabel = "MQTT|HTTP")
        String protocol;
        @Option(names = "--enabled", arity = "1", paramLabel = "true|false")
        Boolean enabled;
        @Option(names = { "-q", "--name-contains" }, paramLabel = "TEXT", description = "part of the name")
        String q;
        @Option(names = "--profile", paramLabel = "PROFILE")
        String profile;
        @Option(names = "--tenant", paramLabel = "TENANT", description = "admins only")
        String tenant;

        @Override
        protected int execute(Api api, Printer out) {
            JsonNode answer = api.get(REGISTRY, PATH, Api.params("page", page, "size", size, "protocol", protocol,
                    "enabled", enabled, "q", q, "profileId", profile, "tenantId", tenant));
            out.list(answer, table(answer.path("items")));
            if (!out.json()) {
                out.line(pageLine(answer));
            }
            return ExitCode.OK;
        }
    }

    /** {@code page 1 of 3, 123 items}: under a table, so a person knows there is more. */
    static String pageLine(JsonNode answer) {
        return "page " + answer.path("page").asLong() + " of " + Math.max(1, answer.path("totalPages").asLong())
                + " (from 0), " + answer.path("totalItems").asLong() + " items";
    }

    @Command(name = "get", description = "Show one device.")
    static final class Get extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            out.object(api.get(REGISTRY, path(id)));
            return ExitCode.OK;
        }
    }

    @Command(name = "update", description = "Change a device (a JSON merge patch of the given fields).")
    static final class Update extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;
        @Option(names = "--protocol", paramLabel = "MQTT|HTTP")
        String protocol;
        @Option(names = "--patch", paramLabel = "JSON", description = "a merge patch of your own, merged over the "
                + "flags, e.g. '{\"firmwareVersion\":null}'")
        String patch;
        @Option(names = "--if-match", paramLabel = "REVISION", description = "refuse the change (exit 6) if the "
                + "device's revision is another")
        Long ifMatch;
        @picocli.CommandLine.Mixin
        Settings settings = new Settings();

        @Override
        protected int execute(Api api, Printer out) {
            ObjectNode body = Json.object();
            if (protocol != null) {
                body.put("protocol", protocol.toUpperCase(java.util.Locale.ROOT));
            }
            settings.into(body);
            if (patch != null) {
                body.setAll(Json.objectArg("--patch", patch));
            }
            Map<String, String> headers = ifMatch == null ? Map.of() : Map.of("If-Match", "\"" + ifMatch + "\"");
            out.object(api.send(REGISTRY, "PATCH", path(id), body, headers).body());
            return ExitCode.OK;
        }
    }

    @Command(name = "delete", description = "Delete devices.")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "ID", arity = "1..*")
        List<String> ids;
        @Option(names = "--if-match", paramLabel = "REVISION")
        Long ifMatch;

        @Override
        protected int execute(Api api, Printer out) {
            Map<String, String> headers = ifMatch == null ? Map.of() : Map.of("If-Match", "\"" + ifMatch + "\"");
            for (String id : ids) {
                api.delete(REGISTRY, path(id), headers);
                if (!out.json()) {
                    out.line("deleted " + id);
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "rotate-token", description = "Replace a device's API token; prints the new one (shown only "
            + "now). The old token, and JWTs issued before, stop working at once.")
    static final class RotateToken extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(Api api, Printer out) {
            JsonNode device = api.post(REGISTRY, path(id) + "/token", null);
            if (out.json()) {
                out.object(device);
            } else {
                out.line(device.path("apiToken").asText());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "jwt", description = "Issue a device JWT (for the agent's --credential jwt, or as an MQTT "
            + "password); prints the token.")
    static final class Jwt extends ApiCommand {
        @Parameters(paramLabel = "ID")
        String id;
        @Option(names = "--lifetime", paramLabel = "SECONDS", description = "default: the registry's (24 h)")
        Long lifetime;

        @Override
        protected int execute(Api api, Printer out) {
            ObjectNode body = lifetime == null ? null : Json.object().put("lifetimeSeconds", lifetime);
            JsonNode jwt = api.post(REGISTRY, path(id) + "/jwt", body);
            if (out.json()) {
                out.object(jwt);
            } else {
                out.line(jwt.path("token").asText());
            }
            return ExitCode.OK;
        }
    }
}
