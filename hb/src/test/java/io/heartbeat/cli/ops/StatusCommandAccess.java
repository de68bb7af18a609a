package io.heartbeat.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;

/** Opens {@link StatusCommand}'s formatting to tests in other packages. */
public final class StatusCommandAccess {

    private StatusCommandAccess() {
    }

    public static String eventLine(JsonNode e) {
        return StatusCommand.eventLine(e);
    }
}
