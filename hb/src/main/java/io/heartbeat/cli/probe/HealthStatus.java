package io.heartbeat.cli.probe;

/**
 * The top-level {@code "status"} of a MicroProfile Health answer ({@code {"status":"UP","checks":[...]}}), found
 * without a JSON library so that the probe loads none. The checks' own {@code status} fields are nested deeper and
 * are skipped.
 */
final class HealthStatus {

    private HealthStatus() {
    }

    /** The top-level status string, or null if the body is not a JSON object with one. */
    static String of(String body) {
        if (body == null) {
            return null;
        }
        int depth = 0;
        boolean expectKey = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            switch (c) {
                case '{' -> {
                    depth++;
                    expectKey = depth == 1;
                }
                case '[' -> depth++;
                case '}', ']' -> depth--;
                case ',' -> expectKey = depth == 1;
                case '"' -> {
                    int end = endOfString(body, i);
                    if (end < 0) {
                        return null;
                    }
                    if (depth == 1 && expectKey) {
                        String key = body.substring(i + 1, end);
                        int colon = skipBlanks(body, end + 1);
                        if (colon < body.length() && body.charAt(colon) == ':') {
                            int v = skipBlanks(body, colon + 1);
                            if (key.equals("status") && v < body.length() && body.charAt(v) == '"') {
                                int vEnd = endOfString(body, v);
                                return vEnd < 0 ? null : body.substring(v + 1, vEnd);
                            }
                            i = colon;
                            expectKey = false;
                            continue;
                        }
                    }
                    i = end;
                }
                default -> {
                    // values and blanks
                }
            }
        }
        return null;
    }

    private static int endOfString(String s, int open) {
        for (int j = open + 1; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j;
            }
        }
        return -1;
    }

    private static int skipBlanks(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
