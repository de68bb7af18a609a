package io.heartbeat.ingest.service;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import io.heartbeat.contracts.HeartbeatRejected;

/**
 * Bounded excerpts of refused payloads for heartbeats.rejected, with credentials removed first: the value of every
 * credential field ({@code jwt_token}, {@code api_token}) and anything shaped like a JWT. Works on text, so a payload
 * that is not even JSON is redacted too.
 */
public final class Excerpts {

    public static final String REDACTED = "[redacted]";

    private static final Pattern CREDENTIAL_FIELD = Pattern
            .compile("(\"(?:jwt_token|api_token)\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"?|[^,}\\s]+)");
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.?[A-Za-z0-9_-]*");

    private Excerpts() {
    }

    /** The payload with credentials redacted, cut to {@code maxBytes} UTF-8 bytes; null for a null payload. */
    public static String of(byte[] payload, int maxBytes) {
        if (payload == null) {
            return null;
        }
        String text = new String(payload, StandardCharsets.UTF_8);
        String redacted = CREDENTIAL_FIELD.matcher(text).replaceAll("$1\"" + REDACTED + "\"");
        redacted = JWT.matcher(redacted).replaceAll(REDACTED);
        return HeartbeatRejected.excerpt(redacted, maxBytes);
    }
}
