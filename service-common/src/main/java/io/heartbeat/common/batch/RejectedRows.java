package io.heartbeat.common.batch;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;

import io.heartbeat.common.batch.BisectingBatchWriter.Rejected;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps rows a {@link BisectingBatchWriter} set aside in the service's own {@code rejected_row} table, for inspection:
 * which writer, the row as text (NULs and lone surrogates escaped as {@code \\uXXXX}, so Postgres takes it; at most
 * {@link #MAX_TEXT} characters), the error and its SQLSTATE, and when. The table is made on first use
 * ({@link #TABLE}, in the first schema of the connection's search path: the service's own), so no service needs a
 * migration for it and one that never rejects a row never has it.
 */
public final class RejectedRows {

    /** Longest payload and error kept, in characters (the rest is cut, marked with an ellipsis). */
    public static final int MAX_TEXT = 64 * 1024;

    /** The table, as made on first use. */
    public static final String TABLE = """
            CREATE TABLE IF NOT EXISTS rejected_row (
                id          bigserial   PRIMARY KEY,
                writer      text        NOT NULL,
                payload     text        NOT NULL,
                error       text        NOT NULL,
                sql_state   text,
                rejected_at timestamptz NOT NULL DEFAULT now()
            )
            """;

    private RejectedRows() {
    }

    /**
     * Inserts the rejected rows in one statement (after making the table if need be); {@code describe} turns a row into text
     * (e.g. its JSON).
     */
    public static <T> Uni<Void> store(SqlClient client, String writer, List<Rejected<T>> rows,
            Function<T, String> describe) {
        int n = rows.size();
        if (n == 0) {
            return Uni.createFrom().voidItem();
        }
        String[] writers = new String[n];
        String[] payloads = new String[n];
        String[] errors = new String[n];
        String[] states = new String[n];
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Rejected<T> r = rows.get(i);
            writers[i] = writer;
            String text;
            try {
                text = describe.apply(r.row());
            } catch (RuntimeException e) {
                text = String.valueOf(r.row());
            }
            payloads[i] = escape(String.valueOf(text), MAX_TEXT);
            errors[i] = escape(String.valueOf(r.error()), MAX_TEXT);
            states[i] = r.sqlState();
            at[i] = now;
        }
        return client.query(TABLE).execute().flatMap(created -> client.preparedQuery("""
                INSERT INTO rejected_row (writer, payload, error, sql_state, rejected_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
                """)
                .execute(Tuple.of(writers, payloads, errors, states, at)))
                .replaceWithVoid();
    }

    /**
     * The text with what Postgres refuses in text (NUL) and what cannot be encoded (lone surrogates) written as
     * {@code \\uXXXX} (as JSON writes them, so a row described as JSON stays readable JSON); at most {@code max}
     * characters.
     */
    public static String escape(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max) + 16);
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                sb.append(c).append(s.charAt(++i));
            } else if (c == 0 || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= max && s.length() > max) {
            sb.setLength(max);
            sb.append('…');
        }
        return sb.toString();
    }
}
