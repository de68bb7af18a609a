package io.heartbeat.registry.repository;

import java.util.List;
import java.util.function.Function;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * One {@code INSERT ... VALUES (...), (...), ...} per chunk of rows instead of one statement (and one round trip) per
 * entity: Hibernate writes identity-keyed entities (the outbox and the audit log) one at a time, which bounds a batch
 * registration to a few hundred devices a second. Used inside the caller's transaction, through its session.
 */
final class MultiRowInsert<T> {

    /** Postgres's most bind parameters in one statement. */
    static final int MAX_PARAMETERS = 65_535;

    private final String table;
    private final List<String> columns;
    private final List<String> placeholders;
    private final Function<T, Object[]> values;

    /**
     * {@code placeholders} holds one SQL expression per column with {@code ?} where the value goes, e.g.
     * {@code CAST(? AS integer)} where a null's type must be told; {@code values} gives a row's values in the columns'
     * order. A JSON column takes its JSON text as {@code CAST(CAST(? AS text) AS jsonb)}: a string bound to a jsonb
     * parameter would be stored as a JSON string.
     */
    MultiRowInsert(String table, List<String> columns, List<String> placeholders, Function<T, Object[]> values) {
        if (columns.size() != placeholders.size()) {
            throw new IllegalArgumentException("one placeholder per column");
        }
        this.table = table;
        this.columns = List.copyOf(columns);
        this.placeholders = List.copyOf(placeholders);
        this.values = values;
    }

    Uni<Void> insert(Mutiny.Session session, List<T> rows) {
        int perStatement = MAX_PARAMETERS / columns.size();
        int chunks = (rows.size() + perStatement - 1) / perStatement;
        return Multi.createFrom().range(0, chunks)
                .onItem().transformToUniAndConcatenate(c -> insertChunk(session,
                        rows.subList(c * perStatement, Math.min(rows.size(), (c + 1) * perStatement))))
                .collect().last().replaceWithVoid();
    }

    private Uni<Integer> insertChunk(Mutiny.Session session, List<T> rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (")
                .append(String.join(", ", columns)).append(")\nVALUES ");
        int n = 0;
        for (int r = 0; r < rows.size(); r++) {
            sql.append(r == 0 ? "(" : ",\n       (");
            for (int c = 0; c < columns.size(); c++) {
                sql.append(c == 0 ? "" : ", ").append(placeholders.get(c).replace("?", ":p" + n++));
            }
            sql.append(')');
        }
        Mutiny.Query<?> query = session.createNativeQuery(sql.toString());
        n = 0;
        for (T row : rows) {
            for (Object value : values.apply(row)) {
                query.setParameter("p" + n++, value);
            }
        }
        return query.executeUpdate();
    }
}
