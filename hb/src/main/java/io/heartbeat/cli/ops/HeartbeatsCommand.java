package io.heartbeat.cli.ops;

import static io.heartbeat.cli.config.Service.INGEST;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.cli.ExitCode;
import io.heartbeat.cli.http.Api;
import io.heartbeat.cli.output.Printer;
import io.heartbeat.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hb heartbeats ID}: a device's accepted heartbeats with their telemetry (ingest's history, 30 days). */
@Command(name = "heartbeats", description = "A device's telemetry history (accepted heartbeats), newest first.")
public final class HeartbeatsCommand extends ApiCommand {

    @Parameters(paramLabel = "ID")
    String id;
    @Option(names = "--from", paramLabel = "INSTANT", description = "inclusive (default: --to minus 24 h)")
    String from;
    @Option(names = "--to", paramLabel = "INSTANT", description = "exclusive (default: now)")
    String to;
    @Option(names = "--limit", defaultValue = "100", description = "1 to 1000 (default ${DEFAULT-VALUE})")
    int limit;

    @Override
    protected int execute(Api api, Printer out) {
        JsonNode answer = api.get(INGEST, "/api/v1/heartbeats/" + Api.seg(id),
                Api.params("from", from, "to", to, "limit", limit));
        Table t = Table.of("received", "channel", "kind", "status", "telemetry", "anomalies");
        for (JsonNode h : answer.path("items")) {
            t.row(h.get("receivedAt"), h.get("channel"), h.get("kind"), h.get("status"), h.get("telemetry"),
                    h.path("anomalies").isEmpty() ? null : h.get("anomalies"));
        }
        out.list(answer, t);
        if (!out.json() && answer.hasNonNull("nextTo")) {
            out.line("older: --to " + answer.get("nextTo").asText());
        }
        return ExitCode.OK;
    }
}
