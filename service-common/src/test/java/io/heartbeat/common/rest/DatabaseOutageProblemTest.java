package io.heartbeat.common.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

import io.heartbeat.common.batch.SqlFaults;

/** A database outage is answered 503 with Retry-After, never 500; a bug still is a 500. */
class DatabaseOutageProblemTest {

    final ProblemMapper mapper = new ProblemMapper();

    @Test
    void aRefusedConnectionIsA503WithRetryAfter() {
        Response r = mapper.unexpected(new IllegalStateException("pool", new ConnectException("Connection refused")),
                null);

        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(r.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        Problem p = (Problem) r.getEntity();
        assertThat(p.type()).isEqualTo("/problems/database-unavailable");
        assertThat(p.detail()).contains("database cannot be reached");
    }

    @Test
    void connectionAndShutdownSqlStatesAreOutages() {
        assertThat(SqlFaults.unavailable(new SQLException("gone", "08006"))).isTrue();
        assertThat(SqlFaults.unavailable(new SQLException("shutting down", "57P01"))).isTrue();
        assertThat(SqlFaults.unavailable(new SQLException("too many connections", "53300"))).isTrue();
        assertThat(SqlFaults.unavailable(new RuntimeException("Failed to read any response from the server, the"
                + " underlying connection may have been lost unexpectedly."))).isTrue();
        assertThat(SqlFaults.unavailable(new RuntimeException("Pending requests failed to be sent due to connection"
                + " has been closed."))).isTrue();
        assertThat(SqlFaults.unavailable(new IllegalStateException("pool", new java.net.SocketException(
                "Connection reset")))).isTrue();
    }

    @Test
    void aStatementOrDataErrorIsNoOutage() {
        assertThat(SqlFaults.unavailable(new SQLException("syntax", "42601"))).isFalse();
        assertThat(SqlFaults.unavailable(new SQLException("unique", "23505"))).isFalse();
        assertThat(SqlFaults.unavailable(new NullPointerException())).isFalse();

        Response r = mapper.unexpected(new NullPointerException("a bug"), null);
        assertThat(r.getStatus()).isEqualTo(500);
        assertThat(((Problem) r.getEntity()).type()).isEqualTo("/problems/internal-error");
    }
}
