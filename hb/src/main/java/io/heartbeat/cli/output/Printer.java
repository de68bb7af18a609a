package io.heartbeat.cli.output;

import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.heartbeat.cli.http.Json;

/** Prints answers as tables and field lists for people, or as JSON for scripts ({@code --json}). */
public final class Printer {

    private final PrintWriter out;
    private final boolean json;

    public Printer(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    public boolean json() {
        return json;
    }

    public PrintWriter out() {
        return out;
    }

    /** One object: with {@code --json} as JSON, otherwise one {@code field  value} line per top-level field. */
    public void object(JsonNode node) {
        if (json) {
            out.println(Json.pretty(node));
        } else {
            out.print(fields(node));
        }
        out.flush();
    }

    /** A list: with {@code --json} the whole answer, otherwise the table. */
    public void list(JsonNode answer, Table table) {
        if (json) {
            out.println(Json.pretty(answer));
        } else {
            out.print(table.render());
        }
        out.flush();
    }

    public void line(String text) {
        out.println(text);
        out.flush();
    }

    /** {@code name  value} lines, names padded to the longest; nested objects as compact JSON. */
    public static String fields(JsonNode node) {
        if (node == null || !node.isObject()) {
            return (node == null ? "" : Json.write(node)) + "\n";
        }
        int width = 0;
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            width = Math.max(width, it.next().length());
        }
        StringBuilder sb = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            String text = v.isNull() ? "-" : v.isValueNode() ? v.asText() : Json.write(v);
            sb.append(e.getKey()).append(" ".repeat(width - e.getKey().length() + 2)).append(text).append('\n');
        }
        return sb.toString();
    }
}
