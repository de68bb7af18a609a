package io.heartbeat.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.heartbeat.cli.http.Json;

class TableTest {

    @Test
    void columnsArePaddedToTheirWidestCellWithoutTrailingBlanks() {
        Table t = Table.of("id", "state").row("socket-0042", "CONNECTED").row("s1", null);
        assertThat(t.render()).isEqualTo("""
                ID           STATE
                socket-0042  CONNECTED
                s1           -
                """);
    }

    @Test
    void jsonCellsAreCompactAndLongOnesCut() throws Exception {
        var node = Json.MAPPER.readTree("{\"a\":{\"b\":1},\"n\":null,\"s\":\"x\"}");
        assertThat(Table.cell(node.get("a"))).isEqualTo("{\"b\":1}");
        assertThat(Table.cell(node.get("n"))).isEqualTo("-");
        assertThat(Table.cell(node.get("missing"))).isEqualTo("-");
        assertThat(Table.cell("x".repeat(100))).hasSize(Table.MAX_CELL).endsWith("…");
        assertThat(Table.cell("two\nlines")).isEqualTo("two lines");
    }

    @Test
    void anObjectPrintsAsAlignedFields() throws Exception {
        var node = Json.MAPPER.readTree("{\"id\":\"d1\",\"thresholds\":{\"heartbeatIntervalSeconds\":30},"
                + "\"firmwareVersion\":null}");
        assertThat(Printer.fields(node)).isEqualTo("""
                id               d1
                thresholds       {"heartbeatIntervalSeconds":30}
                firmwareVersion  -
                """);
    }

    @Test
    void aTransitionIsOneLine() throws Exception {
        var e = Json.MAPPER.readTree("{\"deviceId\":\"d1\",\"from\":\"UNKNOWN\",\"to\":\"CONNECTED\","
                + "\"reason\":\"HEARTBEAT_RECEIVED\",\"at\":\"2026-11-22T10:00:00Z\"}");
        assertThat(io.heartbeat.cli.ops.StatusCommandAccess.eventLine(e))
                .isEqualTo("2026-11-22T10:00:00Z  d1  UNKNOWN -> CONNECTED  HEARTBEAT_RECEIVED");
    }
}
