package io.heartbeat.ingest.service;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.heartbeat.contracts.HeartbeatRejected;

/**
 * Bounded excerpts of refused payloads for heartbeats.rejected, with credentials removed first: the value of every
 * credential field ({@code jwt_token}, {@code api_token}, at any depth) and any string (value or field name) shaped
 * like a JWT.
 *
 * <p>
 * A JSON payload is redacted on its parsed tokens, so field names count after JSON unescaping
 * ({@code "api\u005ftoken"} is {@code api_token}); the excerpt is then the payload re-written compactly. Parsing is
 * streaming and stops once the excerpt is long enough, so a large or deeply nested payload costs little. A payload
 * that is not JSON is scanned as text, in one linear pass (no regular expressions: untrusted input must not be able to
 * make redaction backtrack or overflow the stack), and every quoted string that names a credential field hides
 * what follows it.
 */
public final class Excerpts {

    public static final String REDACTED = "[redacted]";

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Excerpts() {
    }

    /** The payload with credentials redacted, cut to {@code maxBytes} UTF-8 bytes; null for a null payload. */
    public static String of(byte[] payload, int maxBytes) {
        if (payload == null) {
            return null;
        }
        String redacted = fromJson(payload, maxBytes);
        if (redacted == null) {
            redacted = fromText(new String(payload, StandardCharsets.UTF_8), maxBytes);
        }
        return HeartbeatRejected.excerpt(redacted, maxBytes);
    }

    /** The JSON payload re-written with credentials redacted, at least {@code maxBytes} long if it is; null if not JSON. */
    static String fromJson(byte[] payload, int maxBytes) {
        StringWriter out = new StringWriter();
        try (JsonParser parser = FACTORY.createParser(payload); JsonGenerator gen = FACTORY.createGenerator(out)) {
            boolean redactNext = false;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (out.getBuffer().length() > maxBytes) {
                    gen.flush();
                    return out.toString();
                }
                if (token == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    redactNext = HeartbeatValidator.CREDENTIAL_FIELDS.contains(name);
                    gen.writeFieldName(looksLikeJwt(name) ? REDACTED : name);
                    continue;
                }
                if (redactNext) {
                    redactNext = false;
                    if (token.isStructStart()) {
                        parser.skipChildren();
                    }
                    gen.writeString(REDACTED);
                    continue;
                }
                if (token == JsonToken.VALUE_STRING && looksLikeJwt(parser.getText())) {
                    gen.writeString(REDACTED);
                    continue;
                }
                gen.copyCurrentEvent(parser);
            }
            gen.flush();
            return out.toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Text that is not JSON, redacted in one pass: every run shaped like a JWT, and after a quoted string naming a
     * credential field (JSON escapes decoded) the value that follows, up to its closing quote or the next
     * {@code ,}/{@code }}.
     */
    static String fromText(String text, int maxBytes) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxBytes + 16));
        int i = 0;
        int n = text.length();
        boolean redactValue = false;
        while (i < n && out.length() <= maxBytes) {
            char c = text.charAt(i);
            if (c == '"') {
                int end = stringEnd(text, i);
                String decoded = decode(text, i + 1, end);
                int after = skipSpace(text, Math.min(n, end + 1));
                boolean isKey = after < n && text.charAt(after) == ':';
                if (redactValue) {
                    out.append('"').append(REDACTED).append('"');
                    redactValue = false;
                } else if (looksLikeJwt(decoded)) {
                    out.append('"').append(REDACTED).append('"');
                } else {
                    out.append(text, i, Math.min(n, end + 1));
                }
                if (isKey && HeartbeatValidator.CREDENTIAL_FIELDS.contains(decoded)) {
                    out.append(text, Math.min(n, end + 1), after + 1);
                    redactValue = true;
                    i = after + 1;
                } else {
                    i = Math.min(n, end + 1);
                }
                continue;
            }
            if (redactValue && !Character.isWhitespace(c)) {
                // an unquoted value: up to the next separator
                int end = i;
                while (end < n && text.charAt(end) != ',' && text.charAt(end) != '}' && text.charAt(end) != ']'
                        && !Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
                out.append(REDACTED);
                redactValue = false;
                i = end;
                continue;
            }
            if (isTokenChar(c)) {
                int end = i;
                while (end < n && (isTokenChar(text.charAt(end)) || text.charAt(end) == '.')) {
                    end++;
                }
                String run = text.substring(i, end);
                out.append(looksLikeJwt(run) ? REDACTED : run);
                i = end;
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Whether {@code s} contains a JWT-shaped run: {@code eyJ} then base64url, a dot, base64url (then more). */
    static boolean looksLikeJwt(String s) {
        int from = 0;
        while (true) {
            int at = s.indexOf("eyJ", from);
            if (at < 0) {
                return false;
            }
            int i = at + 3;
            while (i < s.length() && isTokenChar(s.charAt(i))) {
                i++;
            }
            if (i < s.length() && s.charAt(i) == '.') {
                return true;
            }
            from = i;
        }
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** The index of the closing quote of the string opening at {@code open}, or the text's length if unclosed. */
    private static int stringEnd(String text, int open) {
        int i = open + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i;
            } else {
                i++;
            }
        }
        return text.length();
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The JSON string content between {@code from} and {@code to}, escapes decoded (malformed ones kept as is). */
    private static String decode(String text, int from, int to) {
        StringBuilder s = new StringBuilder(Math.max(0, to - from));
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < to) {
                char e = text.charAt(i + 1);
                if (e == 'u' && i + 6 <= to) {
                    try {
                        s.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                        i += 6;
                        continue;
                    } catch (NumberFormatException ignored) {
                        // kept as is below
                    }
                }
                s.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    default -> e;
                });
                i += 2;
            } else {
                s.append(c);
                i++;
            }
        }
        return s.toString();
    }
}
