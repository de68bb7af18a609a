package io.heartbeat.cli.output;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.cli.http.Json;

/**
 * A plain-text table for people: a header in capitals, columns padded to their widest cell, two spaces between
 * columns, the last column not padded (so no trailing blanks). Cells are taken from JSON: null or missing shows as
 * {@code -}, objects and arrays as compact JSON, long cells are cut with an ellipsis at {@link #MAX_CELL}.
 */
public final class Table {

    public static final int MAX_CELL = 60;

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(List<String> headers) {
        this.headers = headers;
    }

    public static Table of(String... headers) {
        return new Table(List.of(headers));
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(cell(c));
        }
        rows.add(r);
        return this;
    }

    public int size() {
        return rows.size();
    }

    /** The cell text of a JSON node or any other value. */
    public static String cell(Object value) {
        String s;
        if (value == null) {
            s = "-";
        } else if (value instanceof JsonNode n) {
            s = n.isMissingNode() || n.isNull() ? "-" : n.isValueNode() ? n.asText() : Json.write(n);
        } else {
            s = value.toString();
        }
        s = s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
        if (s.isEmpty()) {
            return "-";
        }
        return s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 1) + "…" : s;
    }

    public String render() {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers.stream().map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList(), width);
        for (List<String> r : rows) {
            line(sb, r, width);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(width[i] - c.length() + 2));
            }
        }
        sb.append('\n');
    }
}
