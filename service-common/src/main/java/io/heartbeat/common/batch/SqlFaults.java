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
