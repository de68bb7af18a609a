package io.heartbeat.cli.http;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An RFC 9457 problem as the services answer it ({@code type}, {@code title}, {@code status}, {@code detail}, and
 * for a 422 {@code errors}: one {@code field}/{@code message} per offending field), shown to a person as one line.
 */
public record Problem(int status, String type, String title, String detail, List<FieldError> errors) {

    public record FieldError(String field, String message) {
    }

    /** Reads a problem body; a body that is not one (an empty 414, a proxy's HTML page) keeps only the status. */
    public static Problem of(int status, String body) {
        JsonNode json = null;
        try {
            json = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        } catch (Exception e) {
            // not JSON: the status alone says what happened
        }
        if (json == null || !json.isObject()) {
            return new Problem(status, null, null, null, List.of());
        }
        List<FieldError> errors = new ArrayList<>();
        for (JsonNode e : json.path("errors")) {
            errors.add(new FieldError(e.path("field").asText(null), e.path("message").asText(null)));
        }
        return new Problem(status, text(json, "type"), text(json, "title"), text(json, "detail"), errors);
    }

    /**
     * {@code 404 not-found: device 'x' does not exist}; a 422 adds its fields:
     * {@code 422 validation-failed: ... (name: must not be blank; protocolConfig.qos: must be 0 or 1)}.
     */
    public String line() {
        StringBuilder sb = new StringBuilder().append(status);
        if (type != null) {
            sb.append(' ').append(type.startsWith("/problems/") ? type.substring("/problems/".length()) : type);
        }
        String text = detail != null ? detail : title != null ? title : reason(status);
        sb.append(": ").append(oneLine(text));
        if (!errors.isEmpty()) {
            sb.append(" (");
            for (int i = 0; i < errors.size(); i++) {
                FieldError e = errors.get(i);
                sb.append(i == 0 ? "" : "; ").append(e.field() == null ? "?" : e.field()).append(": ")
                        .append(oneLine(String.valueOf(e.message())));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "not authenticated (no token, or a bad or expired one)";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 409 -> "conflict";
            case 412 -> "precondition failed";
            case 413 -> "payload too large";
            case 414 -> "URI too long";
            case 415 -> "unsupported media type";
            case 422 -> "validation failed";
            case 429 -> "too many requests";
            case 500 -> "internal server error";
            case 502 -> "bad gateway";
            case 503 -> "service unavailable";
            case 504 -> "gateway timeout";
            default -> "HTTP " + status;
        };
    }
}
