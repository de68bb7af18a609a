package io.heartbeat.common.batch;

import java.sql.SQLException;

import io.vertx.pgclient.PgException;

/**
 * Whose fault a failed database write is, read from the error's SQLSTATE (anywhere in its cause chain).
 * <ul>
 * <li>{@link Fault#ROW}: class 22 (data exception: a NUL in text or jsonb, a value out of range, bad encoding), 23
 * (integrity constraint violation: a row no partition takes, a check or foreign key) and 54 (program limit exceeded:
 * an index row too large, a statement too big). Writing the same rows again fails the same way, so the batch is
 * split to find the rows at fault.</li>
 * <li>{@link Fault#TRANSIENT}: everything else, in particular 08 (connection), 40001/40P01 (serialization failure,
 * deadlock), 53 (insufficient resources), 57 (operator intervention: shutdown, statement timeout) and errors without
 * a SQLSTATE (connection closed, timeouts): the whole batch is tried again later, no row is set aside.</li>
 * </ul>
 */
public final class SqlFaults {

    /** Whether a failure is the rows' fault (set aside) or passing (retry the whole batch). */
    public enum Fault {
        ROW,
        TRANSIENT
    }

    private SqlFaults() {
    }

    public static Fault classify(Throwable error) {
        String state = sqlState(error);
        if (state == null || state.length() < 2) {
            return Fault.TRANSIENT;
        }
        return switch (state.substring(0, 2)) {
            case "22", "23", "54" -> Fault.ROW;
            default -> Fault.TRANSIENT;
        };
    }

    /**
     * Whether a failure says the database cannot be reached or cannot serve now (down, restarting, out of
     * connections), not that a statement or its data is wrong: SQLSTATE class 08 (connection exception), 53
     * (insufficient resources) or 57P01-57P03 (shutting down, cannot connect now), or, without a SQLSTATE, a refused,
     * reset, closed or timed-out connection anywhere in the cause chain: a socket error (refused, reset by the server
     * ending the backend while a statement runs, broken pipe), a closed channel or connection, a pool that cannot
     * hand out one in time. The request may succeed later: a 503, not a 500.
     */
    public static boolean unavailable(Throwable error) {
        String state = sqlState(error);
        if (state != null) {
            return state.startsWith("08") || state.startsWith("53") || state.equals("57P01")
                    || state.equals("57P02") || state.equals("57P03");
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.SocketException || t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof java.net.UnknownHostException) {
                return true;
            }
            String type = t.getClass().getName();
            if (type.equals("io.vertx.sqlclient.ClosedConnectionException")
                    || type.equals("io.netty.channel.unix.Errors$NativeIoException")
                    || type.equals("io.vertx.core.http.ConnectionPoolTooBusyException")
                    || type.equals("org.hibernate.exception.JDBCConnectionException")) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("Connection refused")
                    || message.contains("Failed to read any response from the server")
                    || message.contains("Connection is not active") || message.contains("connection was closed")
                    || message.contains("connection has been closed") || message.contains("Connection reset")
                    || message.contains("Timeout in acquiring a connection")
                    || message.contains("Closed Connection"))) {
                return true;
            }
        }
        return false;
    }

    /** The SQLSTATE of the first Postgres or JDBC error in the cause chain; null if there is none. */
    public static String sqlState(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PgException pg && pg.getSqlState() != null) {
                return pg.getSqlState();
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
