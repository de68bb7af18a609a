package io.heartbeat.cli.ops;

import static io.heartbeat.cli.config.Service.MONITOR;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.output.Printer;
import io.heartbeat.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hb transitions ID}: a device's liveness history, newest first, each change with its reason. */
@Command(name = "transitions", description = "A device's state changes, newest first, with their reasons.")
public final class TransitionsCommand extends ApiCommand {

    @Parameters(paramLabel = "ID")
    String id;
    @Option(names = "--page", defaultValue = "0")
    int page;
    @Option(names = "--size", defaultValue = "50")
    int size;

    @Override
    protected int execute(Api api, Printer out) {
        JsonNode answer = api.get(MONITOR, StatusCommand.PATH + "/devices/" + Api.seg(id) + "/transitions",
                Api.params("page", page, "size", size));
        Table t = Table.of("at", "from", "to", "reason", "heartbeat age ms", "detail");
        for (JsonNode e : answer.path("items")) {
            t.row(e.get("at"), e.get("from"), e.get("to"), e.get("reason"), e.get("heartbeatAgeMs"), e.get("detail"));
        }
        out.list(answer, t);
        return ExitCode.OK;
    }
}
